"""Rendering: golden Markdown for the fixture guide, and the rules readers rely on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from openshelf.guide.load import Guide, load_guide
from openshelf.site.render import render
from support import FIXTURE_GUIDE, GOLDEN, write_guide

TODAY = dt.date(2026, 11, 22)
SITE_URL = "http://127.0.0.1:8000/"


def fixture() -> Guide:
    guide, diagnostics = load_guide(FIXTURE_GUIDE)
    assert guide is not None, [d.format() for d in diagnostics]
    return guide


@pytest.mark.parametrize("page", ["index.md", "databases.md", "access.md", "tags.md", "a-z.md", "links.md", "reference.md",
                                  "print/databases.md", "print/access.md"])
def test_golden_pages(page: str, update_goldens: bool) -> None:
    pages = render(fixture(), today=TODAY, site_url=SITE_URL).markdown
    golden = GOLDEN / "render" / page
    if update_goldens:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(pages[page], encoding="utf-8")
    assert pages[page] == golden.read_text(encoding="utf-8"), f"run pytest --update-goldens and review the diff of {golden}"


EDITION_PAGES = ["index.md", "databases.md", "access.md", "tags.md", "a-z.md", "links.md", "print/databases.md"]


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("page", EDITION_PAGES)
def test_golden_edition_pages(language: str, page: str, update_goldens: bool) -> None:
    """A site per language: each page of the English and of the Chinese edition."""
    pages = render(fixture(), today=TODAY, site_url=SITE_URL, language=language).markdown
    golden = GOLDEN / f"render-{language}" / page
    if update_goldens:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(pages[page], encoding="utf-8")
    assert pages[page] == golden.read_text(encoding="utf-8"), f"run pytest --update-goldens and review the diff of {golden}"


def test_every_page_is_golden() -> None:
    assert sorted(render(fixture(), today=TODAY, site_url=SITE_URL).markdown) == sorted(
        p.relative_to(GOLDEN / "render").as_posix() for p in (GOLDEN / "render").rglob("*.md"))


def test_cross_links_go_both_ways() -> None:
    pages = render(fixture(), today=TODAY, site_url=SITE_URL).markdown
    carsi = ('[<span lang="zh" class="os-zh">CARSI 联邦认证</span><span class="os-sep"> · </span>'
             '<span lang="en" class="os-en">CARSI federated login</span>](access.md#carsi)')
    cnki = ('[<span lang="zh" class="os-zh">中国知网</span><span class="os-sep"> · </span>'
            '<span lang="en" class="os-en">CNKI</span>](databases.md#cnki)')
    assert carsi in pages["databases.md"]
    assert f"Used with</span>:** {cnki}" in pages["access.md"]


def test_ended_programs_are_marked_with_dates() -> None:
    page = render(fixture(), today=TODAY, site_url=SITE_URL).markdown["databases.md"]
    muse = page[page.index("{ #muse-2020 }"):]
    assert "os-status-ended" in muse
    assert '!!! warning "已结束 · Ended"' in muse
    assert "2020-03-01 – 2020-06-30" in muse


def test_unverified_entries_say_so() -> None:
    page = render(fixture(), today=TODAY, site_url=SITE_URL).markdown["databases.md"]
    assert ('os-verified-no"><span lang="zh" class="os-zh">尚未有人核实</span><span class="os-sep"> · </span>'
            '<span lang="en" class="os-en">Not yet verified</span>') in page
    assert 'os-verified-yes"><span lang="zh" class="os-zh">2026-11-01 人工核实</span>' in page


def test_announcement_expires(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    site = "title: {en: T}\nannouncement: {zh: 闭馆 <b>通知</b>, until: 2026-01-31}\ncategories: {databases: {en: DBs}}\n"
    guide, _ = load_guide(write_guide(tmp_path / "g", {"_site.yml": site}))
    assert guide is not None
    assert render(guide, today=dt.date(2026, 1, 31)).extra["announcement"] == "闭馆 &lt;b&gt;通知&lt;/b&gt;"
    assert render(guide, today=dt.date(2026, 2, 1)).extra["announcement"] == ""


def test_curated_text_cannot_inject_markup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    entry = """\
id: dbs
title: {en: DBs}
entries:
  - id: evil
    title: {en: "<script>alert(1)</script> {: onclick=alert(1) }"}
    url: https://a.org/
    description:
      en: "<img src=x onerror=alert(1)> [x](javascript:alert(1)) ![t](https://tracker.invalid/p.gif)\\n# Heading"
    category: databases
    access: free
"""
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": entry}))
    assert guide is not None, [d.format() for d in diagnostics]
    page = render(guide, today=TODAY).markdown["dbs.md"]
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert "\\{: onclick=alert\\(1\\) \\}" in page
    assert "javascript:" not in page and "<h1" not in page  # the unsafe link and the heading are text
    assert '<a href="https://tracker.invalid/p.gif">t</a>' in page  # an image becomes a link, never loaded


def test_urls_with_quotes_or_spaces_are_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    entries = "".join(
        f"  - id: e{i}\n    title: {{en: T}}\n    url: '{url}'\n    description: {{en: D}}\n    category: databases\n    access: free\n"
        for i, url in enumerate(['https://a.org/"onmouseover="x', "https://a.org/a b", "https://<b>/", "data:text/html,x", "/relative"])
    )
    _, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": f"id: dbs\ntitle: {{en: D}}\nentries:\n{entries}"}))
    assert [d.field for d in diagnostics] == ["url"] * 5


def test_link_status_from_the_state_file() -> None:
    from openshelf.links.store import LinkState

    when = dt.datetime(2026, 11, 15, 3, 0, tzinfo=dt.UTC)
    since = dt.datetime(2026, 10, 1, 3, 0, tzinfo=dt.UTC)
    links = {
        "https://www.cnki.net/": LinkState(last_checked=when, last_ok=when, last_verdict="ok", last_status=200),
        "https://pubmed.ncbi.nlm.nih.gov/": LinkState(last_checked=when, first_failure=since, consecutive_failures=4,
                                                      last_verdict="broken", last_status=404),
        "https://muse.jhu.edu/": LinkState(last_checked=when, last_verdict="redirected", redirect_to="https://muse.jhu.edu/new"),
    }
    pages = render(fixture(), links=links, today=TODAY, site_url=SITE_URL).markdown
    page = pages["databases.md"]
    cnki = page[page.index("{ #cnki }"):page.index("{ #pubmed }")]
    assert "Link OK (checked 2026-11-15)" in cnki
    pubmed = page[page.index("{ #pubmed }"):page.index("{ #muse-2020 }")]
    assert "Link broken since 2026-10-01" in pubmed
    assert "Unreachable since 2026-10-01" in pubmed
    assert 'href="https://web.archive.org/web/https://pubmed.ncbi.nlm.nih.gov/"' in pubmed
    muse = page[page.index("{ #muse-2020 }"):]
    assert "muse.jhu.edu/new" not in muse, "a permanent redirect is for curators, not readers"
    health = pages["links.md"]
    assert "Last check: 2026-11-15" in health
    assert "(databases.md#pubmed)" in health
    assert "](databases.md) | 2 | 1 | 0 | 0 | 0 |" in health  # ok counts cnki and the redirected muse


def test_a_how_to_shows_your_librarys_address_not_a_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = render(fixture(), today=TODAY, site_url=SITE_URL).markdown["access.md"]
    webvpn = page[page.index("{ #webvpn }"):]
    placeholder = webvpn[webvpn.index('<p class="os-url'):].partition("</p>")[0]
    assert "你所在图书馆的地址：请向本馆咨询" in placeholder and "Your library's address — ask your library" in placeholder
    assert "<a " not in placeholder and "href" not in placeholder
    assert "How-to" in webvpn and "each university has its own portal" in webvpn
    # A library's own guide gives its address as the url: then it is an ordinary link.
    monkeypatch.chdir(tmp_path)
    own = ("id: dbs\ntitle: {en: D}\nentries:\n  - id: vpn\n    title: {en: VPN}\n    kind: how-to\n"
           "    url: https://vpn.lib.example.edu/\n    description: {en: D}\n    category: access\n    access: institutional\n")
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": own}))
    assert guide is not None, [d.format() for d in diagnostics]
    mine = render(guide, today=TODAY).markdown["dbs.md"]
    assert '<p class="os-url"><a href="https://vpn.lib.example.edu/" rel="noopener">' in mine
    assert "Your library's address" not in mine


ONE_LANGUAGE = """\
id: dbs
title: {zh: 数据库, en: Databases}
entries:
  - id: wanfang
    title: {zh: 万方数据}
    url: https://www.wanfangdata.com.cn/
    category: databases
    access: institutional
    description: {zh: 中文期刊与学位论文。}
  - id: pubmed
    title: {en: PubMed}
    url: https://pubmed.ncbi.nlm.nih.gov/
    category: databases
    access: free
    description: {en: Biomedical literature.}
"""


@pytest.mark.parametrize(("language", "other", "entry", "text"), [("en", "zh", "wanfang", "万方数据"), ("zh", "en", "pubmed", "PubMed")])
def test_an_entry_in_one_language_appears_in_both_editions_marked(tmp_path: Path, language: str, other: str, entry: str, text: str) -> None:
    guide, _ = load_guide(write_guide(tmp_path / "g", {"dbs.yml": ONE_LANGUAGE}))
    assert guide is not None
    page = render(guide, today=TODAY, language=language).markdown["dbs.md"]
    part = page[page.index(f"{{ #{entry} }}") - 200:]
    part = part[:part.index("</article>")]
    mark = '<span class="os-lang-mark" title="'
    assert f'<span lang="{other}" class="os-other-lang">{text}</span> {mark}' in part  # the name, in its language, marked
    assert f'<div lang="{other}" class="os-other-lang" markdown="0">{mark}' in part  # the description too
    assert f">{other.upper()}</span>" in part
    # the interface around it is in the edition's language only
    assert ("Institutional" if language == "en" else "可用") in page and ("机构" not in page if language == "en" else "Active" not in page)
