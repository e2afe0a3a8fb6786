"""The guide → Markdown pages.  Pure: no I/O, the same input always gives the same pages.

Used by the MkDocs plugin (pages added to the build in memory) and by ``openshelf build``
(pages written to a staging folder for another engine).  Curated text passes through
:mod:`openshelf.markup`, so it cannot inject HTML into the site.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from openshelf import markup
from openshelf.catalog import Guide
from openshelf.schema import field_reference
from openshelf.models import ACCESS_LABELS, STATUS_LABELS, Collection, Entry, Text

HOME = "index.md"
TAGS = "tags.md"
A_TO_Z = "a-z.md"
REFERENCE = "reference.md"

LANGUAGE_NAMES = {
    "zh": "中文", "en": "English", "ja": "日本語", "ko": "한국어", "fr": "Français", "de": "Deutsch",
    "es": "Español", "ru": "Русский", "pt": "Português", "ar": "العربية", "it": "Italiano",
}


# Index pages repeat entry titles; search should lead to the entry itself.
_NOT_IN_SEARCH = ["---", "search:", "  exclude: true", "---", ""]


class LinkStatus(Protocol):
    """What the renderer needs to know about a URL from the link checker's state file."""

    @property
    def verdict(self) -> str: ...
    @property
    def last_checked(self) -> dt.datetime | None: ...
    @property
    def first_failure(self) -> dt.datetime | None: ...


@dataclass(frozen=True)
class Pages:
    """Rendered output: Markdown by page path, plus values the theme templates read."""

    markdown: dict[str, str]
    extra: dict[str, object] = field(default_factory=dict)


def label(zh: str, en: str) -> str:
    return f"{zh} · {en}"


def page_of(collection: Collection | str) -> str:
    return f"{collection if isinstance(collection, str) else collection.id}.md"


def render(guide: Guide, links: Mapping[str, LinkStatus] | None = None, today: dt.date | None = None) -> Pages:
    """Render every page of the guide."""
    links = links or {}
    today = today or dt.date.today()
    pages = {HOME: _home(guide, today), TAGS: _tags(guide), A_TO_Z: _a_to_z(guide), REFERENCE: field_reference()}
    for collection in guide.collections:
        pages[page_of(collection)] = _collection(guide, collection, links)
    return Pages(pages, {"announcement": announcement_html(guide, today)})


def announcement_html(guide: Guide, today: dt.date) -> str:
    """The announcement bar's HTML (escaped), or "" when there is none or it has expired."""
    note = guide.site.announcement
    if note is None or (note.until and note.until < today):
        return ""
    parts = [f'<span lang="{lang}">{markup.attr(text)}</span>' for lang, text in (("zh", note.zh), ("en", note.en)) if text]
    return " · ".join(parts)


def _heading_text(text: Text) -> str:
    return markup.text(text.both())


def _description(text: Text | None) -> list[str]:
    if text is None:
        return []
    out = []
    for lang, value in (("zh", text.zh), ("en", text.en)):
        if value:
            out += [f'<div lang="{lang}" markdown>', "", markup.markdown(value), "", "</div>", ""]
    return out


def _home(guide: Guide, today: dt.date) -> str:
    site = guide.site
    lines = ["---", "hide:", "  - navigation", "---", "", f"# {_heading_text(site.title)}", ""]
    lines += _description(site.description)
    if announcement_html(guide, today):
        note = site.announcement
        assert note is not None
        lines += ['!!! info "通知 · Notice"', ""]
        lines += [f"    {markup.text(t)}" + ("  " if i == 0 else "") for i, t in enumerate(x for x in (note.zh, note.en) if x)]
        lines += [""]
    lines += [f"## {label('栏目', 'Collections')}", "", f"| {label('栏目', 'Collection')} | {label('条目', 'Entries')} |", "| --- | ---: |"]
    for c in guide.collections:
        lines.append(f"| [{_heading_text(c.title)}]({page_of(c)}) | {len(c.entries)} |")
    total = len(guide.entries)
    lines += [f"| **{label('合计', 'Total')}** | **{total}** |", ""]
    lines += [f"## {label('浏览', 'Browse')}", "",
              f"- [{label('按标签', 'By tag')}]({TAGS})",
              f"- [{label('按字母顺序', 'A–Z list')}]({A_TO_Z})", ""]
    return "\n".join(lines)


def _collection(guide: Guide, collection: Collection, links: Mapping[str, LinkStatus]) -> str:
    lines = [f"# {_heading_text(collection.title)}", ""]
    lines += _description(collection.description)
    by_category: dict[str, list[Entry]] = {}
    for entry in collection.entries:
        by_category.setdefault(entry.category, []).append(entry)
    for key, label_text in guide.site.categories.items():
        entries = by_category.get(key)
        if not entries:
            continue
        lines += [f"## {_heading_text(label_text)} {{ #category-{key} }}", ""]
        for entry in entries:
            lines += _entry(guide, entry, links)
    return "\n".join(lines).rstrip() + "\n"


def _badge(kind: str, value: str, text: str) -> str:
    return f'<span class="os-badge os-{kind} os-{kind}-{value}">{markup.attr(text)}</span>'


def _entry_link(guide: Guide, entry: Entry, current: str) -> str:
    target = page_of(entry.collection)
    href = f"#{entry.id}" if target == current else f"{target}#{entry.id}"
    return f"[{_heading_text(entry.title)}]({href})"


def _entry(guide: Guide, entry: Entry, links: Mapping[str, LinkStatus]) -> list[str]:
    current = page_of(entry.collection)
    lines = [f"### {_heading_text(entry.title)} {{ #{entry.id} }}", ""]
    access_zh, access_en = ACCESS_LABELS[entry.access]
    status_zh, status_en = STATUS_LABELS[entry.status]
    badges = [_badge("access", entry.access, label(access_zh, access_en)),
              _badge("status", entry.status, label(status_zh, status_en))]
    lines += ['<p class="os-badges">' + " ".join(badges) + "</p>", ""]
    period = _period(entry)
    if entry.status == "ended":
        lines += ['!!! warning "已结束 · Ended"', "",
                  f"    该项目已结束（{period}），保留于此以供查考。  ",
                  f"    This program has ended ({period}); it stays listed for the record.", ""]
    elif period:
        lines += [f"*{label('开放时间', 'Available')}: {period}*", ""]
    url = markup.attr(entry.url)
    lines += [f'<p class="os-url"><a href="{url}" rel="noopener">{url}</a></p>', ""]
    lines += _description(entry.description)
    facts: list[tuple[str, str]] = []
    if entry.aliases:
        facts.append((label("又名", "Also known as"), ", ".join(markup.text(a) for a in entry.aliases)))
    if entry.provider:
        facts.append((label("提供方", "Provider"), _heading_text(entry.provider)))
    if entry.languages:
        facts.append((label("语言", "Languages"), ", ".join(LANGUAGE_NAMES.get(code, code) for code in entry.languages)))
    if entry.tags:
        facts.append((label("标签", "Tags"), ", ".join(f"[{markup.text(t)}]({TAGS}#tag-{t})" for t in entry.tags)))
    related = [guide.by_id[i] for i in entry.related]
    if related:
        facts.append((label("相关途径", "Related"), ", ".join(_entry_link(guide, r, current) for r in related)))
    back = guide.referenced_by.get(entry.id, [])
    if back:
        facts.append((label("可用于", "Used with"), ", ".join(_entry_link(guide, r, current) for r in back)))
    verified = entry.last_verified.isoformat() if entry.last_verified else label("尚未有人核实", "not yet verified by a person")
    facts.append((label("最后核实", "Last verified"), verified))
    lines += [f"- **{name}:** {value}" for name, value in facts]
    return lines + [""]


def _period(entry: Entry) -> str:
    start = entry.available_from.isoformat() if entry.available_from else ""
    end = entry.available_until.isoformat() if entry.available_until else ""
    if not (start or end):
        return ""
    return f"{start or '…'} – {end or '…'}"


def _tags(guide: Guide) -> str:
    by_tag: dict[str, list[Entry]] = {}
    for entry in guide.entries:
        for tag in entry.tags:
            by_tag.setdefault(tag, []).append(entry)
    lines = [*_NOT_IN_SEARCH, f"# {label('标签索引', 'Tag index')}", ""]
    lines += [" · ".join(f"[{markup.text(t)}](#tag-{t}) ({len(by_tag[t])})" for t in sorted(by_tag)), ""]
    for tag in sorted(by_tag):
        lines += [f"## {markup.text(tag)} {{ #tag-{tag} }}", ""]
        lines += [f"- {_entry_link(guide, e, TAGS)}" for e in sorted(by_tag[tag], key=_sort_key)]
        lines.append("")
    return "\n".join(lines)


def _sort_key(entry: Entry) -> str:
    return (entry.title.en or entry.title.zh or "").casefold()


def _a_to_z(guide: Guide) -> str:
    groups: dict[str, list[Entry]] = {}
    for entry in sorted(guide.entries, key=_sort_key):
        first = _sort_key(entry)[:1].upper()
        groups.setdefault(first if "A" <= first <= "Z" else "#", []).append(entry)
    lines = [*_NOT_IN_SEARCH, f"# {label('按字母顺序', 'A–Z')}", ""]
    lines += [" · ".join(f"[{g}](#letter-{g.lower() if g != '#' else 'other'})" for g in groups), ""]
    for letter, entries in groups.items():
        anchor = letter.lower() if letter != "#" else "other"
        title = letter if letter != "#" else label("其他", "Other")
        lines += [f"## {title} {{ #letter-{anchor} }}", ""]
        for e in entries:
            access_zh, access_en = ACCESS_LABELS[e.access]
            ended = f" — *{label('已结束', 'ended')}*" if e.status == "ended" else ""
            lines.append(f"- {_entry_link(guide, e, A_TO_Z)} ({label(access_zh, access_en)}){ended}")
        lines.append("")
    return "\n".join(lines)
