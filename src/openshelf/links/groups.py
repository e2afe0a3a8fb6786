"""Which guide or source a place in a report belongs to, from the file the entry stands in.

In a federation a run checks the URLs of local collections and of subscribed guides together; its
reports group the places by where a fix goes: a local collection file (``guides/databases.yml``),
or a source, whose entries stand in the snapshot ``guides/_sources/<id>.json`` (the fix belongs in
that source's own guide).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from openshelf.federation.config import SNAPSHOT_DIR


@dataclass(frozen=True)
class Group:
    """A local collection file, or a subscribed source (by its id)."""

    kind: Literal["guide", "source"]
    name: str  # the collection file's path, or the source's id

    @property
    def label(self) -> str:
        return f"`{self.name}`" if self.kind == "guide" else f"source `{self.name}`"

    def sort_key(self) -> tuple[int, str]:
        """Local collections first, then sources; each by name."""
        return (self.kind == "source", self.name)


def group_of(path: str) -> Group:
    """The group of the entry standing in ``path`` (a report's file path, as written in its occurrences).

    >>> group_of("guides/databases.yml")
    Group(kind='guide', name='guides/databases.yml')
    >>> group_of("guides/_sources/pku-library.json")
    Group(kind='source', name='pku-library')
    """
    parts = PurePosixPath(path.replace("\\", "/"))
    if parts.parent.name == SNAPSHOT_DIR and parts.suffix == ".json":
        return Group("source", parts.stem)
    return Group("guide", path)
