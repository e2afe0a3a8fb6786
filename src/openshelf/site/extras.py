"""The site's files that are not pages: the Atom feed and the QR codes (the data downloads are made
once per build by :meth:`openshelf.site.pipeline.Loaded.write_downloads`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from openshelf.guide.load import Guide
from openshelf.guide.models import Entry
from openshelf.site import feed, qr
from openshelf.site.context import FEED, HOME, page_of
from openshelf.site.render import absolute_url, qr_file


def files(guide: Guide, updated: Mapping[str, dt.datetime], site_url: str | None) -> dict[str, str]:
    """Path in the site → content.  QR codes need the site's address, so only with ``site_url``."""
    def entry_url(entry: Entry) -> str:
        return absolute_url(site_url, page_of(entry.collection)) + f"#{entry.id}"

    out = {FEED: feed.atom(guide, updated, absolute_url(site_url, HOME), entry_url)}
    if site_url:
        for page in [HOME, *(page_of(c) for c in guide.collections)]:
            out[qr_file(page)] = qr.svg(absolute_url(site_url, page))
    return out
