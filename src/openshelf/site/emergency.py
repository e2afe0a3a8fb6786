"""The emergency on the home page: its phase, the service-status table and what is new or changed
since it began; and the announcement bar's short link there.  Pure, like :mod:`render`.

Shown only while ``_site.yml`` declares an emergency whose phase is not ``normal``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from openshelf.guide.load import Guide
from openshelf.guide.models import PHASE_LABELS, SERVICE_STATE_LABELS, Emergency, Entry
from openshelf.site import markup
from openshelf.site.bilingual import aside, bi, day, text
from openshelf.site.entries import ended_mark

if TYPE_CHECKING:
    from openshelf.site.history import EntryHistory  # history runs git; this module only reads its results

#: The anchor of the section on the home page; the announcement bar links to it.
ANCHOR = "os-emergency"
#: At most this many entries in the "new and changed" list (the feed has them all).
MAX_CHANGES = 30
_STATE_ICONS = {"running": "●", "changed": "◐", "suspended": "○"}


def declared(guide: Guide) -> Emergency | None:
    """The emergency in force, or None (none declared, or its phase is normal)."""
    emergency = guide.site.emergency
    return emergency if emergency is not None and emergency.phase != "normal" else None


def bar(guide: Guide) -> str:
    """The announcement bar's text during an emergency (escaped): its name and phase; "" otherwise."""
    emergency = declared(guide)
    if emergency is None:
        return ""
    zh, en = PHASE_LABELS[emergency.phase]
    name = emergency.name
    return bi(f"{markup.attr(name.zh)}：{zh}" if name.zh else None, f"{markup.attr(name.en)}: {en}" if name.en else None)


def section(guide: Guide, history: Mapping[str, EntryHistory], link: Callable[[Entry], str]) -> list[str]:
    """The home page's emergency section (Markdown lines); [] outside an emergency."""
    emergency = declared(guide)
    if emergency is None:
        return []
    zh, en = PHASE_LABELS[emergency.phase]
    since = day(emergency.since.isoformat())
    lines = [f'<section id="{ANCHOR}" class="os-emergency os-phase-{emergency.phase}" markdown>', "",
             f"## {text(emergency.name)}", "",
             f'<p class="os-phase"><strong>{bi("当前阶段：", "Phase: ")}{bi(zh, en)}</strong> · '
             f'{bi("开始于", "since")} {since}</p>', ""]
    if emergency.notice is not None:
        lines += [text(emergency.notice), ""]
    lines += _services(guide, link)
    lines += _changes(guide, history, emergency.since, link)
    return [*lines, "</section>", ""]


def _services(guide: Guide, link: Callable[[Entry], str]) -> list[str]:
    services = [e for e in guide.entries if e.service_status is not None]
    if not services:
        return []
    lines = [f"### {bi('服务状态', 'Service status')}", "",
             f"| {bi('服务', 'Service')} | {bi('状态', 'Status')} | {bi('说明', 'Note')} | {bi('变更日期', 'Since')} |",
             "| --- | --- | --- | --- |"]
    order = {"suspended": 0, "changed": 1, "running": 2}
    for entry in sorted(services, key=lambda e: (order[e.service_status.state], e.id) if e.service_status else (3, e.id)):
        status = entry.service_status
        assert status is not None
        zh, en = SERVICE_STATE_LABELS[status.state]
        state = f'<span class="os-service os-service-{status.state}">{_STATE_ICONS[status.state]} {bi(zh, en)}</span>'
        note = text(status.note).replace("|", "&#124;") if status.note else ""
        when = day(status.since.isoformat()) if status.since else ""
        lines.append(f"| {link(entry)} | {state} | {note} | {when} |")
    return [*lines, ""]


def _changes(guide: Guide, history: Mapping[str, EntryHistory], since: dt.date, link: Callable[[Entry], str]) -> list[str]:
    """Entries added or changed since the emergency began, newest first, from the guide's history."""
    start = dt.datetime.combine(since, dt.time(), dt.UTC)
    changed = sorted(((h, e) for e in guide.entries if (h := history.get(e.id)) is not None and h.changed >= start),
                     key=lambda pair: (-pair[0].changed.timestamp(), pair[1].id))
    heading = f"### {bi('新增与更新', 'New and changed')}{aside(bi('自 ', 'since ') + day(since.isoformat()))}"
    if not history:  # outside a git checkout nothing is known: not "nothing changed"
        return [heading, "", bi("这里读不到指南的修改记录（来自 git），无法列出新增与更新的条目。",
                                "The guide's history (read from git) is not available here, so what was added or changed cannot be listed."), ""]
    if not changed:
        return [heading, "", bi("此后指南没有新增或更新条目。", "Nothing in the guide has been added or changed since then."), ""]
    lines = [heading, ""]
    for h, entry in changed[:MAX_CHANGES]:
        new = h.added is not None and h.added >= start
        kind = bi("新增", "New") if new else bi("更新", "Changed")
        lines.append(f'- <span class="os-change os-change-{"new" if new else "changed"}">{kind}</span> {link(entry)}{ended_mark(entry)} '
                     f'{day(h.changed.date().isoformat())}')
    if len(changed) > MAX_CHANGES:
        lines.append(f"- {bi(f'另有 {len(changed) - MAX_CHANGES} 条，见更新订阅', f'{len(changed) - MAX_CHANGES} more in the update feed')}")
    return [*lines, ""]
