"""An Atom feed of entries added or changed, newest first (dates from git history)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from xml.sax.saxutils import escape

from openshelf.guide.load import Guide
from openshelf.guide.models import Entry

MAX_ITEMS = 50


def atom(guide: Guide, updated: Mapping[str, dt.datetime], site_url: str | None,
         page_url: Callable[[Entry], str]) -> str:
    """The feed's XML.  Entries without a known change date are left out."""
    dated = sorted(((updated[e.id], e) for e in guide.entries if e.id in updated), key=lambda p: (p[0], p[1].id), reverse=True)
    dated = dated[:MAX_ITEMS]
    newest = dated[0][0] if dated else dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    base = (site_url or "/").rstrip("/") + "/"
    title = guide.site.title.both()
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"  <title>{escape(title)}</title>", f"  <id>{escape(base)}</id>",
           f'  <link rel="alternate" href="{escape(base)}"/>', f'  <link rel="self" href="{escape(base)}feed.xml"/>',
           f"  <updated>{_iso(newest)}</updated>", "  <author><name>OpenShelf curators</name></author>"]
    for when, entry in dated:
        summary = " / ".join(t for t in (entry.description.zh, entry.description.en) if t)
        out += ["  <entry>", f"    <title>{escape(entry.title.both())}</title>",
                f"    <id>{escape(base)}#{entry.id}</id>",
                f'    <link rel="alternate" href="{escape(page_url(entry))}"/>',
                f'    <link rel="related" href="{escape(entry.url)}"/>',
                f"    <updated>{_iso(when)}</updated>",
                f'    <summary type="text">{escape(summary)}</summary>', "  </entry>"]
    return "\n".join([*out, "</feed>"]) + "\n"


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
