"""Formatters for a run's results: text, json, github (workflow annotations), markdown."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote

from openshelf.annotations import Level, annotation
from openshelf.untrusted import code_span
from openshelf.wording import counted

from .check import GUARD_NOTE, RETRY_AFTER_NOTE
from .extract import Occurrence
from .groups import Group, group_of
from .issue import Part, cut_note, fit
from .runner import DEADLINE_NOTE, INTERRUPTED_NOTE, Result, RunSummary
from .verdict import BY_URGENCY, Verdict

FORMATS = ("text", "json", "github", "markdown")
DETAIL_CHARS = 300  # the longest verdict detail a markdown table shows (the JSON report keeps it whole)
#: Workflow annotations: an error for a broken link, a warning for those a person should look at.
_ANNOTATED: dict[Verdict, tuple[Level, str]] = {
    Verdict.BROKEN: ("error", "Broken link"),
    Verdict.TRANSIENT: ("warning", "Link failing for now"),
    Verdict.BLOCKED: ("warning", "Link blocked by bot protection"),
    Verdict.REDIRECTED: ("warning", "Link moved permanently"),
}


def _detail(r: Result) -> str:
    parts: list[str] = [r.verdict]
    if r.status is not None and f"HTTP {r.status}" not in (r.error or ""):
        parts.append(f"HTTP {r.status}")
    if r.error:
        parts.append(r.error)
    if r.redirect_to:
        parts.append(f"moved permanently to {r.redirect_to}")
    if r.cached:
        parts.append(f"(cached from {r.checked_at})")
    if r.note and (r.trusted or r.note.startswith(RETRY_AFTER_NOTE)):
        parts.append(r.note)
    return " ".join(parts[:1]) + (": " + "; ".join(parts[1:]) if len(parts) > 1 else "")


def _places(r: Result) -> list[Occurrence]:
    return r.target.occurrences or [Occurrence("", 0, "")]


def _summary_line(s: RunSummary) -> str:
    counts = ", ".join(f"{s.counts.get(v, 0)} {v}" for v in BY_URGENCY if s.counts.get(v, 0))
    extra = f"; {s.cached} from the state within --max-age" if s.cached else ""
    extra += f"; {s.trusted} trusted from sources" if s.trusted else ""
    extra += f"; ended early by {s.interrupted}" if s.interrupted else ""
    shard = f" (shard {s.shard})" if s.shard else ""
    return f"{counted(s.total, 'URL')}{shard}: {counts or 'nothing to check'}{extra}; {counted(s.requests, 'request')} in {s.elapsed_s:.1f}s"


def format_text(results: list[Result], summary: RunSummary, verbose: bool = False) -> str:
    lines = []
    for r in sorted(results, key=lambda r: BY_URGENCY.index(r.verdict)):
        if r.verdict == Verdict.OK and not verbose:
            continue
        for o in _places(r):
            where = f"{o.file}:{o.line}: entry '{o.entry}': " if o.file else ""
            lines.append(f"{where}{_detail(r)} <{r.url}>")
    lines.append(_summary_line(summary))
    return "\n".join(lines) + "\n"


def format_json(results: list[Result], summary: RunSummary, verbose: bool = False) -> str:
    """``{"results": [...], "summary": {...}}``, a result a line: json's C encoder writes each one (an
    indented document would go through its pure-Python encoder: a tenth of a second per 5,000 results)."""
    items = ",\n    ".join(json.dumps(r.as_json(), ensure_ascii=False) for r in results)
    listed = f"[\n    {items}\n  ]" if items else "[]"
    return '{\n  "results": ' + listed + ',\n  "summary": ' + json.dumps(summary.as_json(), ensure_ascii=False) + "\n}\n"


def format_github(results: list[Result], summary: RunSummary, verbose: bool = False) -> str:
    """GitHub Actions workflow commands: errors on broken links, warnings for the rest."""
    lines = []
    for r in results:
        if r.verdict not in _ANNOTATED:
            continue
        level, title = _ANNOTATED[r.verdict]
        message = f"{r.url}: {_detail(r)}"
        if r.verdict == Verdict.BROKEN and r.archive_url:
            message += f" (archived copy: {r.archive_url})"
        for o in _places(r):
            lines.append(annotation(level, message, file=o.file or None, line=o.line if o.file else None, title=title))
    lines.append(_summary_line(summary))
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _cell(text: str) -> str:
    """A verdict's detail in a table cell: a code span, since it may quote what a server sent (a page's title, an
    error), where a link, an image or an @-mention must not come alive in the issue."""
    return _md(code_span(text, DETAIL_CHARS))


def _where(o: Occurrence, blob_url: str | None) -> str:
    """``file:line``, linked to that line of the file under ``blob_url`` (e.g. ``https://github.com/OWNER/REPO/blob/SHA``)."""
    spot = f"`{o.file}:{o.line}`"
    if blob_url and o.file:
        return f"[{spot}]({blob_url.rstrip('/')}/{quote(o.file)}#L{o.line})"
    return spot


def format_markdown(results: list[Result], summary: RunSummary, verbose: bool = False, *, blob_url: str | None = None,
                    max_chars: int | None = None, full_report: str = "") -> str:
    """A report fit for an issue body (the weekly "Broken links" issue).

    Broken links are grouped by guide (collection file) and by source (see :mod:`.groups`), with a
    count per group first; each place links to its file and line under ``blob_url`` when given.
    ``max_chars``: the report keeps its counts and as many places as fit, then a note that ends
    with ``full_report`` (where the whole report is).
    """
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    by: defaultdict[Verdict, list[Result]] = defaultdict(list)
    for r in results:
        by[r.verdict].append(r)
    counts = Counter({v: len(by[v]) for v in BY_URGENCY})
    head = [f"Link check of {today}: " + ", ".join(f"**{counts[v]}** {v}" for v in BY_URGENCY if counts[v]) + ".", ""]
    parts: list[Part] = []
    broken: defaultdict[Group, list[tuple[Result, Occurrence]]] = defaultdict(list)
    for r in by[Verdict.BROKEN]:
        for o in _places(r):
            broken[group_of(o.file)].append((r, o))
    if broken:
        groups = sorted(broken, key=Group.sort_key)
        head += ["## Broken", "", "| Guide or source | Broken links |", "|---|---:|"]
        head += [f"| {g.label} | {len(broken[g])} |" for g in groups]
        head.append("")
        for g in groups:
            parts.append(Part(f"### {g.label} ({len(broken[g])})\n\n"
                              "| Where | Entry | URL | Problem | Since | Archived copy |\n|---|---|---|---|---|---|\n"))
            for r, o in broken[g]:
                since = (r.first_failure or r.checked_at or "")[:10]
                archive = f"[archive]({r.archive_url})" if r.archive_url else ""
                parts.append(Part(f"| {_where(o, blob_url)} | `{o.entry}` | <{r.url}> | {_cell(_detail(r))} | {since} | {archive} |\n", 1))
            parts.append(Part("\n"))
    if by[Verdict.REDIRECTED]:
        parts.append(Part("## Moved permanently (update the URL)\n\n| Where | Entry | URL | New URL |\n|---|---|---|---|\n"))
        parts += [Part(f"| {_where(o, blob_url)} | `{o.entry}` | <{r.url}> | <{r.redirect_to}> |\n", 1)
                  for r in by[Verdict.REDIRECTED] for o in _places(r)]
        parts.append(Part("\n"))
    watch = by[Verdict.TRANSIENT] + by[Verdict.BLOCKED]
    if watch:
        parts.append(Part("## To watch (failing for now, or blocked by bot protection: a person should look)\n\n"
                          "| Where | Entry | URL | Verdict | Runs failing |\n|---|---|---|---|---|\n"))
        parts += [Part(f"| {_where(o, blob_url)} | `{o.entry}` | <{r.url}> | {_cell(_detail(r))} | {r.consecutive_failures} |\n", 1)
                  for r in watch for o in _places(r)]
        parts.append(Part("\n"))
    # Not checked, and not by choice (an excluded pattern or a login-only entry is): cut off by the run's deadline, or
    # refused by the private-address guard (a public link now leading to an internal address).
    late = [r for r in results if r.note in (DEADLINE_NOTE, INTERRUPTED_NOTE)]  # skipped, or kept broken from the state
    kept = sum(r.verdict == Verdict.BROKEN for r in late)
    refused = [r for r in by[Verdict.SKIPPED] if r.note == GUARD_NOTE]
    if late or refused:
        parts.append(Part("## Not checked this run\n\n"))
        if late:
            why = f"the run was interrupted ({summary.interrupted})" if summary.interrupted else "the run's deadline came"
            known = f" ({kept} of them broken in earlier runs, listed under Broken)" if kept else ""
            were = 'URL was' if len(late) == 1 else 'URLs were'
            parts.append(Part(f"**{len(late)}** {were} not reached before {why}{known}; they go first next run.\n\n"))
        if refused:
            parts.append(Part("| Where | Entry | URL | Why |\n|---|---|---|---|\n"))
            parts += [Part(f"| {_where(o, blob_url)} | `{o.entry}` | <{r.url}> | {_cell(r.error or '')} |\n", 1)
                      for r in refused for o in _places(r)]
            parts.append(Part("\n"))
    if not (broken or by[Verdict.REDIRECTED] or watch):
        if late or refused:
            head += [f"No link is known to be broken, but {len(late) + len(refused)} were not checked this run (see below).", ""]
        else:
            head += ["All links are fine.", ""]
    tail = f"<sub>{_md(_summary_line(summary))}</sub>\n"
    return fit("\n".join(head) + "\n", parts, tail, max_chars, cut_note("places", full_report))


FORMATTERS: dict[str, Callable[..., str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "markdown": format_markdown,
}
