"""Rendering: golden Markdown for the fixture guide, and the rules readers rely on."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from openshelf.guide.load import Guide, load_guide
from openshelf.guide.models import Text
from openshelf.site.bilingual import bi, day
from openshelf.site.entries import summary_line
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
    pages = render(fixture(), today=TODAY, site_url=SITE_URL).written
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
    pages = render(fixture(), today=TODAY, site_url=SITE_URL, language=language).written
    golden = GOLDEN / f"render-{language}" / page
    if update_goldens:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(pages[page], encoding="utf-8")
    assert pages[page] == golden.read_text(encoding="utf-8"), f"run pytest --update-goldens and review the diff of {golden}"


def test_every_page_is_golden() -> None:
    assert sorted(render(fixture(), today=TODAY, site_url=SITE_URL).written) == sorted(
        p.relative_to(GOLDEN / "render").as_posix() for p in (GOLDEN / "render").rglob("*.md"))


def test_cross_links_go_both_ways() -> None:
    pages = render(fixture(), today=TODAY, site_url=SITE_URL).written
    carsi = ('<a href="../access/#carsi"><span lang="zh" class="os-zh">CARSI 联邦认证</span><span class="os-sep"> · </span>'
             '<span lang="en" class="os-en">CARSI federated login</span></a>')
    cnki = ('<a href="../databases/#cnki"><span lang="zh" class="os-zh">中国知网</span><span class="os-sep"> · </span>'
            '<span lang="en" class="os-en">CNKI</span></a>')
    assert carsi in pages["databases.md"]
    assert f"Used with</span>:</strong> {cnki}" in pages["access.md"]


def test_links_between_pages_follow_the_sites_url_style() -> None:
    """The entries are finished HTML: their links to other pages are written as MkDocs would write them."""
    flat = render(fixture(), today=TODAY, site_url=SITE_URL, use_directory_urls=False).written
    assert '<a href="access.html#carsi">' in flat["databases.md"] and '<a href="tags.html#tag-journals">' in flat["databases.md"]
    assert '<a href="#cnki">' not in flat["databases.md"]


def test_ended_programs_are_marked_with_dates() -> None:
    page = render(fixture(), today=TODAY, site_url=SITE_URL).written["databases.md"]
    muse = page[page.index('<h3 id="muse-2020">'):]
    assert "os-status-ended" in muse
    assert '<div class="admonition warning">\n<p class="admonition-title"><span lang="zh" class="os-zh">已结束</span>' in muse
    assert f"{day('2020-03-01')} – {day('2020-06-30')}" in muse


def entry_block(page: str, entry_id: str) -> str:
    """One entry's HTML, from its <article> to its end."""
    at = page.index(f'<h3 id="{entry_id}">')
    return page[page.rindex("<article", 0, at):page.index("</article>", at)]


def row(page: str, entry_id: str) -> str:
    """What an entry shows with its details closed: its heading and its <summary>, and a broken link's note."""
    block = entry_block(page, entry_id)
    head, _, rest = block.partition("</summary>")
    return head + rest[rest.index("</details>"):]


def test_no_badge_without_news() -> None:
    """'Not yet verified' and 'Link not yet checked' stood on every entry: they are gone; a verification is in the details."""
    page = render(fixture(), today=TODAY, site_url=SITE_URL).written["databases.md"]
    assert "Not yet verified" not in page and "尚未有人核实" not in page
    assert "Link not yet checked" not in page and "链接尚未检查" not in page
    assert f"Verified on {day('2026-11-01')}" in entry_block(page, "pubmed")
    assert "Verified on" not in row(page, "pubmed")  # a tap away, not in the row


def test_an_entry_is_one_row_with_its_details_a_tap_away() -> None:
    page = render(fixture(), today=TODAY, site_url=SITE_URL).written["databases.md"]
    cnki = entry_block(page, "cnki")
    assert cnki.count("<details") == 1 and "<summary" in cnki
    shown = row(page, "cnki")
    assert '<h3 id="cnki"><a href="https://www.cnki.net/">' in shown  # the name is the link
    assert "os-access-institutional" in shown and "os-status-active" in shown
    assert 'class="os-line"' in shown
    for detail in ("Also known as", "Provider", "Tags", 'class="os-url"'):
        assert detail in cnki and detail not in shown, detail


def test_the_one_line_summary_is_the_first_sentence() -> None:
    line = summary_line(Text(zh="中国最大的学术数据库。收录期刊。", en="The largest *Chinese* [database](https://x.example/). It has journals."))
    assert (line.zh, line.en) == ("中国最大的学术数据库。", "The largest Chinese database.")
    assert summary_line(Text(en="No full stop here")).en == "No full stop here"
    assert summary_line(Text(en="Version 2.0 is out. More")).en == "Version 2.0 is out."


def test_a_description_that_shows_no_words_has_no_summary_line_and_the_page_still_renders(tmp_path: Path) -> None:
    empty = "[](https://a.example.org/)"  # a link with no text: valid Markdown, nothing for a reader to read
    assert summary_line(Text(en=empty)) is None
    only_zh = summary_line(Text(zh="中文说明。", en=empty))
    assert only_zh is not None and (only_zh.zh, only_zh.en) == ("中文说明。", None)
    entries = (f"  - {{id: a, title: {{en: A}}, url: 'https://a.example.org/', description: {{en: '{empty}'}}, category: databases,\n"
               "     access: free}\n")
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": "id: dbs\ntitle: {en: D}\nentries:\n" + entries}))
    assert guide is not None, [d.format() for d in diagnostics]
    for language in ("zh", "en"):  # the build stopped with a traceback (pydantic's "needs text in at least one language")
        row_html = row(render(guide, today=TODAY, language=language).written["dbs.md"], "a")
        assert '<span class="os-line"></span>' in row_html, language


def test_a_link_checked_long_ago_is_news() -> None:
    from openshelf.links.store import LinkState

    def cnki_row(checked: dt.date) -> str:
        when = dt.datetime.combine(checked, dt.time(3), tzinfo=dt.UTC)
        links = {"https://www.cnki.net/": LinkState(last_checked=when, last_ok=when, last_verdict="ok", last_status=200)}
        return row(render(fixture(), links=links, today=TODAY).written["databases.md"], "cnki")

    assert "os-link" not in cnki_row(TODAY - dt.timedelta(days=30))
    old = cnki_row(TODAY - dt.timedelta(days=31))
    assert "os-link-old" in old and f"Last checked {day('2026-10-22')}" in old


BEST = """\
id: dbs
title: {en: Databases}
entries:
  - {id: zeta, title: {en: Zeta}, url: "https://zeta.example/", description: {en: Z.}, category: databases, access: free}
  - {id: beta, title: {en: beta}, url: "https://beta.example/", description: {en: B.}, category: databases, access: free}
  - {id: yiqing, title: {zh: 疫情数据}, url: "https://yq.example/", description: {zh: 数据。}, category: databases, access: free}
  - {id: alpha, title: {en: Alpha}, url: "https://alpha.example/", description: {en: A.}, category: databases, access: free,
     best_bet: true}
  - {id: omega, title: {en: Omega}, url: "https://omega.example/", description: {en: O.}, category: databases, access: free,
     best_bet: true}
"""


def test_best_bets_first_and_marked_then_a_to_z_with_a_letter_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": BEST}))
    assert guide is not None, [d.format() for d in diagnostics]
    page = render(guide, today=TODAY).written["dbs.md"]
    order = re.findall(r'<h3 id="([a-z]+)">', page)
    assert order == ["alpha", "omega", "beta", "yiqing", "zeta"]  # best bets (A to Z among them), then A to Z, pinyin for 疫情
    assert "Best bet" in row(page, "alpha") and "Best bet" in row(page, "omega") and "Best bet" not in row(page, "beta")
    bar = re.search(r'<nav class="os-letters".*?</nav>', page)
    assert bar is not None
    assert re.findall(r'href="#(letter-[a-z]+)">([A-Z])<', bar.group(0)) == [
        ("letter-a", "A"), ("letter-b", "B"), ("letter-o", "O"), ("letter-y", "Y"), ("letter-z", "Z")]
    assert 'id="letter-y"' in entry_block(page, "yiqing") and 'id="letter-o"' in entry_block(page, "omega")


def test_checks_show_their_date_and_evidence_and_unchecked_entries_no_badge() -> None:
    page = render(fixture(), today=TODAY, site_url=SITE_URL).written["databases.md"]
    pubmed = entry_block(page, "pubmed")
    assert ('<span class="os-badge os-verified os-verified-yes" title="核实人：Fixture Librarian · Checked by Fixture Librarian">'
            f'<span lang="zh" class="os-zh">核实于 {day("2026-11-01")}</span><span class="os-sep"> · </span><span lang="en" class="os-en">'
            f'Verified on {day("2026-11-01")}</span> (<a href="https://www.nlm.nih.gov/pubs/factsheets/pubmed.html" rel="noopener">') in pubmed
    cnki = entry_block(page, "cnki")
    assert "os-verified" not in cnki and "Not yet verified" not in page


def test_a_check_against_a_copy_says_so_and_one_against_a_report_links_nothing(tmp_path: Path) -> None:
    checked_on = day("2026-11-28")
    checked = "    last_verified: 2026-11-28\n    verified_by: T\n    evidence:\n      - {url}\n    evidence_kind: {kind}\n"
    entries = "".join(zh_entry(i, "en: " + i.title()) + checked.format(url=url, kind=kind) for i, url, kind in (
        ("copied", "https://web.archive.org/web/2020/https://copied.example.org/", "copy"),
        ("reported", "https://content-farm.example.net/reprint/1.html", "report")))
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": "id: dbs\ntitle: {en: DBs}\nentries:\n" + entries}))
    assert guide is not None, [d.format() for d in diagnostics]
    for language, copy_text, report_text in (
            ("en", f"Verified on {checked_on} against a stored copy", f"Checked on {checked_on} against a report (not the provider's own page)"),
            ("zh", f"核实于 {checked_on}（据存档副本）", f"{checked_on} 据转载或报道核对（非提供方原页面）")):
        page = render(guide, today=TODAY, language=language).written["dbs.md"]
        copied, reported = entry_block(page, "copied"), entry_block(page, "reported")
        assert copy_text in copied and 'href="https://web.archive.org/web/2020/https://copied.example.org/"' in copied, language
        assert report_text in reported and "content-farm" not in page, language  # the report is not linked from the site
        assert "Verified" not in reported and "核实于" not in reported, language


def test_several_pieces_of_evidence_are_numbered_and_curated_text_is_escaped(tmp_path: Path) -> None:
    entries = ("  - {id: a, title: {en: A}, url: 'https://a.org/', description: {en: D}, category: databases, access: free,\n"
               "     last_verified: 2026-11-01, verified_by: '<b>x</b>', evidence: ['https://a.org/x?q=1&r=2', 'https://web.archive.org/a']}\n")
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": "id: dbs\ntitle: {en: D}\nentries:\n" + entries}))
    assert guide is not None, [d.format() for d in diagnostics]
    page = render(guide, today=TODAY).written["dbs.md"]
    assert 'title="核实人：&lt;b&gt;x&lt;/b&gt; · Checked by &lt;b&gt;x&lt;/b&gt;"' in page and "<b>x" not in page
    assert '<a href="https://a.org/x?q=1&amp;r=2" rel="noopener"><span lang="zh" class="os-zh">依据1</span>' in page
    assert '<span lang="en" class="os-en">evidence 2</span></a>)' in page


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
    page = render(guide, today=TODAY).written["dbs.md"]
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert "&#123;: onclick=alert(1) &#125;" in page  # no attribute list: braces are entities
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
    pages = render(fixture(), links=links, today=TODAY, site_url=SITE_URL).written
    page = pages["databases.md"]
    cnki = entry_block(page, "cnki")
    assert f"Link OK (checked {day('2026-11-15')})" in cnki
    assert "os-link" not in row(page, "cnki"), "a link that works is no news: in the details only"
    pubmed = row(page, "pubmed")  # broken: news, in the row with its note
    assert f"Link broken since {day('2026-10-01')}" in pubmed
    assert f"Unreachable since {day('2026-10-01')}" in pubmed
    assert 'href="https://web.archive.org/web/https://pubmed.ncbi.nlm.nih.gov/"' in pubmed
    muse = entry_block(page, "muse-2020")
    assert "Link moved" in row(page, "muse-2020")
    assert "muse.jhu.edu/new" not in muse, "where a permanent redirect leads is for curators, not readers"
    health = pages["links.md"]
    assert f"Last check: {day('2026-11-15')}" in health
    assert "(databases.md#pubmed)" in health
    assert "](databases.md) | 2 | 1 | 0 |" in health  # ok counts cnki and the redirected muse; then not checked
    assert "Temporary problem" not in health and "Blocked" not in health  # no link is in those states: no column


def test_link_health_groups_broken_links_by_guide_and_by_source() -> None:
    """Each broken link under the collection file or the subscribed source where its fix goes, with its file and line."""
    from openshelf.links.store import LinkState

    when = dt.datetime(2026, 11, 15, 3, 0, tzinfo=dt.UTC)
    since = dt.datetime(2026, 10, 1, 3, 0, tzinfo=dt.UTC)
    guide = fixture()
    by_id = {e.id: e for e in guide.entries}
    pubmed, cnki = by_id["pubmed"], by_id["cnki"]
    local = pubmed.where("url")
    cnki.locate(cnki.collection, "guides/_sources/pku-library.json", {"": (30, 5), "url": (33, 7)})  # as a subscribed entry stands
    dead = LinkState(last_checked=when, first_failure=since, consecutive_failures=4, last_verdict="broken", last_status=404)
    links = {pubmed.url or "": dead, cnki.url or "": dead}
    health = render(guide, links=links, today=TODAY, site_url=SITE_URL).written["links.md"]
    broken = health[health.index("{ #broken }"):]
    local_heading = f"### <code>{local.path}</code> (1)"
    source_heading = ('### <span lang="zh" class="os-zh">订阅来源 <code>pku-library</code></span><span class="os-sep"> · </span>'
                      '<span lang="en" class="os-en">Source <code>pku-library</code></span> (1)')
    assert local_heading in broken and source_heading in broken
    assert broken.index(local_heading) < broken.index("(databases.md#pubmed)") < broken.index(source_heading) < broken.index("(databases.md#cnki)")
    assert f"<code>{local.path}:{local.line}</code>" in broken
    assert "<code>guides/_sources/pku-library.json:33</code>" in broken


def test_a_broken_link_with_no_first_failure_date_shows_the_check_that_found_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The link-health page wrote 'since ' and ' 起' around an empty date for a broken link whose status has no date of
    its first failure (SiteStatus.unreachable_since is None): it says the check that found it broken instead."""
    import dataclasses

    from openshelf.links.store import LinkState, SiteStatus
    from openshelf.site import render as render_module

    def undated(*args: object) -> SiteStatus | None:
        status = link_status(*args)  # type: ignore[arg-type]
        return dataclasses.replace(status, unreachable_since=None) if status is not None and status.broken else status

    link_status = render_module.link_status
    monkeypatch.setattr(render_module, "link_status", undated)
    when = dt.datetime(2026, 11, 15, 3, 0, tzinfo=dt.UTC)
    links = {"https://pubmed.ncbi.nlm.nih.gov/": LinkState(last_checked=when, consecutive_failures=4, last_verdict="broken", last_status=404)}
    health = render(fixture(), links=links, today=TODAY, site_url=SITE_URL).written["links.md"]
    broken = health[health.index("{ #broken }"):]
    line = next(line for line in broken.splitlines() if "(databases.md#pubmed)" in line)
    assert '<time datetime=""></time>' not in line and "since" not in line
    assert f"{day('2026-11-15')} 检查时失效" in line and f"broken at the check on {day('2026-11-15')}" in line


def test_a_how_to_shows_your_librarys_address_not_a_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = render(fixture(), today=TODAY, site_url=SITE_URL).written["access.md"]
    webvpn = page[page.index('<h3 id="webvpn">'):]
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
    mine = render(guide, today=TODAY).written["dbs.md"]
    assert '<p class="os-url"><a href="https://vpn.lib.example.edu/" rel="noopener">' in mine
    assert "Your library's address" not in mine


def zh_entry(id_: str, title: str) -> str:
    return (f"  - id: {id_}\n    title: {{{title}}}\n    url: https://{id_}.example.org/\n    description: {{en: D.}}\n"
            "    category: databases\n    access: free\n")


def test_a_to_z_files_chinese_titles_under_their_pinyin_initial_in_pinyin_order(tmp_path: Path) -> None:
    titles = {"zotero": "en: Zotero", "cnki": "zh: 中国知网", "alibaba": "zh: 阿里巴巴", "apple": "en: Apple",
              "yiqing": "zh: 疫情地图", "chongqing": "zh: 重庆图书馆", "changsha": "zh: 长沙图书馆", "digits": "en: 123 Maps"}
    collection = "id: dbs\ntitle: {en: DBs}\nentries:\n" + "".join(zh_entry(i, t) for i, t in titles.items())
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": collection}))
    assert guide is not None, [d.format() for d in diagnostics]
    page = render(guide, today=TODAY).written["a-z.md"]
    headings = re.findall(r"^## (.+?) \{ #letter-", page, re.MULTILINE)
    assert headings == [bi("其他", "Other"), "A", "C", "Y", "Z"]  # 重庆 reads chong: under C beside 长沙 (chang)
    order = re.findall(r'<a href="\.\./dbs/#([\w-]+)">', page)
    assert order == ["digits", "alibaba", "apple", "changsha", "chongqing", "yiqing", "cnki", "zotero"]


def test_each_edition_files_an_entry_under_the_name_it_shows(tmp_path: Path) -> None:
    """中国知网 · CNKI is under Z (zhong) in the Chinese edition, under C in the English one; the collection
    page's order and its letter bar follow the same names."""
    titles = {"cnki": "zh: 中国知网, en: CNKI", "afp": "zh: 法新社事实核查, en: AFP Fact Check",
              "bhl": "zh: 生物多样性遗产图书馆, en: Biodiversity Heritage Library", "zotero": "en: Zotero"}
    collection = "id: dbs\ntitle: {en: DBs}\nentries:\n" + "".join(zh_entry(i, t) for i, t in titles.items())
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": collection}))
    assert guide is not None, [d.format() for d in diagnostics]
    for language, letters in (("zh", ["F", "S", "Z"]), ("en", ["A", "B", "C", "Z"])):  # fa, sheng, zhong; Zotero
        pages = render(guide, today=TODAY, language=language).written
        az = pages["a-z.md"]
        assert re.findall(r"^## (.+?) \{ #letter-", az, re.MULTILINE) == letters, language
        assert re.findall(r'<a href="\.\./dbs/#([\w-]+)">', az) == ["afp", "bhl", "cnki", "zotero"], language  # zhong < zotero
        bar = re.search(r'<nav class="os-letters"[^>]*>(.*?)</nav>', pages["dbs.md"])
        assert bar is not None and re.findall(r">(\w)</a>", bar.group(1)) == letters, language


def test_the_field_reference_is_for_curators_and_speaks_chinese_in_the_chinese_edition() -> None:
    zh = render(fixture(), today=TODAY, language="zh").written["reference.md"]
    en = render(fixture(), today=TODAY, language="en").written["reference.md"]
    for page in (zh, en):
        assert page.startswith("---\nsearch:\n  exclude: true\n---\n")  # not among readers' search results
    assert "| 字段 | 必填 |" in zh and "| `id` | 是 |" in zh and "| yes |" not in zh and "Generated from" not in zh
    assert "| field | required | description |" in en and "| `id` | yes |" in en
    assert "## 条目（`guides/<栏目>.yml` 的 `entries:`）" in zh and "entries: in" not in zh and "Entry" not in zh
    assert "## Entry (`entries:` in `guides/<collection>.yml`)" in en and "条目" not in en


def test_a_program_with_one_date_says_until_or_from_it(tmp_path: Path) -> None:
    entries = (zh_entry("ended", "en: Ended") + "    status: ended\n    available_until: 2020-05-31\n"
               + zh_entry("started", "en: Started") + "    access: temporarily-free\n    available_from: 2020-02-01\n")
    entries = entries.replace("    access: free\n    access: temporarily-free\n", "    access: temporarily-free\n")
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": "id: dbs\ntitle: {en: DBs}\nentries:\n" + entries}))
    assert guide is not None, [d.format() for d in diagnostics]
    en = render(guide, today=TODAY, language="en").written["dbs.md"]
    zh = render(guide, today=TODAY, language="zh").written["dbs.md"]
    assert f"Ended (until {day('2020-05-31')})" in en and f"This program has ended (until {day('2020-05-31')})" in en and "…" not in en
    assert f"Available: from {day('2020-02-01')}" in en
    assert f"已结束（至 {day('2020-05-31')}）" in zh and f"开放时间：自 {day('2020-02-01')} 起" in zh


def test_leading_quotes_and_brackets_do_not_decide_the_letter(tmp_path: Path) -> None:
    """“秦”劳勇敢 (a COVID-19-Nav title) is under Q, “(The) Lancet” under T: not under Other."""
    titles = {"qin": "zh: “秦”劳勇敢", "lancet": "en: (The) Lancet", "ming": "zh: 铭“冀”于心"}
    collection = "id: dbs\ntitle: {en: DBs}\nentries:\n" + "".join(zh_entry(i, t) for i, t in titles.items())
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": collection}))
    assert guide is not None, [d.format() for d in diagnostics]
    page = render(guide, today=TODAY).written["a-z.md"]
    assert re.findall(r"^## (.+?) \{ #letter-", page, re.MULTILINE) == ["M", "Q", "T"]
    assert re.findall(r'<a href="\.\./dbs/#([\w-]+)">', page) == ["ming", "qin", "lancet"]


def test_tags_show_their_labels_from_site_yml_in_both_languages(tmp_path: Path) -> None:
    site = ("title: {en: T}\ncategories:\n  databases: {zh: 数据库, en: Databases}\n"
            "tags:\n  ebooks: {zh: 电子书, en: E-books}\n  lending: {zh: '<b>借阅</b>'}\n")
    entries = (zh_entry("one", "en: One") + "    tags: [ebooks, lending, maps]\n") + (zh_entry("two", "en: Two") + "    tags: [ebooks]\n")
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"_site.yml": site, "dbs.yml": "id: dbs\ntitle: {en: DBs}\nentries:\n" + entries}))
    assert guide is not None, [d.format() for d in diagnostics]
    pages = render(guide, today=TODAY).written
    ebooks, lending = bi("电子书", "E-books"), "&lt;b&gt;借阅&lt;/b&gt;"
    tags = pages["tags.md"]
    assert f"## {ebooks} {{ #tag-ebooks }}" in tags and f"## {lending} {{ #tag-lending }}" in tags
    assert "## maps { #tag-maps }" in tags  # no label: the slug
    assert f"[{ebooks}](#tag-ebooks) (2)" in tags
    page = pages["dbs.md"]
    assert (f'<a href="../tags/#tag-ebooks">{ebooks}</a>, <a href="../tags/#tag-lending">{lending}</a>, '
            '<a href="../tags/#tag-maps">maps</a>') in page
    assert '<option value="ebooks">电子书 · E-books (2)</option>' in page and '<option value="maps">maps (1)</option>' in page
    assert "<b>" not in tags + page


def test_an_edition_names_and_orders_tags_in_its_language(tmp_path: Path) -> None:
    """The tag filter and the tag index in an edition: each label in its language, in the order of those
    names (Chinese by pinyin); the search record holds the edition's label as well as the key."""
    from openshelf.site.search import entry_records

    site = ("title: {en: T}\ncategories:\n  databases: {zh: 数据库, en: Databases}\n"
            "tags:\n  ebooks: {zh: 电子书, en: E-books}\n  atlas: {zh: 中国地图, en: Atlas}\n  zines: {zh: 爱好者杂志, en: Zines}\n")
    entries = (zh_entry("one", "en: One") + "    tags: [ebooks, atlas, zines]\n") + (zh_entry("two", "en: Two") + "    tags: [ebooks]\n")
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"_site.yml": site, "dbs.yml": "id: dbs\ntitle: {en: DBs}\nentries:\n" + entries}))
    assert guide is not None, [d.format() for d in diagnostics]
    for language, shown in (("zh", ["爱好者杂志", "电子书", "中国地图"]), ("en", ["Atlas", "E-books", "Zines"])):
        pages = render(guide, today=TODAY, language=language)
        options = re.findall(r'<option value="\w+">([^<(（]+?) ?[(（]\d+[)）]</option>', pages.written["dbs.md"])
        assert options == shown, language  # 爱 ai, 电 dian, 中 zhong
        count = "电子书（2）</option>" if language == "zh" else "E-books (2)</option>"  # full-width brackets in Chinese
        assert count in pages.written["dbs.md"], language
        assert re.findall(r"^## (.+?) \{ #tag-", pages.written["tags.md"], re.MULTILINE) == shown, language
        one = next(r for r in entry_records(guide, language) if r.url.endswith("#one"))
        assert "ebooks" in one.content.split(" · ") and ("电子书" if language == "zh" else "E-books") in one.content.split(" · ")


def test_the_header_title_is_in_the_guides_languages(tmp_path: Path) -> None:
    for languages, shown in (("[zh, en]", "测试 · Test"), ("[en, zh]", "Test · 测试"), ("[en]", "Test")):  # ([fr] is a validation error)
        site = f"title: {{zh: 测试, en: Test}}\nlanguages: {languages}\ncategories:\n  databases: {{zh: 数据库, en: Databases}}\n"
        guide, diagnostics = load_guide(write_guide(tmp_path / languages.strip("[]").replace(", ", "-"), {"_site.yml": site}))
        assert guide is not None, [d.format() for d in diagnostics]
        assert render(guide, today=TODAY).extra["title"] == shown


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
    page = render(guide, today=TODAY, language=language).written["dbs.md"]
    part = page[page.rindex("<article", 0, page.index(f'<h3 id="{entry}">')):]
    part = part[:part.index("</article>")]
    mark = '<span class="os-lang-mark" title="'
    assert f'<span lang="{other}" class="os-other-lang">{text}</span> {mark}' in part  # the name, in its language, marked
    assert f'<div lang="{other}" class="os-other-lang">{mark}' in part  # the description too
    assert f">{other.upper()}</span>" in part
    # the interface around it is in the edition's language only
    assert ("Institutional" if language == "en" else "可用") in page and ("机构" not in page if language == "en" else "Active" not in page)


def test_a_filter_label_shows_its_text_as_written(tmp_path: Path) -> None:
    """The filter panel is finished HTML that Python-Markdown leaves alone: a category label shows no Markdown escape
    (it showed 'Preprints \\(arXiv\\) &amp; repositories\\_x')."""
    site = ("title: {en: T}\ncategories:\n  pre: {zh: 预印本*, en: 'Preprints (arXiv) & repositories_x *new*'}\n"
            "  other: {en: Other}\n")
    entries = zh_entry("one", "en: One").replace("category: databases", "category: pre") + zh_entry("two", "en: Two").replace(
        "category: databases", "category: other")
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"_site.yml": site, "dbs.yml": "id: dbs\ntitle: {en: DBs}\nentries:\n" + entries}))
    assert guide is not None, [d.format() for d in diagnostics]
    for language, label in (("en", "Preprints (arXiv) &amp; repositories_x *new*"), ("zh", "预印本*")):
        page = render(guide, today=TODAY, language=language).written["dbs.md"]
        form = re.search(r'<form class="os-filters".*?</form>', page)
        assert form is not None and f'value="pre"> {label}<span class="os-count">' in form[0], (language, form and form[0])
        assert "\\" not in form[0]


def test_a_latin_word_before_chinese_sorts_by_the_pinyin_after_one_space(tmp_path: Path) -> None:
    """pypinyin kept "CALIS " with its space before "guan": "CALIS 馆际互借" sorted before "CALIS e读" (g > e)."""
    titles = {"calis-ill": "zh: CALIS 馆际互借与文献传递", "calis-e": "zh: CALIS e读学术搜索"}
    collection = "id: dbs\ntitle: {en: DBs}\nentries:\n" + "".join(zh_entry(i, t) for i, t in titles.items())
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": collection}))
    assert guide is not None, [d.format() for d in diagnostics]
    az = render(guide, today=TODAY, language="zh").blocks
    listed = "".join(v for k, v in az.items() if k.startswith("a-z/"))
    assert listed.index("#calis-e") < listed.index("#calis-ill"), listed


@pytest.mark.parametrize("language", ["zh", "en", None])
def test_names_sort_by_their_pinyin_in_every_edition(language: str | None) -> None:
    """An ASCII name skips pypinyin (nothing in it to read): every name of the default guide and a few awkward ones
    sort exactly as pypinyin reads them, one space between words, leading marks and case aside."""
    from pypinyin import lazy_pinyin

    from openshelf.site.bilingual import first_shown, rendering
    from openshelf.site.render import sort_key

    guide, _ = load_guide(Path(__file__).resolve().parents[2] / "guides")
    assert guide is not None
    odd = [Text(en=t) for t in ("  IEEE  Xplore ", "“Web” of Science", "CALIS e读", "(arXiv)", "〇 zero", "Café", "1-2 · x")]
    with rendering(language):
        for title in [e.title for e in guide.entries] + odd:
            shown = first_shown(title)
            expected = re.sub(r"^[\W_]+", "", " ".join(" ".join(lazy_pinyin(shown)).split()).casefold())
            assert sort_key(guide.entries[0].model_copy(update={"title": title})) == (expected, shown)
