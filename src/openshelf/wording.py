"""Counts in English messages: ``1 entry``, ``2 entries``.  Pure.

Chinese has no plural (``1 条``, ``2 条``), so only the English side of a message needs this.
"""

from __future__ import annotations


def counted(n: int, one: str, many: str = "") -> str:
    """``n`` with its noun in the right number: 1 collection, 2 collections (``many`` where not one + s: entry, entries)."""
    return f"{n} {one if n == 1 else many or one + 's'}"
