"""Guide entries -> the URLs to check, each once, with every place it stands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable


@dataclass(frozen=True)
class Occurrence:
    """One place a URL stands: a YAML line and the entry there."""

    file: str
    line: int
    entry: str
    column: int = 1
    collection: str | None = None
    link_check: str = "normal"
    archive_url: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "entry": self.entry}


@dataclass
class Target:
    """A URL to check and every occurrence of it."""

    url: str
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def link_check(self) -> str:
        """'normal' if any occurrence wants it checked, else the most specific reason to skip."""
        modes = {o.link_check for o in self.occurrences}
        if not modes or "normal" in modes:
            return "normal"
        return "login-required" if "login-required" in modes else "skip"

    @property
    def archive_url(self) -> str | None:
        for o in self.occurrences:
            if o.archive_url:
                return o.archive_url
        return None


def occurrence_of(entry: Any) -> Occurrence:
    """An :class:`Occurrence` from a catalog entry (``.id``, ``.url``, ``.where("url")`` ...)."""
    private = getattr(entry, "__pydantic_private__", None)
    if isinstance(private, dict) and "_positions" in private and "_path" in private:
        # A catalog Entry: what ``where("url")`` and ``.collection`` return, read without pydantic's
        # attribute hooks (they were most of the time of this step for a big guide).
        positions = private["_positions"]
        line, column = positions.get("url") or positions.get("", (0, 0))
        return Occurrence(
            file=str(private["_path"] or ""),
            line=int(line or 0),
            column=int(column or 1),
            entry=str(entry.id),
            collection=private.get("_collection"),
            link_check=str(entry.link_check or "normal"),
            archive_url=entry.archive_url,
        )
    where = entry.where("url") if hasattr(entry, "where") else None
    return Occurrence(
        file=str(getattr(where, "path", "") or ""),
        line=int(getattr(where, "line", 0) or 0),
        column=int(getattr(where, "column", 1) or 1),
        entry=str(entry.id),
        collection=getattr(entry, "collection", None),
        link_check=str(getattr(entry, "link_check", "normal") or "normal"),
        archive_url=getattr(entry, "archive_url", None),
    )


def targets_from_entries(entries: Iterable[Any]) -> list[Target]:
    """One :class:`Target` per distinct URL, in first-seen order."""
    by_url: dict[str, Target] = {}
    for entry in entries:
        url = str(entry.url)
        by_url.setdefault(url, Target(url)).occurrences.append(occurrence_of(entry))
    return list(by_url.values())


def targets_from_urls(urls: Iterable[str]) -> list[Target]:
    """Targets for bare URLs (tests, benchmarks)."""
    by_url: dict[str, Target] = {}
    for url in urls:
        by_url.setdefault(url, Target(url))
    return list(by_url.values())
