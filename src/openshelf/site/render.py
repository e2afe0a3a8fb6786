"""The guide → Markdown pages.  Pure: no I/O, the same input always gives the same pages.

Used by the MkDocs plugin (pages added to the build in memory) and by ``openshelf build``
(pages written to a staging folder for another engine).  Curated text passes through
:mod:`openshelf.site.markup`, so it cannot inject HTML into the site.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError

from openshelf.guide.load import Guide
from openshelf.guide.models import ACCESS_LABELS, STATUS_LABELS, Collection, Entry, Text
from openshelf.guide.schema import field_reference
from openshelf.links.store import LinkState, SiteStatus, status_for, wayback_url
from openshelf.links.verdict import WORKING, Verdict
from openshelf.site import downloads, emergency, handout, markup

if TYPE_CHECKING:  # search builds its records from this module's page names, so it imports this one
    from openshelf.site.history import EntryHistory  # history runs git; rendering only reads its results
    from openshelf.site.search import Record

HOME = "index.md"
TAGS = "tags.md"
A_TO_Z = "a-z.md"
REFERENCE = "reference.md"
LINK_HEALTH = "links.md"
FEED = "feed.xml"

#: The names of the languages on the bilingual page (each in its own language).
LANGUAGE_NAMES = {
    "zh": "中文", "en": "English", "ja": "日本語", "ko": "한국어", "fr": "Français", "de": "Deutsch",
    "es": "Español", "ru": "Русский", "pt": "Português", "ar": "العربية", "it": "Italiano",
}


#: The languages an edition can be written in: those of the guide's text fields (:class:`Text`).
EDITION_LANGUAGES = ("zh", "en")
#: The edition being rendered ("zh", "en"), or None for the bilingual page; set by :func:`rendering`,
#: read by :func:`bi`, :func:`plain` and :func:`text`, so every label renders in the edition's language.
_EDITION: ContextVar[str | None] = ContextVar("openshelf_edition", default=None)


def edition() -> str | None:
    """The language of the edition being rendered, or None on the bilingual page."""
    return _EDITION.get()


@contextmanager
def rendering(language: str | None) -> Iterator[None]:
    """Render in ``language`` (one of :data:`EDITION_LANGUAGES`) or, with None, both side by side."""
    if language is not None and language not in EDITION_LANGUAGES:
        raise ValueError(f"no edition in {language!r}: OpenShelf writes {', '.join(EDITION_LANGUAGES)}")
    token = _EDITION.set(language)
    try:
        yield
    finally:
        _EDITION.reset(token)


def language_name(code: str, language: str | None = None) -> str:
    """A language's name in an edition's language (``en`` → "English", 英语), its own on the bilingual page."""
    language = language or edition()
    if language is None:
        return LANGUAGE_NAMES.get(code, code)
    try:
        return str(Locale.parse(language).languages.get(code, code))
    except (ValueError, UnknownLocaleError):
        return code


def _marked(lang: str, html: str, block: bool = False) -> str:
    """Text in another language than the edition's: its ``lang`` and a small visible marker (``ZH``)."""
    title = markup.attr(language_name(lang))
    mark = f'<span class="os-lang-mark" title="{title}">{lang.upper()}</span>'
    if block:
        return f'<div lang="{lang}" class="os-other-lang" markdown="0">{mark}{html}</div>'
    return f'<span lang="{lang}" class="os-other-lang">{html}</span> {mark}'


# Index pages repeat entry titles; search should lead to the entry itself.
_NOT_IN_SEARCH = ["---", "search:", "  exclude: true", "---", ""]


@dataclass(frozen=True)
class Pages:
    """Rendered output: Markdown pages, other generated files (openshelf.site.extras), values the templates read."""

    markdown: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
    #: Search records, one per entry; filled by openshelf.site.pipeline.
    search: tuple[Record, ...] = ()


@dataclass(frozen=True)
class Context:
    """What a render needs besides the guide; all of it read at the edges, never fetched."""

    today: dt.date
    links: Mapping[str, LinkState] = field(default_factory=dict)
    site_url: str | None = None
    #: When each entry was added and last changed (git history), for the emergency's "new and changed" list.
    history: Mapping[str, EntryHistory] = field(default_factory=dict)
    #: The edition's language, or None for the bilingual page (see :func:`rendering`).
    language: str | None = None


def bi(zh: str | None, en: str | None) -> str:
    """Inline HTML for text in both languages (already escaped): in an edition its language (the
    other, marked, when it has none); on the bilingual page both, and the language switch hides one."""
    language = _EDITION.get()
    if language is not None:
        own, other, code = (zh, en, "en") if language == "zh" else (en, zh, "zh")
        return own or (_marked(code, other) if other else "")
    if zh and en and zh != en:
        return f'<span lang="zh" class="os-zh">{zh}</span><span class="os-sep"> · </span><span lang="en" class="os-en">{en}</span>'
    return zh or en or ""


def plain(zh: str, en: str) -> str:
    """Plain text for places that cannot hold markup (alt, titles, options): the edition's language, or both."""
    language = _EDITION.get()
    if language is not None:
        return (zh if language == "zh" else en) or zh or en
    return f"{zh} · {en}"


def text(value: Text | None) -> str:
    """Curated text in both languages, escaped for inline Markdown."""
    if value is None:
        return ""
    return bi(markup.text(value.zh) if value.zh else None, markup.text(value.en) if value.en else None)


def page_of(collection: Collection | str) -> str:
    return f"{collection if isinstance(collection, str) else collection.id}.md"


def render(guide: Guide, links: Mapping[str, LinkState] | None = None, today: dt.date | None = None,
           site_url: str | None = None, history: Mapping[str, EntryHistory] | None = None, language: str | None = None) -> Pages:
    """Render every page of the guide (the other files are :mod:`openshelf.site.extras`): in one
    ``language`` (an edition, one of :data:`EDITION_LANGUAGES`), or both side by side (None)."""
    with rendering(language):
        return _render(guide, Context(today or dt.date.today(), links or {}, site_url, history or {}, language))


def _render(guide: Guide, ctx: Context) -> Pages:
    site_url = ctx.site_url
    pages = {HOME: _home(guide, ctx), TAGS: _tags(guide), A_TO_Z: _a_to_z(guide), LINK_HEALTH: _link_health(guide, ctx),
             REFERENCE: _reference()}
    for collection in guide.collections:
        pages[page_of(collection)] = _collection(guide, collection, ctx)
        qr = f"../{qr_file(page_of(collection))}" if site_url else None
        pages[handout.page(collection)] = handout.render_handout(guide, collection, qr, bi, text, LOCAL_ADDRESS)  # type: ignore[arg-type]
    extra: dict[str, object] = {"announcement": announcement_html(guide, ctx.today), "feed": FEED, "language": ctx.language}
    if emergency.declared(guide) is not None:
        extra["emergency"] = emergency.bar(guide)
        extra["emergency_more"] = bi("服务状态与更新", "service status and what changed")
        extra["emergency_anchor"] = emergency.ANCHOR
    return Pages(pages, extra=extra)


_BILINGUAL_HEADING = re.compile(r"^(#+ )([^·\n]+?) · ([^(\n]+?)( \(.*\))?$", re.MULTILINE)
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _reference() -> str:
    """The field reference; in an edition its bilingual headings ("Entry · 条目") in the edition's language."""
    reference = field_reference()
    if edition() is None:
        return reference

    def one(match: re.Match[str]) -> str:
        first, second = match[2], match[3]
        zh, en = (first, second) if _HAN.search(first) else (second, first)
        return f"{match[1]}{plain(zh, en)}{match[4] or ''}"

    return _BILINGUAL_HEADING.sub(one, reference)


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


def _description(value: Text | None) -> list[str]:
    if value is None:
        return []
    language = _EDITION.get()
    if language is not None:
        own, other, code = (value.zh, value.en, "en") if language == "zh" else (value.en, value.zh, "zh")
        if own:
            return [f'<div lang="{language}" markdown="0">', markup.markdown(own), "</div>", ""]
        return [_marked(code, markup.markdown(other or ""), block=True), ""]
    both = bool(value.zh and value.en)
    out = []
    for lang, body in (("zh", value.zh), ("en", value.en)):
        if body:
            cls = f' class="os-{lang}"' if both else ""
            # Finished HTML, not Markdown: markdown="0" makes Python-Markdown (md_in_html) pass it through.
            out += [f'<div lang="{lang}"{cls} markdown="0">', markup.markdown(body), "</div>", ""]
    return out


def _share(page: str, ctx: Context) -> list[str]:
    """The page's QR code (printable) and the feed link."""
    lines = ['<div class="os-share" markdown>', ""]
    if ctx.site_url:
        lines += [f"![{plain('本页二维码', 'QR code for this page')}]({qr_file(page)}){{ .os-qr width=\"128\" height=\"128\" }}", ""]
        lines += [f'<span class="os-qr-caption">{bi("扫码在手机上打开本页", "Scan to open this page on a phone")}</span>', ""]
    lines += [f"[{bi('订阅更新 (Atom)', 'Subscribe to updates (Atom)')}]({FEED}){{ .os-feed type=\"application/atom+xml\" }}", ""]
    if page != HOME:  # the home page has its own downloads section
        lines += [f"[{bi('打印讲义（A4，一页名单与二维码）', 'Print handout (A4: the list with a QR code)')}]"
                  f"({handout.page(page.removesuffix('.md'))}){{ .os-handout-link }}", ""]
        d = downloads.PATHS
        lines += [f"{bi('下载全部数据', 'Download all the data')}: [JSON]({d['json']}){{ .os-download }} · "
                  f"[CSV]({d['csv']}){{ .os-download }} · [YAML]({d['yaml']}){{ .os-download }}", ""]
    return [*lines, "</div>", ""]


def _home(guide: Guide, ctx: Context) -> str:
    site = guide.site
    lines = ["---", "hide:", "  - navigation", "---", "", f"# {text(site.title)}", ""]
    lines += _description(site.description)
    lines += emergency.section(guide, ctx.history, lambda entry: _entry_link(entry, HOME))
    lines += [f"## {bi('栏目', 'Collections')}", "", f"| {bi('栏目', 'Collection')} | {bi('条目', 'Entries')} |", "| --- | ---: |"]
    for c in guide.collections:
        lines.append(f"| [{text(c.title)}]({page_of(c)}) | {len(c.entries)} |")
    lines += [f"| **{bi('合计', 'Total')}** | **{len(guide.entries)}** |", ""]
    lines += [f"## {bi('浏览', 'Browse')}", "",
              f"- [{bi('按标签', 'By tag')}]({TAGS})",
              f"- [{bi('按字母顺序', 'A–Z list')}]({A_TO_Z})",
              f"- [{bi('链接健康状况', 'Link health')}]({LINK_HEALTH})", ""]
    lines += _downloads()
    return "\n".join(lines + _share(HOME, ctx))


def _downloads() -> list[str]:
    """The whole guide as data files, so other libraries reuse it instead of copying by hand."""
    d = downloads.PATHS
    return [f"## {bi('下载数据', 'Download the data')}", "",
            bi("全部条目可供其他图书馆重复使用；CSV 的列与 openshelf import 相同。",
                  "Every entry, for other libraries to reuse; the CSV has the columns openshelf import reads."), "",
            f"- [JSON]({d['json']})", f"- [CSV]({d['csv']}) ({bi('可用 Excel 打开', 'opens in Excel')})", f"- [YAML]({d['yaml']})", ""]


_FACETS = (
    ("category", "分类", "Category"),
    ("access", "访问方式", "Access"),
    ("status", "状态", "Status"),
    ("language", "语言", "Language"),
)


def _filters(guide: Guide, collection: Collection) -> list[str]:
    """Facet filters; hidden until the script runs, so without JavaScript the full list shows."""
    values: dict[str, dict[str, str]] = {"category": {}, "access": {}, "status": {}, "language": {}}
    counts: dict[tuple[str, str], int] = {}
    tags: dict[str, int] = {}
    for e in collection.entries:
        cat = guide.site.categories[e.category]
        pairs = [("category", e.category, text(cat)), ("access", e.access, bi(*ACCESS_LABELS[e.access])),
                 ("status", e.status, bi(*STATUS_LABELS[e.status]))]
        pairs += [("language", code, markup.text(language_name(code))) for code in e.languages]
        for facet, value, name in pairs:
            values[facet].setdefault(value, name)
            counts[(facet, value)] = counts.get((facet, value), 0) + 1
        for tag in e.tags:
            tags[tag] = tags.get(tag, 0) + 1
    order = {key: i for i, key in enumerate(guide.site.categories)}
    label = plain("筛选条目", "Filter entries") if edition() else "筛选条目 Filter entries"
    html = [f'<form class="os-filters" hidden aria-label="{label}" data-total="{len(collection.entries)}">']
    for facet, zh, en in _FACETS:
        options = sorted(values[facet], key=lambda v: (order.get(v, 0), v))
        if len(options) < 2:
            continue
        html.append(f'<fieldset><legend>{bi(zh, en)}</legend>')
        for value in options:
            html.append(f'<label><input type="checkbox" name="{facet}" value="{value}"> {values[facet][value]} '
                        f'<span class="os-count">({counts[(facet, value)]})</span></label>')
        html.append("</fieldset>")
    if tags:
        html.append(f'<label class="os-tag-filter">{bi("标签", "Tag")} <select name="tag"><option value="">{plain("全部", "All")}</option>')
        html += [f'<option value="{t}">{markup.attr(t)} ({n})</option>' for t, n in sorted(tags.items())]
        html.append("</select></label>")
    html.append('<p class="os-filter-status" aria-live="polite"></p>'
                f'<button type="reset" class="md-button">{bi("清除筛选", "Clear filters")}</button>')
    html.append("</form>")
    return ["".join(html), ""]


def _collection(guide: Guide, collection: Collection, ctx: Context) -> str:
    lines = [f"# {text(collection.title)}", ""]
    lines += _description(collection.description)
    lines += _filters(guide, collection)
    by_category: dict[str, list[Entry]] = {}
    for entry in collection.entries:
        by_category.setdefault(entry.category, []).append(entry)
    for key, label_text in guide.site.categories.items():
        entries = by_category.get(key)
        if not entries:
            continue
        lines += [f'<section class="os-category" data-category="{key}" markdown>', ""]
        lines += [f"## {text(label_text)} {{ #category-{key} }}", ""]
        for entry in entries:
            lines += _entry(guide, entry, ctx)
        lines += ["</section>", ""]
    lines += _share(page_of(collection), ctx)
    return "\n".join(lines).rstrip() + "\n"


def _badge(kind: str, value: str, content: str, title: str = "") -> str:
    extra = f' title="{markup.attr(title)}"' if title else ""
    return f'<span class="os-badge os-{kind} os-{kind}-{value}"{extra}>{content}</span>'


def _entry_link(entry: Entry, current: str) -> str:
    target = page_of(entry.collection)
    href = f"#{entry.id}" if target == current else f"{target}#{entry.id}"
    return f"[{text(entry.title)}]({href})"


#: Shown where a how-to's link would be when the guide gives no address (each library has its own).
LOCAL_ADDRESS = ("你所在图书馆的地址：请向本馆咨询", "Your library's address — ask your library")


def link_badge(entry: Entry, ctx: Context) -> tuple[str, list[str]]:
    """The link-status badge, and a note for readers when the link is known to be broken."""
    if entry.url is None:
        return _badge("link", "local", bi("地址因馆而异", "Address differs by library")), []
    if entry.link_check == "skip":
        return _badge("link", "unchecked", bi("链接不自动检查", "Link not checked automatically")), []
    status = status_for(ctx.links, entry.url)
    if status is None:
        if entry.link_check == "login-required":
            return _badge("link", "login", bi("需登录访问，未自动检查", "Behind a login; not checked automatically")), []
        return _badge("link", "unknown", bi("链接尚未检查", "Link not yet checked")), []
    checked = status.last_checked
    if status.broken:
        since = status.unreachable_since
        archive = markup.attr(entry.archive_url or wayback_url(entry.url))
        note = [f'<p class="os-broken" role="alert">{bi(f"该链接自 {since} 起无法访问", f"Unreachable since {since}")}: '
                f'<a href="{archive}" rel="noopener">{bi("查看存档副本", "see an archived copy")}</a></p>', ""]
        return _badge("link", "broken", bi(f"链接失效（{since} 起）", f"Link broken since {since}")), note
    if status.verdict == Verdict.BLOCKED:
        return _badge("link", "blocked", bi(f"{checked} 检查：网站拦截自动检查", f"Checked {checked}: site blocks automated checks")), []
    if status.verdict == Verdict.TRANSIENT:
        return _badge("link", "transient", bi(f"{checked} 检查：暂时无法访问", f"Checked {checked}: temporarily unreachable")), []
    if status.verdict in WORKING:
        return _badge("link", "ok", bi(f"链接正常（{checked} 检查）", f"Link OK (checked {checked})")), []
    return _badge("link", "unknown", bi(f"{checked} 已检查", f"Checked {checked}")), []


def _entry(guide: Guide, entry: Entry, ctx: Context) -> list[str]:
    current = page_of(entry.collection)
    data = {
        "category": entry.category, "access": entry.access, "status": entry.status,
        "language": " ".join(entry.languages), "tag": " ".join(entry.tags),
    }
    attrs = " ".join(f'data-{k}="{markup.attr(v)}"' for k, v in data.items())
    lines = [f'<article class="os-entry" {attrs} markdown>', "", f"### {text(entry.title)} {{ #{entry.id} }}", ""]
    period = _period(entry)
    status_text = bi(*STATUS_LABELS[entry.status])
    if entry.status == "ended" and period:
        status_text = bi(f"已结束（{period}）", f"Ended ({period})")
    verified = entry.last_verified.isoformat() if entry.last_verified else None
    link, note = link_badge(entry, ctx)
    badges = [
        *([_badge("kind", "how-to", bi("使用指南", "How-to"))] if entry.kind == "how-to" else []),
        _badge("access", entry.access, bi(*ACCESS_LABELS[entry.access])),
        _badge("status", entry.status, status_text),
        link,
        _badge("verified", "yes" if verified else "no",
               bi(f"{verified} 人工核实", f"Verified {verified}") if verified else bi("尚未有人核实", "Not yet verified")),
    ]
    lines += ['<p class="os-badges">' + " ".join(badges) + "</p>", ""]
    if entry.status == "ended":
        lines += [f'!!! warning "{plain("已结束", "Ended")}"', "",
                  "    " + bi(f"该项目已结束（{period}），保留于此以供查考。",
                             f"This program has ended ({period}); it stays listed for the record."), ""]
    elif period:
        lines += [f"*{bi('开放时间', 'Available')}: {period}*", ""]
    lines += note
    if entry.url is None:
        lines += [f'<p class="os-url os-url-local">{bi(*LOCAL_ADDRESS)}</p>', ""]
    else:
        url = markup.attr(entry.url)
        lines += [f'<p class="os-url"><a href="{url}" rel="noopener">{url}</a></p>', ""]
    lines += _description(entry.description)
    facts: list[tuple[str, str]] = []
    if entry.aliases:
        facts.append((bi("又名", "Also known as"), ", ".join(markup.text(a) for a in entry.aliases)))
    if entry.provider:
        facts.append((bi("提供方", "Provider"), text(entry.provider)))
    if entry.languages:
        facts.append((bi("语言", "Languages"), ", ".join(language_name(code) for code in entry.languages)))
    if entry.tags:
        facts.append((bi("标签", "Tags"), ", ".join(f"[{markup.text(t)}]({TAGS}#tag-{t})" for t in entry.tags)))
    related = [guide.by_id[i] for i in entry.related]
    if related:
        facts.append((bi("相关途径", "Related"), ", ".join(_entry_link(r, current) for r in related)))
    back = guide.referenced_by.get(entry.id, [])
    if back:
        facts.append((bi("可用于", "Used with"), ", ".join(_entry_link(r, current) for r in back)))
    lines += [f"- **{name}:** {value}" for name, value in facts]
    return [*lines, "", "</article>", ""]


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
    lines = [*_NOT_IN_SEARCH, f"# {bi('标签索引', 'Tag index')}", ""]
    lines += [" · ".join(f"[{markup.text(t)}](#tag-{t}) ({len(by_tag[t])})" for t in sorted(by_tag)), ""]
    for tag in sorted(by_tag):
        lines += [f"## {markup.text(tag)} {{ #tag-{tag} }}", ""]
        lines += [f"- {_entry_link(e, TAGS)}" for e in sorted(by_tag[tag], key=_sort_key)]
        lines.append("")
    return "\n".join(lines)


def _sort_key(entry: Entry) -> str:
    return (entry.title.en or entry.title.zh or "").casefold()


def _a_to_z(guide: Guide) -> str:
    groups: dict[str, list[Entry]] = {}
    for entry in sorted(guide.entries, key=_sort_key):
        first = _sort_key(entry)[:1].upper()
        groups.setdefault(first if "A" <= first <= "Z" else "#", []).append(entry)
    lines = [*_NOT_IN_SEARCH, f"# {bi('按字母顺序', 'A–Z')}", ""]
    lines += [" · ".join(f"[{g}](#letter-{g.lower() if g != '#' else 'other'})" for g in groups), ""]
    for letter, entries in groups.items():
        anchor = letter.lower() if letter != "#" else "other"
        title = letter if letter != "#" else bi("其他", "Other")
        lines += [f"## {title} {{ #letter-{anchor} }}", ""]
        for e in entries:
            ended = f" — *{bi('已结束', 'ended')}*" if e.status == "ended" else ""
            lines.append(f"- {_entry_link(e, A_TO_Z)} ({bi(*ACCESS_LABELS[e.access])}){ended}")
        lines.append("")
    return "\n".join(lines)


def _link_health(guide: Guide, ctx: Context) -> str:
    """Status counts per collection and the list of broken links, from the state file only."""
    kinds = (("ok", "正常", "OK"), ("broken", "失效", "Broken"), ("transient", "暂时异常", "Temporary problem"),
             ("blocked", "被拦截", "Blocked"), ("unchecked", "未检查", "Not checked"))
    lines = [*_NOT_IN_SEARCH, f"# {bi('链接健康状况', 'Link health')}", ""]
    checked = [s.last_checked for s in ctx.links.values() if s.last_checked]
    if checked:
        lines += [bi(f"最近一次检查：{max(checked).date().isoformat()}", f"Last check: {max(checked).date().isoformat()}"), ""]
    else:
        lines += [bi("尚无检查记录：链接检查在 GitHub Actions 中每周运行。",
                        "No check recorded yet: the link check runs weekly in GitHub Actions."), ""]
    lines += ["| " + " | ".join([bi("栏目", "Collection"), *(bi(zh, en) for _, zh, en in kinds)]) + " |",
              "| --- |" + " ---: |" * len(kinds)]
    broken: list[tuple[Entry, SiteStatus]] = []
    for c in guide.collections:
        counts = dict.fromkeys((k for k, _, _ in kinds), 0)
        for e in c.entries:
            if e.url is None:  # a how-to without an address of its own: no link to count
                continue
            status = status_for(ctx.links, e.url)
            if status is None:
                kind = "unchecked"
            elif status.broken:
                kind = "broken"
                broken.append((e, status))
            else:
                kind = "ok" if status.verdict in WORKING else status.verdict or "unchecked"
            counts[kind if kind in counts else "unchecked"] += 1
        lines.append(f"| [{text(c.title)}]({page_of(c)}) | " + " | ".join(str(counts[k]) for k, _, _ in kinds) + " |")
    lines += ["", f"## {bi('失效链接', 'Broken links')} {{ #broken }}", ""]
    if not broken:
        lines.append(bi("目前没有已知的失效链接。", "No link is known to be broken."))
    for e, status in broken:
        since = status.unreachable_since
        lines.append(f"- {_entry_link(e, LINK_HEALTH)} — {bi(f'{since} 起', f'since {since}')}")
    return "\n".join(lines) + "\n"
