"""Helpers for tests: the fixture guide, temporary guide folders and MkDocs projects."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from mkdocs.utils.yaml import yaml_load

from openshelf.guide.load import Guide

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_GUIDE = ROOT / "tests" / "fixtures" / "guide"
GOLDEN = ROOT / "tests" / "golden"
UV = ROOT / ".cache" / "uv" / "bin" / "uv"


def offline_env() -> dict[str, str]:
    """The environment for uv and for the installed tool, with uv offline: every package comes
    from uv's cache (filled by `make venv`), so no network is used."""
    env = {**os.environ, "UV_OFFLINE": "1", "UV_PYTHON_DOWNLOADS": "never", "NO_MKDOCS_2_WARNING": "1"}
    for name in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "MAKEFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    return env


def uv(*args: str, cwd: Path, env: dict[str, str]) -> None:
    assert UV.is_file(), f"{UV} is missing: run `make venv`"
    proc = subprocess.run([str(UV), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)
    hint = ("\n(offline, uv resolves from its cache: `make test` fills it with the locked versions' index pages)"
            if "network was disabled" in proc.stderr else "")
    assert proc.returncode == 0, f"uv {' '.join(args)}:\n{proc.stdout}{proc.stderr}{hint}"


def wheel_venv(where: Path, env: dict[str, str]) -> tuple[Path, Path]:
    """Build this checkout's wheel and sdist into ``where/dist`` and install the wheel alone into a
    fresh venv ``where/venv``, its dependencies at the versions the tests run with (the lock's under
    `make test`, the newest under `make test-latest`), as `openshelf init`'s constraints.txt pins them;
    returns the wheel and the venv."""
    from openshelf.curate.init import pinned_requirements

    dist = where / "dist"
    uv("build", "--quiet", "--out-dir", str(dist), str(ROOT), cwd=where, env=env)
    (wheel,) = dist.glob("openshelf-*.whl")
    venv = where / "venv"
    uv("venv", "--quiet", "--python", sys.executable, str(venv), cwd=where, env=env)
    constraints = where / "constraints.txt"
    constraints.write_text("".join(f"{pin}\n" for pin in pinned_requirements()), encoding="utf-8")
    uv("pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), "--constraint", str(constraints), str(wheel),
       cwd=where, env=env)
    return wheel, venv


def make_project(where: Path, guides: Path, **changes: object) -> Path:
    """A copy of the repository's mkdocs.yml in ``where``, building ``guides`` with the repo's docs/."""
    with (ROOT / "mkdocs.yml").open(encoding="utf-8") as handle:
        config = yaml_load(handle)  # MkDocs' loader: resolves !ENV
    config["docs_dir"] = str(ROOT / "docs")
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "openshelf" in plugin:
            plugin["openshelf"]["guides_dir"] = str(guides)
    config.update(changes)
    where.mkdir(parents=True, exist_ok=True)
    path = where / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


MINIMAL = "site_name: {name}\ntheme:\n  name: material\nplugins:\n  - search\n  - openshelf\n"
RAW_MARKDOWN = re.compile(r"\{ ?[#.][\w-]+[^}]*\}|^!!! ", re.MULTILINE)  # attribute lists and admonitions left as text


def minimal_project(where: Path, site_name: str = "Minimal") -> Path:
    """``plugins: [search, openshelf]`` and ``theme: material``, nothing else: no markdown_extensions."""
    shutil.copytree(FIXTURE_GUIDE, where / "guides")
    (where / "docs").mkdir()
    config = where / "mkdocs.yml"
    config.write_text(MINIMAL.format(name=site_name), encoding="utf-8")
    return config


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def with_plugin_options(config: Path, **options: object) -> Path:
    """``config`` (a project's mkdocs.yml) with more options for the openshelf plugin."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for plugin in data["plugins"]:
        if isinstance(plugin, dict) and "openshelf" in plugin:
            plugin["openshelf"].update(options)
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config


#: This repository's own collections in guides/: tests of its content hold these, not the collections a
#: library's fork adds (a fork replacing the content replaces these tests with it).
OWN_COLLECTIONS = ("access", "databases", "health", "services")


def write_guide(root: Path, files: dict[str, str]) -> Path:
    """Write a guide folder: a default ``_site.yml`` unless given, plus the files named."""
    root.mkdir(parents=True, exist_ok=True)
    files = {"_site.yml": SITE, **files}
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


SITE = """\
title: {zh: 测试, en: Test}
categories:
  databases: {zh: 数据库, en: Databases}
  access: {zh: 访问, en: Access}
"""


#: A valid collection whose two entries have nearly the same title: one guide warning, no error.
NEAR_DUPLICATES = """\
id: health
title: {en: Health}
entries:
  - id: fever-hubei
    title: {en: Fever clinics in Hubei province}
    url: https://hubei.example.org/
    description: {en: Where to go with a fever.}
    category: access
    access: free
  - id: fever-hunan
    title: {en: Fever clinics in Hunan province}
    url: https://hunan.example.org/
    description: {en: Where to go with a fever.}
    category: access
    access: free
"""


def mkdocs_build(config: Path, site: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site), *extra],
                          capture_output=True, text=True, timeout=300, check=False)


def failing_search_index(monkeypatch: Any, language: str, message: str) -> list[str]:
    """Make Pagefind fail with ``message`` for the edition in ``language`` (the others are indexed for
    real); returns the list of languages whose index was finished, in order, as the build goes."""
    from openshelf.site import pagefind

    real, indexed = pagefind.Indexing.finish, []

    def finish(self: pagefind.Indexing, site: Path, pages: Any, urls: Any) -> dict[str, int]:
        indexed.append(self.language)
        if self.language == language:
            raise pagefind.SearchIndexError(message)
        return real(self, site, pages, urls)

    monkeypatch.setattr(pagefind.Indexing, "finish", finish)
    return indexed


def bundle_ok(site: Path) -> None:
    """A built site searches with Pagefind: its bundle, Material's search box over it, no Material index."""
    bundle = site / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    assert list(bundle.glob("*.pf_meta")) and list((bundle / "fragment").iterdir())
    assert not (bundle / "pagefind-ui.js").exists(), "Pagefind's own UI is not shipped"
    assert not (site / "search" / "search_index.json").exists(), "Material's whole-site index is not built"
    html = (site / "databases" / "index.html").read_text(encoding="utf-8")
    assert 'name="openshelf-search"' in html and 'name="search"' not in html
    assert re.search(r'<script src="[^"]*assets/openshelf/search\.js"', html)
    assert (site / "assets" / "openshelf" / "search.js").is_file()


def federated_fixture(consortium: bool = False, **changes: Any) -> Guide:
    """The fixture guide as a guide with two sources would load, built directly so that a test controls every
    field the federation stage fills (health, notes, odd or hostile values): cnki from 'emergency' (also listed by 'campus') with a local
    note, pubmed from 'campus', muse-2020 local but also listed by 'emergency', the access entries local.

    ``changes`` replace fields of the result (``origins``, ``notes``, ``sources``).
    """
    import dataclasses
    import datetime as dt

    from openshelf.guide.load import load_guide
    from openshelf.guide.models import Text
    from openshelf.guide.provenance import Origin, SourceHealth, SourceInfo

    guide, diagnostics = load_guide(FIXTURE_GUIDE)
    assert guide is not None, [d.format() for d in diagnostics]
    utc = dt.UTC
    sources = [
        SourceInfo("emergency", "emergency", Text(zh="共享应急指南", en="Shared emergency guide"), "https://shared.example.org/downloads/openshelf.json",
                   site_url="https://shared.example.org/", publisher=Text(zh="应急联盟", en="Emergency alliance"),
                   updated=dt.datetime(2026, 11, 20, 8, tzinfo=utc), fetched=dt.datetime(2026, 11, 21, 2, tzinfo=utc),
                   entries=2, contributed=("cnki", "muse-2020"), shared=2, only_here=0),
        SourceInfo("campus", "campus-guide", Text(en="Campus library guide"), "https://campus.example.edu/downloads/openshelf.json",
                   site_url="https://campus.example.edu/", updated=dt.datetime(2026, 11, 18, tzinfo=utc),
                   fetched=dt.datetime(2026, 11, 21, 2, tzinfo=utc), entries=2, contributed=("cnki", "pubmed"), shared=1, only_here=1),
    ]
    origins = {
        "cnki": Origin("emergency", source="emergency", listed_by=("emergency", "campus-guide"), revision="0123456789ab",
                       health=SourceHealth("ok", checked=dt.datetime(2026, 11, 19, 3, tzinfo=utc), status=200)),
        "pubmed": Origin("campus-guide", source="campus", listed_by=("campus-guide",),
                         health=SourceHealth("broken", checked=dt.datetime(2026, 11, 17, 3, tzinfo=utc), status=404)),
        "muse-2020": Origin("guide", listed_by=("guide", "emergency")),
    }
    notes = {"cnki": Text(zh="本馆读者请先登录 WebVPN。", en="At our library, sign in through *WebVPN* first.")}
    guide = dataclasses.replace(guide, origins=origins, notes=notes, sources=sources,
                                site=guide.site.model_copy(update={"consortium": consortium}))
    return dataclasses.replace(guide, **changes) if changes else guide


def build_guide(guide: Guide, where: Path, guides: Path = FIXTURE_GUIDE) -> Path:
    """Build ``guide`` into ``where/site`` with ``mkdocs build --strict`` in this process, through the plugin
    with the guide loader answering ``guide`` (a Guide with sources, as the federation stage loads it)."""
    import warnings

    import pytest
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from openshelf.site import pipeline

    site = where / "site"
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        # jieba (imported by Material's search plugin, muted by ours) has regexes Python 3.11 warns about
        warnings.filterwarnings("ignore", "invalid escape sequence", DeprecationWarning)
        config = load_config(str(make_project(where / "project", guides)), site_dir=str(site), strict=True)
        loaders = [name for name in ("load_guide", "load_federated") if hasattr(pipeline, name)]  # whichever it reads with
        assert loaders, "the pipeline's guide loader has a new name"
        for name in loaders:
            patch.setattr(pipeline, name, lambda folder: (guide, []))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    return site


#: A small collection written the way curators write one (schema comment, comments beside values and
#: above entries), for the tests of the commands that edit a file in place and must keep all of it.
COMMENTED_COLLECTION = """\
# yaml-language-server: $schema=_schema/collection.schema.json
id: dbs
title:
  zh: 数据库
  en: Databases
entries:
  # ---- Chinese databases
  - id: cnki
    title:
      zh: 中国知网
      en: CNKI
    url: https://www.cnki.net/
    description:
      en: Chinese journals.
    category: databases
    access: institutional   # through your library
"""
