"""The files a subscribing guide keeps: ``guides/_sources.yml`` (the guides it subscribes to, edited by
curators), ``guides/_overlays.yml`` (its notes on their entries), ``guides/_sources/lock.json`` (what
``openshelf sources update`` fetched, written by the tool) and the snapshots beside it. Models and paths only;
no I/O.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from openshelf.guide.models import HttpUrl, Slug, Text

SOURCES_FILE = "_sources.yml"
OVERLAYS_FILE = "_overlays.yml"
SNAPSHOT_DIR = "_sources"
LOCK_FILE = "lock.json"
LOCK_VERSION = 1


def sources_file(guides: Path) -> Path:
    return guides / SOURCES_FILE


def overlays_file(guides: Path) -> Path:
    """``guides/_overlays.yml``: the guide's notes on and changes to subscribed entries (see :mod:`~openshelf.federation.overlays`)."""
    return guides / OVERLAYS_FILE


def snapshot_file(guides: Path, source_id: str) -> Path:
    """The reviewed copy of a source's export: ``guides/_sources/<id>.json``."""
    return guides / SNAPSHOT_DIR / f"{source_id}.json"


def lock_file(guides: Path) -> Path:
    return guides / SNAPSHOT_DIR / LOCK_FILE


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Source(_Strict):
    """One guide this guide subscribes to."""

    id: Slug = Field(description="A short name for the source: its snapshot is guides/_sources/<id>.json, and entries taken from it name it.")
    url: HttpUrl = Field(description="The address of the other guide's export (its site's downloads/openshelf.json).")
    title: Text | None = Field(None, description="How this site names the source; default: the export's own title.")
    collections: list[Slug] = Field(default_factory=list, description="Take only the entries of these collections (default: all).")
    categories: list[Slug] = Field(default_factory=list, description="Take only the entries in these categories (default: all).")
    tags: list[Slug] = Field(default_factory=list, description="Take only the entries with at least one of these tags (default: all).")
    exclude: list[Slug] = Field(default_factory=list, description="Ids of entries to leave out.")
    allow_hosts: list[str] = Field(default_factory=list, description=(
        "HOST[:PORT] exempt from the private-address guard for this source (a guide served on the local network); "
        "every other host, redirects included, stays guarded."))
    max_bytes: int = Field(20_000_000, ge=1, description="The largest export accepted, in bytes.")
    timeout: float = Field(60, gt=0, description="Seconds for the whole download.")


class SourcesFile(_Strict):
    """``guides/_sources.yml``: the guides this guide subscribes to, in order of precedence."""

    sources: list[Source] = Field(default_factory=list, description="The subscribed guides; when two list the same resource, the earlier wins.")


class Locked(_Strict):
    """What ``openshelf sources update`` last accepted from one source."""

    url: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the snapshot file's bytes; a build refuses a snapshot that differs.")
    fetched: dt.datetime
    etag: str | None = None
    last_modified: str | None = None
    format_version: str
    entries: int = Field(ge=0)
    updated: dt.datetime = Field(description="The export's own 'updated' time (when the source guide was built).")


class Lock(_Strict):
    """``guides/_sources/lock.json``."""

    version: int = LOCK_VERSION
    sources: dict[str, Locked] = Field(default_factory=dict)
