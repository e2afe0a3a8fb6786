"""Where an entry comes from: the guide that holds it, the other guides that list it too, and
what its source said about its link.  Plain data; the federation stage fills it in when a guide
subscribes to others (``guides/_sources.yml``), and the site and the export read it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from openshelf.guide.models import Text


@dataclass(frozen=True)
class SourceHealth:
    """A link-health summary as another guide's export gives it; ``by``: the id of the source whose export it is
    (several sources may list one resource: the merge keeps the latest report, whichever source made it)."""

    verdict: str
    checked: dt.datetime | None = None
    status: int | None = None
    last_ok: dt.datetime | None = None
    by: str | None = None


@dataclass(frozen=True)
class Origin:
    """One entry's provenance in a merged guide.

    ``source`` is the id of the subscription it was taken from (None for the guide's own files);
    ``listed_by`` names every guide that lists the resource, the one it was taken from first.
    """

    guide: str
    source: str | None = None
    listed_by: tuple[str, ...] = ()
    revision: str | None = None
    health: SourceHealth | None = None
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class SourceInfo:
    """One subscribed guide, as its snapshot describes it (for the Members / Sources page)."""

    id: str
    guide: str
    title: Text
    url: str
    site_url: str | None = None
    publisher: Text | None = None
    updated: dt.datetime | None = None
    fetched: dt.datetime | None = None
    #: The entries this site shows from it (``contributed``: their ids), of which ``shared`` are
    #: listed by other guides too and ``only_here`` by this source alone.
    entries: int = 0
    contributed: tuple[str, ...] = field(default=())
    shared: int = 0
    only_here: int = 0
