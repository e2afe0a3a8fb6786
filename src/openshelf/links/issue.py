"""Reports that go into a GitHub issue body must fit in it.

GitHub refuses an issue body over 65,536 characters, and the weekly "Broken links" issue is the
link report and the ``openshelf stale`` report together.  A report longer than its share keeps its
head (the counts), as many of its parts as fit, in order, and its tail, and says how many rows it
left out and where the full report is (a file the workflow keeps as an artifact).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: The most characters GitHub takes in an issue (or comment) body.
GITHUB_BODY_LIMIT = 65_536


@dataclass(frozen=True)
class Part:
    """Lines of a report (each ending with a newline) and how many of its rows they hold."""

    text: str
    rows: int = 0


def fit(head: str, parts: Sequence[Part], tail: str, max_chars: int | None, note: Callable[[int, int], str]) -> str:
    """``head``, the parts and ``tail``, in at most ``max_chars`` characters (None: no limit).

    When they do not fit, the parts are kept in order while they fit, then ``note(rows shown,
    rows in all)`` says what is missing.  A head and tail longer than the limit on their own are cut.
    """
    full = head + "".join(p.text for p in parts) + tail
    if max_chars is None or len(full) <= max_chars:
        return full
    total = sum(p.rows for p in parts)
    room = max_chars - len(head) - len(tail) - len(note(total, total))  # the note is longest with the largest numbers
    kept: list[str] = []
    shown = 0
    for part in parts:
        if len(part.text) > room:
            break
        kept.append(part.text)
        room -= len(part.text)
        shown += part.rows
    text = head + "".join(kept) + note(shown, total) + tail
    return text if len(text) <= max_chars else text[: max_chars - 2] + "…\n"


def cut_note(what: str, pointer: str) -> Callable[[int, int], str]:
    """The note :func:`fit` adds: how many of the ``what`` (e.g. "places") are left out, then ``pointer``."""

    def note(shown: int, total: int) -> str:
        return f"\n**Cut to fit in an issue:** {total - shown:,} of the {total:,} {what} are not listed here. {pointer}\n\n"

    return note


def full_report_pointer(path: Path | None, env: Mapping[str, str]) -> str:
    """Where the full report is, for a truncation note: the file, and the workflow run whose artifacts
    hold it when ``env`` is a GitHub Actions environment."""
    if path is None:
        return "Run the command without --max-chars for the full report."
    run = "/".join(env.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY"))
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        return f"The full report is `{path.name}` in the artifacts of [this workflow run]({run}/actions/runs/{env['GITHUB_RUN_ID']})."
    return f"The full report is in `{path}`."
