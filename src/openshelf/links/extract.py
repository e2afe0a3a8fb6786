"""Guide entries -> the URLs to check, each once, with every place it stands."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openshelf.guide.models import Entry


@dataclass(frozen=True)
class Occurrence:
    """One place a URL stands: a YAML line and the entry there."""

    file: str
    line: int
    entry: str
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


def occurrence_of(entry: Entry) -> Occurrence:
    """An :class:`Occurrence` from a guide entry: where its ``url`` stands, and how to check it."""
    where = entry.where("url")
    return Occurrence(
        file=where.path,
        line=where.line,
        entry=entry.id,
        link_check=entry.link_check,
        archive_url=entry.archive_url,
    )


def targets_from_entries(entries: Iterable[Entry]) -> list[Target]:
    """One :class:`Target` per distinct URL, in first-seen order; a how-to without a url of its own has nothing to check."""
    by_url: dict[str, Target] = {}
    for entry in entries:
        if entry.url is not None:
            by_url.setdefault(entry.url, Target(entry.url)).occurrences.append(occurrence_of(entry))
    return list(by_url.values())

