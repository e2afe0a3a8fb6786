"""``openshelf stale``: entries that need a person to look at them again.

A working link is not a still-valid resource: free access ends, guidance is superseded.  Four
lists, in the order a curator should work through them: temporary programs past their
``available_until`` that are still marked ``active``; entries whose ``last_verified`` is older
than a threshold, oldest first; entries whose check recorded no ``evidence`` (nobody can tell
what was looked at); entries never verified at all.
Pure functions over a validated guide; the command prints text, Markdown (for the scheduled
workflow's report issue) or JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from openshelf.guide.load import Guide
from openshelf.guide.models import Entry
from openshelf.untrusted import code_span
from openshelf.wording import counted


@dataclass
class Stale:
    today: dt.date
    older_than: int
    expired: list[Entry] = field(default_factory=list)  # active, but past available_until
    outdated: list[Entry] = field(default_factory=list)  # last_verified older than the threshold
    unsupported: list[Entry] = field(default_factory=list)  # last_verified, but no evidence
    never: list[Entry] = field(default_factory=list)  # last_verified empty

    @property
    def needs_attention(self) -> bool:
        """Something a person should act on (entries never verified or checked without evidence do not count)."""
        return bool(self.expired or self.outdated)


def find_stale(guide: Guide, today: dt.date, older_than: int) -> Stale:
    result = Stale(today, older_than)
    for entry in guide.entries:
        if entry.status == "active" and entry.available_until is not None and entry.available_until < today:
            result.expired.append(entry)
        if entry.last_verified is None:
            result.never.append(entry)
        else:
            if (today - entry.last_verified).days > older_than:
                result.outdated.append(entry)
            if not entry.evidence:
                result.unsupported.append(entry)
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
                     f"{counted(_days(stale, e.last_verified), 'day')} ago (more than {stale.older_than})")
    for entries, what, hint in ((stale.unsupported, "checked without evidence", "record what was looked at with 'openshelf verify ID "
                                 "--by NAME --evidence URL'"), (stale.never, "never verified", "")):
        if verbose:
            lines += [f"{e.where('last_verified')}: entry '{e.id}': {what}" + (f" ({e.last_verified})" if e.last_verified else "")
                      for e in entries]
        elif entries:
            lines.append(f"{counted(len(entries), 'entry', 'entries')} {what} (-v lists them)" + (f": {hint}" if hint else ""))
    lines.append(f"{len(stale.expired)} past their end date, {len(stale.outdated)} verified more than "
                 f"{counted(stale.older_than, 'day')} ago, {len(stale.unsupported)} checked without evidence, {len(stale.never)} never verified "
                 f"(today: {stale.today})")
    return "\n".join(lines) + "\n"


#: The longest title the Markdown report shows (the JSON report keeps it whole).
TITLE_CHARS = 200


def _md_entry(e: Entry) -> str:
    """An entry in the issue body: its title a code span on one line (:func:`openshelf.untrusted.code_span`), where
    nothing curated or subscribed is formatting, an image or an @-mention, linked to its address."""
    title = code_span(e.title.both(), TITLE_CHARS)
    if e.url is not None:
        title = f"[{title}]({e.url.replace(')', '%29').replace(' ', '%20')})"
    return f"{title} `{e.id}` ({e.collection}, {e.where()})"


#: Room kept, when the Markdown report is bounded, for the headings, the wrappers and the notes on what was left out.
_MD_RESERVE = 1_000


def format_markdown(stale: Stale, max_chars: int = 0) -> str:
    """The report for an issue body: three lists, past end dates first.  With ``max_chars`` (GitHub
    refuses an issue body over 65,536 characters) each list shows the entries that fit, in that
    order, and says how many more there are and where the full list is; 0: no bound."""
    sections = [
        (f"### 已过期但仍标为可用 · Past their end date, still marked active ({len(stale.expired)})",
         [f"- {_md_entry(e)}: ended {e.available_until}" for e in stale.expired]),
        (f"### 超过 {stale.older_than} 天未核实 · Not verified for more than {counted(stale.older_than, 'day')} ({len(stale.outdated)})",
         [f"- {_md_entry(e)}: last verified {e.last_verified} ({counted(_days(stale, e.last_verified), 'day')} ago)" for e in stale.outdated]),
        (f"### 核实未留证据 · Checked without evidence ({len(stale.unsupported)})",
         [f"- {_md_entry(e)}: last verified {e.last_verified}" for e in stale.unsupported]),
        (f"### 从未核实 · Never verified ({len(stale.never)})", [f"- {_md_entry(e)}" for e in stale.never]),
    ]
    budget = max_chars - _MD_RESERVE if max_chars else None
    out = [f"## 时效检查 · Freshness ({stale.today})"]
    for heading, lines in sections:
        shown = []
        for line in lines:
            if budget is not None and len(line) + 1 > budget:
                break
            shown.append(line)
            budget = None if budget is None else budget - len(line) - 1
        if len(shown) < len(lines):
            shown.append(f"- … {len(lines) - len(shown)} more not shown here (an issue body is limited in size); "
                         "`openshelf stale --format json` lists them all · 其余未列出")
        if heading.startswith("### 从未核实") and shown:
            shown = [f"<details><summary>{counted(len(lines), 'entry', 'entries')}</summary>", "", *shown, "", "</details>"]
        out += ["", heading, "", *(shown or ["None."])]
    return "\n".join(out) + "\n"


def _record(e: Entry, stale: Stale) -> dict[str, object]:
    return {
        "id": e.id,
        "collection": e.collection,
        "title": e.title.both(),
        "url": e.url,
        "status": e.status,
        "available_until": e.available_until.isoformat() if e.available_until else None,
        "last_verified": e.last_verified.isoformat() if e.last_verified else None,
        "verified_by": e.verified_by,
        "evidence": list(e.evidence),
        "days_since_verified": _days(stale, e.last_verified) if e.last_verified else None,
        "file": e.where().path,
        "line": e.where().line,
    }


def format_json(stale: Stale) -> str:
    data = {
        "today": stale.today.isoformat(),
        "older_than_days": stale.older_than,
        "counts": {"expired": len(stale.expired), "outdated": len(stale.outdated), "no_evidence": len(stale.unsupported),
                   "never_verified": len(stale.never)},
        "expired": [_record(e, stale) for e in stale.expired],
        "outdated": [_record(e, stale) for e in stale.outdated],
        "no_evidence": [_record(e, stale) for e in stale.unsupported],
        "never_verified": [_record(e, stale) for e in stale.never],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
