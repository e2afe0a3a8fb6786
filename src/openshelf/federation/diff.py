"""The change list of a ``sources update``: per source, the selected entries added, changed (by
revision, naming the fields that changed) and removed, by id and title; and its renderings as text
(the terminal), Markdown (the pull request's body) and JSON.  Pure.

Every title and message here comes from another guide, so it is untrusted: the text rendering drops
control characters (a terminal escape sequence is shown, not obeyed), and the Markdown rendering puts
ids and titles in code spans (no link, mention, image or HTML from a source reaches the pull request).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from openshelf.federation.exchange import ENTRY_FIELDS, Entry, Export
from openshelf.guide.urls import normalise_url
from openshelf.links.issue import GITHUB_BODY_LIMIT
from openshelf.untrusted import code_span, one_line
from openshelf.wording import counted

ChangeKind = Literal["added", "changed", "removed"]
State = Literal["updated", "unchanged", "failed"]

#: GitHub refuses a pull request body longer than this many characters.
MARKDOWN_LIMIT = GITHUB_BODY_LIMIT  # a pull request body, as an issue body
TITLE_CHARS = 120
_RESERVE = 600  # characters kept for each source section still to come: its heading and "not listed" line


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    id: str
    title: str
    fields: tuple[str, ...] = ()  # for "changed": the fields that differ ("collection" when it moved)


@dataclass(frozen=True)
class SourceReport:
    """What one source's update did."""

    source: str
    state: State
    changes: tuple[Change, ...] = ()
    entries: int = 0  # selected entries in the new snapshot
    error: str | None = None
    notes: tuple[str, ...] = ()  # warnings: filters naming nothing, a snapshot that did not match its lock
    url: str = ""
    kept: bool = True  # for "failed": whether there is a last good snapshot, kept as it was (a first fetch has none)

    def count(self, kind: ChangeKind) -> int:
        return sum(c.kind == kind for c in self.changes)


@dataclass(frozen=True)
class Report:
    sources: tuple[SourceReport, ...] = field(default_factory=tuple)
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        return any(s.state == "failed" for s in self.sources)


def _placed(export: Export | None) -> dict[str, tuple[str, Entry]]:
    if export is None:
        return {}
    return {e.id: (c.id, e) for c in export.collections for e in c.entries}


def _changed_fields(old: tuple[str, Entry], new: tuple[str, Entry]) -> tuple[str, ...]:
    fields = ["collection"] if old[0] != new[0] else []
    a, b = old[1], new[1]
    fields += [name for name in ENTRY_FIELDS if getattr(a, name) != getattr(b, name)]
    return tuple(fields)


def diff(old: Export | None, new: Export) -> tuple[Change, ...]:
    """The changes from ``old``'s entries to ``new``'s (both already selected): added and changed in
    ``new``'s order, then removed in ``old``'s.  An entry is changed when its revision differs or it
    moved to another collection."""
    before, after = _placed(old), _placed(new)
    changes: list[Change] = []
    for entry_id, (collection, entry) in after.items():
        was = before.get(entry_id)
        if was is None:
            changes.append(Change("added", entry_id, entry.title.both()))
        elif was[1].revision != entry.revision or was[0] != collection:
            changes.append(Change("changed", entry_id, entry.title.both(), _changed_fields(was, (collection, entry))))
    changes += [Change("removed", entry_id, entry.title.both()) for entry_id, (_, entry) in before.items() if entry_id not in after]
    return tuple(changes)


def renames(old: Export | None, new: Export) -> list[str]:
    """Notes for the entries that look renamed: removed from ``old`` while an entry added in ``new`` has the same
    address (once normalised); a guide's overlays and ``related`` name the old id, which no longer exists."""
    if old is None:
        return []
    before, after = _placed(old), _placed(new)
    gone = {normalise_url(e.url): i for i, (_, e) in before.items() if i not in after and e.url}
    notes = []
    for entry_id, (_, entry) in after.items():
        was = gone.get(normalise_url(entry.url)) if entry_id not in before and entry.url else None
        if was is not None:
            notes.append(f"entry '{plain(was, 100)}' is gone and '{plain(entry_id, 100)}' has its address ({plain(entry.url or '', 300)}): "
                         f"renamed? Overlays and related lists that name '{plain(was, 100)}' must now name '{plain(entry_id, 100)}'")
    return notes


# --- renderings -----------------------------------------------------------------------------------


def plain(text: str, limit: int = TITLE_CHARS) -> str:
    """Untrusted text on one line (:func:`openshelf.untrusted.one_line`), shortened to ``limit`` characters."""
    return one_line(text, limit)


def code(text: str, limit: int = TITLE_CHARS) -> str:
    """Untrusted text as a Markdown code span (:func:`openshelf.untrusted.code_span`): nothing in it is formatting,
    a link or a mention."""
    return code_span(text, limit)


def _counts(report: SourceReport) -> str:
    return f"{report.count('added')} added, {report.count('changed')} changed, {report.count('removed')} removed"


def _line(change: Change, title: str, ident: str) -> str:
    fields = f" ({', '.join(change.fields)})" if change.fields else ""
    return f"{change.kind:8} {ident}  {title}{fields}"


def render_text(report: Report) -> str:
    lines: list[str] = []
    for source in report.sources:
        if source.state == "failed":
            kept = "the last good snapshot is kept" if source.kept else "no snapshot yet: nothing was written"
            lines.append(f"source '{source.source}': failed, {kept}: {plain(source.error or '', 2000)}")
        elif source.state == "unchanged":
            lines.append(f"source '{source.source}': unchanged ({counted(source.entries, 'entry', 'entries')} taken)")
        else:
            verb = "would change" if report.dry_run else "updated"
            lines.append(f"source '{source.source}': {verb}: {_counts(source)} ({counted(source.entries, 'entry', 'entries')} taken)")
        lines += [f"  note: {plain(n, 2000)}" for n in source.notes]
        lines += ["  " + _line(c, plain(c.title), plain(c.id, 100)) for c in source.changes]
    return "\n".join(lines) + ("\n" if lines else "")


def render_json(report: Report) -> str:
    data = {"dry_run": report.dry_run,
            "sources": [{**asdict(s), "changes": [{**asdict(c), "fields": list(c.fields)} for c in s.changes],
                         "notes": list(s.notes)} for s in report.sources]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _markdown_head(report: Report) -> list[str]:
    lines = ["## Source updates" + (" (dry run: nothing written)" if report.dry_run else ""), "",
             "| source | result | added | changed | removed | entries taken |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    for s in report.sources:
        failed = "**failed**: last good snapshot kept" if s.kept else "**failed**: no snapshot yet"
        result = {"failed": failed, "unchanged": "unchanged", "updated": "updated"}[s.state]
        numbers = ["—"] * 4 if s.state == "failed" else [s.count("added"), s.count("changed"), s.count("removed"), s.entries]
        lines.append(f"| {code(s.source, 100)} | {result} | " + " | ".join(map(str, numbers)) + " |")
    return lines


def render_markdown(report: Report, limit: int = MARKDOWN_LIMIT) -> str:
    """The change list as a pull request body: a table of the sources, then each source's changes;
    where the whole would pass ``limit`` characters, each source's remaining lines are counted instead
    of listed."""
    lines = _markdown_head(report)
    used = sum(len(line) + 1 for line in lines)
    sections = [s for s in report.sources if s.state != "unchanged" or s.notes]
    for n, s in enumerate(sections):
        heading = ["", f"### {code(s.source, 100)}" + (f" ({code(s.url, 300)})" if s.url else ""), ""]
        body = ([f"Error: {code(s.error, 1000)}"] if s.error else []) + [f"- note: {code(note, 500)}" for note in s.notes]
        for change in s.changes:
            fields = f" ({', '.join(change.fields)})" if change.fields else ""
            body.append(f"- {change.kind} {code(change.id, 100)} {code(change.title)}{fields}")
        lines += heading
        used += sum(len(line) + 1 for line in heading)
        room = limit - used - _RESERVE * (len(sections) - n)
        shown = 0
        for line in body:
            if len(line) + 1 > room:
                break
            lines.append(line)
            room -= len(line) + 1
            used += len(line) + 1
            shown += 1
        if shown < len(body):
            more = (f"- … and {counted(len(body) - shown, 'more line')} not listed here: "
                    "the pull request's diff of `guides/_sources/` has every change")
            lines.append(more)
            used += len(more) + 1
    text = "\n".join(lines) + "\n"
    return text if len(text) <= limit else text[: limit - 2] + "…\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def summary(reports: Sequence[SourceReport]) -> str:
    """One line for the end of a run: ``2 source(s): 1 updated, 1 unchanged, 0 failed``."""
    states = [r.state for r in reports]
    return (f"{len(states)} source(s): {states.count('updated')} updated, {states.count('unchanged')} unchanged, "
            f"{states.count('failed')} failed")
