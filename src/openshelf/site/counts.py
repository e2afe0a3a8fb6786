"""The guide in numbers, for the About page: entries per collection, per category, per resource kind and per service.

Pure.  A hand-written page asks for the tables with the marker ``<!-- openshelf:counts -->``; the
MkDocs plugin and ``openshelf build`` put them there (:func:`fill`), from ``Pages.extra["counts"]``.  A service (``services`` in
``_site.yml``) counts the entries whose tags include its key; a resource kind (``resource_kinds``) those of its categories,
its tags or its key as a tag (:meth:`~openshelf.guide.models.ResourceKind.includes`).
"""

from __future__ import annotations

from collections import Counter

from openshelf.guide.load import Guide
from openshelf.guide.models import Entry, Text, serves
from openshelf.site.bilingual import bi, listed, text
from openshelf.site.context import page_of

MARKER = "<!-- openshelf:counts -->"
#: Entries named beside each service's count.
EXAMPLES = 3


def _link(entry: Entry) -> str:
    return f"[{text(entry.title)}]({page_of(entry.collection)}#{entry.id})"


def _checked(entries: list[Entry]) -> int:
    """Entries verified with evidence: not those checked only against someone else's report (evidence_kind: report)."""
    return sum(1 for e in entries if e.last_verified is not None and e.evidence and e.evidence_kind != "report")


def _examples_table(title: str, anchor: str, head: str, rows: list[tuple[Text, list[Entry]]]) -> list[str]:
    """A table of labels with how many entries each has and the first few of them, linked."""
    lines = ["", f"### {title} {{ #{anchor} }}", "",
             f"| {head} | {bi('条目', 'Entries')} | {bi('例如', 'For example')} |", "| --- | ---: | --- |"]
    for label, members in rows:
        # examples of what the guide offers now: ended programs only when nothing else is there
        current = [e for e in members if e.status != "ended"] or members
        lines.append(f"| {text(label)} | {len(members)} | {listed(_link(e) for e in current[:EXAMPLES])} |")
    return lines


def counts_markdown(guide: Guide) -> str:
    """Tables: per collection (entries, checked with evidence, ended), per category, per resource kind, per service."""
    head = [bi("条目", "Entries"), bi("已核实（有依据）", "Verified, with evidence"), bi("已结束", "Ended")]
    lines = [f"## {bi('收录统计', 'The guide in numbers')} {{ #counts }}", "",
             "| " + " | ".join([bi("栏目", "Collection"), *head]) + " |", "| --- |" + " ---: |" * len(head)]
    for c in guide.collections:
        ended = sum(1 for e in c.entries if e.status == "ended")
        lines.append(f"| [{text(c.title)}]({page_of(c)}) | {len(c.entries)} | {_checked(c.entries)} | {ended} |")
    entries = guide.entries
    ended = sum(1 for e in entries if e.status == "ended")
    lines += [f"| **{bi('合计', 'Total')}** | **{len(entries)}** | **{_checked(entries)}** | **{ended}** |", ""]
    lines += [f"### {bi('按分类', 'By category')} {{ #counts-categories }}", "",
              f"| {bi('分类', 'Category')} | {bi('条目', 'Entries')} |", "| --- | ---: |"]
    per_category = Counter(e.category for e in entries)
    for key, label in guide.site.categories.items():
        lines.append(f"| {text(label)} | {per_category[key]} |")
    site = guide.site
    if site.resource_kinds:
        lines += _examples_table(bi("按资源类型", "By kind of resource"), "counts-kinds", bi("资源类型", "Kind"),
                                 [(kind, [e for e in entries if kind.includes(key, e)])
                                  for key, kind in site.resource_kinds.items()])
    if site.services:
        lines += _examples_table(bi("按图书馆服务", "By library service"), "counts-services", bi("服务", "Service"),
                                 [(label, [e for e in entries if serves(key, e)])
                                  for key, label in site.services.items()])
    return "\n".join(lines) + "\n"


#: The key under which :func:`openshelf.site.pipeline.render_site` keeps the tables in ``Pages.extra``.
EXTRA_KEY = "counts"


def fill(markdown: str, counts: object) -> str:
    """A hand-written page's ``markdown`` with the ``counts`` tables in place of the marker (unchanged without one)."""
    return markdown.replace(MARKER, str(counts)) if MARKER in markdown and counts else markdown
