"""Load → render, with the I/O the renderer must not do itself (link state, git history).

Shared by the MkDocs plugin and ``openshelf build`` so both produce the same site.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openshelf.federation.assemble import load_federated
from openshelf.gcpolicy import fewer_collections
from openshelf.guide.diagnostics import Diagnostic
from openshelf.guide.load import Guide
from openshelf.links.store import LinkState, default_state_file, load_state
from openshelf.site import counts, downloads, extras, handout
from openshelf.site.bilingual import footer_report, rendering
from openshelf.site.context import A_TO_Z, HOME, LINK_HEALTH, REFERENCE, TAGS
from openshelf.site.editions import languages as editions_of
from openshelf.site.editions import names as editions_names
from openshelf.site.editions import unlocalized
from openshelf.site.history import EntryHistory, entry_history
from openshelf.site.render import Pages, render
from openshelf.site.search import Record, entry_records, member_filter_values

PACKAGE = Path(__file__).parent
#: Static files the site needs, by their path in the site → their source in the package.
ASSETS = {
    "assets/openshelf/openshelf.css": PACKAGE / "assets" / "openshelf.css",
    "assets/openshelf/openshelf.js": PACKAGE / "assets" / "openshelf.js",
    "assets/openshelf/search.js": PACKAGE / "assets" / "search.js",
    "sw.js": PACKAGE / "assets" / "sw.js",
}
CSS = "assets/openshelf/openshelf.css"
JS = "assets/openshelf/openshelf.js"
#: The Markdown extensions the rendered pages use, with the options OpenShelf sets unless the site sets its own:
#: attr_list for ``{ #id }`` anchors and ``{ .os-download }`` classes, md_in_html for Markdown inside the entries'
#: ``<article markdown>``, admonition for the "ended" notice, tables, and toc with a permalink beside each heading.
MARKDOWN: dict[str, dict[str, Any]] = {"attr_list": {}, "md_in_html": {}, "admonition": {}, "tables": {}, "toc": {"permalink": True}}


@dataclass(frozen=True)
class Loaded:
    """A guide read for a build, with what the renderer needs from outside it: each edition of the
    site renders from the same one (:func:`render_loaded`) instead of reading and validating again."""

    guide: Guide
    diagnostics: list[Diagnostic]
    links: Mapping[str, LinkState]
    history: Mapping[str, EntryHistory]
    repository: str | None = None  # where readers report a mistake (:func:`repository`)

    def write_downloads(self, site_url: str | None, folders: Sequence[Path]) -> None:
        """The data downloads (the same guide, the same data in every edition) into each of ``folders``,
        streamed file by file (:func:`openshelf.site.downloads.write`); ``site_url``: the main edition's."""
        with fewer_collections():
            downloads.write(self.guide, self.links, site_url, DOWNLOADS, folders)


def load_site(guides: Path, link_state: Path | None = None, strict: bool = False) -> tuple[Loaded | None, list[Diagnostic]]:
    """Validate the guide in ``guides`` and read its link state and git history; None (with the
    diagnostics) when invalid, or when ``strict`` and the guide has warnings.  A state file that
    cannot be read raises :class:`openshelf.links.store.StateError` (an ``OpenShelfError``)."""
    guide, diagnostics = load_federated(guides)
    if guide is None or (strict and diagnostics):  # a loaded guide's diagnostics are warnings
        return None, diagnostics
    return Loaded(guide, diagnostics, load_state(link_state or default_state_file(guides)), entry_history(guide),
                  repository(guide, os.environ)), diagnostics


def repository(guide: Guide, environ: Mapping[str, str]) -> str | None:
    """Where the guide is kept: ``_site.yml``'s ``repository``, else, in GitHub Actions, the repository the build runs in
    (``GITHUB_SERVER_URL``/``GITHUB_REPOSITORY``: the published site links to where it was built from), else None."""
    if guide.site.repository:
        return guide.site.repository
    server, name = environ.get("GITHUB_SERVER_URL", ""), environ.get("GITHUB_REPOSITORY", "")
    if server.startswith("https://") and re.fullmatch(r"[\w.-]+/[\w.-]+", name):
        return f"{server.rstrip('/')}/{name}"
    return None


#: The data downloads' paths in the site (:mod:`openshelf.site.downloads`).
DOWNLOADS = (*downloads.PATHS.values(), downloads.SCHEMA)


def edition_language(loaded: Loaded, language: str | None = None, editions: bool = False) -> str | None:
    """The language of the edition :func:`render_loaded` renders: ``language``, else the guide's main one; None for the bilingual site."""
    return (language or editions_of(loaded.guide.site)[0]) if editions else None


def search_records(loaded: Loaded, language: str | None = None) -> tuple[Record, ...]:
    """The search records of the edition in ``language`` (None: the bilingual site), as :func:`render_loaded` puts them
    in ``Pages.search``: a builder that indexes them before rendering gives them to it."""
    with fewer_collections():  # as rendering: many small strings, few cycles (the plugin makes them before rendering)
        return tuple(entry_records(loaded.guide, language))


def render_loaded(loaded: Loaded, site_url: str | None = None, language: str | None = None, editions: bool = False,
                  use_directory_urls: bool = True, records: Sequence[Record] | None = None) -> Pages:
    """Render a loaded guide: ``editions``, a site per language (:mod:`openshelf.site.editions`), this
    one in ``language`` (None: the guide's main language), ``extra["languages"]`` listing the editions;
    otherwise the bilingual site.  ``use_directory_urls``: MkDocs' setting of that name.
    The data downloads are not among ``files`` but named in ``later``: the builder writes them once the
    pages are built (:meth:`Loaded.write_downloads`), while the search index is being made.  ``records``: the
    edition's :func:`search_records`, when the builder made them first."""
    guide, links, history = loaded.guide, loaded.links, loaded.history
    codes = editions_of(guide.site) if editions else []
    language = edition_language(loaded, language, editions)
    with fewer_collections():  # rendering makes many small strings and few cycles, like loading
        pages = render(guide, links=links, site_url=site_url, history=history, language=language, use_directory_urls=use_directory_urls)
        updated = {entry_id: h.changed for entry_id, h in history.items()}
        files = extras.files(guide, updated, site_url)
        with rendering(language):
            counted = counts.counts_markdown(guide)
            report = footer_report(loaded.repository)
        extra = {**pages.extra, "languages": codes, **(editions_names(guide.site) if editions else {}), counts.EXTRA_KEY: counted,
                 **({"report": report} if report else {}),
                 # the search's member select lists the members as the collection pages' filter does (search_overrides/)
                 **({"search_members": members} if (members := member_filter_values(guide, language)) else {})}
        search = tuple(records) if records is not None else search_records(loaded, language)
        return replace(pages, files=files, search=search, extra=extra, later=DOWNLOADS)


def render_site(guides: Path, link_state: Path | None = None, site_url: str | None = None,
                strict: bool = False, language: str | None = None, editions: bool = False,
                use_directory_urls: bool = True) -> tuple[Pages | None, list[Diagnostic]]:
    """:func:`load_site` then :func:`render_loaded`: the guide in ``guides`` validated and rendered,
    or None (with the diagnostics)."""
    loaded, diagnostics = load_site(guides, link_state, strict)
    if loaded is None:
        return None, diagnostics
    return render_loaded(loaded, site_url, language, editions, use_directory_urls), diagnostics


def markdown_needs(configured: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The Markdown extensions to add or change, name → options, given the site's own (name → options).

    Each extension the pages need that the site lacks, with OpenShelf's options; one it has
    (``attr_list`` or ``markdown.extensions.attr_list``) only when OpenShelf's options add a key
    the site did not set: the site's own values win.
    """
    names = {name.removeprefix("markdown.extensions."): name for name in configured}
    needs: dict[str, dict[str, Any]] = {}
    for short, options in MARKDOWN.items():
        name = names.get(short, short)
        own = configured.get(name)
        merged = {**options, **(own or {})}
        if own is None or merged != own:
            needs[name] = merged
    return needs


def refusal(guide: str, diagnostics: list[Diagnostic]) -> str:
    """Why ``render_site`` gave no pages: the guide's errors, or its warnings under ``strict``."""
    errors = sum(d.severity == "error" for d in diagnostics)
    if errors:
        return f"{guide} has {errors} error(s); run 'openshelf validate' for the list"
    return (f"{guide} has {len(diagnostics)} warning(s) and the openshelf plugin's 'strict' option is set; "
            "run 'openshelf validate --strict' for the list (a near-duplicate title a person has checked: add distinct_from)")


def default_nav(pages: Pages, docs_dir: Path) -> list[Any]:
    """Home, the collections in order, the indexes, then hand-written pages from ``docs/``; the print
    handouts are linked from their collections, not listed."""
    generated = [p for p in pages.markdown if p not in (HOME, TAGS, A_TO_Z, LINK_HEALTH, REFERENCE) and not p.startswith(handout.PREFIX)]
    nav: list[Any] = [HOME, *generated, TAGS, A_TO_Z, LINK_HEALTH]
    # about.zh.md is about.md in the Chinese edition (openshelf.site.editions)
    names = {unlocalized(p.name) for p in docs_dir.glob("*.md")} if docs_dir.is_dir() else set()
    hand_written = sorted(name for name in names if name not in pages.markdown)
    return [*nav, *hand_written, REFERENCE]
