"""Formatters for a run's results: text, json, github (workflow annotations), markdown."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from openshelf.annotations import Level, annotation

from .extract import Occurrence
from .runner import Result, RunSummary
from .verdict import BY_URGENCY, Verdict

FORMATS = ("text", "json", "github", "markdown")
#: Workflow annotations: an error for a broken link, a warning for those a person should look at.
_ANNOTATED: dict[Verdict, tuple[Level, str]] = {
    Verdict.BROKEN: ("error", "Broken link"),
    Verdict.TRANSIENT: ("warning", "Link failing for now"),
    Verdict.BLOCKED: ("warning", "Link blocked by bot protection"),
    Verdict.REDIRECTED: ("warning", "Link moved permanently"),
}


def _detail(r: Result) -> str:
    parts: list[str] = [r.verdict]
    if r.status is not None:
        parts.append(f"HTTP {r.status}")
    if r.error and not (r.status is not None and r.error == f"HTTP {r.status}"):
        parts.append(r.error)
    if r.redirect_to:
        parts.append(f"moved permanently to {r.redirect_to}")
    if r.cached:
        parts.append(f"(cached from {r.checked_at})")
    if r.trusted and r.note:
        parts.append(r.note)
    return " ".join(parts[:1]) + (": " + "; ".join(parts[1:]) if len(parts) > 1 else "")


def _places(r: Result) -> list[Occurrence]:
    return r.target.occurrences or [Occurrence("", 0, "")]


def _summary_line(s: RunSummary) -> str:
    counts = ", ".join(f"{s.counts.get(v, 0)} {v}" for v in BY_URGENCY if s.counts.get(v, 0))
    extra = f"; {s.cached} from the state within --max-age" if s.cached else ""
    extra += f"; {s.trusted} trusted from sources" if s.trusted else ""
    shard = f" (shard {s.shard})" if s.shard else ""
    return f"{s.total} URLs{shard}: {counts or 'nothing to check'}{extra}; {s.requests} requests in {s.elapsed_s:.1f}s"


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
    doc = {"results": [r.as_json() for r in results], "summary": summary.as_json()}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


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


def format_markdown(results: list[Result], summary: RunSummary, verbose: bool = False) -> str:
    """A report fit for an issue body (the weekly "Broken links" issue)."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    by: defaultdict[Verdict, list[Result]] = defaultdict(list)
    for r in results:
        by[r.verdict].append(r)
    counts = Counter({v: len(by[v]) for v in BY_URGENCY})
    out = [f"Link check of {today}: " + ", ".join(f"**{counts[v]}** {v}" for v in BY_URGENCY if counts[v]) + ".", ""]
    if by[Verdict.BROKEN]:
        out += ["## Broken", "", "| Where | Entry | URL | Problem | Since | Archived copy |", "|---|---|---|---|---|---|"]
        for r in by[Verdict.BROKEN]:
            for o in _places(r):
                since = (r.first_failure or r.checked_at or "")[:10]
                archive = f"[archive]({r.archive_url})" if r.archive_url else ""
                out.append(f"| `{o.file}:{o.line}` | `{o.entry}` | <{r.url}> | {_md(_detail(r))} | {since} | {archive} |")
        out.append("")
    if by[Verdict.REDIRECTED]:
        out += ["## Moved permanently (update the URL)", "", "| Where | Entry | URL | New URL |", "|---|---|---|---|"]
        for r in by[Verdict.REDIRECTED]:
            for o in _places(r):
                out.append(f"| `{o.file}:{o.line}` | `{o.entry}` | <{r.url}> | <{r.redirect_to}> |")
        out.append("")
    watch = by[Verdict.TRANSIENT] + by[Verdict.BLOCKED]
    if watch:
        out += ["## To watch (failing for now, or blocked by bot protection: a person should look)", "",
                "| Where | Entry | URL | Verdict | Runs failing |", "|---|---|---|---|---|"]
        for r in watch:
            for o in _places(r):
                out.append(f"| `{o.file}:{o.line}` | `{o.entry}` | <{r.url}> | {_md(_detail(r))} | {r.consecutive_failures} |")
        out.append("")
    if not (by[Verdict.BROKEN] or by[Verdict.REDIRECTED] or watch):
        out += ["All links are fine.", ""]
    out.append(f"<sub>{_md(_summary_line(summary))}</sub>")
    return "\n".join(out) + "\n"


FORMATTERS: dict[str, Callable[..., str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "markdown": format_markdown,
}
