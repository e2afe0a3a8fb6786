"""The emergency on the home page: phase, service-status table, new and changed entries, and the
announcement bar's link; none of it without an emergency (or in phase normal)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest

from openshelf.guide.load import load_guide
from openshelf.site.context import HOME
from openshelf.site.history import EntryHistory, entry_history
from openshelf.site.render import render
from support import make_project, mkdocs_build, write_guide

EMERGENCY = """\
title: {zh: 测试馆, en: Test library}
emergency:
  name: {zh: 疫情闭馆, en: Epidemic closure}
  phase: respond
  since: 2026-11-01
  notice: {zh: 馆舍关闭，线上服务照常。, en: The building is closed; online services continue.}
categories:
  services: {zh: 服务, en: Services}
"""

SERVICES = """\
id: services
title: {zh: 本馆服务, en: Our services}
entries:
  - id: delivery
    title: {zh: 文献传递, en: Document delivery}
    url: https://lib.example.org/delivery
    description: {zh: 代查代借。, en: We fetch what we do not hold.}
    category: services
    access: free
    service_status:
      state: changed
      note: {zh: 仅提供电子版。, en: Electronic copies only.}
      since: 2026-11-02
  - id: reading-room
    title: {zh: 阅览室, en: Reading room}
    url: https://lib.example.org/rooms
    description: {zh: 馆内阅览。, en: Reading in the building.}
    category: services
    access: free
    service_status: {state: suspended, since: 2026-11-01}
  - id: chat
    title: {zh: 在线咨询, en: Chat reference}
    url: https://lib.example.org/chat
    description: {zh: 在线回答问题。, en: Questions answered online.}
    category: services
    access: free
    service_status: {state: running}
"""


def _guide(tmp_path: Path, site: str = EMERGENCY):  # type: ignore[no-untyped-def]
    guide, diagnostics = load_guide(write_guide(tmp_path / "guides", {"_site.yml": site, "services.yml": SERVICES}))
    assert guide is not None, diagnostics
    return guide


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)


def test_the_home_page_shows_phase_services_and_changes(tmp_path: Path) -> None:
    history = {"delivery": EntryHistory(_at("2026-10-01"), _at("2026-11-02")),   # changed since the start
               "reading-room": EntryHistory(_at("2026-11-05"), _at("2026-11-05")),  # added since the start
               "chat": EntryHistory(_at("2026-01-01"), _at("2026-01-01"))}       # untouched since
    pages = render(_guide(tmp_path), today=dt.date(2026, 11, 28), history=history)
    home = pages.written[HOME]
    assert 'id="os-emergency"' in home and "应急响应" in home and "Respond" in home and 'datetime="2026-11-01"' in home
    assert "线上服务照常" in home
    table = [line for line in home.splitlines() if line.startswith("| [") and "os-service" in line]
    assert [row.split("](")[1].split(")")[0] for row in table] == ["services.md#reading-room", "services.md#delivery", "services.md#chat"]
    assert "os-service-suspended" in table[0] and "Electronic copies only." in table[1] and "2026-11-02" in table[1]
    changes = [line for line in home.splitlines() if line.startswith("- <span class=\"os-change")]
    assert len(changes) == 2
    assert "os-change-new" in changes[0] and "#reading-room" in changes[0]
    assert "os-change-changed" in changes[1] and "#delivery" in changes[1]
    assert "Epidemic closure" in str(pages.extra["emergency"]) and "Respond" in str(pages.extra["emergency"])


@pytest.mark.parametrize("site", [
    EMERGENCY.replace("phase: respond", "phase: normal"),
    "title: {zh: 测试馆, en: Test library}\ncategories:\n  services: {zh: 服务, en: Services}\n",
])
def test_nothing_shows_outside_an_emergency(tmp_path: Path, site: str) -> None:
    pages = render(_guide(tmp_path, site), today=dt.date(2026, 11, 28))
    assert "os-emergency" not in pages.written[HOME] and "emergency" not in pages.extra
    assert "Service status" not in pages.written[HOME]


def test_a_bad_phase_is_a_clear_error(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "guides", {"_site.yml": EMERGENCY.replace("phase: respond", "phase: panic"), "services.yml": SERVICES})
    guide, diagnostics = load_guide(guides)
    assert guide is None
    assert any(d.field == "emergency.phase" and "'prepare', 'respond', 'recover' or 'normal'" in d.message for d in diagnostics), diagnostics


def _git(where: Path, *args: str, when: str) -> None:
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", *args], cwd=where, env=env, check=True, capture_output=True)


def _committed(guides: Path, when: str) -> None:
    """``guides`` made a git repository whose one commit, at ``when``, holds every file."""
    _git(guides, "init", "-q", when=when)
    _git(guides, "add", ".", when=when)
    _git(guides, "commit", "-qm", "start", when=when)


def test_history_knows_added_and_changed(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "guides", {"_site.yml": EMERGENCY, "services.yml": SERVICES})
    _committed(guides, "2026-10-01T00:00:00Z")
    path = guides / "services.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("仅提供电子版。", "仅提供电子版，三日内送达。"), encoding="utf-8")
    _git(guides, "commit", "-qam", "note", when="2026-11-03T00:00:00Z")
    guide, _ = load_guide(guides)
    assert guide is not None
    history = entry_history(guide)
    assert history["delivery"] == EntryHistory(_at("2026-10-01"), _at("2026-11-03"))
    assert history["chat"] == EntryHistory(_at("2026-10-01"), _at("2026-10-01"))


def test_the_built_site_links_the_bar_to_the_section(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "guides", {"_site.yml": EMERGENCY, "services.yml": SERVICES})
    config = make_project(tmp_path / "p", guides)
    site = tmp_path / "site"
    result = mkdocs_build(config, site)
    assert result.returncode == 0, result.stderr
    home = (site / "index.html").read_text(encoding="utf-8")
    page = (site / "services" / "index.html").read_text(encoding="utf-8")
    assert 'id="os-emergency"' in home and "os-service-suspended" in home
    assert 'class="os-announcement os-announcement-emergency"' in page and 'href="../#os-emergency"' in page
    assert 'href="./#os-emergency"' in home or 'href=".#os-emergency"' in home or 'href="/#os-emergency"' in home
    # the 404 page (base "/", served at any depth): the site's root, not "//#os-emergency", a link to another host
    for not_found in (site / "404.html", site / "en" / "404.html"):
        text = not_found.read_text(encoding="utf-8")
        assert 'href="//' not in text and 'href="/en//' not in text, not_found
        assert re.search(r'href="(/|/en/)#os-emergency"', text), not_found


@pytest.mark.browser
def test_the_bar_is_short_on_a_phone(tmp_path: Path) -> None:
    from browser import browser, serve

    guides = write_guide(tmp_path / "guides", {"_site.yml": EMERGENCY, "services.yml": SERVICES})
    site = tmp_path / "site"
    assert mkdocs_build(make_project(tmp_path / "p", guides), site).returncode == 0
    with serve(site) as base, browser() as chromium:
        page = chromium.new_page(viewport={"width": 390, "height": 844})
        page.goto(base + "services/")
        bar = page.locator(".os-announcement-emergency")
        box = bar.bounding_box()
        assert box is not None and box["height"] <= 844 / 8, box  # one or two lines, not a third of the screen
        assert not page.locator(".os-announcement-emergency .os-more").is_visible()
        bar.locator("a").click()
        page.wait_for_url("**/#os-emergency")
        assert page.locator("#os-emergency").is_visible()


#: More services, their names from one word to many, so that on some phone width a date ends a line.
MORE_SERVICES = "".join(f"""\
  - id: service-{n}
    title: {{zh: 服务{n}, en: {" ".join(["Remote"] * n)} service}}
    url: https://lib.example.org/service-{n}
    description: {{zh: 服务。, en: A service.}}
    category: services
    access: free
    service_status: {{state: changed, note: {{zh: 改为线上。, en: Online only.}}, since: 2026-11-0{n % 9 + 1}}}
""" for n in range(1, 13))
#: The dates (``time``) on the page that take more than one line box: broken at a hyphen.
BROKEN_DATES = "() => [...document.querySelectorAll('article time')].filter(t => t.getClientRects().length > 1).map(t => t.textContent)"


@pytest.mark.browser
@pytest.mark.parametrize("edition", ["", "en/"])
def test_on_a_phone_dates_stay_whole_and_the_service_table_fits(tmp_path: Path, edition: str) -> None:
    """On a phone the "new and changed" dates broke at a hyphen (2026-11-\\n05) and the service-status table
    scrolled sideways with no sign that it did: the dates stay whole at every phone width, the table is shown a row at
    a time with its column names."""
    from browser import browser, serve

    guides = write_guide(tmp_path / "guides", {"_site.yml": EMERGENCY, "services.yml": SERVICES + MORE_SERVICES})
    _committed(guides, "2026-11-05T00:00:00Z")  # every entry new since the emergency began
    site = tmp_path / "site"
    assert mkdocs_build(make_project(tmp_path / "p", guides), site).returncode == 0
    with serve(site) as base, browser() as chromium:
        page = chromium.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                 locale="en-US" if edition else "zh-CN")  # a reader of the edition's language
        page.goto(base + edition)
        assert page.locator("article li time").count() == 15
        broken: dict[int, list[str]] = {}
        for width in range(320, 431, 2):
            page.set_viewport_size({"width": width, "height": 844})
            if found := page.evaluate(BROKEN_DATES):
                broken[width] = found
        assert broken == {}
        table = page.locator("#os-emergency table")
        assert table.get_attribute("data-os-stack") is not None
        assert page.evaluate("t => t.closest('.md-typeset__scrollwrap').scrollWidth - t.closest('.md-typeset__scrollwrap').clientWidth",
                             table.element_handle()) <= 1
        label = page.evaluate("c => getComputedStyle(c, '::before').content", table.locator("tbody td").nth(3).element_handle())
        assert label == ('"变更日期"' if edition == "" else '"Since"')


def test_an_ended_program_in_new_and_changed_says_it_ended(tmp_path: Path) -> None:
    """An entry changed to mark it ended showed as "Changed" like good news: it is marked ended there."""
    ended = SERVICES.replace("    service_status: {state: running}\n",
                             "    status: ended\n    available_until: 2026-11-20\n")
    guide, diagnostics = load_guide(write_guide(tmp_path / "guides", {"_site.yml": EMERGENCY, "services.yml": ended}))
    assert guide is not None, diagnostics
    history = {"chat": EntryHistory(_at("2026-01-01"), _at("2026-11-20"))}
    home = render(guide, today=dt.date(2026, 11, 28), history=history, language="en").written[HOME]
    (change,) = [line for line in home.splitlines() if line.startswith("- <span class=\"os-change")]
    assert "#chat" in change and '— <em class="os-ended-mark">ended</em>' in change, change


def test_the_chinese_edition_brackets_in_full_width(tmp_path: Path) -> None:
    """Half-width brackets stood in Chinese interface text: 新增与更新 (自 2026-11-01)."""
    guide = _guide(tmp_path)
    zh = render(guide, today=dt.date(2026, 11, 28), language="zh").written[HOME]
    en = render(guide, today=dt.date(2026, 11, 28), language="en").written[HOME]
    assert '### 新增与更新（自 <time datetime="2026-11-01">2026-11-01</time>）' in zh
    assert "订阅更新（Atom）" in zh and "（可用 Excel 打开）" in zh
    assert '### New and changed (since <time datetime="2026-11-01">2026-11-01</time>)' in en


def test_without_the_guides_history_the_page_does_not_claim_nothing_changed(tmp_path: Path) -> None:
    """Built from a folder with no git history (a copy, a download), the home page said "Nothing in the guide has been
    added or changed since then" about a guide whose every entry may be new: found by checking the emergency by hand."""
    home = render(_guide(tmp_path), today=dt.date(2026, 11, 28), history={}, language="en").written[HOME]
    assert "Nothing in the guide has been added or changed" not in home
    assert "The guide's history (read from git) is not available here" in home
    known = render(_guide(tmp_path), today=dt.date(2026, 11, 28), language="en",
                   history={"chat": EntryHistory(_at("2026-01-01"), _at("2026-01-02"))}).written[HOME]
    assert "Nothing in the guide has been added or changed since then." in known
