"""Search with Pagefind: one record per entry, so a result leads to the entry, not just its page.

Material's own search loads the whole index into the reader's browser before the first query
(10–23 MB at 10,000 entries).  Pagefind splits its index into small compressed fragments and the
browser fetches only those a query needs.  After a build this module writes ``pagefind/`` into
the site:

* every entry of the guide becomes one record — its titles, aliases, descriptions, provider,
  category, tags and access in both languages — whose URL is the entry's anchor on its page
  (``databases/#cnki``);
* every other page that Material would index (not the collection pages, whose entries are
  records already, and not pages with ``search: exclude``) is indexed from its built HTML.

Everything is indexed as Chinese (``zh``): Pagefind's extended binary (PyPI ``pagefind[extended]``)
then segments Chinese text, and English words still split on spaces.  ``assets/search.js``
wires Material's search box to the index.  The MkDocs plugin calls :func:`index_site` after
each build; ``openshelf build --engine mkdocs`` does too.  Zensical keeps its own search.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openshelf.guide.load import Guide
from openshelf.guide.models import ACCESS_LABELS, STATUS_LABELS, Entry, Text
from openshelf.site.render import page_of

PACKAGE = Path(__file__).parent
#: Material's ``partials/search.html`` with OpenShelf's form: used only when Pagefind searches.
OVERRIDES = PACKAGE / "search_overrides"

LANGUAGE = "zh"
BUNDLE = "pagefind"
SCRIPT = "assets/openshelf/search.js"
#: The scratch folder's sub-folder of entry stubs (their URLs are never shown: results use ``meta.href``).
STUBS = "_entries"
#: Material's article holds a page's content; header, navigation and footer stay out.
ROOT_SELECTOR = "article.md-content__inner"
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
EXCLUDE_SELECTORS = [".headerlink", ".md-source-file", ".os-badges"]


class SearchIndexError(Exception):
    """Pagefind is missing or failed; the message says why."""


@dataclass(frozen=True)
class Record:
    url: str
    content: str
    meta: dict[str, str] = field(default_factory=dict)


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"[*_`]+")


def plain(text: str | None) -> str:
    """Curated Markdown (links, emphasis) as plain text."""
    return _MARKS.sub("", _LINK.sub(r"\1", text or "")).strip()


def _both(text: Text | None) -> list[str]:
    return [plain(t) for t in ((text.zh, text.en) if text else ()) if t]


def entry_record(guide: Guide, entry: Entry, page_title: str | None = None) -> Record:
    """The searchable text of one entry; pure.  ``page_title``: its collection's title (looked up if None)."""
    access = ACCESS_LABELS[entry.access]
    status = STATUS_LABELS[entry.status]
    category = guide.site.categories.get(entry.category)
    # The title is the stub page's <h1> (weighted above body text); the rest once each, in order.
    title = set(_both(entry.title))
    parts = [*entry.aliases, *_both(entry.description), *_both(entry.provider),
             *_both(category), *entry.tags, *access, *(status if entry.status != "active" else ())]
    parts = [p for p in dict.fromkeys(parts) if p and p not in title]
    if page_title is None:
        page_title = next((c.title.both() for c in guide.collections if c.id == entry.collection), "")
    meta = {"title": entry.title.both(), "page": page_title}
    if entry.aliases:
        meta["aliases"] = ", ".join(entry.aliases)
    return Record(url=f"{page_of(entry.collection)}#{entry.id}", content="\n".join(parts), meta=meta)


def entry_records(guide: Guide) -> list[Record]:
    """One record per entry; its ``url`` is the page's source path and the anchor (``databases.md#cnki``)."""
    return [entry_record(guide, e, c.title.both()) for c in guide.collections for e in c.entries]


def entry_pages(records: Iterable[Record]) -> set[str]:
    """The source paths of the pages that hold entries (indexed as records, not as pages)."""
    return {r.url.partition("#")[0] for r in records}


def excluded(meta: Mapping[str, Any] | None) -> bool:
    """Whether a page's front matter says ``search: {exclude: true}`` (as Material reads it)."""
    search = (meta or {}).get("search")
    return isinstance(search, Mapping) and bool(search.get("exclude"))


def mute_material_search(config: Any) -> bool:
    """Keep Material's search plugin for its header and search box, but stop it indexing.

    Material shows the search box only while its ``search`` plugin is enabled; OpenShelf's
    template swaps the box's form so Material's script never fetches its index, and this drops
    the plugin's indexing events (jieba segmentation and a whole-site JSON index) from the build.
    """
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    if plugin is None:
        return False
    for event in ("page_context", "post_build"):
        handlers = config.plugins.events.get(event, [])
        handlers[:] = [h for h in handlers if getattr(h, "__self__", None) is not plugin]
    return True


def plan_from_docs(docs_dir: Path, records: Iterable[Record], use_directory_urls: bool = True) -> tuple[list[str], dict[str, str]]:
    """For a build without the plugin: the built HTML pages to index and every page's URL."""
    from mkdocs.structure.files import File
    from mkdocs.utils.meta import get_data

    skip = entry_pages(records)
    html: list[str] = []
    urls: dict[str, str] = {}
    for path in sorted(docs_dir.rglob("*.md")):
        f = File(path.relative_to(docs_dir).as_posix(), str(docs_dir), "site", use_directory_urls)
        urls[f.src_uri] = f.url
        if f.src_uri not in skip and not excluded(get_data(path.read_text(encoding="utf-8"))[1]):
            html.append(f.dest_uri)
    return html, urls


def _stub(record: Record, href: str) -> str:
    """A small HTML page holding one record; Pagefind indexes it, the result links to ``meta.href``."""
    meta = "".join(f'<span data-pagefind-meta="{key}">{html.escape(value)}</span>' for key, value in
                   {"href": href, **record.meta}.items() if key != "title" and value)
    return (f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"><title>{html.escape(record.meta.get("title", ""))}</title></head>'
            f'<body><article class="md-content__inner"><h1>{html.escape(record.meta.get("title", ""))}</h1>'
            f'<p>{html.escape(record.content)}</p><div data-pagefind-ignore>{meta}</div></article></body></html>')


def index_site(site_dir: Path, records: Iterable[Record], html_pages: Iterable[str], page_urls: Mapping[str, str]) -> dict[str, int]:
    """Write Pagefind's bundle into ``site_dir/pagefind`` (replacing an older one).

    ``html_pages`` are paths of built HTML files relative to ``site_dir`` to index as pages;
    ``page_urls`` maps a page's source path (``databases.md``) to its URL relative to the site root.
    Entries are written as small stub pages into a scratch folder beside the copied pages and
    indexed in one run of Pagefind's command-line binary (its Python service answers one
    message per 100 ms, far too slow for 10,000 records).  Returns the counts indexed.
    """
    try:
        from pagefind.service import get_executable
    except ImportError:  # pragma: no cover - a declared dependency
        raise SearchIndexError("Pagefind is not installed: pip install 'pagefind[extended]'") from None
    exe = get_executable()
    if exe is None or not Path(exe).is_file():
        raise SearchIndexError("the Pagefind binary is missing: pip install 'pagefind[extended]'")
    records = list(records)
    pages = [path for path in html_pages if (site_dir / path).is_file()]
    out = (site_dir / BUNDLE).resolve()
    with tempfile.TemporaryDirectory(prefix="openshelf-search-") as tmp:
        scratch = Path(tmp)
        for path in pages:
            (scratch / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site_dir / path, scratch / path)
        stubs = scratch / STUBS
        stubs.mkdir(parents=True, exist_ok=True)
        for n, record in enumerate(records):
            page, _, anchor = record.url.partition("#")
            href = page_urls.get(page, page) + (f"#{anchor}" if anchor else "")
            (stubs / f"{n}.html").write_text(_stub(record, href), encoding="utf-8")
        shutil.rmtree(out, ignore_errors=True)
        command = [str(exe), "--site", str(scratch), "--output-path", str(out), "--root-selector", ROOT_SELECTOR,
                   "--exclude-selectors", ",".join(EXCLUDE_SELECTORS), "--force-language", LANGUAGE, "--silent"]
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise SearchIndexError(f"cannot run Pagefind ({exe}): {exc}") from None
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind failed (exit {result.returncode}): {(result.stderr or result.stdout).strip()[-2000:]}")
    if not (out / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind wrote no {BUNDLE}/pagefind.js into {site_dir}")
    for name in UNUSED:  # Pagefind's own UIs: the site uses Material's
        (out / name).unlink(missing_ok=True)
    return {"records": len(records), "pages": len(pages)}
