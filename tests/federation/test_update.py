"""Updating a source (federation/update.py) from a real server on 127.0.0.1: the first snapshot, an
upstream change and its change list, 304, and hostile sources that must leave the last good
snapshot and lock entry byte for byte."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from openshelf.federation import update as update_module
from openshelf.federation.config import Source, lock_file, snapshot_file
from openshelf.federation.diff import Report, SourceReport
from openshelf.federation.exchange import read_export
from openshelf.federation.update import previous, read_lock, update
from support_sources import (
    ACCESS,
    NOW,
    SITE,
    ExportServer,
    collection,
    endless,
    entry,
    export_server,
    make_export,
    redirect,
    respond,
    trickle,
)

LATER = NOW + dt.timedelta(days=7)


@pytest.fixture(scope="module")
def server() -> Iterator[ExportServer]:
    with export_server() as srv:
        yield srv


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


class World:
    """A subscribing guide folder and one source served at a path of its own."""

    def __init__(self, server: ExportServer, tmp_path: Path, **options: Any) -> None:
        self.server = server
        self.tmp = tmp_path
        self.guides = tmp_path / "guides"
        self.guides.mkdir(parents=True)
        self.path = f"/{tmp_path.parent.name}/{tmp_path.name}/openshelf.json"
        self.source = Source(id="shared", url=server.url(self.path), allow_hosts=[server.host], **options)

    def publish(self, files: dict[str, str] | None = None, **serve: Any) -> bytes:
        body = make_export(self.tmp / f"upstream-{len(list(self.tmp.glob('upstream-*')))}", files)
        self.server.serve(self.path, body, **serve)
        return body

    def run(self, *, dry_run: bool = False, now: dt.datetime = NOW) -> SourceReport:
        report = update(self.guides, [self.source], dry_run=dry_run, now=now)
        assert isinstance(report, Report)
        (result,) = report.sources
        return result

    def snapshot(self) -> bytes:
        return snapshot_file(self.guides, "shared").read_bytes()

    def lock(self) -> dict[str, Any]:
        return json.loads(lock_file(self.guides).read_bytes())

    def state(self) -> dict[str, bytes]:
        return files_under(self.tmp / "guides")


@pytest.fixture
def world(server: ExportServer, tmp_path: Path) -> World:
    return World(server, tmp_path)


def test_the_first_update_writes_the_bytes_as_fetched_and_their_lock(world: World) -> None:
    body = world.publish(etag='"one"', last_modified="Sat, 28 Nov 2026 12:00:00 GMT")
    result = world.run()
    assert result.state == "updated" and result.error is None
    assert [(c.kind, c.id) for c in result.changes] == [("added", "webvpn"), ("added", "cnki"), ("added", "pubmed"), ("added", "arxiv")]
    assert world.snapshot() == body
    assert world.lock() == {"version": 1, "sources": {"shared": {
        "url": world.source.url, "sha256": hashlib.sha256(body).hexdigest(), "fetched": "2026-11-28T12:00:00Z",
        "etag": '"one"', "last_modified": "Sat, 28 Nov 2026 12:00:00 GMT", "format_version": "2.1", "entries": 4,
        "updated": "2026-11-28T12:00:00Z"}}}
    assert set(world.state()) == {"_sources/shared.json", "_sources/lock.json"}, "nothing else is written"
    assert previous(world.guides, "shared", read_lock(world.guides)).intact


CHANGED = {
    "_site.yml": SITE,
    "databases.yml": collection("databases",
                                entry("cnki", "CNKI", "https://www.cnki.net/", tags="[chinese]", description="Now with more."),
                                entry("pubmed", "PubMed", "https://pubmed.ncbi.nlm.nih.gov/", tags="[medicine]"),
                                entry("doaj", "DOAJ", "https://doaj.org/")),
    "access.yml": ACCESS,
}


def test_an_upstream_edit_addition_and_removal_make_the_change_list(world: World) -> None:
    world.publish()
    world.run()
    body = world.publish(CHANGED)
    result = world.run(now=LATER)
    assert result.state == "updated"
    assert [(c.kind, c.id, c.fields) for c in result.changes] == [
        ("changed", "cnki", ("description",)), ("added", "doaj", ()), ("removed", "arxiv", ())]
    assert world.snapshot() == body
    assert world.lock()["sources"]["shared"]["fetched"] == "2026-12-05T12:00:00Z"
    assert world.lock()["sources"]["shared"]["sha256"] == hashlib.sha256(body).hexdigest()


def test_the_change_list_is_of_the_selected_entries(server: ExportServer, tmp_path: Path) -> None:
    world = World(server, tmp_path, collections=["databases"], exclude=["doaj"])
    world.publish()
    assert [c.id for c in world.run().changes] == ["cnki", "pubmed", "arxiv"]
    full = world.publish(CHANGED)
    result = world.run()
    assert [(c.kind, c.id) for c in result.changes] == [("changed", "cnki"), ("removed", "arxiv")]
    assert world.snapshot() == full, "the snapshot is the whole export; the selection is applied when it is read"


def test_304_is_unchanged_and_writes_nothing(world: World) -> None:
    world.publish(etag='"v1"', last_modified="Sat, 28 Nov 2026 12:00:00 GMT")
    world.run()
    before = world.state()
    result = world.run(now=LATER)
    assert (result.state, result.changes, result.entries) == ("unchanged", (), 4)
    path, headers = world.server.requests[-1]
    assert path == world.path and headers["If-None-Match"] == '"v1"' and headers["If-Modified-Since"] == "Sat, 28 Nov 2026 12:00:00 GMT"
    assert world.state() == before


def test_the_same_bytes_without_validators_are_unchanged_too(world: World) -> None:
    world.publish()
    world.run()
    before = world.state()
    assert world.run(now=LATER).state == "unchanged"
    assert world.state() == before


def test_a_new_address_is_fetched_unconditionally_and_recorded(world: World) -> None:
    body = world.publish(etag='"v1"')
    world.run()
    moved = f"{world.path}.moved"
    world.server.serve(moved, body, etag='"v1"')
    world.source = world.source.model_copy(update={"url": world.server.url(moved)})
    result = world.run(now=LATER)
    path, headers = world.server.requests[-1]
    assert path == moved and "If-None-Match" not in headers
    assert (result.state, result.changes) == ("updated", ())
    assert world.lock()["sources"]["shared"]["url"] == world.server.url(moved) and world.snapshot() == body


def test_a_dry_run_reports_and_writes_nothing(world: World) -> None:
    world.publish()
    world.run()
    before = world.state()
    world.publish(CHANGED)
    result = world.run(dry_run=True, now=LATER)
    assert [(c.kind, c.id) for c in result.changes] == [("changed", "cnki"), ("added", "doaj"), ("removed", "arxiv")]
    assert world.state() == before


# --- hostile sources: a clear message, and the last good snapshot and lock kept byte for byte ---------


def edited(good: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    doc = json.loads(good)
    change(doc)
    return json.dumps(doc).encode()


HOSTILE: dict[str, tuple[Callable[[World, bytes], Callable[[web.Request], Any]], str]] = {
    "huge body, Content-Length says so": (lambda w, good: respond(b" " * 200_000), r"too big: \S+ says it is 200,000 bytes; the limit is 100,000"),
    "huge body, endless behind its Content-Length": (lambda w, good: endless(chunked=False), r"too big: \S+ says it is 1,000,000,000 bytes"),
    "huge body behind a small Content-Length (gzip)": (lambda w, good: respond(gzip.compress(b" " * 5_000_000), **{"Content-Encoding": "gzip"}),
                                                       r"too big: \S+ sent more than 100,000 bytes"),
    "huge body, no Content-Length": (lambda w, good: endless(chunked=True), r"too big: \S+ sent more than 100,000 bytes \(max_bytes\)"),
    "slow body": (lambda w, good: trickle(), r"too slow: \S+: no complete answer within 1 s \(timeout\)"),
    "invalid JSON": (lambda w, good: respond(good[: len(good) // 2]), r"\S+: not a JSON document \(line \d+, column \d+\)"),
    "not UTF-8": (lambda w, good: respond(good.decode().encode("utf-16")), r"not a UTF-8 document"),
    "HTML page": (lambda w, good: respond(b"<html><title>Login</title></html>"), r"not a JSON document"),
    "wrong format version": (lambda w, good: respond(edited(good, lambda d: d.update(version="3.0"))),
                             r"format version 3\.0; this OpenShelf reads 2\.x: upgrade OpenShelf"),
    "another format": (lambda w, good: respond(b'{"format": "something", "entries": []}'), r"not an OpenShelf guide export"),
    "no format version": (lambda w, good: respond(edited(good, lambda d: d.pop("version"))), r"no format version: an unversioned export"),
    "a category the export does not define": (
        lambda w, good: respond(edited(good, lambda d: d["collections"][1]["entries"][0].update(category="nowhere"))),
        r"invalid guide export: entry 'cnki'\.category: 'nowhere' is not one of the export's categories \(known: databases, access\)"),
    "an id used twice": (lambda w, good: respond(edited(good, lambda d: d["collections"][1]["entries"][1].update(id="cnki"))),
                         r"invalid guide export: entry 'cnki' \(collections\[1\]\.entries\[1\]\)\.id: 'cnki' is also the id of "
                         r"collections\[1\]\.entries\[0\]"),
    "a related id the export does not have": (
        lambda w, good: respond(edited(good, lambda d: d["collections"][1]["entries"][0].update(related=["pubmed", "nowhere"]))),
        r"invalid guide export: entry 'cnki'\.related\[1\]: no entry 'nowhere' in the export"),
    "a right-to-left override in a title": (
        lambda w, good: respond(edited(good, lambda d: d["collections"][1]["entries"][0]["title"].update(en="CNKI \u202efdp.exe"))),
        r"invalid guide export: .*title\.en: .*has the control character U\+202E \(RIGHT-TO-LEFT OVERRIDE\) after 'CNKI '"),
    "an escape sequence in a description": (
        lambda w, good: respond(edited(good, lambda d: d["collections"][1]["entries"][0]["description"].update(en="\x1b[2J"))),
        r"invalid guide export: .*description\.en: .*has the control character U\+001B at its start"),
    "invalid entry": (lambda w, good: respond(edited(good, lambda d: d["collections"][1]["entries"][0].update(url="javascript:alert(1)"))),
                      r"invalid guide export: entry 'cnki'\.url: .*http:// or https://"),
    "redirect to another loopback address": (lambda w, good: redirect(w.server.url(w.path).replace("127.0.0.1", "127.0.0.2")),
                                             r"refused: http://127\.0\.0\.2:\d+/\S+ \(redirect 1 from \S+\): private address refused: "
                                             r"127\.0\.0\.2 \(loopback\)"),
    "redirect to localhost on another port": (lambda w, good: redirect(f"http://localhost:{w.server.port + 1}/x.json"),
                                              r"refused: http://localhost:\d+/x\.json \(redirect 1 from \S+\): private address refused: "
                                              r"localhost resolves to"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_source_loses_nothing(server: ExportServer, tmp_path: Path, case: str) -> None:
    world = World(server, tmp_path, max_bytes=100_000, timeout=1)
    good = world.publish(etag='"good"')
    assert world.run().state == "updated"
    before = world.state()
    make, pattern = HOSTILE[case]
    server.routes[world.path] = make(world, good)
    result = world.run(now=LATER)
    assert result.state == "failed", result
    assert result.error is not None
    assert re.search(pattern, result.error), result.error
    assert world.state() == before, "the last good snapshot and lock stay byte for byte"


def test_http_500_names_the_status(server: ExportServer, tmp_path: Path) -> None:
    world = World(server, tmp_path)
    server.routes[world.path] = respond(b"oops", status=500)
    result = world.run()
    assert result.error == f"HTTP 500 Internal Server Error from {world.source.url}"
    assert not (world.guides / "_sources").exists(), "a first update that fails writes nothing"


def test_an_unreachable_source(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    guides = tmp_path / "guides"
    source = Source(id="gone", url=f"http://127.0.0.1:{port}/openshelf.json", allow_hosts=[f"127.0.0.1:{port}"])
    (result,) = update(guides, [source]).sources
    assert result.error == f"unreachable: {source.url}: connection refused"
    assert not guides.exists()


def test_one_source_failing_keeps_its_lock_entry_while_another_updates(server: ExportServer, tmp_path: Path) -> None:
    first = World(server, tmp_path / "a")
    second_path = f"/{tmp_path.name}-b/openshelf.json"
    second = Source(id="other", url=server.url(second_path), allow_hosts=[server.host])
    first.publish()
    server.serve(second_path, make_export(tmp_path / "b-upstream"))
    update(first.guides, [first.source, second], now=NOW)
    entry_before = json.dumps(first.lock()["sources"]["other"])
    other_snapshot = snapshot_file(first.guides, "other").read_bytes()
    first.publish(CHANGED)
    server.routes[second_path] = respond(b"not json")
    report = update(first.guides, [first.source, second], now=LATER)
    assert [s.state for s in report.sources] == ["updated", "failed"]
    assert json.dumps(first.lock()["sources"]["other"]) == entry_before
    assert snapshot_file(first.guides, "other").read_bytes() == other_snapshot
    assert first.lock()["sources"]["shared"]["fetched"] == "2026-12-05T12:00:00Z"


def test_a_tampered_snapshot_is_not_trusted_and_is_replaced(world: World) -> None:
    body = world.publish(etag='"v1"')
    world.run()
    path = snapshot_file(world.guides, "shared")
    path.write_bytes(body.replace(b"CNKI", b"CNKI (tampered)"))
    prev = previous(world.guides, "shared", read_lock(world.guides))
    assert prev.problem is not None and "does not match its lock" in prev.problem
    result = world.run(now=LATER)
    _, headers = world.server.requests[-1]
    assert "If-None-Match" not in headers, "a 304 would keep the tampered file: the request is not conditional"
    assert result.state == "updated" and any("the previous snapshot was not used" in n for n in result.notes)
    assert world.snapshot() == body


def test_when_the_lock_cannot_be_written_the_old_snapshot_is_put_back(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.publish()
    world.run()
    before = world.state()
    world.publish(CHANGED)
    real = update_module.write_atomic

    def failing(path: Path, text: str) -> None:
        if path.name == "lock.json":
            raise OSError(28, "No space left on device", str(path))
        real(path, text)

    monkeypatch.setattr(update_module, "write_atomic", failing)
    result = world.run(now=LATER)
    assert result.state == "failed" and result.error is not None
    assert result.error.startswith("cannot write ") and "lock.json: No space left on device" in result.error
    assert world.state() == before


INJECTIONS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "{{ config.__class__ }}",
              "{% include '/etc/passwd' %}", "$(touch /tmp/pwned)", "`touch pwned`", "'; DROP TABLE entries; --",
              "../../../../tmp/pwned", "@everyone #1"]  # control characters make an export invalid: see HOSTILE


def inject(doc: dict[str, Any]) -> None:
    """An injection attempt in every free-text field of the export."""
    payload = " ".join(INJECTIONS)

    def text(value: dict[str, Any] | None) -> dict[str, str]:
        return {"zh": "甲 " + payload, "en": payload}

    doc["guide"].update(title=text(None), description=text(None), publisher=text(None), license=payload[:100])
    doc["categories"] = {k: text(v) for k, v in doc["categories"].items()}
    for c in doc["collections"]:
        c.update(title=text(None), description=text(None))
        for e in c["entries"]:
            e.update(title=text(None), description=text(None), provider=text(None), aliases=INJECTIONS[:8])
            e["provenance"].update(file="../../../../tmp/pwned.yml")
            e["link_health"] = {"verdict": "ok<script>", "checked": None, "status": 200, "last_ok": None}


def test_injection_attempts_are_kept_verbatim_as_data(world: World) -> None:
    good = world.publish()
    hostile = edited(good, inject)
    world.server.routes[world.path] = respond(hostile)
    cwd_before = sorted(os.listdir(Path.cwd()))
    result = world.run()
    assert result.state == "updated", result.error
    assert world.snapshot() == hostile, "the snapshot is the bytes as fetched"
    export = read_export(world.snapshot(), "snapshot")
    assert all(e.title.en == " ".join(INJECTIONS) for e in export.entries)
    assert set(world.state()) == {"_sources/shared.json", "_sources/lock.json"}
    assert sorted(os.listdir(Path.cwd())) == cwd_before and not Path("/tmp/pwned").exists() and not Path("/tmp/pwned.yml").exists()


def test_a_revision_the_publisher_did_not_update_is_recomputed(world: World) -> None:
    """The change list and the overlays' "changed upstream" check do not trust the revision an export sends: each is
    recomputed from the entry's fields, and a sent one that differs is a note."""
    good = world.publish()
    world.run()
    sent = next(e for e in json.loads(good)["collections"][1]["entries"] if e["id"] == "cnki")["revision"]
    stale = edited(good, lambda d: d["collections"][1]["entries"][0]["title"].update(en="CNKI (China National Knowledge Infrastructure)"))
    world.server.serve(world.path, stale)
    result = world.run(now=LATER)
    assert result.state == "updated"
    assert [(c.kind, c.id, c.fields) for c in result.changes] == [("changed", "cnki", ("title",))]
    computed = next(e for e in read_export(world.snapshot(), "snapshot").entries if e.id == "cnki").revision
    assert computed != sent
    assert result.notes == (f"entry 'cnki': the export says revision {sent}, but its fields give {computed}: the export's "
                            "revisions are not to be trusted (ask its publisher to rebuild it); the computed one is used",)


def test_a_rebuild_that_changes_only_the_build_time_keeps_the_snapshot(world: World) -> None:
    """The publisher's site is rebuilt on every push, and its export's `updated` changes each time: the weekly pull
    request rewrote the snapshot with '0 added, 0 changed, 0 removed'. Nothing a subscriber uses changed: kept, with
    a note; a real change is still taken."""
    world.publish()
    world.run()
    before = world.state()
    body = make_export(world.tmp / "rebuilt" / "upstream-0", now=LATER)  # the same files, built again a week later
    world.server.serve(world.path, body)
    result = world.run(now=LATER)
    assert (result.state, result.changes) == ("unchanged", ())
    assert "only the export's build time changed: the snapshot is kept" in result.notes
    assert world.state() == before
    world.publish(CHANGED)
    assert world.run(now=LATER).state == "updated"
