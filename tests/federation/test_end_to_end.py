"""Three guides made with `openshelf init` from a built wheel, shared on 127.0.0.1 (issue 9's end-to-end test).

A shared guide; a library guide that subscribes to it, with a local note and a hidden entry; a
consortium of both. The sites are served by a local server, the subscriptions updated, the shared
guide changed upstream and the subscriptions updated again (the change list must be right); then
the server stops and every guide builds offline from its snapshots; the sites are looked at in
Chromium. Every command is the installed wheel's `openshelf`, run in the new repositories.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from browser import browser, keep_local, serve, type_query, wait_until
from support import offline_env, wheel_venv

SHARED_V1 = """\
id: databases
title: {zh: 数据库, en: Databases}
entries:
  - id: aurora-atlas
    title: {en: Aurora Atlas}
    url: https://aurora.example.org/
    description: {zh: 开放的星图数据库。, en: An open star atlas.}
    category: international-databases
    access: free
  - id: borealis-base
    title: {en: Borealis Base}
    url: https://borealis.example.org/
    description: {zh: 极光观测数据。, en: Aurora observations.}
    category: international-databases
    access: free
  - id: cygnus-catalogue
    title: {en: Cygnus Catalogue}
    url: https://cygnus.example.org/
    description: {zh: 天鹅座星表。, en: A catalogue of Cygnus.}
    category: international-databases
    access: free
"""

DELPHI = """\
  - id: delphi-directory
    title: {en: Delphi Directory}
    url: https://delphi.example.org/
    description: {zh: 期刊目录。, en: A directory of journals.}
    category: international-databases
    access: free
"""

LIBRARY_OWN = """\
id: loans
title: {zh: 本馆借阅, en: Our loans}
entries:
  - id: lumen-loans
    title: {en: Lumen Loans}
    url: https://lumen.example.edu/loans
    description: {zh: 本馆电子书借阅。, en: E-book loans at our library.}
    category: ebooks
    access: institutional
"""

OVERLAYS = """\
overlays:
  - id: aurora-atlas
    note: {zh: 本馆读者请先登录 WebVPN。, en: Sign in through our WebVPN first.}
  - id: cygnus-catalogue
    hide: true
"""


class Tool:
    """The installed wheel's commands, run in one guide repository."""

    def __init__(self, venv: Path, repo: Path, env: dict[str, str]) -> None:
        self.venv, self.repo, self.env = venv, repo, env

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([str(self.venv / "bin" / "openshelf"), *args], cwd=self.repo, env=self.env,
                              capture_output=True, text=True, check=False, timeout=600)
        assert "Traceback" not in proc.stderr, proc.stderr
        if ok:
            assert proc.returncode == 0, f"openshelf {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
        return proc


def init(venv: Path, where: Path, env: dict[str, str], *flags: str) -> Path:
    proc = subprocess.run([str(venv / "bin" / "openshelf"), "init", str(where), "--no-input", *flags], env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return where


def add_categories(repo: Path, **labels: tuple[str, str]) -> None:
    path = repo / "guides" / "_site.yml"
    site = yaml.safe_load(path.read_text(encoding="utf-8"))
    site["categories"].update({key.replace("_", "-"): {"zh": zh, "en": en} for key, (zh, en) in labels.items()})
    path.write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False), encoding="utf-8")


def subscribe(repo: Path, port: int, *names: str) -> None:
    sources = [{"id": name, "url": f"http://127.0.0.1:{port}/{name}/downloads/openshelf.json",
                "allow_hosts": [f"127.0.0.1:{port}"], "collections": ["databases", "loans"]} for name in names]
    (repo / "guides" / "_sources.yml").write_text(yaml.safe_dump({"sources": sources}, sort_keys=False), encoding="utf-8")


def publish(tool: Tool, public: Path, name: str) -> Path:
    """Build the repository's site and put it where the server serves it (``/<name>/``)."""
    tool("build", "-d", "site")
    shutil.rmtree(public / name, ignore_errors=True)
    shutil.copytree(tool.repo / "site", public / name)
    return public / name


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The three guides, updated twice through a local server, then built offline."""
    root = tmp_path_factory.mktemp("federation")
    env = offline_env()
    _, venv = wheel_venv(root, env)
    public = root / "public"
    public.mkdir()
    out: dict[str, Any] = {"root": root}
    with serve(public) as base:
        port = int(base.rstrip("/").rsplit(":", 1)[1])
        shared = Tool(venv, init(venv, root / "shared", env, "--id", "shared", "--name-zh", "共享应急指南",
                                 "--name-en", "Shared emergency guide", "--publisher-en", "Consortium office",
                                 "--url", f"{base}shared/"), env)
        add_categories(shared.repo, international_databases=("外文数据库", "International databases"))
        (shared.repo / "guides" / "databases.yml").write_text(SHARED_V1, encoding="utf-8")
        publish(shared, public, "shared")

        library = Tool(venv, init(venv, root / "library", env, "--id", "lumen", "--name-zh", "流明大学图书馆指南",
                                  "--name-en", "Lumen University Library guide", "--publisher-en", "Lumen University Library",
                                  "--url", f"{base}library/"), env)
        add_categories(library.repo, ebooks=("电子图书", "E-books"))  # international-databases comes with the source
        (library.repo / "guides" / "loans.yml").write_text(LIBRARY_OWN, encoding="utf-8")
        (library.repo / "guides" / "_overlays.yml").write_text(OVERLAYS, encoding="utf-8")
        subscribe(library.repo, port, "shared")
        out["first_update"] = library("sources", "update", "--format", "json").stdout
        publish(library, public, "library")

        # upstream changes: Aurora's description, Delphi added, Borealis removed
        text = SHARED_V1.replace("An open star atlas.", "An open star atlas with 3D maps.")
        text = text[:text.index("  - id: borealis-base")] + text[text.index("  - id: cygnus-catalogue"):] + DELPHI
        (shared.repo / "guides" / "databases.yml").write_text(text, encoding="utf-8")
        publish(shared, public, "shared")
        out["second_update"] = library("sources", "update", "--format", "json").stdout
        publish(library, public, "library")

        consortium = Tool(venv, init(venv, root / "consortium", env, "--id", "consortium", "--name-zh", "联盟指南",
                                     "--name-en", "Consortium guide"), env)
        site_file = consortium.repo / "guides" / "_site.yml"
        site_file.write_text(site_file.read_text(encoding="utf-8") + "consortium: true\n", encoding="utf-8")
        subscribe(consortium.repo, port, "shared", "library")
        consortium("sources", "update")
    # the server is gone: every build below uses the snapshots alone
    for tool in (library, consortium):
        tool("build", "-d", "offline-site")
    out.update(shared=shared, library=library, consortium=consortium)
    yield out


def changes(report: str, source: str) -> dict[str, list[str]]:
    data = json.loads(report)
    (found,) = [s for s in data["sources"] if s["source"] == source]
    return {kind: sorted(c["id"] for c in found["changes"] if c["kind"] == kind) for kind in ("added", "changed", "removed")}


def test_the_change_lists_are_right(federation: dict[str, Any]) -> None:
    assert changes(federation["first_update"], "shared") == {
        "added": ["aurora-atlas", "borealis-base", "cygnus-catalogue"], "changed": [], "removed": []}
    assert changes(federation["second_update"], "shared") == {
        "added": ["delphi-directory"], "changed": ["aurora-atlas"], "removed": ["borealis-base"]}


def test_the_library_site_shows_sources_notes_and_no_hidden_entry(federation: dict[str, Any]) -> None:
    site = federation["library"].repo / "offline-site"
    page = (site / "en" / "databases" / "index.html").read_text(encoding="utf-8")  # the English edition
    assert 'id="aurora-atlas"' in page and 'id="delphi-directory"' in page
    assert "cygnus" not in page.lower(), "the hidden entry appears nowhere"
    assert "Sign in through our WebVPN first." in page
    assert "Shared emergency guide" in page  # where the entry comes from
    assert "with 3D maps" in page  # the update's new text, built offline from the snapshot
    zh = (site / "databases" / "index.html").read_text(encoding="utf-8")  # the Chinese edition, at the root
    assert "本馆读者请先登录 WebVPN。" in zh and "cygnus" not in zh.lower()
    export = json.loads((site / "downloads" / "openshelf.json").read_text(encoding="utf-8"))
    ids = {e["id"] for c in export["collections"] for e in c["entries"]}
    assert "cygnus-catalogue" not in ids and {"aurora-atlas", "lumen-loans"} <= ids


def test_a_tampered_snapshot_stops_the_build_naming_the_source(federation: dict[str, Any]) -> None:
    library: Tool = federation["library"]
    snapshot = library.repo / "guides" / "_sources" / "shared.json"
    original = snapshot.read_bytes()
    try:
        snapshot.write_bytes(original.replace(b"Aurora Atlas", b"Aurora Atlaz"))
        for command in (("validate",), ("build", "-d", "tampered-site")):
            proc = library(*command, ok=False)
            assert proc.returncode == 1 and "shared" in proc.stderr and "lock" in proc.stderr, proc.stderr
        assert not (library.repo / "tampered-site").exists()
    finally:
        snapshot.write_bytes(original)


def test_the_consortium_lists_each_shared_resource_once_naming_both_members(federation: dict[str, Any]) -> None:
    site = federation["consortium"].repo / "offline-site"
    page = (site / "en" / "databases" / "index.html").read_text(encoding="utf-8")  # the English edition
    assert page.count('id="aurora-atlas"') == 1
    start = page.index('id="aurora-atlas"')
    entry = page[start:page.index('class="os-entry', start + 1) if 'class="os-entry' in page[start + 1:] else len(page)]
    assert "Shared emergency guide" in entry and "Lumen University Library guide" in entry
    members = (site / "en" / "members" / "index.html").read_text(encoding="utf-8")
    assert "Shared emergency guide" in members and "Lumen University Library guide" in members
    assert (site / "loans" / "index.html").is_file()  # the library's own collection, through the library's export


@pytest.mark.browser
def test_readers_see_provenance_and_search_finds_every_members_entries(federation: dict[str, Any]) -> None:
    consortium = federation["consortium"].repo / "offline-site"
    library = federation["library"].repo / "offline-site"
    with browser() as chromium:
        with serve(library) as base:
            tab = chromium.new_page()
            outside = keep_local(tab)
            tab.goto(base + "en/databases/#aurora-atlas")
            assert "Shared emergency guide" in tab.locator("#aurora-atlas ~ .os-origin, .os-origin").first.inner_text()
            assert tab.locator(".os-local-note").first.is_visible()
            assert tab.locator("#cygnus-catalogue").count() == 0
            assert outside == []
        with serve(consortium) as base:
            tab = chromium.new_page()
            outside = keep_local(tab)
            tab.goto(base)
            tab.wait_for_load_state("networkidle")
            for query, anchor in (("Lumen", "lumen-loans"), ("Delphi", "delphi-directory"), ("Aurora", "aurora-atlas")):
                type_query(tab, query)
                hrefs = wait_until(tab, """q => { const l = document.querySelector('.md-search-result__list');
                    return l && l.dataset.query === q
                        && [...l.querySelectorAll('a.md-search-result__link')].map(a => a.getAttribute('href')); }""", query, 15)
                assert any(h.endswith(f"#{anchor}") for h in hrefs), (query, hrefs)
            assert outside == []
