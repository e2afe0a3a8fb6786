"""When each entry last changed, from git history (``git blame``); an edge of the pipeline.

Outside a git checkout, or without git, nothing is known and the feed is simply empty.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from openshelf.guide.load import Guide


@dataclass(frozen=True)
class EntryHistory:
    """When an entry was added (the commit of its ``- id:`` line) and when it last changed (the newest
    commit of any of its lines).  "Added" is approximate: rewriting the id line counts as adding."""

    added: dt.datetime | None
    changed: dt.datetime


def entry_history(guide: Guide) -> dict[str, EntryHistory]:
    """Entry id → when it was added and last changed, for every committed entry."""
    by_file: dict[str, list[tuple[int, str]]] = {}
    for entry in guide.entries:
        where = entry.where()
        by_file.setdefault(where.path, []).append((where.line, entry.id))
    result: dict[str, EntryHistory] = {}
    for path, starts in by_file.items():
        times = _line_times(Path(path))
        if not times:
            continue
        starts.sort()
        for i, (line, entry_id) in enumerate(starts):
            end = starts[i + 1][0] - 1 if i + 1 < len(starts) else len(times)
            span = [t for t in times[line - 1:end] if t is not None]
            if span:
                result[entry_id] = EntryHistory(times[line - 1] if 0 < line <= len(times) else None, max(span))
    return result


def _line_times(path: Path) -> list[dt.datetime | None]:
    """The commit time of every line of a file; uncommitted lines are None; [] when unknown."""
    try:
        out = subprocess.run(["git", "blame", "--line-porcelain", "--", path.name], cwd=path.parent or ".",
                             capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if out.returncode != 0:
        return []
    times: list[dt.datetime | None] = []
    current: dt.datetime | None = None
    uncommitted = False
    for line in out.stdout.splitlines():
        if line.startswith("committer-time "):
            current = dt.datetime.fromtimestamp(int(line.split()[1]), dt.UTC)
        elif line.startswith("author ") and line == "author Not Committed Yet":
            uncommitted = True
        elif line.startswith("\t"):
            times.append(None if uncommitted else current)
            uncommitted = False
    return times
