"""The interchange format: what a guide exports is what another guide reads back, version checks,
and messages that name the entry."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from openshelf.federation.exchange import VERSION, FormatError, entry_revision, export_json, export_record, json_schema, read_export
from openshelf.guide.load import load_guide
from openshelf.links.store import LinkState, load_state
from openshelf.links.verdict import Verdict
from support import FIXTURE_GUIDE, ROOT

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def _guide():  # type: ignore[no-untyped-def]
    guide, diagnostics = load_guide(FIXTURE_GUIDE)
    assert guide is not None, diagnostics
    return guide


def test_every_entry_reads_back_equal_with_provenance_and_revision() -> None:
    guide = _guide()
    export = read_export(export_json(guide, now=NOW), "fixture")
    assert export.version == VERSION
    assert export.guide.updated == NOW
    assert [e.id for e in export.entries] == [e.id for e in guide.entries]
    for original, read in zip(guide.entries, export.entries, strict=True):
        assert read.guide_entry().model_dump() == original.model_dump()
        assert read.revision == entry_revision(original)
        assert read.provenance.file is not None and read.provenance.file.endswith(f"{original.collection}.yml")
        assert read.provenance.line is not None and read.provenance.line > 0
        assert read.provenance.listed_by == [read.provenance.guide]


def test_the_default_guide_exports_its_publisher_and_licence() -> None:
    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    info = read_export(export_json(guide, now=NOW), "default").guide
    assert (info.id, info.license) == ("emergency", "CC-BY-4.0")
    assert info.publisher is not None and info.publisher.en


def test_link_health_comes_from_the_state() -> None:
    guide = _guide()
    url = guide.entries[0].url
    assert url is not None
    state = {url: LinkState(last_checked=NOW, last_ok=NOW, last_verdict=Verdict("ok"), last_status=200)}
    entries = read_export(export_json(guide, state, now=NOW), "fixture").entries
    assert entries[0].link_health is not None
    assert (entries[0].link_health.verdict, entries[0].link_health.status, entries[0].link_health.checked) == ("ok", 200, NOW)
    assert entries[1].link_health is None


def test_revision_changes_with_any_field() -> None:
    entry = _guide().entries[0]
    assert entry_revision(entry) != entry_revision(entry.model_copy(update={"tags": [*entry.tags, "new"]}))


def _doc() -> dict:  # type: ignore[type-arg]
    return export_record(_guide(), now=NOW)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(version="3.0"), "format version 3.0; this OpenShelf reads 2.x: upgrade OpenShelf"),
    (lambda d: d.update(version="1.4"), "format version 1.4; this OpenShelf reads 2.x: ask its publisher"),
    (lambda d: d.update(version=1), "format version 1 is not MAJOR.MINOR"),
    (lambda d: d.pop("version"), "no format version: an unversioned export (format 1, before the interchange format was "
                                 "versioned); this OpenShelf reads 2.x: ask its publisher to rebuild it with a current OpenShelf"),
    (lambda d: d.update(version=None), "no format version: an unversioned export"),
    (lambda d: d.pop("format"), "not an OpenShelf guide export"),
    (lambda d: d.update(format="something-else"), "not an OpenShelf guide export"),
    (lambda d: d["collections"][0]["entries"][1].update(url="javascript:alert(1)"),
     "entry 'pubmed'.url: Value error, url must start with http:// or https://"),
    (lambda d: d["guide"].pop("updated"), "guide.updated: Field required"),
])
def test_a_document_this_version_cannot_read_is_refused_by_name(change, message) -> None:  # type: ignore[no-untyped-def]
    doc = _doc()
    change(doc)
    with pytest.raises(FormatError) as caught:
        read_export(json.dumps(doc), "source 'peer'")
    assert caught.value.message.startswith("source 'peer': ")
    assert message in caught.value.message


def test_not_json_is_refused() -> None:
    with pytest.raises(FormatError, match=r"not a JSON document \(line 1, column 1\)"):
        read_export(b"<html>Not found</html>", "peer")
    with pytest.raises(FormatError, match="not a JSON document"):
        read_export("[" * 100_000, "peer")


def test_a_newer_minor_version_with_new_fields_still_reads() -> None:
    doc = _doc()
    doc["version"] = "2.7"
    doc["guide"]["mascot"] = "owl"
    doc["collections"][0]["entries"][0]["rating"] = 5
    export = read_export(json.dumps(doc), "peer")
    assert export.entries[0].id == doc["collections"][0]["entries"][0]["id"]


def test_the_published_schema_is_the_generated_one() -> None:
    on_disk = json.loads((ROOT / "guides" / "_schema" / "guide-export.schema.json").read_text(encoding="utf-8"))
    assert on_disk == json_schema()
    assert on_disk["properties"]["version"]["pattern"] == r"^\d+\.\d+$"


def test_the_link_state_of_the_repository_loads() -> None:  # the default guide's export reads its real state file
    load_state(ROOT / "guides" / "_state" / "links.json")
