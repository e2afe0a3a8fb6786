"""The change list (federation/diff.py) and what a subscription takes (update.selected, over
federation/select.py): pure functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openshelf.federation.config import Source
from openshelf.federation.diff import (
    MARKDOWN_LIMIT,
    Change,
    Report,
    SourceReport,
    code,
    diff,
    plain,
    renames,
    render_json,
    render_markdown,
    render_text,
)
from openshelf.federation.exchange import Export, read_export
from openshelf.federation.update import selected, unmatched
from support_sources import ACCESS, SITE, collection, entry, make_export

URL = "https://shared.example.org/downloads/openshelf.json"


def export_of(tmp_path: Path, name: str, files: dict[str, str]) -> Export:
    return read_export(make_export(tmp_path / name, {"_site.yml": SITE, **files}), name)


@pytest.fixture
def before(tmp_path: Path) -> Export:
    return export_of(tmp_path, "before", {
        "databases.yml": collection("databases",
                                    entry("cnki", "CNKI", "https://www.cnki.net/", tags="[chinese]"),
                                    entry("pubmed", "PubMed", "https://pubmed.ncbi.nlm.nih.gov/", tags="[medicine]"),
                                    entry("arxiv", "arXiv", "https://arxiv.org/")),
        "access.yml": ACCESS})


@pytest.fixture
def after(tmp_path: Path) -> Export:
    """cnki's description and tags changed, pubmed unchanged, arxiv removed, webvpn moved to
    databases, doaj added."""
    return export_of(tmp_path, "after", {
        "databases.yml": collection("databases",
                                    entry("cnki", "CNKI", "https://www.cnki.net/", tags="[chinese, journals]", description="Changed."),
                                    entry("pubmed", "PubMed", "https://pubmed.ncbi.nlm.nih.gov/", tags="[medicine]"),
                                    entry("webvpn", "WebVPN", "https://vpn.example.edu/", category="access"),
                                    entry("doaj", "DOAJ", "https://doaj.org/")),
        "access.yml": collection("access", entry("carsi", "CARSI", "https://www.carsi.edu.cn/", category="access"))})


def test_added_changed_with_fields_and_removed(before: Export, after: Export) -> None:
    assert diff(before, after) == (  # collections in order (access, then databases)
        Change("added", "carsi", "CARSI"),
        Change("changed", "cnki", "CNKI", ("description", "tags")),
        Change("changed", "webvpn", "WebVPN", ("collection",)),
        Change("added", "doaj", "DOAJ"),
        Change("removed", "arxiv", "arXiv"),
    )


def test_nothing_changed_and_a_first_snapshot(before: Export) -> None:
    assert diff(before, before) == ()
    assert [(c.kind, c.id) for c in diff(None, before)] == [("added", e.id) for e in before.entries]


def test_the_diff_is_of_the_selected_entries(before: Export, after: Export) -> None:
    source = Source(id="shared", url=URL, collections=["databases"], exclude=["doaj"])
    assert [(c.kind, c.id) for c in diff(selected(source, before), selected(source, after))] == [
        ("changed", "cnki"), ("added", "webvpn"), ("removed", "arxiv")]


def test_select_by_collections_categories_tags_and_exclude(before: Export) -> None:
    def ids(**filters: list[str]) -> list[str]:
        return [e.id for e in selected(Source(id="s", url=URL, **filters), before).entries]

    assert ids() == ["webvpn", "cnki", "pubmed", "arxiv"]
    assert ids(collections=["access"]) == ["webvpn"]
    assert ids(categories=["databases"]) == ["cnki", "pubmed", "arxiv"]
    assert ids(tags=["medicine", "chinese"]) == ["cnki", "pubmed"]
    assert ids(exclude=["pubmed", "webvpn"]) == ["cnki", "arxiv"]
    assert ids(collections=["databases"], tags=["medicine"]) == ["pubmed"]
    chosen = selected(Source(id="s", url=URL, categories=["databases"]), before)
    assert [c.id for c in chosen.collections] == ["databases"], "a collection left empty is dropped"
    assert chosen.guide == before.guide and chosen.categories == before.categories


def test_filters_that_name_nothing_are_found(before: Export) -> None:
    source = Source(id="s", url=URL, collections=["databses"], categories=["access", "nope"], tags=["medicine", "gone"],
                    exclude=["cnki", "never"])
    assert unmatched(source, before) == ["collection 'databses'", "category 'nope'", "tag 'gone'", "excluded id 'never'"]


HOSTILE = "x\x1b[2J\x1b]0;pwned\x07 [click](javascript:alert(1)) @everyone <script>alert(1)</script> `tick` #1\u202eevil"


def hostile_report() -> Report:
    return Report((SourceReport("shared", "updated", (Change("added", "evil", HOSTILE), Change("changed", "cnki", "CNKI", ("url",))),
                                entries=2, url=URL),
                   SourceReport("broken", "failed", error="HTTP 500 from " + URL + "\x1b[31m"),
                   SourceReport("quiet", "unchanged", entries=5)))


def test_text_shows_control_characters_instead_of_obeying_them() -> None:
    text = render_text(hostile_report())
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b[2J" in text and "\\u202e" in text
    assert text.splitlines()[:3] == [
        "source 'shared': updated: 1 added, 1 changed, 0 removed (2 entries taken)",
        "  added    evil  " + plain(HOSTILE),
        "  changed  cnki  CNKI (url)",
    ]
    assert "source 'broken': failed, the last good snapshot is kept: HTTP 500" in text
    assert "source 'quiet': unchanged (5 entries taken)" in text


def test_markdown_puts_every_untrusted_text_in_a_code_span() -> None:
    md = render_markdown(hostile_report())
    line = next(line for line in md.splitlines() if line.startswith("- added"))
    assert line == f"- added `evil` {code(HOSTILE)}"
    assert code("`tick`") == "`` `tick` ``" and code("a ``b") == "```a ``b```"
    assert "| `broken` | **failed**: last good snapshot kept | — | — | — | — |" in md
    assert "### `quiet`" not in md, "an unchanged source has no section"


def test_markdown_stays_under_githubs_limit_and_says_what_it_left_out() -> None:
    many = tuple(Change("added", f"entry-{i}", f"A resource with a long title number {i} " + "x" * 60) for i in range(5000))
    report = Report((SourceReport("big", "updated", many, entries=5000, url=URL),
                     SourceReport("small", "updated", (Change("removed", "gone", "Gone"),), entries=1, url=URL)))
    md = render_markdown(report)
    assert len(md) <= MARKDOWN_LIMIT
    assert "- added `entry-0`" in md and "- added `entry-4999`" not in md
    assert "more lines not listed here" in md
    assert "### `small`" in md and "- removed `gone` `Gone`" in md, "the next source still gets its section"
    assert "| `big` | updated | 5000 | 0 | 0 | 5000 |" in md
    short = render_markdown(Report((SourceReport("small", "updated", (Change("removed", "gone", "Gone"),), entries=1),)))
    assert "not listed" not in short


def test_json_has_every_change() -> None:
    data = json.loads(render_json(hostile_report()))
    assert data["dry_run"] is False
    shared, broken, quiet = data["sources"]
    assert shared["changes"][0] == {"kind": "added", "id": "evil", "title": HOSTILE, "fields": []}
    assert shared["changes"][1]["fields"] == ["url"]
    assert broken["state"] == "failed" and broken["error"].startswith("HTTP 500")
    assert quiet == {"source": "quiet", "state": "unchanged", "changes": [], "entries": 5, "error": None, "notes": [], "url": "", "kept": True}


def test_a_first_fetch_that_fails_does_not_claim_a_snapshot_was_kept() -> None:
    """`init --subscribe` whose first fetch failed said "the last good snapshot is kept" when there was none."""
    first = Report((SourceReport("new", "failed", error="HTTP 500", kept=False),))
    again = Report((SourceReport("old", "failed", error="HTTP 500"),))
    assert "failed, no snapshot yet: nothing was written: HTTP 500" in render_text(first)
    assert "failed, the last good snapshot is kept: HTTP 500" in render_text(again)
    assert "**failed**: no snapshot yet" in render_markdown(first)


def test_an_entry_renamed_upstream_is_pointed_out(tmp_path: Path) -> None:
    """A source renames cnki to cnki-net (same address): the change list says added and removed, and a note says it
    looks renamed, so the reviewer fixes the overlays and related lists that name the old id."""
    from federated import collection, entry, export_bytes, site

    def export(root: str, cnki_id: str) -> Export:
        files = {"_site.yml": site("shared"), "databases.yml": collection(
            "databases", entry(cnki_id, "https://cnki.example.org/"), entry("pubmed", "https://pubmed.example.org/"))}
        return read_export(export_bytes(tmp_path / root, files), root)

    old, new = export("old", "cnki"), export("new", "cnki-net")
    assert [(c.kind, c.id) for c in diff(old, new)] == [("added", "cnki-net"), ("removed", "cnki")]
    assert renames(old, new) == ["entry 'cnki' is gone and 'cnki-net' has its address (https://cnki.example.org/): renamed? "
                                 "Overlays and related lists that name 'cnki' must now name 'cnki-net'"]
    assert renames(old, old) == [] and renames(None, new) == []
