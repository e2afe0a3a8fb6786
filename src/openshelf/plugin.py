"""The MkDocs plugin: a thin adapter that adds the rendered guide pages to a build.

``mkdocs build`` and ``mkdocs serve`` load the guide, stop with every diagnostic when it is
invalid, add the pages in memory (nothing is written into ``docs/``) and watch ``guides/``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from openshelf.catalog import load_guide
from openshelf.render import A_TO_Z, HOME, REFERENCE, TAGS, Pages, page_of, render

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer

log = get_plugin_logger(__name__)
PACKAGE = Path(__file__).parent
CSS = "assets/openshelf/openshelf.css"


class OpenShelfConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from ``mkdocs.yml``."""
    guides_dir = c.Type(str, default="guides")
    """The folder of guide YAML files, relative to ``mkdocs.yml``."""
    link_state = c.Optional(c.Type(str))
    """The link checker's state file, relative to ``mkdocs.yml``; read only, never fetched."""


class OpenShelfPlugin(BasePlugin[OpenShelfConfig]):
    pages: Pages | None = None

    def _path(self, config: MkDocsConfig, value: str) -> Path:
        return Path(os.path.dirname(config.config_file_path or ".")) / value

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        guides = self._path(config, self.config.guides_dir)
        guide, diagnostics = load_guide(guides)
        for d in diagnostics:
            (log.error if d.severity == "error" else log.warning)(d.format())
        if guide is None:
            errors = sum(d.severity == "error" for d in diagnostics)
            raise PluginError(f"the guide in {guides} has {errors} error(s); run 'openshelf validate' for the list")
        self.pages = render(guide, links=load_link_status(self._path(config, self.config.link_state)) if self.config.link_state else None)
        config.extra["openshelf"] = self.pages.extra
        if CSS not in config.extra_css:
            config.extra_css.append(CSS)
        overrides = str(PACKAGE / "overrides")
        if overrides not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.get("custom_dir") else 0, overrides)
        if config.nav is None:
            config.nav = default_nav(self.pages, Path(config.docs_dir))
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.pages is None:
            return None
        for src_uri, content in self.pages.markdown.items():
            if files.get_file_from_path(src_uri) is not None:
                raise PluginError(f"docs/{src_uri} is generated from the guide: rename or remove the hand-written file")
            files.append(File.generated(config, src_uri, content=content))
        files.append(File.generated(config, CSS, abs_src_path=str(PACKAGE / "assets" / "openshelf.css")))
        return files

    def on_serve(self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer | None:
        if self.config.enabled:
            server.watch(str(self._path(config, self.config.guides_dir)))
        return server


def default_nav(pages: Pages, docs_dir: Path) -> list[Any]:
    """Home, the collections in order, the indexes, then hand-written pages from ``docs/``."""
    generated = [p for p in pages.markdown if p not in (HOME, TAGS, A_TO_Z, REFERENCE)]
    nav: list[Any] = [HOME, *generated, TAGS, A_TO_Z]
    hand_written = sorted(p.name for p in docs_dir.glob("*.md") if p.name not in pages.markdown) if docs_dir.is_dir() else []
    return [*nav, *hand_written, REFERENCE]


def load_link_status(path: Path) -> dict[str, Any] | None:
    """The link checker's last known status per URL (None when the state file does not exist yet)."""
    if not path.is_file():
        return None
    try:
        from openshelf.links.store import load_state
    except ImportError:  # pragma: no cover - the links package is part of the distribution
        return None
    return dict(load_state(path))


__all__ = ["OpenShelfPlugin", "page_of"]
