"""The guide → Markdown pages.  Pure: no I/O, the same input always gives the same pages.

Used by the MkDocs plugin (pages added to the build in memory) and by ``openshelf build``
(pages written to a staging folder for another engine).  Curated text passes through
:mod:`openshelf.site.markup`, so it cannot inject HTML into the site.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from pypinyin import lazy_pinyin

from openshelf.guide.load import Guide
from openshelf.guide.models import ACCESS_LABELS, STATUS_LABELS, Collection, Entry, Text
from openshelf.guide.schema import field_reference
from openshelf.links.groups import Group, group_of
from openshelf.links.store import LinkState, SiteStatus, status_for
from openshelf.links.verdict import WORKING
from openshelf.site import blocks, downloads, emergency, handout, markup
from openshelf.site.bilingual import RUN_SEPARATOR, aside, bi, colon, day, edition, first_shown, inline_html, language_name, plain, rendering, text
from openshelf.site.context import A_TO_Z, FEED, HOME, LINK_HEALTH, REFERENCE, TAGS, Context, page_of
from openshelf.site.entries import description_html, ended_mark, entry_html, entry_link_html, summary_line
from openshelf.site.members import (
    MEMBERS,
    checker,
    entry_members,
    link_status,
    member_index,
    member_order,
    member_word,
    members_page,
    members_title,
    source_name,
)

if TYPE_CHECKING:
    from openshelf.site.history import EntryHistory  # history runs git; rendering only reads its results
    from openshelf.site.search import Record  # filled in by openshelf.site.pipeline

# Index pages repeat entry titles; search should lead to the entry itself.
_NOT_IN_SEARCH = ["---", "search:", "  exclude: true", "---", ""]


@dataclass(frozen=True)
class Pages:
    """Rendered output: Markdown pages, other generated files (openshelf.site.extras), values the templates read."""

    markdown: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)
    #: Finished HTML the pages' Markdown holds a marker for (:mod:`openshelf.site.blocks`): a collection's entries.
    blocks: dict[str, str] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
    #: Search records, one per entry; filled by openshelf.site.pipeline.
    search: tuple[Record, ...] = ()
    #: Files of the site that the build writes at its end, not in ``files`` (openshelf.site.pipeline: the data downloads).
    later: tuple[str, ...] = ()

    @cached_property
    def written(self) -> dict[str, str]:
        """The Markdown pages with their blocks written in, as raw HTML (what ``openshelf build`` stages)."""
        return {path: blocks.inline(content, self.blocks) for path, content in self.markdown.items()}


def tag_label(guide: Guide, tag: str) -> str:
    """A tag as readers see it: its label from ``_site.yml`` in both languages, else its slug (escaped for Markdown)."""
    label = guide.site.tags.get(tag)
    return text(label) if label else markup.text(tag)


def tag_text(guide: Guide, tag: str) -> str:
    """A tag as plain text (a filter's option): its label in the edition's language, both on the bilingual site, else its slug."""
    label = guide.site.tags.get(tag)
    if label is None:
        return tag
    return plain(label.zh or label.en or tag, label.en or label.zh or tag) if edition() else label.both()


def tag_order(guide: Guide, tag: str) -> tuple[str, str]:
    """Tags in the order of their names as the edition shows them (Chinese by pinyin, as the A–Z list)."""
    if edition():  # the name the edition shows
        return _title_order(tag_text(guide, tag))
    label = guide.site.tags.get(tag)  # the bilingual site: by the English name, as its entries sort
    return _title_order((label.en or label.zh or tag) if label else tag)


def render(guide: Guide, links: Mapping[str, LinkState] | None = None, today: dt.date | None = None,
           site_url: str | None = None, history: Mapping[str, EntryHistory] | None = None, language: str | None = None,
           use_directory_urls: bool = True) -> Pages:
    """Render every page of the guide (the other files are :mod:`openshelf.site.extras`): in one
    ``language`` (an edition, one of :data:`openshelf.site.bilingual.EDITION_LANGUAGES`), or both side by side (None);
    ``use_directory_urls`` as the site's MkDocs configuration sets it (the entries' links are finished HTML)."""
    with rendering(language):
        ctx = Context(today or dt.date.today(), links or {}, site_url, history or {}, member_index(guide), language, use_directory_urls)
        return _render(guide, ctx)


def _render(guide: Guide, ctx: Context) -> Pages:
    site_url = ctx.site_url
    entries: dict[str, str] = {}  # the finished HTML blocks of every page (openshelf.site.blocks)
    tags, made = _tags(guide, ctx)
    entries.update(made)
    a_to_z, made = _a_to_z(guide, ctx)
    entries.update(made)
    pages = {HOME: _home(guide, ctx), TAGS: tags, A_TO_Z: a_to_z, LINK_HEALTH: _link_health(guide, ctx), REFERENCE: _reference()}
    for collection in guide.collections:
        pages[page_of(collection)], made = _collection(guide, collection, ctx)
        entries.update(made)
        qr = f"../{qr_file(page_of(collection))}" if site_url else None
        pages[handout.page(collection)], made = handout.render_handout(guide, collection, qr)
        entries.update(made)
    if guide.sources:  # after the collections: the default navigation keeps this order
        pages[MEMBERS] = members_page(guide, ctx.members)
    # title: the guide's own (plain text), which the header shows instead of mkdocs.yml's site_name.
    extra: dict[str, object] = {"announcement": announcement_html(guide, ctx.today), "feed": FEED, "title": header_title(guide),
                                "language": ctx.language}
    if emergency.declared(guide) is not None:
        extra["emergency"] = emergency.bar(guide)
        extra["emergency_more"] = bi("服务状态与更新", "service status and what changed")
        extra["emergency_anchor"] = emergency.ANCHOR
    return Pages(pages, extra=extra, blocks=entries)


def _reference() -> str:
    """The field reference, for curators (not in the readers' search), in the edition's language."""
    reference = field_reference(edition())
    return "\n".join(_NOT_IN_SEARCH) + reference


def header_title(guide: Guide) -> str:
    """The guide's title in the languages ``_site.yml`` names, main one first (``应急学术资源指南 · OpenShelf …``);
    both languages it has when it has none of those; in an edition, its language's (the other's when it has none)."""
    title = guide.site.title
    if edition() is not None:
        return plain(title.zh or "", title.en or "")
    parts = [getattr(title, lang) for lang in guide.site.languages if lang in Text.model_fields]
    return " · ".join(dict.fromkeys(p for p in parts if p)) or title.both()


def absolute_url(site_url: str | None, page: str) -> str:
    """The published address of a page (directory URLs, as MkDocs builds them)."""
    base = (site_url or "/").rstrip("/") + "/"
    return base if page == HOME else base + page.removesuffix(".md") + "/"


def qr_file(page: str) -> str:
    return f"qr/{page.removesuffix('.md')}.svg"


def announcement_html(guide: Guide, today: dt.date) -> str:
    """The announcement bar's HTML (escaped), or "" when there is none or it has expired."""
    note = guide.site.announcement
    if note is None or (note.until and note.until < today):
        return ""
    return bi(markup.attr(note.zh) if note.zh else None, markup.attr(note.en) if note.en else None)


def _share(page: str, ctx: Context) -> list[str]:
    """The page's QR code (printable) and the feed link."""
    lines = ['<div class="os-share" markdown>', ""]
    if ctx.site_url:
        lines += [f"![{plain('本页二维码', 'QR code for this page')}]({qr_file(page)}){{ .os-qr width=\"128\" height=\"128\" }}", ""]
        lines += [f'<span class="os-qr-caption">{bi("扫码在手机上打开本页", "Scan to open this page on a phone")}</span>', ""]
    lines += [f"[{bi('订阅更新（Atom）', 'Subscribe to updates (Atom)')}]({FEED}){{ .os-feed type=\"application/atom+xml\" }}", ""]
    if page != HOME:  # the home page has its own downloads section
        lines += [f"[{bi('打印讲义（A4，一页名单与二维码）', 'Print handout (A4: the list with a QR code)')}]"
                  f"({handout.page(page.removesuffix('.md'))}){{ .os-handout-link }}", ""]
        d = downloads.PATHS
        lines += [f"{bi('下载全部数据', 'Download all the data')}{colon()}[JSON]({d['json']}){{ .os-download }} · "
                  f"[CSV]({d['csv']}){{ .os-download }} · [YAML]({d['yaml']}){{ .os-download }}", ""]
    return [*lines, "</div>", ""]


def _home(guide: Guide, ctx: Context) -> str:
    site = guide.site
    lines = ["---", "hide:", "  - navigation", "---", "", f"# {text(site.title)}", ""]
    lines += description_html(site.description)
    lines += emergency.section(guide, ctx.history, lambda entry: _entry_link(entry, HOME))
    lines += [f"## {bi('栏目', 'Collections')}", "", f"| {bi('栏目', 'Collection')} | {bi('条目', 'Entries')} |", "| --- | ---: |"]
    for c in guide.collections:
        lines.append(f"| [{text(c.title)}]({page_of(c)}) | {len(c.entries)} |")
    lines += [f"| **{bi('合计', 'Total')}** | **{len(guide.entries)}** |", ""]
    lines += [f"## {bi('浏览', 'Browse')}", "",
              f"- [{bi('按标签', 'By tag')}]({TAGS})",
              f"- [{bi('按字母顺序', 'A–Z list')}]({A_TO_Z})",
              f"- [{bi('链接健康状况', 'Link health')}]({LINK_HEALTH})",
              *([f"- [{members_title(guide)}]({MEMBERS})"] if guide.sources else []), ""]
    lines += _downloads()
    return "\n".join(lines + _share(HOME, ctx))


def _downloads() -> list[str]:
    """The whole guide as data files, so other libraries reuse it instead of copying by hand."""
    d = downloads.PATHS
    return [f"## {bi('下载数据', 'Download the data')}", "",
            bi("全部条目可供其他图书馆重复使用；CSV 的列与 openshelf import 相同。",
                  "Every entry, for other libraries to reuse; the CSV has the columns openshelf import reads."), "",
            f"- [JSON]({d['json']})", f"- [CSV]({d['csv']}){aside(bi('可用 Excel 打开', 'opens in Excel'))}", f"- [YAML]({d['yaml']})", ""]


_FACETS = (
    ("member", "来源", "Source"),
    ("category", "分类", "Category"),
    ("access", "访问方式", "Access"),
    ("status", "状态", "Status"),
    ("language", "语言", "Language"),
)


def _filters(guide: Guide, collection: Collection) -> list[str]:
    """Facet filters; hidden until the script runs, so without JavaScript the full list shows."""
    values: dict[str, dict[str, str]] = {"member": {}, "category": {}, "access": {}, "status": {}, "language": {}}
    counts: dict[tuple[str, str], int] = {}
    tags: dict[str, int] = {}
    members = member_index(guide)
    for e in collection.entries:
        cat = guide.site.categories[e.category]
        # (finished HTML: Python-Markdown leaves the raw <details> block alone, so a Markdown escape would show)
        pairs = [("category", e.category, inline_html(cat)), ("access", e.access, bi(*ACCESS_LABELS[e.access])),
                 ("status", e.status, bi(*STATUS_LABELS[e.status]))]
        pairs += [("member", m.key, m.html_label) for m in (entry_members(guide, e, members) if guide.sources else ())]
        pairs += [("language", code, markup.html_text(language_name(code))) for code in e.languages]
        for facet, value, name in pairs:
            values[facet].setdefault(value, name)
            counts[(facet, value)] = counts.get((facet, value), 0) + 1
        for tag in e.tags:
            tags[tag] = tags.get(tag, 0) + 1
    order = {key: i for i, key in enumerate(guide.site.categories)}
    rank = {member.key: i for i, member in enumerate(member_order(guide))}  # as the search's member select; any other after
    # Collapsed until opened (the script opens it when the URL carries filters); hidden without the script.
    html = [f'<details class="os-filter-box" hidden><summary>{bi("筛选", "Filter")}<span class="os-filter-count"></span></summary>'
            f'<form class="os-filters" hidden aria-label="{plain("筛选条目", "Filter entries") if edition() else "筛选条目 Filter entries"}" '
            f'data-total="{len(collection.entries)}">']
    for facet, zh, en in _FACETS:
        options = sorted(values[facet], key=lambda v: (rank.get(v, len(rank)) if facet == "member" else order.get(v, 0), v))
        if len(options) < 2:
            continue
        legend = bi(zh, en) if facet != "member" else member_word(guide)
        html.append(f'<fieldset><legend>{legend}</legend>')
        for value in options:
            html.append(f'<label><input type="checkbox" name="{facet}" value="{value}"> {values[facet][value]}'
                        f'<span class="os-count">{aside(str(counts[(facet, value)]))}</span></label>')
        html.append("</fieldset>")
    if tags:
        html.append(f'<label class="os-tag-filter">{bi("标签", "Tag")} <select name="tag"><option value="">{plain("全部", "All")}</option>')
        ordered = sorted(tags, key=lambda t: tag_order(guide, t))
        html += [f'<option value="{t}">{markup.attr(tag_text(guide, t))}{aside(str(tags[t]))}</option>' for t in ordered]
        html.append("</select></label>")
    html.append('<p class="os-filter-status" aria-live="polite"></p>'
                f'<button type="reset" class="md-button">{bi("清除筛选", "Clear filters")}</button>')
    html.append("</form></details>")
    return ["".join(html), ""]


def _collection(guide: Guide, collection: Collection, ctx: Context) -> tuple[str, dict[str, str]]:
    """The collection's page, and its entries as finished HTML, a block per category (:mod:`openshelf.site.blocks`)."""
    lines = [f"# {text(collection.title)}", ""]
    if collection.description is not None:  # its first sentence; the rest a tap away, so the entries start on the first screen
        lines += ['<details class="os-about" markdown>', f'<summary><span class="os-line">{inline_html(summary_line(collection.description))}'
                  "</span></summary>", "", *description_html(collection.description), "</details>", ""]
    by_category: dict[str, list[Entry]] = {}
    for entry in sorted(collection.entries, key=lambda e: (not e.best_bet, sort_key(e))):  # best bets first, then A to Z
        by_category.setdefault(entry.category, []).append(entry)
    ordered = [e for key in guide.site.categories for e in by_category.get(key, [])]
    letters: dict[str, str] = {}  # letter → the first entry (in page order) whose name starts with it
    for entry in ordered:
        letters.setdefault(initial(entry), entry.id)
    lines += _letter_bar(letters)
    lines += _filters(guide, collection)
    anchors = {entry_id: _letter_anchor(letter) for letter, entry_id in letters.items()}
    made: dict[str, str] = {}
    for key, label_text in guide.site.categories.items():
        entries = by_category.get(key)
        if not entries:
            continue
        block = f"{collection.id}/{key}"
        made[block] = "\n".join(line for entry in entries for line in entry_html(guide, entry, ctx, anchors.get(entry.id, "")))
        lines += [f'<section class="os-category" data-category="{key}" markdown>', ""]
        lines += [f"## {text(label_text)} {{ #category-{key} }}", "", blocks.marker(block), "", "</section>", ""]
    lines += _share(page_of(collection), ctx)
    return "\n".join(lines).rstrip() + "\n", made


def _letter_anchor(letter: str) -> str:
    return "letter-" + (letter.lower() if letter != "#" else "other")


def _letter_bar(letters: Mapping[str, str]) -> list[str]:
    """Jump by the first letter of a name (pinyin initial for a Chinese one) to the first entry starting with it."""
    links = " ".join(f'<a href="#{_letter_anchor(g)}">{g}</a>' for g in sorted(letters, key=lambda g: (g == "#", g)))
    return [f'<nav class="os-letters" aria-label="{plain("按首字母跳转", "Jump by letter")}">{links}</nav>', ""]


def _entry_link(entry: Entry, current: str) -> str:
    target = page_of(entry.collection)
    href = f"#{entry.id}" if target == current else f"{target}#{entry.id}"
    return f"[{text(entry.title)}]({href})"


def _list_block(key: str, items: list[str]) -> tuple[list[str], dict[str, str]]:
    """A list of finished HTML items: the marker for the page's Markdown, and the block."""
    return [blocks.marker(key), ""], {key: "<ul>\n" + "\n".join(f"<li>{item}</li>" for item in items) + "\n</ul>"}


def _tags(guide: Guide, ctx: Context) -> tuple[str, dict[str, str]]:
    """The tag index: a heading per tag (in the page's outline), its entries a list in finished HTML."""
    by_tag: dict[str, list[Entry]] = {}
    for entry in guide.entries:
        for tag in entry.tags:
            by_tag.setdefault(tag, []).append(entry)
    lines = [*_NOT_IN_SEARCH, f"# {bi('标签索引', 'Tag index')}", ""]
    order = sorted(by_tag, key=lambda t: tag_order(guide, t))
    lines += [RUN_SEPARATOR.join(f'<span class="os-nowrap">[{tag_label(guide, t)}](#tag-{t}){aside(str(len(by_tag[t])))}</span>'
                         for t in order), ""]
    made: dict[str, str] = {}
    for tag in order:
        lines += [f"## {tag_label(guide, tag)} {{ #tag-{tag} }}", ""]
        marker, block = _list_block(f"tags/{tag}", [entry_link_html(e, TAGS, ctx) + ended_mark(e) for e in sorted(by_tag[tag], key=sort_key)])
        lines += marker
        made.update(block)
    return "\n".join(lines), made


_LEADING_MARKS = re.compile(r"^[\W_]+")


def sort_key(entry: Entry) -> tuple[str, str]:
    """The title as it sorts: the name the edition shows first (in the Chinese edition the Chinese
    name, by its tone-less pinyin: ``疫情`` → ``yi qing``, so A–Z puts it under Y; in the English
    edition and the bilingual site the English name), else the other; the characters break ties
    between titles that read alike."""
    return _title_order(first_shown(entry.title))


@lru_cache(maxsize=markup.CACHED)  # every page that lists entries sorts them, in each edition: pinyin once per title
def _title_order(title: str) -> tuple[str, str]:
    # leading quotes, brackets and spaces do not decide the letter: “秦”劳勇敢 is under Q
    # one space between words: pypinyin keeps a run's own trailing space ("CALIS " + "guan"), and a double space sorted
    # "CALIS 馆际互借" before "CALIS e读"
    # an ASCII title has nothing pypinyin reads (most English names): the same words, without its ~50 µs a title
    words = title.split() if title.isascii() else " ".join(lazy_pinyin(title)).split()
    return _LEADING_MARKS.sub("", " ".join(words).casefold()), title


def initial(entry: Entry) -> str:
    """The letter an entry is listed under (its name's as :func:`sort_key` reads it: a Chinese name's pinyin
    initial); "#" for others."""
    first = sort_key(entry)[0][:1].upper()
    return first if "A" <= first <= "Z" else "#"


def _a_to_z(guide: Guide, ctx: Context) -> tuple[str, dict[str, str]]:
    """Every entry by the first letter of its name: a heading per letter, its entries a list in finished HTML."""
    groups: dict[str, list[Entry]] = {}
    for entry in sorted(guide.entries, key=sort_key):
        groups.setdefault(initial(entry), []).append(entry)
    lines = [*_NOT_IN_SEARCH, f"# {bi('按字母顺序', 'A–Z')}", ""]
    lines += [RUN_SEPARATOR.join(f"[{g}](#{_letter_anchor(g)})" for g in groups), ""]
    made: dict[str, str] = {}
    for letter, entries in groups.items():
        title = letter if letter != "#" else bi("其他", "Other")
        anchor = _letter_anchor(letter)
        lines += [f"## {title} {{ #{anchor} }}", ""]
        marker, block = _list_block(f"a-z/{anchor}", [entry_link_html(e, A_TO_Z, ctx) + aside(bi(*ACCESS_LABELS[e.access]))
                                                      + ended_mark(e) for e in entries])
        lines += marker
        made.update(block)
    return "\n".join(lines), made


def _link_health(guide: Guide, ctx: Context) -> str:
    """Status counts per collection and the list of broken links, from the state file (a subscribed entry the state
    has no record of: from its source's report)."""
    kinds = (("ok", "正常", "OK"), ("broken", "失效", "Broken"), ("transient", "暂时异常", "Temporary problem"),
             ("blocked", "被拦截", "Blocked"), ("unchecked", "未检查", "Not checked"))
    lines = [*_NOT_IN_SEARCH, f"# {bi('链接健康状况', 'Link health')}", ""]
    checked = [s.last_checked for s in ctx.links.values() if s.last_checked]
    reported: list[str] = []  # the dates of the sources' checks this page shows (no local record of those links)
    broken: list[tuple[Entry, SiteStatus]] = []
    rows: list[tuple[Collection, dict[str, int]]] = []
    for c in guide.collections:
        counts = dict.fromkeys((k for k, _, _ in kinds), 0)
        rows.append((c, counts))
        for e in c.entries:
            if e.url is None:  # a how-to without an address of its own: no link to count
                continue
            status = link_status(e.url, ctx.links, guide.origins.get(e.id))  # a source's report when there is no local one
            if status is not None and status.last_checked and status_for(ctx.links, e.url) is None:
                reported.append(status.last_checked)
            if status is None:
                kind = "unchecked"
            elif status.broken:
                kind = "broken"
                broken.append((e, status))
            else:
                kind = "ok" if status.verdict in WORKING else status.verdict or "unchecked"
            counts[kind if kind in counts else "unchecked"] += 1
    if checked:
        lines += [bi(f"最近一次检查：{day(max(checked).date().isoformat())}", f"Last check: {day(max(checked).date().isoformat())}"), ""]
    elif reported:  # not "no check recorded" above a table of the sources' results
        zh, en = ("成员", "members") if guide.site.consortium else ("来源", "sources")
        latest = day(max(reported))
        lines += [bi(f"本站尚未自行检查链接：下表是各{zh}指南自己的检查结果（最近一次：{latest}）。",
                     f"This site has not checked its links itself: the table gives the checks of its {en}' own guides (the latest on {latest})."), ""]
    else:
        lines += [bi("尚无检查记录：链接检查在 GitHub Actions 中每周运行。",
                        "No check recorded yet: the link check runs weekly in GitHub Actions."), ""]
    # OK and broken always; another state only when some link is in it (a phone shows four columns, not six)
    shown = [(k, zh, en) for k, zh, en in kinds if k in ("ok", "broken") or any(counts[k] for _, counts in rows)]
    lines += ["| " + " | ".join([bi("栏目", "Collection"), *(bi(zh, en) for _, zh, en in shown)]) + " |",
              "| --- |" + " ---: |" * len(shown)]
    lines += [f"| [{text(c.title)}]({page_of(c)}) | " + " | ".join(str(counts[k]) for k, _, _ in shown) + " |" for c, counts in rows]
    lines += ["", f"## {bi('失效链接', 'Broken links')} {{ #broken }}", ""]
    if not broken and (checked or reported):
        lines.append(bi("目前没有已知的失效链接。", "No link is known to be broken."))
    elif not broken:  # not a clean result: nothing has been looked at
        lines.append(bi("还没有检查过链接，所以还不知道哪些失效。", "No link has been checked yet, so none is known to be broken."))
    # Grouped by where the fix goes: a local collection file, or a subscribed source's guide.
    groups: dict[Group, list[tuple[Entry, SiteStatus]]] = {}
    for e, status in broken:
        groups.setdefault(group_of(e.where("url").path), []).append((e, status))
    for group in sorted(groups, key=Group.sort_key):
        name = f"<code>{markup.attr(group.name)}</code>"
        if group.kind == "guide":
            title = name
        else:  # the source by its title where the guide describes it (a consortium's member), and its id
            known = ctx.members.get(group.name)
            zh, en = (f"{markup.text(n)} {name}" for n in source_name(known.title, None)) if known else (name, name)
            title = bi(f"成员 {zh}", f"Member {en}") if guide.site.consortium else bi(f"订阅来源 {zh}", f"Source {en}")
        lines += ["", f"### {title}{aside(str(len(groups[group])))}", ""]
        for e, status in groups[group]:
            found, where = day(status.last_checked), e.where("url")
            place = f"<code>{markup.attr(f'{where.path}:{where.line}')}</code>"
            if status.unreachable_since:
                since = day(status.unreachable_since)
                when = bi(f"{since} 起", f"since {since}")
            else:  # no date of the first failure: only the check that found it broken
                when = bi(f"{found} 检查时失效", f"broken at the check on {found}")
            if status_for(ctx.links, e.url or "") is None:  # its source's report: say whose, and that it is the date of a check
                origin = guide.origins.get(e.id)
                zh, en = (markup.text(name) for name in source_name(checker(ctx.members, origin), origin))
                when = bi(f"{zh} 于 {found} 检查", f"checked by {en} on {found}")
            lines.append(f"- {_entry_link(e, LINK_HEALTH)} — {when} — {place}")
    return "\n".join(lines) + "\n"
