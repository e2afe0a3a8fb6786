"""The MkDocs plugin: a thin adapter that adds the rendered guide pages to a build.

``mkdocs build`` and ``mkdocs serve`` load the guide, stop with every diagnostic when it is
invalid, add the pages in memory (nothing is written into ``docs/``) and watch ``guides/``.
The guide's warnings are shown at INFO level, which ``mkdocs build --strict`` does not count,
unless the plugin's ``strict`` option is set: then they stop the build too.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from openshelf.errors import OpenShelfError
from openshelf.gcpolicy import fewer_collections
from openshelf.site import blocks, counts, csp, editions, handout, offline, pagefind, search
from openshelf.site.hooks.material_search import mute_material_search
from openshelf.site.pipeline import (
    ASSETS,
    CSS,
    JS,
    PACKAGE,
    Loaded,
    default_nav,
    edition_language,
    load_site,
    markdown_needs,
    refusal,
    render_loaded,
    search_records,
)
from openshelf.site.render import Pages

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer

log = get_plugin_logger(__name__)

#: The plugin's Pagefind pools with runs queued since on_config.
_POOLS: weakref.WeakSet[ThreadPoolExecutor] = weakref.WeakSet()


def _drop_queued_runs() -> None:
    """At the interpreter's exit (a build that Ctrl-C stopped while its pages rendered: MkDocs calls no plugin event for
    it), drop the Pagefind runs still queued: otherwise the interpreter runs every one of them before it exits, as it
    joins the pools' threads.  The run going on ends; the scratch folders go with the interpreter (their finalizers)."""
    for pool in list(_POOLS):
        pool.shutdown(wait=False, cancel_futures=True)


# The exit hooks of threading run before it joins non-daemon threads, the last registered first: this one before
# concurrent.futures' own (registered when ThreadPoolExecutor was imported above), which waits for the queued runs.
_register_exit = getattr(threading, "_register_atexit", None)
if _register_exit is not None:  # CPython 3.9 and later
    _register_exit(_drop_queued_runs)


class OpenShelfConfig(base.Config):  # type: ignore[no-untyped-call]  # mkdocs leaves Config.__init_subclass__ unannotated
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from ``mkdocs.yml``."""
    guides_dir = c.Type(str, default="guides")
    """The folder of guide YAML files, relative to ``mkdocs.yml``."""
    link_state = c.Optional(c.Type(str))
    """The link checker's state file, relative to ``mkdocs.yml`` (default: GUIDES/_state/links.json); read only, never fetched."""
    strict = c.Type(bool, default=False)
    """Stop the build on the guide's warnings (near-duplicate titles).  Off: they are shown at INFO
    level, which MkDocs' own ``strict`` (``mkdocs build --strict``) does not count.  Errors always stop it."""
    editions = c.Type(bool, default=True)
    """A site per language of ``guides/_site.yml`` (``languages:``): the first at the root, each
    other under ``/<code>/``, each with Material's interface in its language and its own search.
    False: one bilingual site (both languages side by side, a script hides one)."""
    search = c.Choice(("pagefind", "material"), default="pagefind")
    """``pagefind``: Material's search box over a Pagefind index with one record per entry (fast at
    10,000 entries); ``material``: Material's own search, which loads its whole index up front."""
    search_part_words = c.Type(int, default=pagefind.WORDS_PER_RUN)
    """With ``search: pagefind``: the words (a Chinese character is one) one run of Pagefind indexes at
    most.  A larger guide's index is made in parts, one run after another, that the browser searches as
    one.  Pagefind holds about 600 bytes a word, so the default keeps a run near 300 MB; lower it where
    the build has little memory."""


def enable_markdown(config: MkDocsConfig) -> None:
    """Turn on the Markdown extensions the generated pages need (``pipeline.MARKDOWN``) that
    ``mkdocs.yml`` leaves out, so a minimal configuration renders them instead of showing raw
    ``{ #anchor }`` text; the site's own options for an extension it lists win."""
    configured = {name: dict(config.mdx_configs.get(name) or {}) for name in config.markdown_extensions if isinstance(name, str)}
    for name, options in markdown_needs(configured).items():
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
        config.mdx_configs[name] = options


class WrittenLater(File):
    """A file of the site that MkDocs knows of (links to it validate) but does not write: the plugin
    writes it at the end of the build (the data downloads, while Pagefind indexes the last edition)."""

    def copy_file(self, dirty: bool = False) -> None:
        return None


class OpenShelfPlugin(BasePlugin[OpenShelfConfig]):  # type: ignore[no-untyped-call]  # mkdocs leaves BasePlugin.__init_subclass__ unannotated
    pages: Pages | None = None
    _serving = False  # mkdocs serve injects an inline live-reload script: keep the template's policy
    _search_pages: dict[str, str] | None = None  # built HTML pages Pagefind indexes: dest path → URL
    _entry_pages: frozenset[str] = frozenset()  # the pages whose entries are search records (not indexed as pages)
    _urls: dict[str, str] | None = None  # every page's source path → URL
    _edition: str | None = None  # the edition this build writes after the main one (see on_post_build)
    _languages: tuple[str, ...] = ()  # the guide's editions, main first; () for the bilingual site
    _root_url: str | None = None  # the main edition's address (site_url)
    _as_written: Mapping[str, Any] = MappingProxyType({})  # the values the main edition replaced in MkDocs' configuration
    _loaded: Loaded | None = None  # the guide the main edition read, rendered again by each other edition
    _gc: contextlib.ExitStack | None = None  # fewer cyclic collections from on_pre_build to the end of the last edition
    _pool: ThreadPoolExecutor | None = None  # every edition's Pagefind runs, one at a time, from the main edition's on_config to its on_post_build
    _started: tuple[pagefind.Indexing, ...] = ()  # each edition's index, its records' runs started in on_config
    _this_index: pagefind.Indexing | None = None  # the index of the edition being built, finished in its on_post_build
    _indexing: list[Future[dict[str, int]]] | None = None  # each edition's last Pagefind run, waited for once every edition is built

    def _path(self, config: MkDocsConfig, value: str) -> Path:
        return Path(os.path.dirname(config.config_file_path or ".")) / value

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        guides = self._path(config, self.config.guides_dir)
        state = self._path(config, self.config.link_state) if self.config.link_state else None
        if self._edition is not None and self._loaded is not None:  # another edition: the guide the main one read
            loaded = self._loaded
        else:
            try:
                read, diagnostics = load_site(guides, state, strict=self.config.strict)
            except OpenShelfError as exc:  # e.g. a link state file that cannot be read
                raise PluginError(exc.format_message()) from None
            for d in diagnostics:
                # Guide warnings are reported, not fatal: at INFO, MkDocs' strict mode does not count them.
                (log.error if d.severity == "error" else log.warning if self.config.strict else log.info)(d.format())
            if read is None:
                raise PluginError(refusal(f"the guide in {guides}", diagnostics))
            self._loaded = loaded = read
        use_pagefind = self.config.search == "pagefind" and mute_material_search(config)
        records = None
        if use_pagefind:  # the entries' search index starts now, while the pages render and build
            language = edition_language(loaded, self._edition, self.config.editions)
            records = search_records(loaded, language)
            self._start_index(config, records, language or pagefind.LANGUAGE)
        pages = render_loaded(loaded, config.site_url, self._edition, self.config.editions, config.use_directory_urls, records)
        self.pages = pages
        self._entry_pages = frozenset(search.entry_pages(pages.search))
        config.extra["openshelf"] = pages.extra
        enable_markdown(config)
        languages = pages.extra.get("languages")
        self._languages = tuple(languages) if isinstance(languages, list) else ()
        if self._edition is None:
            self._root_url = config.site_url
        if self._languages:  # where this edition stands among the others (the template adds each page's address)
            ours, selector = editions.template_values(self._languages, self._edition or self._languages[0], self._root_url)
            config.extra["openshelf"] = {**pages.extra, **ours}
            if selector:
                config.extra["alternate"] = selector
        if self._languages and self._edition is None:  # the main edition, at the root
            self._as_written = editions.apply(config, editions.settings(config, pages.extra, self._languages[0], config.site_url, config.site_dir))
        if CSS not in config.extra_css:
            config.extra_css.append(CSS)
        if JS not in config.extra_javascript:
            config.extra_javascript.append(JS)
        overrides = str(PACKAGE / "overrides")
        if overrides not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.get("custom_dir") else 0, overrides)
        if config.nav is None:
            config.nav = default_nav(self.pages, Path(config.docs_dir))
        if use_pagefind:
            if str(pagefind.OVERRIDES) not in config.theme.dirs:
                config.theme.dirs.insert(config.theme.dirs.index(overrides), str(pagefind.OVERRIDES))
            if pagefind.SCRIPT not in config.extra_javascript:
                config.extra_javascript.append(pagefind.SCRIPT)
            self._search_pages = {}
        else:
            self._search_pages = None
        return config

    def _start_index(self, config: MkDocsConfig, records: Sequence[search.Record], language: str) -> None:
        """Start indexing this edition's entry ``records`` with Pagefind now, while its pages render and build: all but
        their last part (:class:`openshelf.site.pagefind.Indexing`); :meth:`_index` finishes it once the pages are built."""
        if self._edition is None:  # the main edition: one pool for every edition's runs (each up to about 300 MB, so one at a time)
            self._stop_indexing()
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="openshelf-pagefind")
            _POOLS.add(self._pool)
            self._indexing = []
        if self._pool is None:
            return
        # each entry page's address as MkDocs will give it (Indexing.finish checks it against the build's)
        urls = {page: File(page, config.docs_dir, config.site_dir, config.use_directory_urls).url for page in search.entry_pages(records)}
        indexing = pagefind.Indexing(records, urls, language, self.config.search_part_words)
        self._started, self._this_index = (*self._started, indexing), indexing
        try:
            indexing.start(self._pool)
        except OpenShelfError as exc:  # Pagefind missing: reported as every other build error is
            raise PluginError(str(exc)) from None

    def _stop_indexing(self) -> None:
        """No more Pagefind runs: those queued are cancelled, the one running is waited for, scratch folders removed."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        for indexing in self._started:
            indexing.discard()
        self._started, self._this_index = (), None

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.pages is None:
            return None
        editions.localize_docs(files, config, self._edition or (self._languages[0] if self._languages else None))
        for src_uri, content in self.pages.markdown.items():
            if files.get_file_from_path(src_uri) is not None:
                raise PluginError(f"docs/{src_uri} is generated from the guide: rename or remove the hand-written file")
            # the print handouts are linked from their collections, not listed in the navigation
            inclusion = InclusionLevel.NOT_IN_NAV if src_uri.startswith(handout.PREFIX) else InclusionLevel.UNDEFINED
            files.append(File.generated(config, src_uri, content=content, inclusion=inclusion))
        for path, content in self.pages.files.items():
            files.append(File.generated(config, path, content=content))
        for path in self.pages.later:
            files.append(WrittenLater.generated(config, path, content=""))
        for path, source in ASSETS.items():
            if path == offline.WORKER and self._edition is not None:  # one worker, at the root, for every edition
                continue
            files.append(File.generated(config, path, abs_src_path=str(source)))
        self._urls = {f.src_uri: f.url for f in files.documentation_pages()}
        return files

    def on_page_markdown(self, markdown: str, /, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        """A hand-written page (the About page) that holds the counts marker gets the guide's counts there."""
        if not self.config.enabled or self.pages is None:
            return None
        return counts.fill(markdown, self.pages.extra.get(counts.EXTRA_KEY))

    def on_page_content(self, html: str, /, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        """A collection page gets its entries, finished HTML that Markdown never parsed (:mod:`openshelf.site.blocks`);
        MkDocs learns the anchors they hold, so links to an entry from any page still validate."""
        if not self.config.enabled or self.pages is None or page.file.src_uri not in self.pages.markdown:
            return None
        filled, anchors = blocks.fill(html, self.pages.blocks)
        if anchors and page.present_anchor_ids is not None:
            page.present_anchor_ids |= anchors
        return filled

    def on_page_context(self, context: Any, /, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        if self._search_pages is not None and page.file.src_uri not in self._entry_pages and not search.excluded(page.meta):
            self._search_pages[page.file.dest_uri] = page.file.url
        return context

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._serving = command == "serve"

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        # MkDocs' Markdown and templates make many small objects and few cycles, as loading does:
        # collecting less often halves the time spent in the collector (gcpolicy), every edition included.
        if self.config.enabled and self._edition is None:
            self._restore_gc()
            self._gc = contextlib.ExitStack()
            self._gc.enter_context(fewer_collections())

    def _restore_gc(self) -> None:
        if self._gc is not None:
            self._gc.close()
            self._gc = None

    def on_build_error(self, *, error: Exception) -> None:
        if self._edition is None:
            self._stop_indexing()
            self._indexing = None
            self._restore_gc()

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        site = Path(config.site_dir)
        if not self._serving:
            csp.apply_to_site(site)
        if self._edition is None:
            indexing = self._indexing if self._indexing is not None else []
            try:
                try:
                    self._index(site)
                    self._build_other_editions(config)
                    self._write_later(site)
                    if self._pool is not None:
                        self._pool.shutdown(wait=True)  # every edition's runs
                finally:
                    self._stop_indexing()
                    self._loaded = None  # the next build (mkdocs serve) reads the guide again
                    self._indexing = None
                    self._restore_gc()
                self._finish(indexing)
            except OpenShelfError as exc:
                raise PluginError(str(exc)) from None
            offline.stamp(site)  # last: the version is a hash of everything else, every edition included

    def _write_later(self, site: Path) -> None:
        """The data downloads, into every edition's folder, while the last edition's search index is made."""
        if self._loaded is None or self.pages is None or not self.pages.later:
            return
        self._loaded.write_downloads(self._root_url, [site, *(site / editions.folder(code, self._languages) for code in self._languages[1:])])

    def _index(self, site: Path) -> None:
        """Finish this edition's Pagefind index (started in :meth:`_start_index`): its last run writes only ``pagefind/``
        of this edition's folder, from copies of the built pages, while the next edition builds (Pagefind runs on the
        other processor)."""
        indexing, self._this_index = self._this_index, None
        if indexing is not None and self._search_pages is not None and self._urls is not None and self._indexing is not None \
                and self._pool is not None:
            self._indexing.append(self._pool.submit(indexing.finish, site, list(self._search_pages), dict(self._urls)))

    @staticmethod
    def _finish(indexing: list[Future[dict[str, int]]]) -> None:
        """After every edition's Pagefind run: the first that failed stops the build."""
        for error in [f.exception() for f in indexing]:
            if error is not None:
                raise error

    def _build_other_editions(self, config: MkDocsConfig) -> None:
        """Each edition after the main one: the same configuration, built again into ``/<code>/``
        (as mkdocs-static-i18n does), with that edition's language, address and names."""
        from mkdocs.commands.build import build

        main = editions.apply(config, self._as_written)  # each edition's values come from the configuration as written
        root_dir, root_url = config.site_dir, config.site_url
        extra = dict(self.pages.extra) if self.pages else {}
        try:
            for language in self._languages[1:]:
                where = editions.folder(language, self._languages)
                values = editions.settings(config, extra, language, root_url and root_url.rstrip("/") + "/" + where, str(Path(root_dir) / where))
                old = editions.apply(config, values)
                self._edition = language
                try:
                    build(config, dirty=False)
                    self._index(Path(config.site_dir))
                finally:
                    self._edition = None
                    editions.apply(config, old)
        finally:
            editions.apply(config, main)

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer | None:
        if self.config.enabled:
            server.watch(str(self._path(config, self.config.guides_dir)))
        return server


__all__ = ["OpenShelfPlugin"]
