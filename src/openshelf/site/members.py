"""A guide with sources: the members that list each entry, where an entry comes from, the health a
source reported for its links, and the Members / Sources page.  Pure."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from openshelf.guide.load import Guide
from openshelf.guide.models import Entry, Text
from openshelf.guide.provenance import Origin, SourceHealth, SourceInfo
from openshelf.links.store import LinkState, SiteStatus, status_for
from openshelf.links.verdict import Verdict
from openshelf.site import blocks, markup
from openshelf.site.bilingual import aside, bi, colon, day, inline_html, labelled, listed, text

#: The Members / Sources page.
MEMBERS = "members.md"
#: The name of this guide's own files when it has sources (the export's default guide id is "guide").
LOCAL_GUIDE = "guide"
LOCAL_TITLE = Text(zh="本馆", en="This library")


@dataclass(frozen=True)
class Member:
    """One guide that lists entries: a subscribed source, or this guide's own files (``info`` None)."""

    key: str  # the filter value and the anchor on the Members page: the source's id
    title: Text
    info: SourceInfo | None = None

    @property
    def label(self) -> str:
        """The title for Markdown (headings, links)."""
        return text(self.title)

    @property
    def html_label(self) -> str:
        """The title for inline HTML that Markdown leaves alone (the filter's labels)."""
        return inline_html(self.title)

    @property
    def anchor(self) -> str:
        return "source-" + re.sub(r"[^a-z0-9_-]+", "-", self.key.lower())


def member_index(guide: Guide) -> dict[str, Member]:
    """Every source by its id and by its guide's id, and this guide's own files; in ``_sources.yml`` order."""
    local = guide.site.id or LOCAL_GUIDE
    index: dict[str, Member] = {}
    for info in guide.sources:
        member = Member(info.id, info.title, info)
        index.setdefault(info.id, member)
        index.setdefault(info.guide, member)
    index.setdefault(local, Member(local, LOCAL_TITLE))
    return index


def member_order(guide: Guide) -> list[Member]:
    """Each member once, in the order readers see them (the collection pages' filter, the search's member select): the
    sources in ``_sources.yml`` order, this library last."""
    return list({member.key: member for member in member_index(guide).values()}.values())


def entry_members(guide: Guide, entry: Entry, index: Mapping[str, Member]) -> list[Member]:
    """The members that list ``entry``, the one it is taken from first (an entry without origin is local)."""
    origin = guide.origins.get(entry.id)
    local = index[guide.site.id or LOCAL_GUIDE]
    names = [origin.source or origin.guide, *origin.listed_by] if origin else []
    if origin and origin.source:  # a source the guide no longer describes is still named
        found = [index.get(names[0]) or Member(names[0], Text(en=names[0])), *(index[n] for n in names[1:] if n in index)]
    else:
        found = [local, *(index[n] for n in names if n in index)]
    return list({m.key: m for m in found}.values())


def members_title(guide: Guide) -> str:
    return bi("成员", "Members") if guide.site.consortium else bi("来源", "Sources")


def member_word(guide: Guide) -> str:
    return bi("成员", "Member") if guide.site.consortium else bi("来源", "Source")


def checked_by(origin: Origin | None) -> str | None:
    """The id of the source whose link check a subscribed entry shows: the one that reported last (the merge keeps
    the latest of its sources' reports), else the one the entry was taken from."""
    if origin is None:
        return None
    return (origin.health.by if origin.health is not None else None) or origin.source


def checker(members: Mapping[str, Member], origin: Origin | None) -> Text | None:
    """The title of the source whose link check a subscribed entry shows (:func:`checked_by`), for :func:`source_name`;
    None for a local entry or a source the guide does not describe."""
    member = members.get(checked_by(origin) or "") if origin is not None and origin.source else None
    return member.title if member is not None else None


def source_name(source: Text | None, origin: Origin | None) -> tuple[str, str]:
    """Who checked a link, as plain (unescaped) text: the source's title for the Chinese and for the English
    sentence (each falls back on the other), else its id (:func:`checked_by`).  The caller escapes it for where it goes."""
    if source is not None:
        return source.zh or source.en or "", source.en or source.zh or ""
    name = (checked_by(origin) or origin.guide) if origin else ""
    return name, name


def date_of(when: dt.datetime | None) -> str | None:
    return when.astimezone(dt.UTC).date().isoformat() if when else None


def source_status(health: SourceHealth | None) -> SiteStatus | None:
    """A source's link-health summary as the site shows a URL's status; None when it says nothing dated."""
    checked = date_of(health.checked) if health else None
    if health is None or checked is None:
        return None
    try:
        verdict: Verdict | None = Verdict(health.verdict)
    except ValueError:  # a newer or foreign verdict: shown as "checked", nothing more
        verdict = None
    broken = verdict == Verdict.BROKEN
    return SiteStatus(last_checked=checked, broken=broken, unreachable_since=checked if broken else None,
                      verdict=verdict, redirect_to=None)


def link_status(url: str, links: Mapping[str, LinkState], origin: Origin | None) -> SiteStatus | None:
    """What the site says about ``url``: the local link state's record, else the entry's source's report."""
    status = status_for(links, url)
    if status is None and origin is not None and origin.source is not None:
        status = source_status(origin.health)
    return status


def provenance(guide: Guide, entry: Entry, index: Mapping[str, Member], current: str, use_directory_urls: bool = True) -> str:
    """The line "From <source> (updated DATE) · Also listed by …" (HTML), linking to the Members / Sources page."""
    origin = guide.origins.get(entry.id)
    listing = entry_members(guide, entry, index)
    first, others = listing[0], listing[1:]

    def named(member: Member) -> str:  # a source the guide does not describe: named, with no page to link to
        if member.info is None:
            return member.html_label
        return f'<a href="{markup.attr(blocks.href(MEMBERS, member.anchor, current, use_directory_urls))}">{member.html_label}</a>'

    if origin is None or origin.source is None:
        line = bi("来自本馆", "From this library")
    else:
        line = f"{bi('来自', 'From')}{colon()}{named(first)}"
        updated = date_of(first.info.updated) if first.info is not None else None
        if updated:
            line += aside(bi(f"更新于 {day(updated)}", f"updated {day(updated)}"))
    said = {origin.guide} if origin is not None and first.info is None else set()  # an unknown source's guide: named already
    strangers = [n for n in (origin.listed_by if origin else ()) if n not in index and n not in said]
    also = [named(m) for m in others] + [markup.html_text(n) for n in dict.fromkeys(strangers)]
    if also:
        line += " · " + bi("也收录于", "Also listed by") + colon() + listed(also)
    return f'<p class="os-origin">{line}</p>'


def members_page(guide: Guide, index: Mapping[str, Member]) -> str:
    """Each source (each member of a consortium): its title, publisher, site, what it contributes (as the merge
    counted it), how fresh it is."""
    lines = [f"# {members_title(guide)}", ""]
    lines += [bi("本站的条目汇集自以下成员馆的指南；共享条目只列一次，并注明所有收录它的成员。",
                 "This site brings together the guides of these members; a shared entry is listed once, naming every member that lists it.")
              if guide.site.consortium else
              bi("本站订阅了以下指南的条目，并加上本馆自己的条目和提示。",
                 "This site takes entries from these guides, with this library's own entries and notes added."), ""]
    for info in guide.sources:
        member = index[info.id]
        lines += [f"## {member.label} {{ #{member.anchor} }}", ""]
        facts = []
        if info.publisher is not None:
            facts.append((bi("发布者", "Publisher"), text(info.publisher)))
        if info.site_url:
            site = markup.attr(info.site_url)
            link = f'<a href="{site}" rel="noopener">{site}</a>' if markup.safe_url(info.site_url) else markup.text(info.site_url)
            facts.append((bi("网站", "Site"), link))
        facts.append((bi("收录条目", "Entries contributed"),
                      bi(f"共 {info.entries} 条：{info.shared} 条与其他指南共享，{info.only_here} 条仅见于此",
                         f"{info.entries} in all: {info.shared} shared with other guides, {info.only_here} only here")))
        if info.updated:
            facts.append((bi("指南更新", "Guide updated"), day(date_of(info.updated) or "")))
        if info.fetched:
            facts.append((bi("本站获取", "Fetched"), day(date_of(info.fetched) or "")))
        lines += [f"- {labelled(name, value)}" for name, value in facts]
        lines.append("")
    return "\n".join(lines)
