"""Which of a source's entries a subscription takes: its ``collections``, ``categories``, ``tags`` and
``exclude`` (``guides/_sources.yml``).  Pure: the same choice for the change list of
``openshelf sources update`` and for the merge every build makes.
"""

from __future__ import annotations

from openshelf.federation.config import Source
from openshelf.federation.exchange import Entry, Export


def select(source: Source, export: Export) -> list[Entry]:
    """The entries of ``export`` that ``source`` subscribes to, in the export's order.

    Each filter left empty takes everything; the filters that are given must all hold: the entry is
    in one of ``collections``, in one of ``categories``, has at least one of ``tags``, and its id is
    not in ``exclude``.
    """
    collections, categories, tags, exclude = set(source.collections), set(source.categories), set(source.tags), set(source.exclude)
    return [
        entry
        for collection in export.collections
        if not collections or collection.id in collections
        for entry in collection.entries
        if (not categories or entry.category in categories)
        and (not tags or not tags.isdisjoint(entry.tags))
        and entry.id not in exclude
    ]
