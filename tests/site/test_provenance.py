"""A guide with sources on the site: where each entry comes from, local notes, the Sources / Members
page, the per-member filter and search filter, and link health reported by a source.

The Guides are built directly (the fixture guide with ``origins``, ``notes`` and ``sources`` filled, as
the federation stage fills them from snapshots): see ``support.federated_fixture``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

from openshelf.guide.load import load_guide
from openshelf.guide.models import Text
from openshelf.guide.provenance import Origin, SourceHealth
from openshelf.links.store import LinkState
from openshelf.links.verdict import Verdict
from openshelf.site.bilingual import day
from openshelf.site.context import LINK_HEALTH
from openshelf.site.members import MEMBERS
from openshelf.site.pipeline import default_nav
from openshelf.site.render import render
from openshelf.site.search import entry_records, member_filter_values
from support import FIXTURE_GUIDE, federated_fixture

TODAY = dt.date(2026, 11, 22)
UTC = dt.UTC


def pages(guide=None, links=None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return render(guide or federated_fixture(), links=links, today=TODAY, site_url="http://127.0.0.1:8000/").written


def article(page: str, entry_id: str) -> str:
    """The HTML of one entry's <article> on a page."""
    start = page.rindex("<article", 0, page.index(f'<h3 id="{entry_id}">'))
    return page[start:page.index("</article>", start)]


def test_a_subscribed_entry_says_where_it_comes_from_and_who_else_lists_it() -> None:
    cnki = article(pages()["databases.md"], "cnki")
    origin = next(line for line in cnki.splitlines() if "From</span>:" in line)
    assert ('<a href="../members/#source-emergency"><span lang="zh" class="os-zh">共享应急指南</span><span class="os-sep"> · </span>'
            '<span lang="en" class="os-en">Shared emergency guide</span></a>') in origin
    assert f'<span lang="en" class="os-en">updated {day("2026-11-20")}</span>' in origin
    assert '<span lang="en" class="os-en">Also listed by</span>: <a href="../members/#source-campus">Campus library guide</a>' in origin
    assert origin.startswith('<p class="os-origin">')
    pubmed = article(pages()["databases.md"], "pubmed")
    assert '<a href="../members/#source-campus">Campus library guide</a> (' in pubmed and f"updated {day('2026-11-18')}" in pubmed
    assert "Also listed by" not in pubmed


def test_local_entries_say_they_are_local() -> None:
    page = pages()
    muse = article(page["databases.md"], "muse-2020")
    assert '<span lang="en" class="os-en">From this library</span>' in muse
    assert 'Also listed by</span>: <a href="../members/#source-emergency">' in muse
    carsi = article(page["access.md"], "carsi")  # no origin recorded at all: one of the guide's own files
    assert '<span lang="en" class="os-en">From this library</span>' in carsi and "Also listed by" not in carsi


def test_a_guide_listed_by_no_source_is_named_as_given() -> None:
    guide = federated_fixture()
    origins = {**guide.origins, "pubmed": Origin("campus-guide", source="campus", listed_by=("campus-guide", "far-away"))}
    pubmed = article(pages(dataclasses.replace(guide, origins=origins))["databases.md"], "pubmed")
    assert "Also listed by</span>: far-away" in pubmed


def test_an_entry_from_a_source_the_guide_does_not_describe_names_it() -> None:
    guide = federated_fixture()
    origins = {**guide.origins, "pubmed": Origin("gone-guide", source="gone", listed_by=("gone-guide", "campus-guide"))}
    pubmed = article(pages(dataclasses.replace(guide, origins=origins))["databases.md"], "pubmed")
    assert "From</span>: gone · " in pubmed and "#source-gone" not in pubmed
    assert "gone-guide" not in pubmed  # its guide is the source already named
    assert 'Also listed by</span>: <a href="../members/#source-campus">Campus library guide</a>' in pubmed


def test_the_local_note_is_a_highlighted_block_of_curated_markdown() -> None:
    cnki = article(pages()["databases.md"], "cnki")
    block = cnki[cnki.index('<div class="os-local-note"'):]
    assert '<span lang="en" class="os-en">At this library</span>' in block
    assert "<p>本馆读者请先登录 WebVPN。</p>" in block and "<p>At our library, sign in through <em>WebVPN</em> first.</p>" in block
    assert block.index("At this library") < block.index("WebVPN") < cnki.index("Chinese journals")  # before the description
    assert "os-local-note" not in article(pages()["databases.md"], "pubmed")


def test_the_sources_page_lists_each_source_with_its_contribution_and_freshness() -> None:
    page = pages()[MEMBERS]
    assert page.startswith('# <span lang="zh" class="os-zh">来源</span><span class="os-sep"> · </span><span lang="en" class="os-en">Sources</span>')
    emergency = page[page.index("{ #source-emergency }"):page.index("{ #source-campus }")]
    assert '<span lang="en" class="os-en">Emergency alliance</span>' in emergency
    assert '<a href="https://shared.example.org/" rel="noopener">https://shared.example.org/</a>' in emergency
    assert "2 in all: 2 shared with other guides, 0 only here" in emergency  # as the merge counted them (SourceInfo)
    assert f"Guide updated</span>:</strong> {day('2026-11-20')}" in emergency and f"Fetched</span>:</strong> {day('2026-11-21')}" in emergency
    campus = page[page.index("{ #source-campus }"):]
    assert "2 in all: 1 shared with other guides, 1 only here" in campus and "Publisher" not in campus


def test_a_consortium_calls_them_members() -> None:
    page = pages(federated_fixture(consortium=True))
    assert page[MEMBERS].startswith('# <span lang="zh" class="os-zh">成员</span><span class="os-sep"> · </span>'
                                    '<span lang="en" class="os-en">Members</span>')
    assert '<legend><span lang="zh" class="os-zh">成员</span><span class="os-sep"> · </span><span lang="en" class="os-en">Member</span></legend>' \
        in page["databases.md"]
    assert '(members.md)' in page["index.md"] and "Members</span>](members.md)" in page["index.md"]


def test_the_page_follows_the_collections_in_the_navigation(tmp_path: Path) -> None:
    rendered = render(federated_fixture(), today=TODAY)
    nav = default_nav(rendered, tmp_path)
    assert nav[:4] == ["index.md", "databases.md", "access.md", MEMBERS]


def test_no_sources_no_page_no_provenance_no_member_filter() -> None:
    guide, _ = load_guide(FIXTURE_GUIDE)
    assert guide is not None
    # origins and notes without sources (a guide of its own) change nothing either
    plain = pages(guide)
    with_notes = pages(dataclasses.replace(guide, notes={"cnki": Text(en="note")}))
    assert MEMBERS not in plain and MEMBERS not in with_notes
    for text in plain.values():
        assert "os-origin" not in text and "data-member" not in text and 'name="member"' not in text
    assert "os-local-note" in with_notes["databases.md"]  # a note shows wherever the federation stage put one
    assert {k: v for k, v in with_notes.items() if k != "databases.md"} == {k: v for k, v in plain.items() if k != "databases.md"}
    assert all("member" not in r.filters for r in entry_records(guide))
    assert member_filter_values(guide, "en") == []


def test_collection_pages_filter_by_member() -> None:
    page = pages()["databases.md"]
    form = page[page.index('<form class="os-filters"'):page.index("</form>")]
    values = re.findall(r'<input type="checkbox" name="member" value="([^"]+)">', form)
    assert values == ["emergency", "campus", "guide"]  # in _sources.yml order, this library last
    assert '<input type="checkbox" name="member" value="campus"> Campus library guide<span class="os-count"> (2)</span>' in form
    assert 'data-member="emergency campus" data-category' in article(page, "cnki")
    assert 'data-member="guide emergency"' in article(page, "muse-2020")


def test_search_records_carry_a_member_filter_with_every_member() -> None:
    records = {r.url: r for r in entry_records(federated_fixture())}
    assert records["databases.md#cnki"].filters["member"] == ("共享应急指南 · Shared emergency guide", "Campus library guide")
    assert records["access.md#carsi"].filters["member"] == ("本馆 · This library",)
    # the search's member select lists these values as the collection pages' filter lists the members
    assert member_filter_values(federated_fixture(), "en") == ["Shared emergency guide", "Campus library guide", "This library"]


def badge(page: str, entry_id: str) -> str:
    # in the details' badges (followed by the verification or the paragraph's end), or in the row when broken
    found = re.search(r'<span class="os-badge os-link os-link-(\w+)">(.*?)</span>(?= |</p>|</span></summary>)', article(page, entry_id))
    assert found is not None
    return f"{found.group(1)}: {found.group(2)}"


def test_a_subscribed_entry_without_a_local_record_shows_its_sources_check() -> None:
    page = pages()["databases.md"]
    assert badge(page, "cnki").startswith("ok: ")
    assert f"Link OK (checked by Shared emergency guide on {day('2026-11-19')})" in badge(page, "cnki")
    assert f"链接正常（共享应急指南 于 {day('2026-11-19')} 检查）" in badge(page, "cnki")
    pubmed = article(page, "pubmed")
    assert f"Link broken (checked by Campus library guide on {day('2026-11-17')})" in badge(page, "pubmed")
    assert '<p class="os-broken" role="alert">' in pubmed and "web.archive.org/web/https://pubmed.ncbi.nlm.nih.gov/" in pubmed
    health = pages()[LINK_HEALTH]
    broken = health[health.index("{ #broken }"):]
    assert "(databases.md#pubmed) — " in broken
    assert f'<span lang="en" class="os-en">checked by Campus library guide on {day("2026-11-17")}</span>' in broken


def test_a_check_made_by_another_member_than_the_entrys_source_names_that_member() -> None:
    """The consortium review: the merge kept the first member's report even when another member had checked the link
    later and found it broken. It now keeps the latest (merge.latest), and the site names the member that made it."""
    later = dataclasses.replace(federated_fixture().origins["cnki"], health=SourceHealth(
        "broken", checked=dt.datetime(2026, 11, 24, 3, tzinfo=UTC), status=404, by="campus"))
    guide = dataclasses.replace(federated_fixture(), origins={**federated_fixture().origins, "cnki": later})
    page = pages(guide)["databases.md"]
    assert f"Link broken (checked by Campus library guide on {day('2026-11-24')})" in badge(page, "cnki")
    assert "From" in article(page, "cnki") and "Shared emergency guide" in article(page, "cnki")  # still taken from 'emergency'
    broken = pages(guide)[LINK_HEALTH].split("{ #broken }")[1]
    assert f'<span lang="en" class="os-en">checked by Campus library guide on {day("2026-11-24")}</span>' in broken


def test_the_link_health_page_names_a_source_by_its_title_and_a_consortiums_members_as_members() -> None:
    """The consortium review: broken links were grouped under "Source `campus`", the id alone, on a consortium's site too."""
    for consortium, zh, en in ((False, "订阅来源", "Source"), (True, "成员", "Member")):
        guide = federated_fixture(consortium=consortium)
        pubmed = guide.by_id["pubmed"]
        pubmed.locate(pubmed.collection, "guides/_sources/campus.json", {"": (30, 5), "url": (33, 7)})  # where a subscribed entry stands
        broken = pages(guide)[LINK_HEALTH].split("{ #broken }")[1]
        assert (f'### <span lang="zh" class="os-zh">{zh} Campus library guide <code>campus</code></span><span class="os-sep"> · </span>'
                f'<span lang="en" class="os-en">{en} Campus library guide <code>campus</code></span> (1)') in broken


def test_a_local_record_always_wins_over_the_source() -> None:
    checked = dt.datetime(2026, 11, 21, 2, tzinfo=UTC)
    links = {
        "https://www.cnki.net/": LinkState(last_checked=checked, first_failure=checked, consecutive_failures=3, last_verdict=Verdict.BROKEN),
        "https://pubmed.ncbi.nlm.nih.gov/": LinkState(last_checked=checked, last_ok=checked, last_verdict=Verdict.OK, last_status=200),
    }
    page = pages(links=links)["databases.md"]
    assert badge(page, "cnki").startswith("broken: ") and f"Link broken since {day('2026-11-21')}" in badge(page, "cnki")  # the source said ok
    assert badge(page, "pubmed") .startswith("ok: ") and f"Link OK (checked {day('2026-11-21')})" in badge(page, "pubmed")  # the source said broken
    assert "checked by" not in article(page, "cnki") + article(page, "pubmed")


def test_a_local_entry_ignores_health_in_its_origin_and_odd_verdicts_say_only_checked() -> None:
    guide = federated_fixture()
    origins = {**guide.origins,
               "muse-2020": Origin("guide", listed_by=("guide",), health=SourceHealth("ok", checked=dt.datetime(2026, 11, 1, tzinfo=UTC))),
               "pubmed": Origin("campus-guide", source="campus", health=SourceHealth("login-required", checked=dt.datetime(2026, 11, 2, tzinfo=UTC))),
               "cnki": Origin("emergency", source="emergency", health=SourceHealth("ok"))}  # no date: nothing to show
    page = pages(dataclasses.replace(guide, origins=origins))["databases.md"]
    assert "os-link" not in article(page, "muse-2020")  # not checked here: no news, no badge
    assert f"Checked by Campus library guide on {day('2026-11-02')}" in badge(page, "pubmed")
    assert "os-link" not in article(page, "cnki")


def test_titles_in_badges_and_filter_labels_are_entities_not_backslashes() -> None:
    """Badges, the filter's labels and the entries are HTML that Markdown leaves alone: a Markdown escape would show."""
    guide = federated_fixture()
    sources = [dataclasses.replace(guide.sources[0], title=Text(en="A *star* [x] {y} <b>")), guide.sources[1]]
    page = pages(dataclasses.replace(guide, sources=sources))["databases.md"]
    assert f"Link OK (checked by A *star* [x] &#123;y&#125; &lt;b&gt; on {day('2026-11-19')})" in badge(page, "cnki")
    assert '<input type="checkbox" name="member" value="emergency"> A *star* [x] &#123;y&#125; &lt;b&gt;<span class="os-count">' in page
    assert '<a href="../members/#source-emergency">A *star* [x] &#123;y&#125; &lt;b&gt;</a>' in article(page, "cnki")


def test_the_link_health_page_says_whose_checks_it_shows_when_only_the_members_checked() -> None:
    """No local link state, but the members' exports carry their checks: the page does not say "no check recorded yet"
    above a table of their results, and names whose checks they are and the latest one's date."""
    health = pages(federated_fixture(consortium=True))[LINK_HEALTH]
    intro = health[:health.index("| ")]
    assert "No check recorded yet" not in intro and "尚无检查记录" not in intro
    assert f"the table gives the checks of its members' own guides (the latest on {day('2026-11-19')})" in intro
    assert f"下表是各成员指南自己的检查结果（最近一次：{day('2026-11-19')}）" in intro
    healthy = dataclasses.replace(federated_fixture(), origins={**federated_fixture().origins, "pubmed": Origin(
        "campus-guide", source="campus", health=SourceHealth("ok", checked=dt.datetime(2026, 11, 17, 3, tzinfo=UTC)))})
    health = pages(healthy)[LINK_HEALTH]
    assert "checks of its sources' own guides" in health
    assert "No link is known to be broken." in health and "No link has been checked yet" not in health
