"""What every page of the rendered guide shares: the generated pages' names and the render's context.  Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from openshelf.guide.models import Collection
from openshelf.links.store import LinkState
from openshelf.site.members import Member

if TYPE_CHECKING:
    from openshelf.site.history import EntryHistory  # history runs git; rendering only reads its results

HOME = "index.md"
TAGS = "tags.md"
A_TO_Z = "a-z.md"
REFERENCE = "reference.md"
LINK_HEALTH = "links.md"
FEED = "feed.xml"


@dataclass(frozen=True)
class Context:
    """What a render needs besides the guide; all of it read at the edges, never fetched."""

    today: dt.date
    links: Mapping[str, LinkState] = field(default_factory=dict)
    site_url: str | None = None
    #: When each entry was added and last changed (git history), for the emergency's "new and changed" list.
    history: Mapping[str, EntryHistory] = field(default_factory=dict)
    #: The guide's sources and its own files by name (:func:`member_index`), looked up once per render.
    members: Mapping[str, Member] = field(default_factory=dict)
    #: The edition's language, or None for the bilingual page (see :func:`openshelf.site.bilingual.rendering`).
    language: str | None = None
    #: Pages' addresses as MkDocs gives them (``databases/``, or ``databases.html``): the entries' HTML links between pages.
    use_directory_urls: bool = True


def page_of(collection: Collection | str) -> str:
    return f"{collection if isinstance(collection, str) else collection.id}.md"
