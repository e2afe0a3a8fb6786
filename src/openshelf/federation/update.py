"""Update subscribed sources: fetch each export, check it, compare it with the last snapshot, and
write the new snapshot and its lock entry.

For each source: a conditional download (the lock's ETag / Last-Modified, when the snapshot on disk
still matches its lock) through :mod:`~openshelf.federation.fetch`; the bytes must be a UTF-8
document that :func:`~openshelf.federation.exchange.read_export` accepts; the change list is between
the selected entries (:func:`~openshelf.federation.select.select`) of the old and the new snapshot,
each entry's revision recomputed from its fields (a sent one that differs is a note), and an export
that is invalid in itself (:func:`~openshelf.federation.exchange.consistency`) is refused.
Then ``guides/_sources/<id>.json`` (the bytes exactly as fetched) is written, and after it
``guides/_sources/lock.json`` (each write atomic): a crash between the two leaves a snapshot whose
hash does not match its lock, which every build refuses, never a guide silently built from data
nobody reviewed.  Any failure writes nothing: the last good snapshot and lock entry stay byte for byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openshelf.errors import ConfigError, OpenShelfError
from openshelf.federation.config import LOCK_VERSION, Lock, Locked, Source, lock_file, snapshot_file
from openshelf.federation.diff import Report, SourceReport, diff, renames
from openshelf.federation.exchange import (
    Collection,
    Export,
    FormatError,
    Misrevised,
    check_consistent,
    format_time,
    read_export,
    read_export_checked,
)
from openshelf.federation.fetch import Fetched, fetch_async
from openshelf.federation.select import select
from openshelf.federation.snapshots import LockUnreadable, parse_lock, snapshot_mismatch
from openshelf.fsutil import write_atomic
from openshelf.guide.load import display_path
from openshelf.wording import counted

#: Sources downloaded at the same time.
CONCURRENCY = 8


# --- the lock ---------------------------------------------------------------------------------------


@dataclass
class LockFile:
    """``guides/_sources/lock.json`` as read: the validated model and the plain data it came from
    (an entry not updated is written back exactly as it was read)."""

    path: Path
    lock: Lock
    data: dict[str, Any]

    def locked(self, source_id: str) -> Locked | None:
        return self.lock.sources.get(source_id)

    def text_with(self, source_id: str, record: dict[str, Any]) -> str:
        sources = {**self.data.get("sources", {}), source_id: record}
        data = {**self.data, "version": LOCK_VERSION, "sources": dict(sorted(sources.items()))}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def read_lock(guides: Path) -> LockFile:
    """The lock (empty when there is none yet); a lock that cannot be read is a :class:`ConfigError`."""
    path = lock_file(guides)
    shown = display_path(path)
    if not path.is_file():
        return LockFile(path, Lock(), {"version": LOCK_VERSION, "sources": {}})
    fix = "restore it from git, or delete it and run 'openshelf sources update' to fetch every source again"
    try:
        lock, data = parse_lock(path.read_bytes())
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot be read ({exc.strerror}): {fix}") from None
    except LockUnreadable as exc:
        raise ConfigError(f"{shown}: {exc}" + ("" if "upgrade OpenShelf" in str(exc) else f": {fix}")) from None
    return LockFile(path, lock, data)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- what a source takes ------------------------------------------------------------------------------


def selected(source: Source, export: Export) -> Export:
    """``export`` with only the entries ``source`` takes (:func:`~openshelf.federation.select.select`); a
    collection left without entries is dropped.  Guide information and categories are kept."""
    taken = {id(e) for e in select(source, export)}
    collections: list[Collection] = []
    for collection in export.collections:
        entries = [e for e in collection.entries if id(e) in taken]
        if entries:
            collections.append(collection.model_copy(update={"entries": entries}))
    return export.model_copy(update={"collections": collections})


def unmatched(source: Source, export: Export) -> list[str]:
    """The names in ``source``'s filters that the export does not have (a typo, or gone upstream):
    ``collection 'databses'``, ``category …``, ``tag …``, ``excluded id …``."""
    collections = {c.id for c in export.collections}
    tags = {t for e in export.entries for t in e.tags}
    ids = {e.id for e in export.entries}
    return ([f"collection {c!r}" for c in source.collections if c not in collections]
            + [f"category {c!r}" for c in source.categories if c not in export.categories]
            + [f"tag {t!r}" for t in source.tags if t not in tags]
            + [f"excluded id {i!r}" for i in source.exclude if i not in ids])


# --- the snapshot on disk ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Previous:
    """A source's last accepted snapshot, as found on disk."""

    locked: Locked | None
    snapshot: bytes | None
    problem: str | None  # why the snapshot cannot be trusted, or None when it matches its lock

    @property
    def intact(self) -> bool:
        return self.problem is None


def previous(guides: Path, source_id: str, lock: LockFile) -> Previous:
    locked = lock.locked(source_id)
    path = snapshot_file(guides, source_id)
    try:
        snapshot: bytes | None = path.read_bytes()
    except FileNotFoundError:
        snapshot = None
    except OSError as exc:
        return Previous(locked, None, f"{display_path(path)} cannot be read: {exc.strerror}")
    if locked is None:
        problem = "never fetched" if snapshot is None else f"{display_path(path)} is not in {display_path(lock.path)}"
        return Previous(None, snapshot, problem)
    if snapshot is None:
        return Previous(locked, None, f"{display_path(path)} is missing")
    mismatch = snapshot_mismatch(snapshot, locked)
    if mismatch:
        return Previous(locked, snapshot, f"{display_path(path)} {mismatch}: it was changed after 'openshelf sources update' wrote it")
    return Previous(locked, snapshot, None)


# --- one source --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accepted:
    """A new export that passed every check, ready to be written."""

    body: bytes
    text: str
    record: dict[str, Any]  # its lock entry
    report: SourceReport


def _old_export(source: Source, prev: Previous) -> Export | None:
    """The old snapshot's export (None: compare with nothing)."""
    if prev.snapshot is None or not prev.intact:
        return None
    try:
        return read_export(prev.snapshot, f"the snapshot of source '{source.id}'")
    except FormatError:  # read by an older OpenShelf, perhaps; the new one is compared with nothing
        return None


def _old_selection(source: Source, prev: Previous) -> Export | None:
    """The old snapshot's selected entries, for the change list (None: compare with nothing)."""
    old = _old_export(source, prev)
    return selected(source, old) if old is not None else None


def only_rebuilt(old: Export, new: Export) -> bool:
    """Whether ``new`` differs from ``old`` in nothing but the time it was made (``guide.updated``): the publisher
    rebuilt its site and nothing a subscriber uses changed; pure."""
    volatile = {"guide": {"updated"}}
    return old.model_dump(exclude=volatile) == new.model_dump(exclude=volatile)


def accept(source: Source, prev: Previous, fetched: Fetched, now: dt.datetime) -> Accepted | SourceReport:
    """Check a downloaded export and compare it with the previous snapshot (pure).

    Returns the report alone when nothing is to be written (the same bytes as the snapshot);
    raises :class:`FormatError` for a body that is not a readable export.
    """
    body = fetched.body
    assert body is not None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{fetched.url}: not a UTF-8 document (byte {exc.start}): "
                          "is the address that of an OpenShelf guide export (…/downloads/openshelf.json)?") from None
    export, misrevised = read_export_checked(body, fetched.url)
    check_consistent(export, fetched.url)
    chosen = selected(source, export)
    notes = [f"{name} names nothing in the export (guides/_sources.yml)" for name in unmatched(source, export)]
    notes += revision_notes(misrevised)
    if prev.problem is not None and prev.snapshot is not None:
        notes.append(f"the previous snapshot was not used: {prev.problem}; it is replaced")
    entries = len(chosen.entries)
    if prev.intact and prev.snapshot == body and prev.locked is not None and prev.locked.url == source.url:
        return SourceReport(source.id, "unchanged", entries=entries, notes=tuple(notes), url=source.url)
    previous = _old_export(source, prev)
    if previous is not None and prev.locked is not None and prev.locked.url == source.url and only_rebuilt(previous, export):
        # a snapshot rewritten for a new build time alone would make a pull request that changes nothing: kept as it is
        notes.append("only the export's build time changed: the snapshot is kept")
        return SourceReport(source.id, "unchanged", entries=entries, notes=tuple(notes), url=source.url)
    record = {
        "url": source.url,
        "sha256": sha256(body),
        "fetched": format_time(now),
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "format_version": export.version,
        "entries": len(export.entries),
        "updated": format_time(export.guide.updated),
    }
    Locked.model_validate(record)
    before = selected(source, previous) if previous is not None else None
    changes = diff(before, chosen)
    notes += renames(before, chosen)
    return Accepted(body, text, record, SourceReport(source.id, "updated", changes, entries, notes=tuple(notes), url=source.url))


def revision_notes(misrevised: Sequence[Misrevised], shown: int = 5) -> list[str]:
    """A note for each of the first entries whose sent revision is not that of its fields, and a count of the rest."""
    notes = [f"entry '{m.entry}': the export says revision {m.sent}, but its fields give {m.computed}: the export's revisions "
             "are not to be trusted (ask its publisher to rebuild it); the computed one is used" for m in misrevised[:shown]]
    if len(misrevised) > shown:
        more = len(misrevised) - shown
        notes.append(f"{counted(more, 'more entry', 'more entries')} with a revision that is not that of {'its' if more == 1 else 'their'} fields")
    return notes


def write(guides: Path, source_id: str, accepted: Accepted, lock: LockFile, prev: Previous) -> None:
    """The snapshot, then the lock; if the lock cannot be written the old snapshot is put back."""
    path = snapshot_file(guides, source_id)
    text = lock.text_with(source_id, accepted.record)
    write_atomic(path, accepted.text)
    try:
        write_atomic(lock.path, text)
    except BaseException:
        _put_back(path, prev.snapshot)
        raise
    lock.data = json.loads(text)
    lock.lock = Lock.model_validate(lock.data)


def _put_back(path: Path, snapshot: bytes | None) -> None:
    """The snapshot as it was before (a snapshot that was not UTF-8 stays replaced: its lock no longer matches it)."""
    if snapshot is None:
        path.unlink(missing_ok=True)
        return
    with contextlib.suppress(UnicodeDecodeError, OSError):
        write_atomic(path, snapshot.decode("utf-8"))


def _failed(source: Source, error: str, prev: Previous) -> SourceReport:
    return SourceReport(source.id, "failed", error=error, url=source.url, kept=prev.snapshot is not None)


async def _download(source: Source, gate: asyncio.Semaphore, etag: str | None = None, modified: str | None = None) -> Fetched:
    async with gate:
        return await fetch_async(source.url, allow_hosts=source.allow_hosts, max_bytes=source.max_bytes,
                                 timeout=source.timeout, etag=etag, last_modified=modified)


async def _download_all(sources: Sequence[Source]) -> list[Fetched | OpenShelfError]:
    gate = asyncio.Semaphore(CONCURRENCY)
    return list(await asyncio.gather(*(_caught(_download(s, gate)) for s in sources)))


async def _caught(download: Awaitable[Fetched]) -> Fetched | OpenShelfError:
    try:
        return await download
    except OpenShelfError as exc:
        return exc


def download(sources: Sequence[Source]) -> dict[str, Fetched | OpenShelfError]:
    """Fetch each source's export now, unconditionally and in parallel, through the same guard and bounds as
    :func:`update`: source id → the download, or the error that ended it.  For a caller that must read an export
    before it writes anything (``openshelf init`` names a source after the guide it subscribes to), and then hands
    the downloads to :func:`update` (``fetched``), which checks and writes them as if it had fetched them itself."""
    return dict(zip((s.id for s in sources), asyncio.run(_download_all(sources)), strict=True))


async def _update_one(guides: Path, source: Source, lock: LockFile, gate: asyncio.Semaphore, dry_run: bool,
                      now: dt.datetime, ready: Fetched | OpenShelfError | None) -> SourceReport:
    prev = previous(guides, source.id, lock)
    conditional = prev.intact and prev.locked is not None and prev.locked.url == source.url
    etag = prev.locked.etag if conditional and prev.locked else None
    modified = prev.locked.last_modified if conditional and prev.locked else None
    try:
        if isinstance(ready, OpenShelfError):
            raise ready
        fetched = ready or await _download(source, gate, etag, modified)
        if fetched.unchanged:
            old = _old_selection(source, prev)
            return SourceReport(source.id, "unchanged", entries=len(old.entries) if old else 0, url=source.url)
        result = await asyncio.to_thread(accept, source, prev, fetched, now)
    except OpenShelfError as exc:
        return _failed(source, exc.format_message(), prev)
    if isinstance(result, SourceReport):
        return result
    if not dry_run:
        try:
            write(guides, source.id, result, lock, prev)
        except OSError as exc:
            return _failed(source, f"cannot write {display_path(Path(exc.filename or snapshot_file(guides, source.id)))}: "
                                   f"{exc.strerror or exc}", prev)
    return result.report


async def update_async(guides: Path, sources: Sequence[Source], *, dry_run: bool = False,
                       now: dt.datetime | None = None, fetched: Mapping[str, Fetched | OpenShelfError] | None = None) -> Report:
    lock = read_lock(guides)
    gate = asyncio.Semaphore(CONCURRENCY)
    when = now or dt.datetime.now(dt.UTC)
    ready = fetched or {}
    reports = await asyncio.gather(*(_update_one(guides, s, lock, gate, dry_run, when, ready.get(s.id)) for s in sources))
    return Report(tuple(reports), dry_run)


def update(guides: Path, sources: Sequence[Source], *, dry_run: bool = False, now: dt.datetime | None = None,
           fetched: Mapping[str, Fetched | OpenShelfError] | None = None) -> Report:
    """Update ``sources`` (downloads in parallel); one report per source, in their order.  ``fetched`` (source id →
    what :func:`download` gave) is used instead of fetching those sources again."""
    return asyncio.run(update_async(guides, sources, dry_run=dry_run, now=now, fetched=fetched))


def drop_unnamed(guides: Path, named: Iterable[str]) -> list[str]:
    """Forget the sources ``_sources.yml`` no longer names: their lock entries go, and so does each one's snapshot
    when it is still the file ``sources update`` wrote (its bytes match the lock); one message per source.

    The lock is written first (atomically): a crash before a snapshot is deleted leaves only a file nothing reads."""
    lock = read_lock(guides)
    gone = sorted(set(lock.lock.sources) - set(named))
    if not gone:
        return []
    kept = {k: v for k, v in lock.data.get("sources", {}).items() if k not in gone}
    write_atomic(lock.path, json.dumps({**lock.data, "version": LOCK_VERSION, "sources": kept}, ensure_ascii=False, indent=2) + "\n")
    told = []
    for source_id in gone:
        prev = previous(guides, source_id, lock)
        path = snapshot_file(guides, source_id)
        if prev.snapshot is None:
            what = "its lock entry is dropped"
        elif prev.intact:
            path.unlink(missing_ok=True)
            what = f"its lock entry and snapshot {display_path(path)} are dropped"
        else:  # not the bytes this command wrote: someone's file, left for them to delete
            what = f"its lock entry is dropped; {display_path(path)} is kept ({prev.problem}): delete it if it is not needed"
        told.append(f"source '{source_id}': guides/_sources.yml no longer names it: {what}")
    return told


def pick(sources: Iterable[Source], ids: Sequence[str]) -> list[Source]:
    """The sources named by ``ids`` (all when none), in ``_sources.yml``'s order; an unknown id is a :class:`ConfigError`."""
    known = list(sources)
    unknown = [i for i in ids if i not in {s.id for s in known}]
    if unknown:
        names = ", ".join(repr(s.id) for s in known) or "none"
        raise ConfigError(f"no source {', '.join(map(repr, unknown))} in guides/_sources.yml (its sources: {names})")
    return [s for s in known if not ids or s.id in ids]
