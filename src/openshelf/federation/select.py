"""What a subscription takes from a source's export: its ``collections``, ``categories``, ``tags`` and
``exclude`` (``guides/_sources.yml``).  Pure; shared by ``sources update`` (the change list is about
the selected entries) and the merge (only selected entries join the guide).
"""

from __future__ import annotations

from openshelf.federation.config import Source
from openshelf.federation.exchange import Collection, Entry, Export


def wanted(source: Source, collection: str, entry: Entry) -> bool:
    """Whether ``source`` takes ``entry`` (of the export's collection ``collection``).

    Every filter that is set must agree: the collection is listed, the category is listed, the entry
    has at least one of the tags, and its id is not excluded.  An empty filter takes everything.
    """
    return ((not source.collections or collection in source.collections)
            and (not source.categories or entry.category in source.categories)
            and (not source.tags or any(tag in source.tags for tag in entry.tags))
            and entry.id not in source.exclude)


def select(source: Source, export: Export) -> Export:
    """``export`` with only the entries ``source`` takes; a collection left without entries is dropped.

    Everything else (guide information, categories, the collections' titles and order) is kept.
    """
    collections: list[Collection] = []
    for collection in export.collections:
        entries = [e for e in collection.entries if wanted(source, collection.id, e)]
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
