"""The guide interchange format: what one guide publishes (``downloads/openshelf.json``,
``openshelf export --format json``) and another reads (``openshelf sources update``).

An interface other libraries rely on: ``format`` is ``openshelf-guide`` and ``version`` is
``MAJOR.MINOR``.  A minor version only adds optional fields, which older readers ignore; a new
major version changes or removes something, and a reader refuses a major it does not know with a
message saying so.  The JSON Schema (``guides/_schema/guide-export.schema.json``, and
``downloads/openshelf.schema.json`` on every site) is generated from the models below.

Pure: building a record and reading one do no I/O.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from openshelf.errors import OpenShelfError
from openshelf.guide.load import Guide
from openshelf.guide.models import Entry as GuideEntry
from openshelf.guide.models import HttpUrl, LanguageCode, Slug, Text

FORMAT = "openshelf-guide"
VERSION = "2.1"  # 2.1: evidence_kind
MAJOR = int(VERSION.split(".", maxsplit=1)[0])
#: The export is public data: time stamps are UTC, to the second, with a Z.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: The Entry fields, in schema order (an export entry holds these plus its provenance).
ENTRY_FIELDS = tuple(GuideEntry.model_fields)


class FormatError(OpenShelfError):
    """An export that this OpenShelf cannot read: not JSON, another format, a newer major version, invalid fields."""


class _Open(BaseModel):
    # Unknown keys are ignored, so that a newer minor version (which only adds fields) still reads.
    model_config = ConfigDict(extra="ignore", frozen=True)


class GuideInfo(_Open):
    """Who publishes the guide and when it was last built."""

    id: Slug = Field(description="The guide's stable name (guides/_site.yml 'id').")
    title: Text = Field(description="The guide's title.")
    description: Text | None = Field(None, description="What the guide is for.")
    publisher: Text | None = Field(None, description="The library or group that maintains it.")
    url: HttpUrl | None = Field(None, description="The published site's address.")
    license: str | None = Field(None, max_length=100, description="The content licence (SPDX identifier).")
    languages: list[LanguageCode] = Field(default_factory=list, description="The languages the guide is written in.")
    updated: dt.datetime = Field(description="When this export was made (UTC, ISO 8601).")


class Provenance(_Open):
    """Where an entry comes from."""

    guide: Slug = Field(description="The id of the guide whose curators maintain the entry.")
    file: str | None = Field(None, max_length=500, description="Its file in that guide's repository.")
    line: int | None = Field(None, ge=1, description="Its line in that file.")
    listed_by: list[Slug] = Field(default_factory=list, description="Every guide known to list the same resource, the maintaining one first.")


class LinkHealth(_Open):
    """What the publishing guide's link checker last found at the entry's url."""

    verdict: str = Field(max_length=40, description="ok, redirect, broken, transient, blocked, login-required, skipped …")
    checked: dt.datetime | None = Field(None, description="When the url was last checked.")
    status: int | None = Field(None, description="The last HTTP status, if any.")
    last_ok: dt.datetime | None = Field(None, description="When the url last answered successfully.")


class Entry(GuideEntry):
    """One entry: every field of a guide entry (validated the same way), plus its provenance."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    provenance: Provenance = Field(description="Where the entry comes from.")
    revision: str = Field(pattern=r"^[0-9a-f]{12}$", description="A hash of the entry's fields: changes whenever the entry does.")
    link_health: LinkHealth | None = Field(None, description="The publisher's latest link check of the url, if any.")

    def guide_entry(self) -> GuideEntry:
        """The entry as a guide entry (without the export's own fields)."""
        return GuideEntry.model_validate(self.model_dump(include=set(ENTRY_FIELDS)))


class Collection(_Open):
    id: Slug
    title: Text
    description: Text | None = None
    order: int = 100
    entries: list[Entry] = Field(default_factory=list)


class Export(_Open):
    """A whole exported guide (``format: openshelf-guide``)."""

    # Both required: a document without them is not read as the current version (an unversioned one is format 1).
    format: str = Field(pattern=f"^{FORMAT}$", description="Always 'openshelf-guide'.")
    version: str = Field(pattern=r"^\d+\.\d+$", description="MAJOR.MINOR: readers accept their major version and any minor.")
    guide: GuideInfo
    categories: dict[Slug, Text] = Field(default_factory=dict, description="Category keys with their labels.")
    tags: dict[Slug, Text] = Field(default_factory=dict, description="Labels of the tags that have one (an unlabeled tag shows its slug).")
    collections: list[Collection] = Field(default_factory=list)

    @property
    def entries(self) -> list[Entry]:
        return [e for c in self.collections for e in c.entries]


def build_time() -> dt.datetime:
    """Now, or the time ``SOURCE_DATE_EPOCH`` gives (reproducible builds: the same guide, the same files)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)


def format_time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime(TIME_FORMAT)


def entry_revision(entry: GuideEntry) -> str:
    """12 hex digits of the SHA-256 of the entry's fields as canonical JSON (sorted keys)."""
    return _revision_of(entry.model_dump(mode="json", include=set(ENTRY_FIELDS)))


def _revision_of(fields: Mapping[str, Any]) -> str:
    """:func:`entry_revision` of an entry's fields as ``model_dump(mode="json")`` gives them."""
    data = {name: fields[name] for name in ENTRY_FIELDS if name in fields}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()[:12]


def _health(verdict: object, checked: dt.datetime | None, status: int | None, last_ok: dt.datetime | None) -> dict[str, Any]:
    """A ``link_health`` record: the local link state's or, for a subscribed entry, its source's."""
    return {"verdict": str(verdict), "checked": format_time(checked) if checked else None, "status": status,
            "last_ok": format_time(last_ok) if last_ok else None}


@functools.lru_cache(maxsize=1024)
def _repository_path(path: str) -> str | None:
    """A guide file as its repository names it, the same wherever the export is made: ``guides/databases.yml``.
    Cached: every entry of a file asks for the same one (a tenth of the export document's time at 10,000 entries)."""
    if not path:
        return None
    file = PurePath(path)
    return f"{file.parent.name}/{file.name}" if file.parent.name else file.name


def export_record(guide: Guide, links: Mapping[str, Any] | None = None, site_url: str | None = None,
                  now: dt.datetime | None = None) -> dict[str, Any]:
    """The guide as an export document (plain data, ready for ``json.dumps``).

    ``links`` maps url → the link checker's state for it (anything with ``last_verdict``,
    ``last_checked``, ``last_status`` and ``last_ok``); a subscribed entry the local checker has not
    seen carries its source's health on.
    """
    site = guide.site
    guide_id = site.id or "guide"
    links = links or {}

    def entry(e: GuideEntry) -> dict[str, Any]:
        origin = guide.origins.get(e.id)
        record = e.model_dump(mode="json")
        if origin is not None and origin.source is not None:
            provenance = {"guide": origin.guide, "file": origin.file, "line": origin.line, "listed_by": list(origin.listed_by)}
        else:
            where = e.where()
            listed = list(origin.listed_by) if origin is not None else [guide_id]
            provenance = {"guide": guide_id, "file": _repository_path(where.path), "line": where.line or None,
                          "listed_by": listed if guide_id in listed else [guide_id, *listed]}
        state = links.get(e.url) if e.url else None
        health = None
        if state is not None and state.last_verdict is not None:
            health = _health(state.last_verdict, state.last_checked, state.last_status, state.last_ok)
        elif origin is not None and origin.health is not None:
            h = origin.health
            health = _health(h.verdict, h.checked, h.status, h.last_ok)
        record.update(provenance=provenance, revision=_revision_of(record), link_health=health)
        return record

    def text(value: Text | None) -> dict[str, Any] | None:
        return value.model_dump(mode="json") if value is not None else None

    return {
        "format": FORMAT,
        "version": VERSION,
        "guide": {
            "id": guide_id,
            "title": text(site.title),
            "description": text(site.description),
            "publisher": text(site.publisher),
            "url": site_url or site.url,
            "license": site.license,
            "languages": list(site.languages),
            "updated": format_time(now or dt.datetime.now(dt.UTC)),
        },
        "categories": {key: text(label) for key, label in site.categories.items()},
        "tags": {key: text(label) for key, label in site.tags.items()},
        "collections": [
            {"id": c.id, "title": text(c.title), "description": text(c.description), "order": c.order,
             "entries": [entry(e) for e in c.entries]}
            for c in guide.collections
        ],
    }


@dataclass(frozen=True)
class Misrevised:
    """An entry whose ``revision`` in the export is not the hash of its fields (a publisher's bug, or a forgery)."""

    entry: str
    sent: str
    computed: str


def read_export(data: bytes | str, origin: str) -> Export:
    """Parse and validate an export (:func:`read_export_checked`), every entry with the revision of its fields."""
    return read_export_checked(data, origin)[0]


def read_export_checked(data: bytes | str, origin: str) -> tuple[Export, list[Misrevised]]:
    """Parse and validate an export; ``origin`` (a source id or address) names it in every message.

    An entry's ``revision`` is not taken on trust: it is recomputed from the entry's fields as read
    (:func:`entry_revision`), so the change list and the overlays' "changed upstream" check see every
    change; the entries whose sent revision differed are returned beside the export.  (An export of a
    newer minor version hashes fields this OpenShelf does not read: its sent revisions differ as a
    rule, and are not returned.)
    """
    export = _parse(data, origin)
    fixed, wrong = _with_revisions(export)
    newer = _minor(export.version) > _minor(VERSION)
    return fixed, [] if newer else wrong


def _minor(version: str) -> int:
    return int(version.split(".", 1)[1])


def _with_revisions(export: Export) -> tuple[Export, list[Misrevised]]:
    wrong: list[Misrevised] = []
    collections: list[Collection] = []
    for collection in export.collections:
        entries: list[Entry] = []
        for entry in collection.entries:
            computed = entry_revision(entry)
            if computed != entry.revision:
                wrong.append(Misrevised(entry.id, entry.revision, computed))
            entries.append(entry if computed == entry.revision else entry.model_copy(update={"revision": computed}))
        changed = any(a is not b for a, b in zip(entries, collection.entries, strict=True))
        collections.append(collection.model_copy(update={"entries": entries}) if changed else collection)
    return (export.model_copy(update={"collections": collections}) if wrong else export), wrong


def consistency(export: Export) -> list[str]:
    """What makes an export invalid in itself although each entry is valid (as a guide's checks would find it):
    an id used twice, a category the export does not define, a reference (related, distinct_from,
    shares_url_with) to an id it does not have.  Each problem names the entry and the field."""
    problems: list[str] = []
    first: dict[str, str] = {}
    for c, collection in enumerate(export.collections):
        for e, entry in enumerate(collection.entries):
            here = f"collections[{c}].entries[{e}]"
            earlier = first.setdefault(entry.id, here)
            if earlier != here:
                problems.append(f"entry {entry.id!r} ({here}).id: {entry.id!r} is also the id of {earlier}")
    for entry in export.entries:
        if entry.category not in export.categories:
            problems.append(f"entry {entry.id!r}.category: {entry.category!r} is not one of the export's categories "
                            f"(known: {', '.join(export.categories) or 'none'})")
        for name in ("related", "distinct_from"):
            problems += [f"entry {entry.id!r}.{name}[{i}]: no entry {target!r} in the export"
                         for i, target in enumerate(getattr(entry, name)) if target not in first]
        if entry.shares_url_with and entry.shares_url_with not in first:
            problems.append(f"entry {entry.id!r}.shares_url_with: no entry {entry.shares_url_with!r} in the export")
    return problems


def check_consistent(export: Export, origin: str) -> None:
    """Raise :class:`FormatError` naming the first problems :func:`consistency` finds."""
    problems = consistency(export)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise FormatError(f"{origin}: invalid guide export: " + "; ".join(problems[:5]) + more)


def _parse(data: bytes | str, origin: str) -> Export:
    """The export as sent, validated.

    A valid export of this major version is read in one pass by pydantic's JSON parser (about twice
    as fast as ``json.loads`` then validation); anything else goes the slow way, which names what is
    wrong: not JSON, another format or major version, or the entry and field that are invalid.
    """
    try:
        export = Export.model_validate_json(data)
    except ValidationError:
        pass
    else:
        if export.version.split(".", 1)[0] == str(MAJOR):
            return export
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise FormatError(f"{origin}: not a JSON document{where}: is the address that of an OpenShelf guide export "
                          "(…/downloads/openshelf.json)?") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise FormatError(f"{origin}: not an OpenShelf guide export (expected \"format\": \"{FORMAT}\")")
    version = doc.get("version")
    if version is None:
        raise FormatError(f"{origin}: no format version: an unversioned export (format 1, before the interchange format was "
                          f"versioned); this OpenShelf reads {MAJOR}.x: ask its publisher to rebuild it with a current OpenShelf")
    major = version.split(".")[0] if isinstance(version, str) else None
    if not (isinstance(version, str) and major and major.isdigit() and "." in version):
        raise FormatError(f"{origin}: format version {version!r} is not MAJOR.MINOR; this OpenShelf reads {MAJOR}.x")
    if int(major) != MAJOR:
        newer = int(major) > MAJOR
        raise FormatError(f"{origin}: format version {version}; this OpenShelf reads {MAJOR}.x: "
                          + ("upgrade OpenShelf to read it" if newer else "ask its publisher to rebuild it with a current OpenShelf"))
    try:
        return Export.model_validate(doc)
    except ValidationError as exc:
        problems = [f"{_where(doc, err['loc'])}: {err['msg']}" for err in exc.errors()[:5]]
        more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
        raise FormatError(f"{origin}: invalid guide export: " + "; ".join(problems) + more) from None


def _where(doc: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """A validation error's place, naming the entry by its id: ``entry 'cnki' (collections[0].entries[3]).url``."""
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "(document)"
    if len(loc) >= 4 and loc[0] == "collections" and loc[2] == "entries":
        try:
            entry_id = doc["collections"][loc[1]]["entries"][loc[3]]["id"]
        except (KeyError, IndexError, TypeError):
            return path
        if isinstance(entry_id, str):
            rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[4:])
            return f"entry {entry_id[:64]!r}{rest}"
    return path


def export_json(guide: Guide, links: Mapping[str, Any] | None = None, site_url: str | None = None,
                now: dt.datetime | None = None) -> str:
    """The export as JSON text (indented, UTF-8 characters as they are): :func:`write_json`'s."""
    out = io.StringIO()
    write_json(guide, links, site_url, now, out)
    return out.getvalue()


def write_json(guide: Guide, links: Mapping[str, Any] | None, site_url: str | None, now: dt.datetime | None, out: TextIO) -> None:
    """The export as JSON, written to ``out`` piece by piece as ``json.dump`` makes them (``json.dumps`` holds
    a list of every piece: 40 MB more at 10,000 entries)."""
    dump_json(export_record(guide, links, site_url, now), out)


def dump_json(record: Mapping[str, Any], out: TextIO) -> None:
    """An export document (:func:`export_record`) as JSON, indented, written to ``out`` piece by piece."""
    json.dump(record, out, ensure_ascii=False, indent=2)
    out.write("\n")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the export format."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "guide-export.schema.json",
            "title": f"OpenShelf guide export, format version {VERSION}", **Export.model_json_schema(mode="validation")}
