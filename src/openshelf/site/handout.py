"""One printable handout per collection (``print/<collection>.md``): the collection's name, its QR
code and the short list of names with addresses, laid out for one or two A4 pages, to pin to a
closed library's door or send in a chat group.  Pure, like :mod:`render`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from openshelf.guide.load import Guide
from openshelf.guide.models import ACCESS_LABELS, Collection, Entry
from openshelf.site import blocks, markup
from openshelf.site.bilingual import LOCAL_ADDRESS, aside, bi, inline_html, plain, text
from openshelf.site.entries import ended_mark

PREFIX = "print/"


def page(collection: Collection | str) -> str:
    """The handout's page: ``print/<collection>.md``."""
    return f"{PREFIX}{collection if isinstance(collection, str) else collection.id}.md"


def short_address(url: str) -> str:
    """The address as a reader types it: no scheme, no ``www.``, no trailing slash (``pubmed.ncbi.nlm.nih.gov``)."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    rest = (parts.path + (f"?{parts.query}" if parts.query else "")).rstrip("/")
    return host + rest


def breakable(address: str) -> str:
    """``address`` as HTML that may break after a slash or before a ``?``, ``&`` or ``#`` (a ``<wbr>`` there),
    so a long address wraps between its parts on a narrow page, not inside a word (``…/coronavir|us``)."""
    parts = re.split(r"(?<=/)|(?=[?&#])", address)
    return "<wbr>".join(markup.html_text(part) for part in parts if part)


def render_handout(guide: Guide, collection: Collection, qr: str | None) -> tuple[str, dict[str, str]]:
    """The handout page's Markdown, and its list as a finished HTML block (:mod:`blocks`: Markdown never
    parses it); ``qr`` is the collection page's QR code image (relative to the handout), or None when
    the site has no address."""
    # the heading stands before the handout's <div>, where MkDocs takes the page's title from it (browser tab,
    # header) as it does for every page: inside, MkDocs would name the page after its file (print/health.md: "Health")
    lines = ["---", "search:", "  exclude: true", "hide:", "  - navigation", "  - toc", "---", "",
             f"# {text(collection.title)}", "", '<div class="os-handout" markdown>', ""]
    site = guide.site
    lines += [f'<p class="os-handout-site">{inline_html(site.title)}</p>', ""]
    if qr:
        alt = plain("本栏目二维码", "QR code for this collection's page")
        lines += [f'![{alt}]({qr}){{ .os-handout-qr width="110" height="110" }}', ""]
    items = ['<ol class="os-handout-list">']
    for entry in _ordered(guide, collection):
        name = inline_html(entry.title)
        if entry.url:
            address = f'<a href="{markup.attr(entry.url)}">{breakable(short_address(entry.url))}</a>'
        else:
            address = f'<span class="os-local-address">{bi(*LOCAL_ADDRESS)}</span>'
        ended = ' class="os-handout-ended"' if entry.status == "ended" else ""
        access = aside(bi(*ACCESS_LABELS[entry.access]))  # a sheet of "resources" must not pass a subscription off as free
        items.append(f"<li{ended}><strong>{name}</strong>{access}{ended_mark(entry)} {address}</li>")
    items.append("</ol>")
    key = f"handout:{collection.id}"
    lines += [blocks.marker(key), "", "</div>", ""]
    return "\n".join(lines), {key: "\n".join(items)}


def _ordered(guide: Guide, collection: Collection) -> list[Entry]:
    """Active entries first (in category order, as on the page), ended programs last."""
    order = {key: i for i, key in enumerate(guide.site.categories)}
    return sorted(collection.entries, key=lambda e: (e.status == "ended", order.get(e.category, len(order))))
