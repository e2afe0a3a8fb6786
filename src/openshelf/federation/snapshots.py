"""Read what a subscribing guide keeps in its repository, never the network: ``guides/_sources.yml``
(with positions, like the guide files), ``guides/_sources/lock.json`` and each source's snapshot.

A snapshot is only used when its bytes hash to the sha256 its lock entry holds: a snapshot edited by
hand or damaged is refused with an error at that source's line in ``_sources.yml``, naming it.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from array import array
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from openshelf.federation.config import LOCK_VERSION, Lock, Locked, Source, SourcesFile, lock_file, snapshot_file, sources_file
from openshelf.federation.exchange import Export, FormatError, read_export
from openshelf.guide.diagnostics import Diagnostic, Location
from openshelf.guide.load import display_path, parse_file, validate_source
from openshelf.guide.models import FieldPositions, Limits
from openshelf.guide.yamlsource import Positions


@dataclass(frozen=True)
class Snapshot:
    """One source's accepted export, with where to point diagnostics about it."""

    source: Source
    export: Export
    locked: Locked
    #: The source's place in ``_sources.yml`` (where curators act on it).
    at: Location
    #: The snapshot file as curators see it (``guides/_sources/<id>.json``).
    file: str
    #: Where its entries' fields are in the snapshot file (none known: every position is 0:0).
    places: JsonPlaces | None = None

    def where(self, entry_id: str) -> FieldPositions:
        return self.places.entry(entry_id) if self.places is not None else _NOWHERE


_NOWHERE: dict[str, tuple[int, int]] = {}


def update_hint(source_id: str) -> str:
    return f"run 'openshelf sources update {source_id}'"


def read_sources(guides: Path, limits: Limits | None = None) -> tuple[SourcesFile | None, list[Location], list[Diagnostic]]:
    """``guides/_sources.yml`` validated, with each source's place in the file (for diagnostics), or None
    (with the diagnostics: file:line:column, like the guide files) when it cannot be used."""
    diagnostics: list[Diagnostic] = []
    parsed = parse_file(sources_file(guides), diagnostics, limits)
    # parse_file words its "not a mapping" message for collections
    diagnostics = [replace(d, message=d.message.replace("a collection (id, title, entries)", "'sources:', the list of subscribed guides"))
                   for d in diagnostics]
    if parsed is None:
        return None, [], diagnostics
    config = validate_source(parsed, SourcesFile, diagnostics)
    items = parsed.data.get("sources")  # an id used twice is reported beside a mistake in another source, in one run
    ids = [item.get("id") if isinstance(item, dict) else None for item in items] if isinstance(items, list) else []
    diagnostics += _duplicate_ids(ids, parsed.positions, parsed.display)
    diagnostics.sort(key=Diagnostic.sort_key)
    if config is None:
        return None, [], diagnostics
    places = [Location(parsed.display, *parsed.positions.of(("sources", i))) for i in range(len(config.sources))]
    return (None if diagnostics else config), places, diagnostics


def snapshot_mismatch(data: bytes, locked: Locked) -> str | None:
    """Why a snapshot's bytes cannot be trusted (they do not hash to its lock entry's sha256), or None."""
    digest = hashlib.sha256(data).hexdigest()
    if digest == locked.sha256:
        return None
    return f"does not match its lock (sha256 {digest[:12]}…, the lock says {locked.sha256[:12]}…)"


def load_snapshots(guides: Path, limits: Limits | None = None) -> tuple[list[Snapshot] | None, list[Diagnostic]]:
    """The sources of the guide in ``guides``, in ``_sources.yml`` order, each with its checked snapshot.

    None (with the diagnostics) when ``_sources.yml``, the lock or any snapshot has an error.
    """
    config, places, diagnostics = read_sources(guides, limits)
    if config is None:
        return None, diagnostics
    shown = display_path(sources_file(guides))
    lock = _read_lock(lock_file(guides), shown, diagnostics)
    if lock is None:
        return None, diagnostics
    snapshots: list[Snapshot] = []
    for source, at in zip(config.sources, places, strict=True):
        snapshot = _read_snapshot(guides, source, lock.sources.get(source.id), at, diagnostics)
        if snapshot is not None:
            snapshots.append(snapshot)
    named = {s.id for s in config.sources}
    for source_id in lock.sources:
        if source_id not in named:
            diagnostics.append(Diagnostic(Location(display_path(lock_file(guides))), f"source '{source_id}' has a lock entry but "
                                          f"{shown} no longer names it: run 'openshelf sources update' to drop it, or "
                                          f"delete {display_path(snapshot_file(guides, source_id))} and its lock entry",
                                          severity="warning", code="stale-lock"))
    if any(d.severity == "error" for d in diagnostics):
        return None, diagnostics
    return snapshots, diagnostics


def _duplicate_ids(ids: list[object], positions: Positions, display: str) -> list[Diagnostic]:
    """An error at each source whose id (as written: ``ids`` in ``sources:`` order) an earlier source has."""
    seen: set[str] = set()
    problems = []
    for i, source_id in enumerate(ids):
        if not isinstance(source_id, str):
            continue
        if source_id in seen:
            problems.append(Diagnostic(Location(display, *positions.of(("sources", i, "id"))),
                                       f"source id '{source_id}' is used twice: each source needs its own id", field="id",
                                       code="duplicate-id"))
        seen.add(source_id)
    return problems


class LockUnreadable(ValueError):
    """``lock.json`` is not JSON, not a lock, or of a newer version; the message says which."""


def parse_lock(data: bytes) -> tuple[Lock, dict[str, Any]]:
    """A lock file's bytes as the validated model and the plain data it came from (``sources update``
    writes the entries it did not update back exactly as read).  Raises :class:`LockUnreadable`."""
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise LockUnreadable(f"cannot be read: not JSON ({exc})") from None
    if isinstance(raw, dict) and isinstance(raw.get("version"), int) and raw["version"] > LOCK_VERSION:
        raise LockUnreadable(f"lock version {raw['version']}; this OpenShelf writes version {LOCK_VERSION}: upgrade OpenShelf")
    try:
        lock = Lock.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        place = ".".join(str(p) for p in first["loc"]) or "(document)"
        raise LockUnreadable(f"not a valid lock file ({place}: {first['msg']})") from None
    assert isinstance(raw, dict)  # the model validated it as a mapping
    return lock, raw


def _read_lock(path: Path, sources: str, diagnostics: list[Diagnostic]) -> Lock | None:
    """The lock, an empty one when the file is missing (each source then lacks its snapshot), None when unreadable."""
    display = display_path(path)
    if not path.is_file():
        return Lock()
    try:
        return parse_lock(path.read_bytes())[0]
    except OSError as exc:
        problem = f"cannot read the file: {exc.strerror}"
    except LockUnreadable as exc:
        problem = str(exc)
    diagnostics.append(Diagnostic(Location(display), f"{problem}: restore it from git, or run 'openshelf sources update' "
                                  f"to fetch every source of {sources} again", code="lock"))
    return None


def _read_snapshot(guides: Path, source: Source, locked: Locked | None, at: Location, diagnostics: list[Diagnostic]) -> Snapshot | None:
    path = snapshot_file(guides, source.id)
    display = display_path(path)

    def problem(message: str, code: str) -> None:
        diagnostics.append(Diagnostic(at, f"source '{source.id}': {message}", field="sources", code=code))

    if not path.is_file():
        problem(f"no snapshot {display}: {update_hint(source.id)} to fetch it (builds never use the network)", "missing-snapshot")
        return None
    if locked is None:
        problem(f"{display} has no entry in {display_path(lock_file(guides))}: {update_hint(source.id)}", "missing-snapshot")
        return None
    try:
        size = path.stat().st_size
        if size > source.max_bytes:
            problem(f"snapshot {display} is {size:,} bytes, over the source's max_bytes ({source.max_bytes:,}): "
                    f"{update_hint(source.id)} or restore it from git", "snapshot")
            return None
        data = path.read_bytes()
    except OSError as exc:
        problem(f"cannot read {display}: {exc.strerror}", "io")
        return None
    mismatch = snapshot_mismatch(data, locked)
    if mismatch:
        problem(f"snapshot {display} {mismatch}: {update_hint(source.id)} or restore it from git", "snapshot-mismatch")
        return None
    try:
        export = read_export(data, display)
    except FormatError as exc:
        problem(f"{exc.message}: {update_hint(source.id)}", "snapshot")
        return None
    if locked.url != source.url:
        diagnostics.append(Diagnostic(at, f"source '{source.id}': the snapshot was fetched from {locked.url}, but the url is now "
                                      f"{source.url}: {update_hint(source.id)}", field="url", severity="warning", code="stale-lock"))
    return Snapshot(source, export, locked, at, display, JsonPlaces(data, export))


_KEY = rb'(?<!\\)"%s"\s*:'
_ID = re.compile(_KEY % b"id" + rb'\s*"([^"\\]*)"')


class JsonPlaces:
    """Where each entry of an export stands in its JSON text, worked out on first use (most builds never
    ask): found by walking the ``"id": …`` keys in document order (collection ids, then their entries'
    ids), so any layout of the JSON works."""

    def __init__(self, text: str | bytes, export: Export) -> None:
        # UTF-8 bytes, not a str: a third less memory for Chinese text, kept with the entries for the whole build
        self._text = text.encode("utf-8") if isinstance(text, str) else text
        # the ids' order alone, not the export: a guide's entries keep their places (and so this) for the
        # whole build, and a consortium's 50 exports would stay in memory with them (130 MB at 20,000 listings)
        self._order = [(c.id, [e.id for e in c.entries]) for c in export.collections]

    @cached_property
    def spans(self) -> dict[str, tuple[int, int]]:
        """Entry id → the offsets of its ``"id"`` key and of the next entry's (the first entry of an id wins)."""
        ids = [(m.start(), m.group(1).decode("utf-8", "replace")) for m in _ID.finditer(self._text)]
        starts: list[tuple[str, int]] = []
        i = 0

        def find(wanted: str) -> int | None:
            nonlocal i
            for j in range(i, len(ids)):
                if ids[j][1] == wanted:
                    i = j + 1
                    return ids[j][0]
            return None

        for collection_id, entry_ids in self._order:
            find(collection_id)
            for entry_id in entry_ids:
                offset = find(entry_id)
                if offset is None:  # not the text of this export: no positions rather than wrong ones
                    return {}
                starts.append((entry_id, offset))
        spans: dict[str, tuple[int, int]] = {}
        for n, (entry_id, start) in enumerate(starts):
            spans.setdefault(entry_id, (start, starts[n + 1][1] if n + 1 < len(starts) else len(self._text)))
        return spans

    @cached_property
    def _lines(self) -> array[int]:
        """Where each line starts (a compact array: a 50-member consortium's texts have a million lines)."""
        return array("q", [0, *(m.end() for m in re.finditer(b"\n", self._text))])

    def mark(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column (in characters) of a byte offset."""
        line = bisect.bisect_right(self._lines, offset)
        start = self._lines[line - 1]
        return line, len(self._text[start:offset].decode("utf-8", "replace")) + 1

    def find(self, key: str, start: int, end: int) -> int | None:
        found = re.compile(_KEY % re.escape(key.encode("utf-8"))).search(self._text, start, end)
        return found.start() if found else None

    def entry(self, entry_id: str) -> FieldPositions:
        return _JsonFields(self, entry_id)


class _JsonFields:
    """An entry's field positions in a JSON text (a :class:`~openshelf.guide.models.FieldPositions`),
    looked up when asked: ``"url"`` → the line and column of its key; ``"related[2]"`` → of ``related``."""

    def __init__(self, places: JsonPlaces, entry_id: str) -> None:
        self._places, self._id = places, entry_id

    def get(self, name: str, default: tuple[int, int], /) -> tuple[int, int]:
        span = self._places.spans.get(self._id)
        if span is None:
            return default
        key = name.partition("[")[0]
        if not key or key == "id":
            return self._places.mark(span[0])
        found = self._places.find(key, *span)
        return self._places.mark(found) if found is not None else default
