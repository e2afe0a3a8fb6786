"""Check a built site's internal links and anchors; exit 1 when one is broken.

    python .github/scripts/crawl_site.py SITE_DIR

Used by ``make crawl-site`` (and so ``make links-site``).  Every HTML file under SITE_DIR is parsed
once (the standard library's html.parser): each ``href``/``src`` that stays on the site must name a
built file (a folder URL means its index.html), and each ``#anchor`` must be an ``id`` (or an
``<a name>``) in the page it points to.  Root-relative links (``/assets/…``) and absolute ones under
the site's own address (the canonical link of index.html: site_url) are resolved against SITE_DIR;
every other address (other hosts, mailto:, data:) is left alone, so nothing is fetched at all.

Time grows linearly with the size of the site: each page is read and parsed once, and anchors are
looked up in the parsed pages' id sets.  (linkchecker, used before, fetched and parsed a page again
for every #anchor URL pointing at it: quadratic, over 600 s for a 640-entry guide.)

Exit status: 0 all internal links and anchors resolve; 1 something is broken (each one listed on
stdout as ``page: broken link/anchor …``); 2 usage error (no SITE_DIR/index.html).
"""

from __future__ import annotations

import posixpath
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Attributes that name another file: href on links, src on images, scripts, frames, media.
LINK_ATTRIBUTES = frozenset({"href", "src"})


@dataclass
class Page:
    """What a crawl needs of one HTML page: the ids it defines, its links, its canonical address."""

    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    canonical: str | None = None


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.page.ids.add(values["id"] or "")
        if tag == "a" and values.get("name"):
            self.page.ids.add(values["name"] or "")
        if tag == "link" and (values.get("rel") or "").lower() == "canonical":
            self.page.canonical = values.get("href")
        self.page.links += [value for name, value in attrs if name in LINK_ATTRIBUTES and value]


def parse_page(html: str) -> Page:
    """The ids, links and canonical address of one page."""
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


@dataclass(frozen=True)
class Broken:
    """One internal link that does not resolve: the page it is on, the link as written, why."""

    page: str
    link: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.reason}: {self.link}"


@dataclass
class Report:
    pages: int = 0
    links: int = 0
    broken: list[Broken] = field(default_factory=list)


def site_prefix(index: Page) -> tuple[str, str]:
    """The site's own address (scheme://host) and path prefix, from index.html's canonical link
    (MkDocs writes site_url there); ``("", "/")`` when there is none."""
    if not index.canonical:
        return "", "/"
    parts = urlsplit(index.canonical)
    prefix = parts.path if parts.path.endswith("/") else posixpath.dirname(parts.path) + "/"
    return (f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""), prefix


def resolve(page_uri: str, link: str, origin: str, prefix: str) -> tuple[str, str] | None:
    """The site-relative file path and the fragment a link names, or None for a link that leaves the
    site (another host, mailto:, data:).  ``page_uri`` is the page's path inside the site ("c01/index.html");
    a path that climbs out of the site comes back starting with "../"."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        if not origin or f"{parts.scheme}://{parts.netloc}" != origin:
            return None
        path = parts.path or "/"
    else:
        path = parts.path
    if not path:  # "#anchor" or "?query": this page
        return page_uri, unquote(parts.fragment)
    if path.startswith("/"):
        if not (path + "/").startswith(prefix) and path != prefix.rstrip("/"):
            return "../" + path.lstrip("/"), unquote(parts.fragment)
        target = path[len(prefix):] if len(path) >= len(prefix) else ""
    else:
        target = posixpath.join(posixpath.dirname(page_uri), unquote(path))
    target = unquote(target)
    folder = target.endswith("/") or target == ""
    target = posixpath.normpath(target) if target else "."
    if folder:
        target = posixpath.join(target, "index.html") if target != "." else "index.html"
    return target, unquote(parts.fragment)


def crawl(site: Path) -> Report:
    """Parse every HTML page under ``site`` once, then check every internal link and anchor."""
    pages = {path.relative_to(site).as_posix(): parse_page(path.read_text(encoding="utf-8", errors="replace"))
             for path in sorted(site.rglob("*.html"))}
    origin, prefix = site_prefix(pages.get("index.html") or Page())
    report = Report(pages=len(pages))
    for uri, page in pages.items():
        for link in page.links:
            resolved = resolve(uri, link, origin, prefix)
            if resolved is None:
                continue
            report.links += 1
            target, fragment = resolved
            if target.startswith("../") or target == "..":
                report.broken.append(Broken(uri, link, "broken link (outside the site)"))
                continue
            if target not in pages and (site / target).is_dir() and (site / target / "index.html").is_file():
                target = posixpath.join(target, "index.html")
            if target not in pages and not (site / target).is_file():
                report.broken.append(Broken(uri, link, f"broken link (no file {target})"))
            elif fragment and target in pages and fragment not in pages[target].ids:
                report.broken.append(Broken(uri, link, f"broken anchor (no id '{fragment}' in {target})"))
    return report


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] in {"-h", "--help"}:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    site = Path(argv[0])
    if not (site / "index.html").is_file():
        print(f"crawl_site: {site}/index.html not found; build the site first (make site)", file=sys.stderr)
        return 2
    start = time.perf_counter()
    report = crawl(site)
    for broken in report.broken:
        print(broken)
    print(f"crawl_site: {report.pages} pages, {report.links} internal links checked, {len(report.broken)} broken "
          f"({time.perf_counter() - start:.1f} s)")
    return 1 if report.broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
