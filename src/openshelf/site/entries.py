"""One entry as finished HTML, which Markdown never parses (:mod:`openshelf.site.blocks`): its name
(the link), what it is in one line, its icons, and the details behind a native ``<details>``:
the link's state, who checked it, the evidence, provenance, the local note, the description and
the labelled facts.  Also the curated descriptions every page shows.  Pure."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from openshelf.guide.load import Guide
from openshelf.guide.models import ACCESS_LABELS, STATUS_LABELS, Entry, Text
from openshelf.guide.provenance import Origin
from openshelf.links.store import status_for, wayback_url
from openshelf.links.verdict import WORKING, Verdict
from openshelf.site import blocks, markup
from openshelf.site.bilingual import (
    LOCAL_ADDRESS,
    aside,
    bi,
    day,
    edition,
    first_shown,
    inline_html,
    labelled,
    language_name,
    listed,
    marked,
    permalink_title,
    plain,
)
from openshelf.site.context import TAGS, Context, page_of
from openshelf.site.members import checker, entry_members, link_status, provenance, source_name

#: The title of the link beside each heading, as Python-Markdown's toc writes it.


def tag_html(guide: Guide, tag: str) -> str:
    """A tag as readers see it, escaped for finished HTML: its label from ``_site.yml``, else its slug."""
    label = guide.site.tags.get(tag)
    return inline_html(label) if label else markup.html_text(tag)


def description_html(value: Text | None, in_markdown: bool = True) -> list[str]:
    """A curated description as HTML, a block per language; ``in_markdown``: inside the page's Markdown,
    where ``markdown="0"`` makes Python-Markdown (md_in_html) pass it through; else in finished HTML."""
    if value is None:
        return []
    language = edition()
    verbatim = ' markdown="0"' if in_markdown else ""
    gap = [""] if in_markdown else []  # Markdown ends a raw HTML block at a blank line
    if language is not None:
        own, other, code = (value.zh, value.en, "en") if language == "zh" else (value.en, value.zh, "zh")
        if own:
            return [f'<div lang="{language}"{verbatim}>', markup.markdown(own), "</div>", *gap]
        return [marked(code, markup.markdown(other or ""), block=True, in_markdown=in_markdown), *gap]
    both = bool(value.zh and value.en)
    out = []
    for lang, body in (("zh", value.zh), ("en", value.en)):
        if body:
            cls = f' class="os-{lang}"' if both else ""
            out += [f'<div lang="{lang}"{cls}{verbatim}>', markup.markdown(body), "</div>", *gap]
    return out


def _badge(kind: str, value: str, content: str, title: str = "") -> str:
    extra = f' title="{markup.attr(title)}"' if title else ""
    return f'<span class="os-badge os-{kind} os-{kind}-{value}"{extra}>{content}</span>'


def link_badge(entry: Entry, ctx: Context, origin: Origin | None = None, source: Text | None = None) -> tuple[str, list[str]]:
    """The link-status badge, and a note for readers when the link is known to be broken.

    The local link state wins; only when it has no record of the URL does the health that the
    entry's source reported (``origin.health``, checked by ``source``) show, saying whose check it was.
    """
    if entry.url is None:
        return _badge("link", "local", bi("地址因馆而异", "Address differs by library")), []
    if entry.link_check == "skip":
        return _badge("link", "unchecked", bi("链接不自动检查", "Link not checked automatically")), []
    status, by = link_status(entry.url, ctx.links, origin), None
    if status is not None and status_for(ctx.links, entry.url) is None:
        by = tuple(markup.html_text(name) for name in source_name(source, origin))  # badges are HTML Markdown leaves alone
    if status is None:
        if entry.link_check == "login-required":
            return _badge("link", "login", bi("需登录访问，未自动检查", "Behind a login; not checked automatically")), []
        return "", []  # not yet checked: no news, nothing shown
    checked = day(status.last_checked)
    # "checked DATE" by this site's own checker, or "checked by SOURCE on DATE"
    zh_when, en_when = (f"{checked} 检查", f"checked {checked}") if by is None else (f"{by[0]} 于 {checked} 检查", f"checked by {by[1]} on {checked}")
    if status.broken:
        since = day(status.unreachable_since or "")
        archive = markup.attr(entry.archive_url or wayback_url(entry.url))
        said = bi(f"该链接自 {since} 起无法访问", f"Unreachable since {since}") if by is None else \
            bi(f"该链接无法访问（{zh_when}）", f"Unreachable ({en_when})")
        note = [f'<p class="os-broken" role="alert">{said}: '
                f'<a href="{archive}" rel="noopener">{bi("查看存档副本", "see an archived copy")}</a></p>', ""]
        badge = bi(f"链接失效（{since} 起）", f"Link broken since {since}") if by is None else \
            bi(f"链接失效（{zh_when}）", f"Link broken ({en_when})")
        return _badge("link", "broken", badge), note
    if status.verdict == Verdict.BLOCKED:
        return _badge("link", "blocked", bi(f"{zh_when}：网站拦截自动检查", f"{_upper_first(en_when)}: site blocks automated checks")), []
    if status.verdict == Verdict.TRANSIENT:
        return _badge("link", "transient", bi(f"{zh_when}：暂时无法访问", f"{_upper_first(en_when)}: temporarily unreachable")), []
    if status.verdict in WORKING:
        return _badge("link", "ok", bi(f"链接正常（{zh_when}）", f"Link OK ({en_when})")), []
    return _badge("link", "unknown", bi(f"{checked} 已检查", f"Checked {checked}") if by is None else
                  bi(zh_when, _upper_first(en_when))), []


#: A link whose last check is older than this is "checked long ago": news for readers (the check runs weekly).
CHECKED_LONG_AGO = dt.timedelta(days=30)


def link_news(entry: Entry, ctx: Context, origin: Origin | None = None) -> str:
    """The link state for an entry's row, only when it is news: moved (a permanent redirect), checked long ago.
    A broken link is news too: :func:`link_badge` says it, with a note.  "" otherwise."""
    if entry.url is None or entry.link_check == "skip":
        return ""
    status = link_status(entry.url, ctx.links, origin)
    if status is None or status.broken:
        return ""
    if status.redirect_to:
        return _badge("link", "moved", bi("链接已迁移", "Link moved"))  # where to: for curators (a login page, maybe)
    if dt.date.fromisoformat(status.last_checked) < ctx.today - CHECKED_LONG_AGO:
        return _badge("link", "old", bi(f"{day(status.last_checked)} 最后检查", f"Last checked {day(status.last_checked)}"))
    return ""


@lru_cache(maxsize=markup.CACHED)
def _first_sentence(value: str) -> str:
    """The first sentence of a description as plain text, for the entry's one-line summary."""
    words = " ".join(markup.plain_text(value).split())
    match = re.match(r".+?(?:[。！？]|[.!?](?=\s|$))", words)
    return match.group(0) if match else words


def summary_line(value: Text) -> Text | None:
    """What an entry is, in one line per language: the first sentence of its description.  A language whose text
    shows no words (``[](https://…)``: a link with no text) has no line; None when neither has one."""
    zh, en = (_first_sentence(v) if v else "" for v in (value.zh, value.en))
    return Text(zh=zh or None, en=en or None) if zh or en else None


def _chips(entry: Entry, status_text: str, news: str) -> list[str]:
    """The row's icons with text: best bet, how-to, access, status; the link state when it is news."""
    chips = [
        *([_badge("best", "yes", bi("首选", "Best bet"))] if entry.best_bet else []),
        *([_badge("kind", "how-to", bi("使用指南", "How-to"))] if entry.kind == "how-to" else []),
        _badge("access", entry.access, bi(*ACCESS_LABELS[entry.access])),
        _badge("status", entry.status, status_text),
    ]
    return [*chips, news] if news else chips


def verified_badge(entry: Entry) -> list[str]:
    """"Verified on DATE" with a link to each piece of evidence ("against a stored copy" for a copy), "checked
    against a report", unlinked, for someone else's account; nothing when no person has checked the entry (the
    About page says what each means)."""
    if entry.last_verified is None:
        return []
    when = day(entry.last_verified.isoformat())
    by = plain(f"核实人：{entry.verified_by}", f"Checked by {entry.verified_by}") if entry.verified_by else ""
    if entry.evidence_kind == "report":  # someone else's account of the offer: said, and not linked (it may be any site)
        label = bi(f"{when} 据转载或报道核对（非提供方原页面）", f"Checked on {when} against a report (not the provider's own page)")
        return [_badge("verified", "report", label, by)]
    label = bi(f"核实于 {when}", f"Verified on {when}")
    if entry.evidence_kind == "copy":
        label = bi(f"核实于 {when}（据存档副本）", f"Verified on {when} against a stored copy")
    numbers = [str(i) if len(entry.evidence) > 1 else "" for i in range(1, len(entry.evidence) + 1)]
    links = [f'<a href="{markup.attr(url)}" rel="noopener">{bi("依据" + n, f"evidence {n}".strip())}</a>'
             for url, n in zip(entry.evidence, numbers, strict=True)]
    return [_badge("verified", "yes", label + (aside(listed(links)) if links else ""), by)]


def entry_html(guide: Guide, entry: Entry, ctx: Context, anchor: str = "") -> list[str]:
    """One entry as finished HTML: its name (the link), what it is in one line, its icons; the details
    behind a native <details>.  Markdown never parses it (:mod:`openshelf.site.blocks`)."""
    current = page_of(entry.collection)
    members = ctx.members
    origin = guide.origins.get(entry.id)
    data = {
        **({"member": " ".join(m.key for m in entry_members(guide, entry, members))} if guide.sources else {}),
        "category": entry.category, "access": entry.access, "status": entry.status,
        "language": " ".join(entry.languages), "tag": " ".join(entry.tags),
    }
    attrs = " ".join(f'data-{k}="{markup.attr(v)}"' for k, v in data.items())
    target = f' id="{anchor}"' if anchor else ""  # the letter bar's target
    best = " os-best" if entry.best_bet else ""
    title = f'<a href="{markup.attr(entry.url)}">{inline_html(entry.title)}</a>' if entry.url else inline_html(entry.title)
    permalink = f'<a class="headerlink" href="#{entry.id}" title="{permalink_title()}">&para;</a>'  # as toc writes it for a heading
    lines = [f'<article class="os-entry{best}"{target} {attrs}>', f'<h3 id="{entry.id}">{title}{permalink}</h3>']
    link, note = link_badge(entry, ctx, origin, checker(members, origin))
    period_zh, period = _period(entry)
    status_text = bi(*STATUS_LABELS[entry.status])
    if entry.status == "ended" and period:
        status_text = bi(f"已结束（{period_zh}）", f"Ended ({period})")
    chips = _chips(entry, status_text, link if note else link_news(entry, ctx, origin))  # a broken link's badge: in the row
    lines += ['<details class="os-details">', f'<summary><span class="os-line">{inline_html(summary_line(entry.description))}</span> '
              f'<span class="os-chips">{" ".join(chips)}</span></summary>']
    badges = [*([link] if link and not note else []), *verified_badge(entry)]
    if badges:
        lines.append('<p class="os-badges">' + " ".join(badges) + "</p>")
    if entry.status == "ended":  # an admonition, as Python-Markdown's extension writes it
        lines += [f'<div class="admonition warning">\n<p class="admonition-title">{bi("已结束", "Ended")}</p>',
                  "<p>" + bi(f"该项目已结束（{period_zh}），保留于此以供查考。",
                             f"This program has ended ({period}); it stays listed for the record.") + "</p>\n</div>"]
    elif period:
        lines.append(f"<p><em>{bi(f'开放时间：{period_zh}', f'Available: {period}')}</em></p>")
    if entry.url is None:
        lines.append(f'<p class="os-url os-url-local">{bi(*LOCAL_ADDRESS)}</p>')
    else:
        url = markup.attr(entry.url)
        lines.append(f'<p class="os-url"><a href="{url}" rel="noopener">{url}</a></p>')
    if guide.sources:
        lines.append(provenance(guide, entry, members, current, ctx.use_directory_urls))
    lines += _local_note(guide.notes.get(entry.id))
    lines += description_html(entry.description, in_markdown=False)
    facts = _facts(guide, entry, current, ctx.use_directory_urls)
    if facts:
        lines += ["<ul>", *(f"<li>{labelled(name, value)}</li>" for name, value in facts), "</ul>"]
    return [*lines, "</details>", *(line for line in note if line), "</article>"]


def _facts(guide: Guide, entry: Entry, current: str, use_directory_urls: bool = True) -> list[tuple[str, str]]:
    """The labelled lines of an entry's details (HTML): aliases, provider, languages, tags, related, used with."""
    facts: list[tuple[str, str]] = []

    def link(target: str, anchor: str, label: str) -> str:
        return f'<a href="{markup.attr(blocks.href(target, anchor, current, use_directory_urls))}">{label}</a>'

    if entry.aliases:
        shown = {entry.title.zh, entry.title.en} if edition() is None else {first_shown(entry.title)}
        aliases = [a for a in entry.aliases if a not in shown]  # not the name the heading shows
        if aliases:
            facts.append((bi("又名", "Also known as"), listed(markup.html_text(a) for a in aliases)))
    if entry.provider:
        facts.append((bi("提供方", "Provider"), inline_html(entry.provider)))
    if entry.languages:
        facts.append((bi("语言", "Languages"), listed(markup.html_text(language_name(code)) for code in entry.languages)))
    if entry.tags:
        facts.append((bi("标签", "Tags"), listed(link(TAGS, f"tag-{t}", tag_html(guide, t)) for t in entry.tags)))
    for label, others in ((bi("相关途径", "Related"), [guide.by_id[i] for i in entry.related]),
                          (bi("可用于", "Used with"), guide.referenced_by.get(entry.id, []))):
        if others:
            facts.append((label, listed(link(page_of(r.collection), r.id, inline_html(r.title)) + ended_mark(r) for r in others)))
    return facts


def _period(entry: Entry) -> tuple[str, str]:
    """When a temporary program runs, in Chinese and in English: "S – E", "至 E · until E", "自 S 起 · from S"; empty without dates."""
    start = day(entry.available_from.isoformat()) if entry.available_from else ""
    end = day(entry.available_until.isoformat()) if entry.available_until else ""
    if start and end:
        return f"{start} – {end}", f"{start} – {end}"
    if end:
        return f"至 {end}", f"until {end}"
    return (f"自 {start} 起", f"from {start}") if start else ("", "")


def entry_link_html(entry: Entry, current: str, ctx: Context) -> str:
    """:func:`_entry_link` as finished HTML (:mod:`openshelf.site.blocks`)."""
    return f'<a href="{blocks.href(page_of(entry.collection), entry.id, current, ctx.use_directory_urls)}">{inline_html(entry.title)}</a>'


def ended_mark(entry: Entry) -> str:
    """" — *ended*" after an ended program's name wherever it is listed (A–Z, tags, handouts, the emergency's "new and
    changed", related entries), so a list never presents it as available; empty for any other entry."""
    zh, en = STATUS_LABELS["ended"]
    return f' — <em class="os-ended-mark">{bi(zh, en.lower())}</em>' if entry.status == "ended" else ""


def _upper_first(value: str) -> str:
    return value[:1].upper() + value[1:]


def _local_note(note: Text | None) -> list[str]:
    """This library's own note on an entry (sign in through …), in a highlighted block (finished HTML)."""
    if note is None:
        return []
    return ['<div class="os-local-note" role="note">', f"<p><strong>{bi('本馆提示', 'At this library')}</strong></p>",
            *description_html(note, in_markdown=False), "</div>"]
