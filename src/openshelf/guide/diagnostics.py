"""Diagnostics: one problem in one place, formatted the way compilers do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; line and column are 1-based."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}"
        return self.path


@dataclass(frozen=True)
class Diagnostic:
    """An error or warning about curated input, always tied to a file (and line when known)."""

    location: Location
    message: str
    entry: str | None = None
    field: str | None = None
    severity: Severity = "error"
    code: str = "invalid"

    def format(self) -> str:
        """``guides/databases.yml:42:7: error: entry 'cnki': url must start with http:// or https://``"""
        who = f"entry '{self.entry}': " if self.entry else ""
        return f"{self.location}: {self.severity}: {who}{self.message}"

    def github(self) -> str:
        """A GitHub Actions workflow command that annotates the line in the pull request's diff."""
        from openshelf.annotations import annotation

        who = f"entry '{self.entry}': " if self.entry else ""
        return annotation(self.severity, who + self.message, file=self.location.path,
                          line=self.location.line, col=self.location.column)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.path, self.location.line, self.location.column, self.message)


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)
