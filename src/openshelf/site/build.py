"""``openshelf build``: the rendered guide written beside ``docs/`` into a staging folder,
then built by an engine that needs no plugin — MkDocs, or Zensical (Material's successor,
which reads ``mkdocs.yml`` but has no plugin API).  Nothing is written into ``docs/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml
from mkdocs.utils.yaml import yaml_load

from openshelf.errors import BuildError
from openshelf.guide import encoding
from openshelf.guide.diagnostics import Diagnostic, Location
from openshelf.site import counts, csp, editions, handout, offline, pagefind
from openshelf.site.hooks import material_search
from openshelf.site.pipeline import ASSETS, CSS, JS, PACKAGE, default_nav, load_site, markdown_needs, render_loaded
from openshelf.site.render import Pages
from openshelf.site.search import Record
from openshelf.site.sitedir import check_site_dir, replace_site

Engine = Literal["mkdocs", "zensical"]
STAGING = Path(".openshelf/build")


@dataclass(frozen=True)
class Staged:
    config_file: Path
    site_dir: Path
    search: tuple[Record, ...] = ()  # Pagefind records; empty: Material's search
    use_directory_urls: bool = True
    #: The edition's language (a site per language), which Pagefind indexes in; None: the bilingual site.
    language: str | None = None
    #: The other editions, each staged as a project of its own and built into its folder of this site (``en/``).
    editions: tuple[tuple[str, Staged], ...] = ()
    #: Words one Pagefind run indexes at most (the plugin's ``search_part_words``).
    part_words: int = pagefind.WORDS_PER_RUN
    #: Writes the data downloads into the built editions' folders (the main one first), after the build:
    #: the staged docs hold empty files in their place, so that links to them are checked.
    write_later: Callable[[Sequence[Path]], None] | None = None


def read_config(config_file: Path) -> dict[str, Any]:
    try:  # MkDocs' own loader, so !ENV and !relative mean what they mean to MkDocs
        with config_file.open(encoding="utf-8") as handle:
            data = yaml_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(f"{config_file}: cannot read the MkDocs configuration: {exc}") from None
    if not isinstance(data, dict):
        raise BuildError(f"{config_file}: the MkDocs configuration must be a mapping")
    for key, (types, expected) in _READ.items():
        if data.get(key) is not None and not isinstance(data[key], types):
            raise BuildError(f"{config_file}: {key}: expected {expected}, not {type(data[key]).__name__} ({data[key]!r:.40})")
    theme, plugins, extensions = data.get("theme"), data.get("plugins"), data.get("markdown_extensions")
    read = {**data,
            # the other forms MkDocs takes, as the rest of this module reads them: a mapping; a list of names and one-key mappings
            **({"theme": {"name": theme}} if isinstance(theme, str) else {}),
            **({"plugins": [{k: v} for k, v in plugins.items()]} if isinstance(plugins, dict) else {}),
            **({"markdown_extensions": [{k: v} for k, v in extensions.items()]} if isinstance(extensions, dict) else {})}
    for key in ("plugins", "markdown_extensions"):
        for i, item in enumerate(read.get(key) or []):
            if not (isinstance(item, str) or (isinstance(item, dict) and len(item) == 1 and isinstance(next(iter(item)), str))):
                raise BuildError(f"{config_file}: {key}[{i}]: expected a name, or one name with its options, not {item!r:.40}")
    return read


#: The settings of ``mkdocs.yml`` that ``openshelf build`` reads, with the types MkDocs takes for them: another type is
#: a :class:`BuildError` naming the setting (it was a traceback), before anything is staged.
_READ: dict[str, tuple[type | tuple[type, ...], str]] = {
    "theme": ((str, dict), "a theme name or a mapping"),
    "plugins": ((list, dict), "a list or a mapping of plugins"),
    "markdown_extensions": ((list, dict), "a list or a mapping of extensions"),
    "docs_dir": (str, "a folder name"),
    "site_url": (str, "an address"),
    "extra": (dict, "a mapping"),
    "extra_css": (list, "a list"),
    "extra_javascript": (list, "a list"),
    "not_in_nav": (str, "text"),
}


def _plugin_options(config: dict[str, Any], strict: bool = True) -> tuple[list[Any], dict[str, Any], list[str]]:
    """The plugins without ``openshelf``, the ``openshelf`` plugin's options and what was wrong with them (:func:`_checked`)."""
    kept: list[Any] = []
    options: dict[str, Any] = {}
    for item in config.get("plugins") or []:
        name = item if isinstance(item, str) else next(iter(item))
        if name == "openshelf":
            options = {} if isinstance(item, str) else (item["openshelf"] or {})
        else:
            kept.append(item)
    return kept, *_checked(options, strict)


def _checked(options: Any, strict: bool = True) -> tuple[dict[str, Any], list[str]]:
    """The plugin's options, checked as MkDocs checks them for the plugin (the same messages);
    :class:`BuildError` naming every wrong one.  An option MkDocs does not know (a misspelt name) is an
    error under ``strict``, as MkDocs' own ``--strict`` makes it, and otherwise a warning (returned)."""
    from openshelf.site.plugin import OpenShelfConfig

    if not isinstance(options, dict):
        raise BuildError("plugins.openshelf: the plugin's options must be a mapping")
    config = OpenShelfConfig()
    config.load_dict(options)
    failed, unknown = config.validate()
    wrong = [f"plugins.openshelf.{key}: {error}" for key, error in failed]
    noted = [f"plugins.openshelf.{key}: {message}" for key, message in unknown]
    if wrong or (strict and noted):
        raise BuildError("; ".join([*wrong, *(noted if strict else [])]))
    return options, noted


def with_markdown_needs(extensions: list[Any]) -> list[Any]:
    """``markdown_extensions`` as written in ``mkdocs.yml`` (names, or one-key mappings to options)
    with the extensions the generated pages need added, as the plugin does for MkDocs."""
    named = [(item, None) if isinstance(item, str) else next(iter(item.items())) for item in extensions]
    needs = markdown_needs({name: dict(options or {}) for name, options in named})
    kept = [{name: needs.pop(name)} if name in needs else item for item, (name, _) in zip(extensions, named, strict=True)]
    return [*kept, *({name: options} for name, options in needs.items())]


def stage(config_file: Path, site_dir: Path, staging: Path = STAGING, strict: bool = True) -> tuple[Staged | None, list[Diagnostic]]:
    """Write the docs, generated pages and a plugin-free ``mkdocs.yml`` into ``staging``: one project
    per edition (a site per language, the plugin's ``editions`` option), the others under ``editions/<code>/``.
    ``strict``: the engine's strict mode, which refuses a plugin option it does not know, as MkDocs does."""
    root = config_file.resolve().parent
    config = read_config(config_file)
    plugins, options, unknown = _plugin_options(config, strict)
    noted = [Diagnostic(Location(str(config_file)), message, severity="warning", code="config") for message in unknown]
    guides = root / options.get("guides_dir", "guides")
    docs_src = root / config.get("docs_dir", "docs")
    check_site_dir(site_dir, sources=[("docs folder", docs_src), ("guides folder", guides), ("staging folder", staging.parent)],
                   roots=[("configuration file's folder", root), ("working directory", Path.cwd())])
    state = options.get("link_state")
    use_editions = options.get("editions", True) is not False
    loaded, diagnostics = load_site(guides, root / state if state else None, strict=options.get("strict") is True)
    diagnostics = [*noted, *diagnostics]
    if loaded is None:
        return None, diagnostics
    directory_urls = config.get("use_directory_urls", True) is not False
    pages = render_loaded(loaded, config.get("site_url"), editions=use_editions, use_directory_urls=directory_urls)
    codes = pages.extra.get("languages")
    languages = [str(code) for code in codes] if isinstance(codes, list) else []

    staging = staging.resolve()
    tmp = staging.with_name(staging.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    project = _Project(root, config, plugins, options, docs_src, languages)
    others: list[tuple[str, Staged]] = []
    for code in languages[1:]:
        folder = editions.folder(code, languages)
        root_url = config.get("site_url")
        edition = render_loaded(loaded, root_url.rstrip("/") + "/" + folder if root_url else None, code, editions=True,
                                use_directory_urls=directory_urls)
        others.append((folder, project.write(edition, tmp / "editions" / code, code)))
    main = project.write(pages, tmp, languages[0] if languages else None)
    shutil.rmtree(staging, ignore_errors=True)
    os.replace(tmp, staging)

    def moved(staged: Staged) -> Staged:  # the same files, now under staging/ instead of staging.tmp/
        return replace(staged, config_file=staging / staged.config_file.relative_to(tmp), site_dir=site_dir)

    site_url = config.get("site_url")

    def write_later(folders: Sequence[Path]) -> None:
        loaded.write_downloads(site_url if isinstance(site_url, str) else None, folders)

    return replace(moved(main), editions=tuple((folder, moved(s)) for folder, s in others), write_later=write_later), diagnostics


@dataclass(frozen=True)
class _Project:
    """What every edition's staged project shares: the site's own configuration, docs and plugins."""

    root: Path
    config: dict[str, Any]
    plugins: list[Any]
    options: dict[str, Any]
    docs_src: Path
    languages: list[str]

    def write(self, pages: Pages, where: Path, language: str | None) -> Staged:
        """One edition (``language``; None: the bilingual site) as a plugin-free MkDocs project in ``where``."""
        config = dict(self.config)
        docs = where / "docs"
        theme = dict(config.get("theme") or {})
        custom = theme.get("custom_dir")
        overrides = where / "overrides"
        shutil.copytree(PACKAGE / "overrides", overrides)
        if custom:
            shutil.copytree(self.root / custom, overrides, dirs_exist_ok=True)  # the site's own overrides win
        skip = (self.root / custom).resolve() if custom else None  # theme overrides are not pages
        if self.docs_src.is_dir():
            try:
                shutil.copytree(self.docs_src, docs, ignore=lambda d, names: [n for n in names if (Path(d) / n).resolve() == skip])
            except shutil.Error as exc:  # a broken symlink, an unreadable file: every file that failed is named
                raise BuildError("; ".join(f"{src}: cannot copy it into the build: {why}" for src, _, why in exc.args[0])) from None
            editions.localize_folder(docs, language)  # about.zh.md is about.md in the Chinese edition
        elif self.docs_src.exists():
            raise BuildError(f"{self.docs_src}: docs_dir is not a folder")
        else:  # no hand-written pages
            docs.mkdir(parents=True)
        for src_uri in pages.markdown:
            if (docs / src_uri).exists():
                raise BuildError(f"{self.docs_src / src_uri}: this page is generated from the guide; rename or remove the hand-written file")
        for page in docs.rglob("*.md"):  # a hand-written page that asks for the guide's counts gets them
            written = self._read_page(page, docs)
            if (filled := counts.fill(written, pages.extra.get(counts.EXTRA_KEY))) != written:
                page.write_text(filled, encoding="utf-8")
        main = not self.languages or language == self.languages[0]
        assets = {path: source.read_text(encoding="utf-8") for path, source in ASSETS.items()
                  if main or path != offline.WORKER}  # one service worker, at the root, for every edition
        # no plugin to fill in the entries after Markdown: they go into the page as raw HTML blocks
        later = dict.fromkeys(pages.later, "")  # empty here: written into the built site (Staged.write_later)
        for path, content in {**pages.written, **pages.files, **later, **assets}.items():
            (docs / path).parent.mkdir(parents=True, exist_ok=True)
            (docs / path).write_text(content, encoding="utf-8")

        use_pagefind = self.options.get("search", "pagefind") == "pagefind"
        extra: dict[str, Any] = {**(config.get("extra") or {}), "openshelf": pages.extra}
        if language is not None and self.languages:
            config, theme, extra = self._edition(config, theme, extra, pages, language)
        # Paths relative to the staged mkdocs.yml: Zensical wants everything inside the project.
        theme["custom_dir"] = "overrides"
        config.update(
            docs_dir="docs",
            site_dir="site",  # moved to the requested site_dir once the build succeeded
            theme=theme,
            plugins=self.plugins,
            extra=extra,
            extra_css=[*(config.get("extra_css") or []), CSS],
            extra_javascript=[*(config.get("extra_javascript") or []), JS, *([pagefind.SCRIPT] if use_pagefind else [])],
            markdown_extensions=with_markdown_needs(config.get("markdown_extensions") or []),
        )
        config.pop("exclude_docs", None)
        # the site's own hooks from where its mkdocs.yml names them; with Pagefind, Material's search indexes nothing
        hooks = [str(self.root / hook) if isinstance(hook, str) else hook for hook in config.get("hooks") or []]
        if use_pagefind:
            hooks.append(str(Path(material_search.__file__)))
        if hooks:
            config["hooks"] = hooks
        # the print handouts are linked from their collections, not listed in the navigation
        config["not_in_nav"] = "\n".join(filter(None, [config.get("not_in_nav"), f"/{handout.PREFIX}"]))
        config.setdefault("nav", default_nav(pages, self.docs_src))
        (where / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        records = pages.search if use_pagefind else ()
        return Staged(where / "mkdocs.yml", where / "site", records, bool(config.get("use_directory_urls", True)), language,
                      part_words=int(self.options.get("search_part_words", pagefind.WORDS_PER_RUN)))

    def _read_page(self, page: Path, docs: Path) -> str:
        """A staged hand-written page's text; one that is not UTF-8 is a :class:`BuildError` naming the file in docs/."""
        try:
            return encoding.decode(page.read_bytes())
        except encoding.NotUtf8 as exc:
            raise BuildError(f"{self.docs_src / page.relative_to(docs)}:{exc.line}: {exc.message}: save it as UTF-8") from None

    def _edition(self, config: dict[str, Any], theme: dict[str, Any], extra: dict[str, Any], pages: Pages,
                 language: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """An edition's configuration, as the plugin sets it (:mod:`openshelf.site.editions`): its language,
        address and names; the language switch from each edition's root (the template adds the page)."""
        root_url = config.get("site_url")
        where = editions.folder(language, self.languages)
        url = root_url.rstrip("/") + "/" + where if root_url and where else root_url
        extensions = config.get("markdown_extensions") or []
        values = editions.values_for(theme.get("palette"), str(config.get("site_name") or ""), config.get("site_description"),
                                     pages.extra, language, url, "site", editions.own_permalink_title(extensions))
        theme = {**theme, "language": values["language"], **({"palette": values["palette"]} if values["palette"] is not None else {})}
        config = {**config, "site_url": values["site_url"], "site_name": values["site_name"], "site_description": values["site_description"],
                  # the links beside headings titled as the plugin titles them (editions.apply), toc added if missing
                  "markdown_extensions": editions.with_permalink_title(with_markdown_needs(extensions), values["permalink_title"])}
        ours, selector = editions.template_values(self.languages, language, root_url)
        ours = {**pages.extra, **ours}
        if selector:
            extra = {**extra, "alternate": selector}
        return config, theme, {**extra, "openshelf": ours}


def run_engine(staged: Staged, engine: Engine, strict: bool) -> None:
    """Build the staged project (and each other edition's into its folder), then move the finished
    site into place (never a half-built site).  Each edition's Pagefind run goes on while the next
    edition builds, one run at a time, as with the plugin."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="openshelf-pagefind")
    runs: list[Future[dict[str, int]]] = []
    started: list[pagefind.Indexing] = []
    try:
        built = _build(staged, engine, strict, pool, runs, started)
        for folder, edition in staged.editions:
            if (built / folder).exists():
                raise BuildError(f"the main edition has a page or folder {folder}, where the {edition.language} edition goes")
        others = [(folder, _build(edition, engine, strict, pool, runs, started)) for folder, edition in staged.editions]
        pool.shutdown(wait=True)  # every run
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # a build that failed: the runs still queued are not needed
        for indexing in started:
            indexing.discard()
    for run in runs:  # the first that failed stops the build
        run.result()
    for folder, path in others:
        shutil.move(path, built / folder)
    if staged.write_later is not None:
        staged.write_later([built, *(built / folder for folder, _ in others)])
    csp.apply_to_site(built)
    offline.stamp(built)  # last: the version is a hash of everything else, every edition included
    replace_site(built, staged.site_dir)


def _build(staged: Staged, engine: Engine, strict: bool, pool: ThreadPoolExecutor, runs: list[Future[dict[str, int]]],
           started: list[pagefind.Indexing]) -> Path:
    """One staged project built by ``engine``, its Pagefind index started in ``pool`` before the build (its records)
    and finished after it (its pages; the last run added to ``runs``, the index to ``started``); the folder it was built into."""
    built = staged.config_file.parent / "site"
    use_pagefind = engine == "mkdocs" and bool(staged.search)  # Zensical keeps its own search
    indexing: pagefind.Indexing | None = None
    if use_pagefind:  # Material's search box over Pagefind; the site's own overrides still win
        shutil.copytree(pagefind.OVERRIDES, staged.config_file.parent / "overrides", dirs_exist_ok=True,
                        copy_function=lambda src, dst: None if Path(dst).exists() else shutil.copy2(src, dst))
        html, urls = pagefind.plan_from_docs(staged.config_file.parent / "docs", staged.search, staged.use_directory_urls)
        indexing = pagefind.Indexing(staged.search, urls, staged.language or pagefind.LANGUAGE, staged.part_words)
        started.append(indexing)
        indexing.start(pool)
    if engine == "mkdocs":
        command = [sys.executable, "-m", "mkdocs", "build", "-f", str(staged.config_file)]
    else:
        exe = shutil.which("zensical") or str(Path(sys.executable).with_name("zensical"))
        if not Path(exe).exists():
            raise BuildError("Zensical is not installed: pip install 'openshelf[zensical]'")
        command = [exe, "build", "-f", str(staged.config_file), "--clean"]
    if strict:
        command.append("--strict")
    # As the Makefile does: Material's notice about MkDocs 2 on every build is not the curator's business.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": os.environ.get("NO_MKDOCS_2_WARNING", "1")}
    result = subprocess.run(command, check=False, env=env)
    if result.returncode != 0:
        raise BuildError(f"{engine} build failed (exit {result.returncode})")
    if not (built / "index.html").is_file():
        raise BuildError(f"{engine} finished but wrote no index.html into {built}")
    if indexing is not None:
        runs.append(pool.submit(indexing.finish, built, html, urls))
    return built
