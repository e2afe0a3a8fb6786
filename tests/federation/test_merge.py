"""The merge: a guide with the entries its sources give and its local overlays, one entry per
resource, each conflict a warning naming both origins."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from federated import NOW, collection, entry, export_bytes, site

from openshelf.federation.config import Locked, Source
from openshelf.federation.exchange import read_export
from openshelf.federation.merge import merge
from openshelf.federation.overlays import load_overlays
from openshelf.federation.snapshots import JsonPlaces, Snapshot
from openshelf.guide.diagnostics import Location
from openshelf.guide.load import Guide, load_guide
from support import write_guide

FETCHED = dt.datetime(2026, 11, 28, 12, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _snapshot(name: str, files: dict[str, str], line: int = 2, **config: list[str]) -> Snapshot:
    data = export_bytes(Path(name), files)
    export = read_export(data, name)
    source = Source(id=name, url=f"https://{name}.example.org/downloads/openshelf.json", **config)  # type: ignore[arg-type]
    locked = Locked(url=source.url, sha256="0" * 64, fetched=FETCHED, format_version="2.0", entries=len(export.entries), updated=NOW)
    return Snapshot(source, export, locked, Location("guides/_sources.yml", line, 5), f"guides/_sources/{name}.json",
                    JsonPlaces(data.decode(), export))


def _local(files: dict[str, str], overlays: str | None = None) -> tuple[Guide, list]:  # type: ignore[type-arg]
    folder = write_guide(Path("guides"), files)
    if overlays is not None:
        (folder / "_overlays.yml").write_text(overlays, encoding="utf-8")
    guide, diagnostics = load_guide(folder, known_ids={"cnki", "webvpn", "wanfang"})
    assert guide is not None and diagnostics == [], [d.format() for d in diagnostics]
    placed, problems = load_overlays(folder)
    assert placed is not None and problems == []
    return guide, placed


SHARED = {
    "_site.yml": site("shared", categories={"databases": "Databases", "remote": "Remote access"}),
    "databases.yml": collection("databases", entry("cnki", "https://cnki.example.org/", related=("webvpn", "wanfang")),
                                entry("wanfang", "https://wanfang.example.org/"), entry("pubmed", "https://pubmed.example.org/")),
    "access.yml": collection("access", entry("webvpn", None, kind="how-to", category="remote"), title="Getting in", order=5),
}
LIBRARY = {
    "_site.yml": site("mylib"),
    "databases.yml": collection("databases", entry("local-db", "https://db.mylib.example.edu/", related=("cnki", "wanfang"))),
}
NOTES = """\
overlays:
  - id: cnki
    note: {en: "At our library, sign in through WebVPN first."}
    access: institutional
  - id: wanfang
    hide: true
"""


def _at(snapshot: Snapshot, entry_id: str, name: str) -> str:
    """Where a snapshot's entry has a field: ``guides/_sources/<id>.json:LINE:COLUMN``."""
    line, column = snapshot.where(entry_id).get(name, (0, 0))
    return f"{snapshot.file}:{line}:{column}"


def _ids(guide: Guide) -> list[tuple[str, list[str]]]:
    return [(c.id, [e.id for e in c.entries]) for c in guide.collections]


def _with_health(snapshot: Snapshot, checks: dict[str, tuple[str, str]]) -> Snapshot:
    """``snapshot`` whose export reports these link checks: entry id → (verdict, ISO time)."""
    def report(data: dict[str, Any]) -> None:
        for item in (e for c in data["collections"] for e in c["entries"]):
            if item["id"] in checks:
                verdict, when = checks[item["id"]]
                item["link_health"] = {"verdict": verdict, "checked": when, "status": 404 if verdict == "broken" else 200, "last_ok": None}
    return _edited(snapshot, report)


def test_of_the_sources_reports_on_one_link_the_latest_is_shown_and_names_its_source() -> None:
    """The consortium review: a resource two members list kept the first member's check (OK, last week) even when the
    second had checked it since and found it broken; the later check now wins, whichever source made it."""
    local, _ = _local(LIBRARY)
    first = _with_health(_snapshot("shared", SHARED), {"cnki": ("ok", "2026-11-22T03:00:00Z"), "pubmed": ("ok", "2026-11-25T03:00:00Z")})
    other_files = {"_site.yml": site("other"), "databases.yml": collection(
        "databases", entry("cnki", "https://cnki.example.org/"), entry("pubmed", "https://pubmed.example.org/"))}
    second = _with_health(_snapshot("other", other_files, line=6), {"cnki": ("broken", "2026-11-24T03:00:00Z"),
                                                                    "pubmed": ("broken", "2026-11-23T03:00:00Z")})
    guide, _ = merge(local, [first, second])
    cnki, pubmed = guide.origins["cnki"], guide.origins["pubmed"]
    assert (cnki.source, cnki.health and (cnki.health.verdict, cnki.health.by)) == ("shared", ("broken", "other"))
    assert (pubmed.source, pubmed.health and (pubmed.health.verdict, pubmed.health.by)) == ("shared", ("ok", "shared"))  # the older report


def test_a_library_guide_shows_shared_entries_with_their_origin_its_notes_and_no_hidden_entry() -> None:
    local, overlays = _local(LIBRARY, NOTES)
    shared = _snapshot("shared", SHARED)
    guide, diagnostics = merge(local, [shared], overlays)
    assert diagnostics == []
    assert _ids(guide) == [("databases", ["local-db", "cnki", "pubmed"]), ("access", ["webvpn"])]
    assert guide.collection("access").title.en == "Getting in" and guide.collection("access").order == 5
    assert guide.site.categories.keys() == {"databases", "access", "remote"}  # 'remote' comes from the source, for webvpn
    cnki = guide.by_id["cnki"]
    assert (cnki.access, cnki.related, cnki.collection) == ("institutional", ["webvpn"], "databases")
    assert str(cnki.where()).startswith("guides/_sources/shared.json:")
    origin = guide.origins["cnki"]
    assert (origin.guide, origin.source, origin.listed_by, origin.file) == ("shared", "shared", ("shared",), "shared/databases.yml")
    assert origin.revision == shared.export.entries[0].revision
    assert guide.origins["local-db"].source is None and guide.origins["local-db"].listed_by == ("mylib",)
    assert guide.notes["cnki"].en == "At our library, sign in through WebVPN first."
    assert guide.by_id["local-db"].related == ["cnki"]  # the hidden entry is not left dangling
    assert "wanfang" not in guide.by_id and "wanfang" not in guide.origins
    [info] = guide.sources
    assert (info.id, info.guide, info.title.en, info.fetched, info.updated) == ("shared", "shared", "Shared guide", FETCHED, NOW)
    assert (info.entries, info.contributed, info.shared, info.only_here) == (3, ("cnki", "pubmed", "webvpn"), 0, 3)


def test_a_consortium_lists_each_shared_resource_once_naming_both_members() -> None:
    local, _ = _local({"_site.yml": site("consortium", extra="consortium: true\n")})
    first = _snapshot("east", {"_site.yml": site("east"), "databases.yml": collection(
        "databases", entry("cnki", "https://cnki.example.org/"), entry("east-archive", "https://archive.east.example.edu/"))})
    second = _snapshot("west", {"_site.yml": site("west"), "databases.yml": collection(
        "databases", entry("cnki", "http://CNKI.example.org?utm_source=west"), entry("west-maps", "https://maps.west.example.edu/"))}, 4)
    guide, diagnostics = merge(local, [first, second])
    assert diagnostics == []
    assert _ids(guide) == [("databases", ["cnki", "east-archive", "west-maps"])]
    assert guide.by_id["cnki"].url == "https://cnki.example.org/"  # the first member's entry
    assert {i: o.listed_by for i, o in guide.origins.items()} == {
        "cnki": ("east", "west"), "east-archive": ("east",), "west-maps": ("west",)}
    assert [(s.id, s.entries, s.contributed, s.shared, s.only_here) for s in guide.sources] == [
        ("east", 2, ("cnki", "east-archive"), 1, 1), ("west", 2, ("cnki", "west-maps"), 1, 1)]


def test_the_local_entry_wins_and_lists_the_source_too() -> None:
    local, _ = _local({"_site.yml": site("mylib"), "access.yml": collection("access", entry(
        "webvpn", "https://vpn.mylib.example.edu/", kind="how-to", category="access"), entry("pub", "https://PubMed.example.org"))})
    guide, diagnostics = merge(local, [_snapshot("shared", SHARED)])
    assert [d.format() for d in diagnostics] == [
        "guides/access.yml:14:10: warning: entry 'pub': source 'shared' lists entry 'pubmed' with the url https://pubmed.example.org/, "
        "which is also this guide's entry 'pub': merged as 'pub' (ids differ: one of the guides may want to rename its entry)"]
    assert guide.by_id["webvpn"].url == "https://vpn.mylib.example.edu/"  # a how-to is the same by its id
    assert guide.origins["webvpn"].listed_by == ("mylib", "shared") and guide.origins["webvpn"].source is None
    assert guide.origins["pub"].listed_by == ("mylib", "shared")
    assert "pubmed" not in guide.by_id
    assert guide.by_id["cnki"].related == ["webvpn", "wanfang"]  # the source's webvpn is the local one now


def test_one_id_with_two_urls_keeps_the_later_under_the_source_id() -> None:
    local, _ = _local({"_site.yml": site("mylib"), "databases.yml": collection("databases", entry("cnki", "https://oversea.cnki.example.net/"))})
    other = _snapshot("other", {"_site.yml": site("other"), "databases.yml": collection(
        "databases", entry("pubmed", "https://pubmed.example.com/"), entry("wanfang", "https://wf.example.org/", related=("pubmed",)))}, 4)
    shared = _snapshot("shared", SHARED)
    guide, diagnostics = merge(local, [shared, other])
    assert [d.format() for d in diagnostics] == [
        "guides/databases.yml:7:10: warning: entry 'cnki': source 'shared' lists entry 'cnki' with url https://cnki.example.org/, but "
        "'cnki' is also this guide's entry 'cnki' with url https://oversea.cnki.example.net/: the source's entry is shown as "
        "'shared-cnki' (to leave it out, add 'cnki' to the source's exclude)",
        "guides/_sources.yml:4:5: warning: entry 'pubmed': source 'other' lists entry 'pubmed' with url https://pubmed.example.com/, but "
        "'pubmed' is also entry 'pubmed' of source 'shared' with url https://pubmed.example.org/: the source's entry is shown as "
        "'other-pubmed' (to leave it out, add 'pubmed' to the source's exclude)",
        "guides/_sources.yml:4:5: warning: entry 'wanfang': source 'other' lists entry 'wanfang' with url https://wf.example.org/, but "
        "'wanfang' is also entry 'wanfang' of source 'shared' with url https://wanfang.example.org/: the source's entry is shown as "
        "'other-wanfang' (to leave it out, add 'wanfang' to the source's exclude)",
        # the merged guide gets the checks a local one does: the same titles under other urls
        f"{_at(shared, 'cnki', 'title')}: warning: entry 'shared-cnki': title: the same title as entry 'cnki' at "
        "guides/databases.yml:6:12 (Cnki): the same resource entered twice? If they are different resources, add 'distinct_from: [cnki]'",
        f"{_at(other, 'pubmed', 'title')}: warning: entry 'other-pubmed': title: the same title as entry 'pubmed' at "
        f"{_at(shared, 'pubmed', 'title')} (Pubmed): the same resource entered twice? If they are different resources, add "
        "'distinct_from: [pubmed]'",
        f"{_at(other, 'wanfang', 'title')}: warning: entry 'other-wanfang': title: the same title as entry 'wanfang' at "
        f"{_at(shared, 'wanfang', 'title')} (Wanfang): the same resource entered twice? If they are different resources, add "
        "'distinct_from: [wanfang]'",
    ]
    assert _ids(guide) == [("databases", ["cnki", "shared-cnki", "wanfang", "pubmed", "other-pubmed", "other-wanfang"]),
                           ("access", ["webvpn"])]
    assert guide.by_id["other-wanfang"].related == ["other-pubmed"]  # references follow the rename
    assert guide.origins["other-pubmed"].source == "other"


def test_one_url_under_two_ids_is_merged_under_the_first() -> None:
    local, _ = _local({"_site.yml": site("mylib")})
    other = _snapshot("other", {"_site.yml": site("other"), "databases.yml": collection(
        "databases", entry("zhiwang", "http://cnki.example.org"), entry("maps", "https://maps.example.org/", related=("zhiwang",)))}, 4)
    guide, diagnostics = merge(local, [_snapshot("shared", SHARED), other])
    assert [d.format() for d in diagnostics] == [
        "guides/_sources.yml:4:5: warning: entry 'cnki': source 'other' lists entry 'zhiwang' with the url http://cnki.example.org, "
        "which is also entry 'cnki' of source 'shared': merged as 'cnki' (ids differ: one of the guides may want to rename its entry)"]
    assert "zhiwang" not in guide.by_id
    assert guide.origins["cnki"].listed_by == ("shared", "other")
    assert guide.by_id["maps"].related == ["cnki"]
    assert guide.sources[1].contributed == ("cnki", "maps")


def test_overlay_conflicts_name_the_overlay_line_and_the_entry() -> None:
    shared = _snapshot("shared", SHARED)
    revision = shared.export.entries[0].revision
    local, overlays = _local(LIBRARY, f"""\
overlays:
  - id: cnki
    note: {{en: Sign in first.}}
    revision: 000000000000
  - id: pubmed
    revision: {revision}
  - id: nowhere
    note: {{en: Lost.}}
  - id: webvpn
    url: https://vpn.mylib.example.edu/
    tags: [vpn]
    category: remote
""")
    guide, diagnostics = merge(local, [shared], overlays)
    assert [d.format() for d in diagnostics] == [
        f"guides/_overlays.yml:4:15: warning: entry 'cnki': changed upstream since this note was written: entry 'cnki' of source "
        f"'shared' is now revision {revision}, the overlay was written against 000000000000; check the overlay, then set "
        f"'revision: {revision}'",
        f"guides/_overlays.yml:6:15: warning: entry 'pubmed': changed upstream since this note was written: entry 'pubmed' of source "
        f"'shared' is now revision {shared.export.entries[2].revision}, the overlay was written against {revision}; check the "
        f"overlay, then set 'revision: {shared.export.entries[2].revision}'",
        "guides/_overlays.yml:7:9: warning: entry 'nowhere': overlay: no entry 'nowhere' on this site (neither in the guide nor among "
        "the entries its sources give): remove the overlay, or check the id",
    ]
    assert guide.notes["cnki"].en == "Sign in first."
    webvpn = guide.by_id["webvpn"]
    assert (webvpn.url, webvpn.tags, webvpn.category) == ("https://vpn.mylib.example.edu/", ["vpn"], "remote")
    assert str(webvpn.where()).startswith("guides/_sources/shared.json:")  # still where the source has it


def test_overlay_errors_a_category_nobody_defines_and_a_url_for_a_resource() -> None:
    local, overlays = _local(LIBRARY, """\
overlays:
  - id: cnki
    category: chinese-databases
  - id: pubmed
    url: https://pubmed.mylib.example.edu/
  - id: webvpn
    url: https://zh.wikipedia.org/wiki/VPN
""")
    _, diagnostics = merge(local, [_snapshot("shared", SHARED)], overlays)
    assert [d.format() for d in diagnostics] == [
        "guides/_overlays.yml:3:15: error: entry 'cnki': category 'chinese-databases' is not defined in _site.yml nor by a source "
        "(known: databases, access, remote)",
        "guides/_overlays.yml:5:10: error: entry 'pubmed': url: only a kind: how-to entry takes this library's own address; entry "
        "'pubmed' of source 'shared' is a resource with its own url",
        "guides/_overlays.yml:7:10: error: entry 'webvpn': url: a how-to's url must be a library's own address, not an encyclopedia "
        "article: leave url out and readers see a 'your library's address' placeholder",
    ]


def _edited(snapshot: Snapshot, edit: Callable[[dict[str, Any]], object]) -> Snapshot:
    """The snapshot with its export changed as no OpenShelf would write it (a hostile source); no positions."""
    data = snapshot.export.model_dump(mode="json")
    edit(data)
    return Snapshot(snapshot.source, read_export(json.dumps(data), "edited"), snapshot.locked, snapshot.at, snapshot.file)


def test_subscribed_entries_pass_the_checks_local_ones_do() -> None:
    local, _ = _local(LIBRARY)
    hostile = _edited(_snapshot("hostile", SHARED),
                      lambda data: data["collections"][0]["entries"][2].update(id="category-databases", category="nowhere"))
    _, diagnostics = merge(local, [hostile])
    assert [(str(d.location), d.entry, d.code, d.severity) for d in diagnostics] == [
        ("guides/_sources/hostile.json", "category-databases", "invalid", "error"),
        ("guides/_sources/hostile.json", "category-databases", "unknown-category", "error"),
    ]


def test_selection_and_references_to_entries_not_taken() -> None:
    local, _ = _local(LIBRARY)
    guide, diagnostics = merge(local, [_snapshot("shared", SHARED, exclude=["wanfang"], collections=["databases"])])
    assert diagnostics == []
    assert _ids(guide) == [("databases", ["local-db", "cnki", "pubmed"])]
    assert guide.by_id["cnki"].related == []  # webvpn (another collection) and wanfang (excluded) are not on this site
    assert guide.by_id["local-db"].related == ["cnki"]
    assert "remote" not in guide.site.categories


def test_an_overlay_may_name_an_entry_by_its_id_in_the_source() -> None:
    local, overlays = _local({"_site.yml": site("mylib"), "databases.yml": collection("databases", entry("zhiwang", "https://cnki.example.org"))},
                             "overlays:\n  - id: cnki\n    note: {en: Ask at the desk.}\n    tags: [chinese]\n")
    guide, diagnostics = merge(local, [_snapshot("shared", SHARED)], overlays)
    assert [d.code for d in diagnostics] == ["conflict-url"]
    assert "cnki" not in guide.by_id
    assert guide.notes == {"zhiwang": guide.notes["zhiwang"]} and guide.notes["zhiwang"].en == "Ask at the desk."
    assert guide.by_id["zhiwang"].tags == ["chinese"]


def test_a_source_collection_named_like_a_page_and_too_many_entries_are_errors() -> None:
    local, _ = _local({"_site.yml": site("mylib", extra="limits: {max_entries: 3}\n")})
    _, diagnostics = merge(local, [_edited(_snapshot("shared", SHARED), lambda data: data["collections"][0].update(id="tags"))])
    assert [d.format() for d in diagnostics] == [
        "guides/_sources.yml:2:5: error: source 'shared': collection 'tags' has the name of a page the site makes: leave it out "
        "with 'collections:' (the ones to take)",
        "guides/_sources.yml: error: with its sources the guide has 4 entries, more than limits.max_entries (3) in _site.yml: take "
        "fewer (collections, categories, tags) or raise the limit",
    ]


def test_tag_labels_come_with_a_source_unless_the_guide_has_its_own() -> None:
    """A subscribed entry's tags keep the labels its guide gave them; the local guide's own labels win."""
    shared = {"_site.yml": site("shared", extra="tags:\n  medicine: {zh: 医学, en: Medicine}\n  open: {en: Open access}\n"),
              "databases.yml": collection("databases", entry("pubmed", "https://pubmed.example.org/", tags=("medicine", "open")))}
    local = {"_site.yml": site("mylib", extra="tags:\n  open: {en: Free to read}\n"),
             "databases.yml": collection("databases", entry("local-db", "https://db.mylib.example.edu/"))}
    guide, placed = _local(local)
    merged, _ = merge(guide, [_snapshot("shared", shared)], placed)
    assert merged.site.tags["medicine"].zh == "医学"
    assert merged.site.tags["open"].en == "Free to read"


def test_a_service_only_a_source_gives_counts_and_one_nobody_gives_is_a_warning() -> None:
    extra = "services:\n  remote-access: {en: Remote access}\n  remote-interview: {en: Remote interview rooms}\n"
    local, overlays = _local({**LIBRARY, "_site.yml": site("mylib", extra=extra)})  # no warning while its sources are unread
    shared = {**SHARED, "access.yml": collection("access", entry("webvpn", None, kind="how-to", category="remote", tags=("remote-access",)))}
    _, diagnostics = merge(local, [_snapshot("shared", shared)], overlays)
    assert [(str(d.location), d.severity, d.code) for d in diagnostics] == [("guides/_site.yml:9:21", "warning", "no-entry")]
    assert "'remote-interview'" in diagnostics[0].message


def test_an_overlay_distinct_from_records_that_two_members_entries_are_different_resources() -> None:
    """A consortium cannot edit its members' entries: an overlay's distinct_from silences their near-duplicate titles,
    naming entries as this site shows them; an id it does not show is a warning, the entry itself an error."""
    east = _snapshot("east", {"_site.yml": site("east"), "services.yml": collection(
        "services", entry("ill", "https://ill.east.example.edu/", title="Interlibrary loan service"))})
    west = _snapshot("west", {"_site.yml": site("west"), "services.yml": collection(
        "services", entry("ill-requests", "https://ill.west.example.edu/", title="Interlibrary loan services"))}, 4)
    local, _ = _local({"_site.yml": site("consortium", extra="consortium: true\n")})
    _, diagnostics = merge(local, [east, west])
    assert [d.code for d in diagnostics] == ["duplicate-title"]
    local, overlays = _local({"_site.yml": site("consortium", extra="consortium: true\n")}, """\
overlays:
  - id: ill-requests
    distinct_from: [ill]
""")
    guide, diagnostics = merge(local, [east, west], overlays)
    assert diagnostics == []
    assert guide.by_id["ill-requests"].distinct_from == ["ill"]
    local, overlays = _local({"_site.yml": site("consortium", extra="consortium: true\n")}, """\
overlays:
  - id: ill-requests
    distinct_from: [ill, nowhere, ill-requests]
""")
    _, diagnostics = merge(local, [east, west], overlays)
    assert [d.format() for d in diagnostics] == [
        "guides/_overlays.yml:3:26: warning: entry 'ill-requests': distinct_from: no entry 'nowhere' on this site (neither in "
        "the guide nor among the entries its sources give): remove it from the overlay, or check the id",
        "guides/_overlays.yml:3:35: error: entry 'ill-requests': distinct_from names the entry itself",
    ]


def test_changed_upstream_is_seen_when_the_source_did_not_update_the_revision() -> None:
    """The overlay check compares with the revision of the entry's fields, not the one the export sends."""
    shared = _snapshot("shared", SHARED)
    revision = shared.export.entries[0].revision
    stale = _edited(shared, lambda data: data["collections"][0]["entries"][0]["title"].update(en="CNKI, renamed"))
    assert json.loads(stale.export.model_dump_json())["collections"][0]["entries"][0]["revision"] != revision
    local, overlays = _local(LIBRARY, f"overlays:\n  - id: cnki\n    note: {{en: Sign in first.}}\n    revision: {revision}\n")
    _, diagnostics = merge(local, [stale], overlays)
    assert [(d.code, d.location.line) for d in diagnostics] == [("changed-upstream", 4)]


def _member(name: str, url: str | None) -> dict[str, str]:
    return {"_site.yml": site(name), "services.yml": collection(
        "services", entry("document-delivery", url, kind="how-to", title="Document delivery"),
        entry(f"{name}-catalogue", f"https://catalogue.{name}.example.edu/"))}


def test_one_how_to_id_with_each_members_own_address_keeps_every_address() -> None:
    """Every guide `init` makes has the starter how-tos (document-delivery …): in a consortium each member's
    address for one is kept (the later as <source-id>-<id>); one without an address merges into the first, losing
    nothing. Each library's own address for one service is what a how-to is: no warning, and the copies are marked
    distinct from each other, so their alike titles are no warning either (the consortium's validate --strict passes)."""
    local, _ = _local({"_site.yml": site("consortium", extra="consortium: true\n"), "services.yml": collection(
        "services", entry("document-delivery", None, kind="how-to", title="Document delivery"))})
    east = _snapshot("east", _member("east", "https://ill.east.example.edu/"), 2)
    west = _snapshot("west", _member("west", "https://ill.west.example.edu/"), 4)
    north = _snapshot("north", _member("north", None), 6)
    guide, diagnostics = merge(local, [east, west, north])
    assert _ids(guide) == [("services", ["document-delivery", "east-document-delivery", "east-catalogue", "west-document-delivery",
                                         "west-catalogue", "north-catalogue"])]
    assert [(i, guide.by_id[i].url, guide.origins[i].listed_by, guide.by_id[i].distinct_from)
            for i in guide.by_id if i.endswith("document-delivery")] == [
        ("document-delivery", None, ("consortium", "north"), []),
        ("east-document-delivery", "https://ill.east.example.edu/", ("east",), ["document-delivery"]),
        ("west-document-delivery", "https://ill.west.example.edu/", ("west",), ["document-delivery", "east-document-delivery"]),
    ]
    assert [d.format() for d in diagnostics if "document-delivery" in d.format()] == []  # (the catalogues' alike titles: a warning)


def test_a_resource_id_with_two_urls_is_still_a_conflict() -> None:
    """Two members' resources (not how-tos) under one id and two addresses: the later is renamed, with the warning."""
    local, _ = _local({"_site.yml": site("consortium", extra="consortium: true\n")})
    east = _snapshot("east", {"_site.yml": site("east"), "databases.yml": collection(
        "databases", entry("catalogue", "https://catalogue.east.example.edu/"))}, 2)
    west = _snapshot("west", {"_site.yml": site("west"), "databases.yml": collection(
        "databases", entry("catalogue", "https://catalogue.west.example.edu/"))}, 4)
    guide, diagnostics = merge(local, [east, west])
    assert "west-catalogue" in guide.by_id
    assert [d.code for d in diagnostics if d.code != "duplicate-title"] == ["conflict-id"]


def test_hiding_an_id_merged_into_another_entry_is_refused_naming_that_entry() -> None:
    """hide: true on a member's id that was merged (the same url) into another guide's entry would hide the shared
    resource for every member: refused, naming the entry and what to write instead (the member's exclude)."""
    local, _ = _local({"_site.yml": site("consortium", extra="consortium: true\n")})
    shared = _snapshot("shared", {"_site.yml": site("shared"), "databases.yml": collection(
        "databases", entry("doaj", "https://doaj.org/"), entry("arxiv", "https://arxiv.org/"))})
    seaside = _snapshot("seaside", seaside_files(), 4)
    placed = load_overlays(write_guide(Path("guides"), {"_overlays.yml": "overlays:\n  - id: doaj-journals\n    hide: true\n"}))[0]
    assert placed is not None
    guide, diagnostics = merge(local, [shared, seaside], placed)
    assert [d.format() for d in diagnostics if d.code != "conflict-url"] == [
        "guides/_overlays.yml:3:11: error: entry 'doaj-journals': hide: 'doaj-journals' of source 'seaside' is merged into entry "
        "'doaj' (the same url; listed by shared, seaside): hiding it would hide 'doaj' for every guide that lists it. To leave out "
        "only source 'seaside''s listing, add 'doaj-journals' to its exclude in guides/_sources.yml; to hide the resource, write "
        "the overlay for 'doaj'"]
    assert "doaj" in guide.by_id
    guide, diagnostics = merge(local, [shared, _snapshot("seaside", seaside_files(), 4, exclude=["doaj-journals"])])
    assert diagnostics == [] and guide.origins["doaj"].listed_by == ("shared",)


def seaside_files() -> dict[str, str]:
    return {"_site.yml": site("seaside"), "databases.yml": collection(
        "databases", entry("doaj-journals", "https://doaj.org/", title="DOAJ journals"), entry("tides", "https://tides.example.edu/"))}


def test_an_entry_is_merged_with_the_same_id_at_its_url_when_another_entry_shares_that_url() -> None:
    """A member lists CALIS's document delivery (its id and url) but not the CALIS database at the same address,
    which the first member lists beside it (shares_url_with): it is the document-delivery entry it joins, not the database."""
    local, _ = _local({"_site.yml": site("consortium", extra="consortium: true\n")})
    first = _snapshot("shared", {"_site.yml": site("shared"), "databases.yml": collection(
        "databases", entry("calis", "https://www.calis.example.edu.cn/"),
        entry("calis-delivery", "https://www.calis.example.edu.cn/") + "    shares_url_with: calis\n")})
    second = _snapshot("campus", {"_site.yml": site("campus"), "databases.yml": collection(
        "databases", entry("calis-delivery", "https://www.calis.example.edu.cn/"))}, 4)
    guide, diagnostics = merge(local, [first, second])
    assert [d.format() for d in diagnostics] == []
    assert _ids(guide) == [("databases", ["calis", "calis-delivery"])]
    assert guide.origins["calis-delivery"].listed_by == ("shared", "campus")
    assert guide.origins["calis"].listed_by == ("shared",)
    assert guide.sources[1].contributed == ("calis-delivery",)
