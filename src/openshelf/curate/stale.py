"""``openshelf stale``: entries that need a person to look at them again.

A working link is not a still-valid resource: free access ends, guidance is superseded.  Three
lists: temporary programs past their ``available_until`` that are still marked ``active``;
entries whose ``last_verified`` is older than a threshold; entries never verified at all.
Pure functions over a validated guide; the command prints text, Markdown (for the scheduled
workflow's report issue) or JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from openshelf.guide.load import Guide
from openshelf.guide.models import Entry
from openshelf.links.issue import Part, cut_note, fit


@dataclass
class Stale:
    today: dt.date
    older_than: int
    expired: list[Entry] = field(default_factory=list)  # active, but past available_until
    outdated: list[Entry] = field(default_factory=list)  # last_verified older than the threshold
    never: list[Entry] = field(default_factory=list)  # last_verified empty

    @property
    def needs_attention(self) -> bool:
        """Something a person should act on (never-verified entries alone do not count)."""
        return bool(self.expired or self.outdated)


def find_stale(guide: Guide, today: dt.date, older_than: int) -> Stale:
    result = Stale(today, older_than)
    for entry in guide.entries:
        if entry.status == "active" and entry.available_until is not None and entry.available_until < today:
            result.expired.append(entry)
        if entry.last_verified is None:
            result.never.append(entry)
        elif (today - entry.last_verified).days > older_than:
            result.outdated.append(entry)
    result.outdated.sort(key=lambda e: (e.last_verified or today, e.id))
    return result


def _days(stale: Stale, day: dt.date | None) -> int:
    return (stale.today - day).days if day else 0


def format_text(stale: Stale, verbose: bool = False) -> str:
    lines = []
    for e in stale.expired:
        lines.append(f"{e.where('available_until')}: entry '{e.id}': still marked active, but available_until "
                     f"{e.available_until} passed {_days(stale, e.available_until)} day(s) ago: set status: ended, or update the date")
    for e in stale.outdated:
        lines.append(f"{e.where('last_verified')}: entry '{e.id}': last verified {e.last_verified}, "
                     f"{_days(stale, e.last_verified)} days ago (more than {stale.older_than})")
    if stale.never:
        if verbose:
            lines += [f"{e.where('last_verified')}: entry '{e.id}': never verified" for e in stale.never]
        else:
            lines.append(f"{len(stale.never)} entr{'y' if len(stale.never) == 1 else 'ies'} never verified (-v lists them)")
    lines.append(f"{len(stale.expired)} past their end date, {len(stale.outdated)} verified more than "
                 f"{stale.older_than} days ago, {len(stale.never)} never verified (today: {stale.today})")
    return "\n".join(lines) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_entry(e: Entry) -> str:
    title = _md(e.title.both())
    if e.url is not None:
        title = f"[{title}]({e.url.replace(')', '%29').replace(' ', '%20')})"
    return f"{title} `{e.id}` ({e.collection}, {e.where()})"


def format_markdown(stale: Stale, max_chars: int | None = None, full_report: str = "") -> str:
    """The report for the weekly issue.  ``max_chars``: the counts, then as many entries as fit and a
    note that ends with ``full_report`` (where the whole report is)."""
    head = [f"## 时效检查 · Freshness ({stale.today})", "",
            f"**{len(stale.expired)}** past their end date · **{len(stale.outdated)}** not verified for more than "
            f"{stale.older_than} days · **{len(stale.never)}** never verified", ""]
    parts = [Part(f"### 已过期但仍标为可用 · Past their end date, still marked active ({len(stale.expired)})\n\n")]
    parts += [Part(f"- {_md_entry(e)}: ended {e.available_until}\n", 1) for e in stale.expired] or [Part("None.\n")]
    parts.append(Part(f"\n### 超过 {stale.older_than} 天未核实 · Not verified for more than {stale.older_than} days ({len(stale.outdated)})\n\n"))
    parts += [Part(f"- {_md_entry(e)}: last verified {e.last_verified} ({_days(stale, e.last_verified)} days ago)\n", 1)
              for e in stale.outdated] or [Part("None.\n")]
    parts.append(Part(f"\n### 从未核实 · Never verified ({len(stale.never)})\n\n"))
    if stale.never:  # one part: a <details> block is kept whole or left out
        listed = "".join(f"- {_md_entry(e)}\n" for e in stale.never)
        parts.append(Part(f"<details><summary>{len(stale.never)} entries</summary>\n\n{listed}\n</details>\n", len(stale.never)))
    else:
        parts.append(Part("None.\n"))
    return fit("\n".join(head) + "\n", parts, "", max_chars, cut_note("entries", full_report))


def _record(e: Entry, stale: Stale) -> dict[str, object]:
    return {
        "id": e.id,
        "collection": e.collection,
        "title": e.title.both(),
        "url": e.url,
        "status": e.status,
        "available_until": e.available_until.isoformat() if e.available_until else None,
        "last_verified": e.last_verified.isoformat() if e.last_verified else None,
        "days_since_verified": _days(stale, e.last_verified) if e.last_verified else None,
        "file": e.where().path,
        "line": e.where().line,
    }


def format_json(stale: Stale) -> str:
    data = {
        "today": stale.today.isoformat(),
        "older_than_days": stale.older_than,
        "counts": {"expired": len(stale.expired), "outdated": len(stale.outdated), "never_verified": len(stale.never)},
        "expired": [_record(e, stale) for e in stale.expired],
        "outdated": [_record(e, stale) for e in stale.outdated],
        "never_verified": [_record(e, stale) for e in stale.never],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
