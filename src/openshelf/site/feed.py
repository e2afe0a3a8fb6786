"""An Atom feed of entries added or changed, newest first (dates from git history).

Built as an ElementTree (the standard library's XML writer escapes every value); characters that
XML 1.0 cannot hold at all (most control characters) are dropped from curated text first.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping

from openshelf.guide.load import Guide
from openshelf.guide.models import Entry

MAX_ITEMS = 50
ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def atom(guide: Guide, updated: Mapping[str, dt.datetime], base: str, page_url: Callable[[Entry], str]) -> str:
    """The feed's XML; ``base`` is the site's address, ending in ``/``.  Entries without a known
    change date are left out."""
    dated = sorted(((updated[e.id], e) for e in guide.entries if e.id in updated), key=lambda p: (p[0], p[1].id), reverse=True)
    dated = dated[:MAX_ITEMS]
    newest = dated[0][0] if dated else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    feed = ET.Element("feed", xmlns=ATOM)
    _text(feed, "title", guide.site.title.both())
    _text(feed, "id", base)
    ET.SubElement(feed, "link", rel="alternate", href=base)
    ET.SubElement(feed, "link", rel="self", href=f"{base}feed.xml")
    _text(feed, "updated", _iso(newest))
    _text(ET.SubElement(feed, "author"), "name", "OpenShelf curators")
    for when, entry in dated:
        item = ET.SubElement(feed, "entry")
        _text(item, "title", entry.title.both())
        _text(item, "id", f"{base}#{entry.id}")
        ET.SubElement(item, "link", rel="alternate", href=page_url(entry))
        if entry.url is not None:
            ET.SubElement(item, "link", rel="related", href=entry.url)
        _text(item, "updated", _iso(when))
        summary = " / ".join(t for t in (entry.description.zh, entry.description.en) if t)
        _text(item, "summary", summary, type="text")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _text(parent: ET.Element, tag: str, value: str, **attrs: str) -> None:
    ET.SubElement(parent, tag, attrs).text = _NOT_XML.sub("", value)


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
