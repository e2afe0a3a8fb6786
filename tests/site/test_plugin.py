"""Real MkDocs builds (strict) of the fixture guide and of the default guide."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from support import (
    FIXTURE_GUIDE,
    NEAR_DUPLICATES,
    RAW_MARKDOWN,
    ROOT,
    failing_search_index,
    make_project,
    minimal_project,
    mkdocs_build,
    visible_text,
    with_plugin_options,
    write_guide,
)

CSS_IMPORT = re.compile(r"@import\s+url\(|url\((?:\"|')?https?://", re.I)
# <link rel> values that name a page rather than load a resource
NOT_LOADED = {"canonical", "alternate", "prev", "next"}


class _Assets(HTMLParser):
    """Collects the hosts a page loads resources from (scripts, styles, images, frames, fonts)."""

    def __init__(self) -> None:
        super().__init__()
        self.hosts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and set((a.get("rel") or "").split()) & NOT_LOADED:
            return
        for name in ("src", "href", "srcset", "poster", "data"):
            value = a.get(name) or ""
            if tag in ("script", "img", "iframe", "source", "link", "video", "audio", "embed", "object") \
                    and value.startswith(("http:", "https:", "//")):
                self.hosts.append(urlsplit(value).netloc)


def third_party_assets(site: Path) -> list[str]:
    found = []
    for page in site.rglob("*.html"):
        parser = _Assets()
        parser.feed(page.read_text(encoding="utf-8"))
        found += [f"{page.relative_to(site)}: {host}" for host in parser.hosts]
    for css in site.rglob("*.css"):
        if CSS_IMPORT.search(css.read_text(encoding="utf-8", errors="replace")):
            found.append(str(css.relative_to(site)))
    return found


def test_fixture_guide_builds_strict(tmp_path: Path) -> None:
    result = mkdocs_build(make_project(tmp_path, FIXTURE_GUIDE), tmp_path / "site")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    for page in ("index.html", "databases/index.html", "access/index.html", "tags/index.html", "a-z/index.html"):
        assert (site / page).is_file(), page
    html = (site / "databases" / "index.html").read_text(encoding="utf-8")
    assert 'id="cnki"' in html and 'id="pubmed"' in html
    assert 'class="os-announcement"' in html  # the announcement bar from _site.yml
    assert "assets/openshelf/openshelf.css" in html
    assert third_party_assets(site) == []


def test_default_guide_builds_strict_without_third_party_requests(tmp_path: Path) -> None:
    result = mkdocs_build(ROOT / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    for name in ("databases", "access", "health", "services"):
        assert (site / name / "index.html").is_file()
    assert third_party_assets(site) == []
    assert not list((ROOT / "docs").glob("databases.md")), "nothing is written into docs/"
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert 'id="counts-services"' in about and "openshelf:counts" not in about  # counts per collection and Table 1 service


def test_invalid_guide_stops_the_build_with_every_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bad = ("id: dbs\ntitle: {en: D}\nentries:\n  - id: a\n    title: {en: A}\n    url: ftp://x\n    description: {en: D}\n"
           "    category: databases\n    access: free\n    tittle: x\n")
    guides = write_guide(tmp_path / "guides", {"dbs.yml": bad})
    result = mkdocs_build(make_project(tmp_path / "proj", guides), tmp_path / "site")
    assert result.returncode != 0
    assert "guides/dbs.yml:6:10: error: entry 'a': url must start with http:// or https://" in result.stderr
    assert "guides/dbs.yml:10:5: error: entry 'a': unknown field 'tittle' (did you mean 'title'?)" in result.stderr
    assert "Traceback" not in result.stderr


def test_guide_warnings_are_shown_but_do_not_stop_a_strict_build(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "guides", {"health.yml": NEAR_DUPLICATES})
    result = mkdocs_build(make_project(tmp_path / "proj", guides), tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "warning: entry 'fever-hunan': title: nearly the same title as entry 'fever-hubei'" in result.stderr
    assert "strict mode" not in result.stderr
    assert 'id="fever-hunan"' in (tmp_path / "site" / "health" / "index.html").read_text(encoding="utf-8")


def test_plugin_strict_option_makes_guide_warnings_stop_the_build(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "guides", {"health.yml": NEAR_DUPLICATES})
    config = with_plugin_options(make_project(tmp_path / "proj", guides), strict=True)
    for extra in ((), ("--no-strict",)):  # the guide's strictness does not depend on MkDocs' own
        result = mkdocs_build(config, tmp_path / "site", *extra)
        assert result.returncode == 1, result.stderr
        assert "WARNING" in result.stderr and "entry 'fever-hunan': title: nearly the same title" in result.stderr
        assert "has 1 warning(s) and the openshelf plugin's 'strict' option is set" in result.stderr
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "site").exists()


def test_hand_written_page_may_not_shadow_a_generated_one(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "databases.md").write_text("# mine\n", encoding="utf-8")
    config = make_project(tmp_path, FIXTURE_GUIDE, docs_dir=str(docs))
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode != 0
    assert "docs/databases.md is generated from the guide" in result.stderr


def test_minimal_mkdocs_yml_gets_the_markdown_extensions_the_pages_need(tmp_path: Path) -> None:
    result = mkdocs_build(minimal_project(tmp_path / "proj"), tmp_path / "site")
    assert result.returncode == 0, result.stderr
    for page in ("index.html", "databases/index.html", "access/index.html", "tags/index.html", "a-z/index.html", "links/index.html"):
        text = visible_text((tmp_path / "site" / page).read_text(encoding="utf-8"))
        assert not RAW_MARKDOWN.findall(text), (page, RAW_MARKDOWN.findall(text)[:5])
    html = (tmp_path / "site" / "databases" / "index.html").read_text(encoding="utf-8")
    assert 'id="cnki"' in html and 'class="os-download"' in html  # attr_list
    assert '<article class="os-entry"' in html and '<h3 id="cnki">' in html  # the entries, finished HTML filled in after Markdown
    assert 'class="admonition warning"' in html  # the ended program's notice
    assert 'class="headerlink"' in html  # toc's permalinks


def header_titles(html: str) -> list[str]:
    header = html[html.index('<header class="md-header'):html.index("</header>")]
    return [" ".join(t.split()) for t in re.findall(r'<span class="md-ellipsis">(.*?)</span>', header, re.DOTALL)]


def test_header_shows_the_guides_title_not_the_site_name(tmp_path: Path) -> None:
    config = minimal_project(tmp_path / "proj", site_name="Something else")
    site_yml = config.parent / "guides" / "_site.yml"
    site_yml.write_text(site_yml.read_text(encoding="utf-8").replace("en: Test guide", 'en: Test "guide" <b>&</b>'), encoding="utf-8")
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / "en" / "databases" / "index.html").read_text(encoding="utf-8")  # the English edition
    assert header_titles(html)[0] == "Test &#34;guide&#34; &lt;b&gt;&amp;&lt;/b&gt;"
    assert 'aria-label="Test &#34;guide&#34; &lt;b&gt;&amp;&lt;/b&gt;"' in html  # escaped in attributes too
    assert "<b>&</b>" not in html
    assert header_titles((tmp_path / "site" / "databases" / "index.html").read_text(encoding="utf-8"))[0] == "测试指南"  # the Chinese one
    # In a site per language the browser tab names the guide in the edition's language too (mkdocs.yml's
    # site_name is the fallback of an edition the guide has no title in).
    assert "<title>Academic resources - Test &#34;guide&#34; &lt;b&gt;&amp;&lt;/b&gt;</title>" in html


def test_a_failed_search_index_in_any_edition_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """Each edition's Pagefind run goes on while the next edition builds; a failure in any of them still stops the build."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    indexed = failing_search_index(monkeypatch, "en", "Pagefind failed (exit 1): the English edition's index")
    config = load_config(str(make_project(tmp_path / "proj", FIXTURE_GUIDE)), site_dir=str(tmp_path / "site"))
    with pytest.raises(Abort), caplog.at_level("ERROR"):
        build(config)
    assert "Pagefind failed (exit 1): the English edition's index" in caplog.text
    assert indexed == ["zh", "en"]
    assert (tmp_path / "site" / "pagefind" / "pagefind.js").is_file()  # the main edition's run was waited for, not cut short


def test_the_entries_are_indexed_while_the_pages_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind indexes each edition's entry records (all parts but the last) from the moment the guide is rendered,
    before that edition's pages are built: the index no longer waits for the build."""
    from openshelf.site import pagefind

    config = with_plugin_options(make_project(tmp_path / "proj", FIXTURE_GUIDE), search_part_words=60)
    site = tmp_path / "site"
    started: list[tuple[str, bool]] = []
    real = pagefind.Indexing.start

    def start(self: pagefind.Indexing, pool: Any) -> None:
        started.append((self.language, (site / ("en" if self.language == "en" else "") / "index.html").exists()))
        real(self, pool)

    monkeypatch.setattr(pagefind.Indexing, "start", start)
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(config), site_dir=str(site)))
    assert started == [("zh", False), ("en", False)]
    for bundle in (site / "pagefind", site / "en" / "pagefind"):
        assert json.loads((bundle / pagefind.PARTS_FILE).read_text(encoding="utf-8"))["parts"]  # parts made ahead, moved in


def test_a_build_that_stops_leaves_no_search_scratch_and_runs_nothing_more(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs started before the build are cancelled when it fails, and their scratch folders are removed."""
    import tempfile

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    from openshelf.site import pagefind

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(pagefind, "scratch_parent", lambda size: None)  # the stub pages there too, not in /dev/shm
    project = make_project(tmp_path / "proj", FIXTURE_GUIDE)
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    (docs / "databases.md").write_text("# A hand-written page where a generated one goes\n", encoding="utf-8")
    text = project.read_text(encoding="utf-8").replace(str(ROOT / "docs"), str(docs))
    project.write_text(text, encoding="utf-8")
    with_plugin_options(project, search_part_words=20)
    runs: list[str] = []
    real = pagefind._run
    monkeypatch.setattr(pagefind, "_run", lambda *args: (runs.append(str(args[2])), real(*args)))
    with pytest.raises(Abort):
        build(load_config(str(project), site_dir=str(tmp_path / "site")))
    assert len(runs) <= 1  # the one running when the build stopped, at most; the rest cancelled
    assert not list((tmp_path / "tmp").iterdir())


INTERRUPT_HOOK = '''
from pathlib import Path

def on_page_content(html, page, config, files):  # Ctrl-C while the main edition's pages build
    with Path(__file__).with_name("runs.log").open("a", encoding="utf-8") as log:
        log.write("interrupted\\n")
    raise KeyboardInterrupt
'''


def test_an_interrupted_build_runs_no_more_pagefind(tmp_path: Path) -> None:
    """Ctrl-C while the pages build: the Pagefind runs queued since on_config are dropped, not run one after another
    before the interpreter may exit (the run going on at that moment ends; its scratch folders are removed)."""
    import os
    import stat
    import subprocess
    import sys

    from pagefind.service import get_executable

    log = tmp_path / "runs.log"
    slow = tmp_path / "pagefind"  # logs each run and takes its time, as a large part does
    slow.write_text(f"#!/bin/sh\necho run >> '{log}'\nsleep 0.5\nexec '{get_executable()}' \"$@\"\n", encoding="utf-8")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "hook.py").write_text(INTERRUPT_HOOK, encoding="utf-8")
    project = with_plugin_options(make_project(tmp_path, FIXTURE_GUIDE, hooks=[str(tmp_path / "hook.py")]), search_part_words=20)
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "PAGEFIND_BINARY_PATH": str(slow), "TMPDIR": str(tmp_path / "tmp"), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(project), "-d", str(tmp_path / "site")],
                            capture_output=True, text=True, timeout=300, check=False, env=env)
    assert result.returncode != 0 and "Aborted!" in result.stderr, result.stderr[-2000:]  # click says so on Ctrl-C
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines.count("run") < 6, lines  # the main edition's index is in 7 parts: most were still queued
    assert lines[lines.index("interrupted") + 1:].count("run") <= 1, lines  # the one that had started, at most
    assert [p.name for p in (tmp_path / "tmp").iterdir()] in ([], ["jieba.cache"])


def test_the_footer_links_readers_to_where_the_guide_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader review: nothing on the site said where to report a mistake. With `repository` in _site.yml every page's
    footer links to its issue forms, in the edition's language; without it, a build in GitHub Actions uses the repository
    it runs in, and a build elsewhere shows no link."""
    guides = tmp_path / "guides"
    shutil.copytree(FIXTURE_GUIDE, guides)
    site_file = guides / "_site.yml"
    site_file.write_text(site_file.read_text(encoding="utf-8") + "repository: https://github.com/my-library/guide\n", encoding="utf-8")
    assert mkdocs_build(make_project(tmp_path, guides), tmp_path / "site").returncode == 0
    link = '<a href="https://github.com/my-library/guide/issues/new/choose" rel="noopener">'
    assert f"{link}发现错误或失效链接？请告诉我们</a>" in (tmp_path / "site" / "databases" / "index.html").read_text(encoding="utf-8")
    assert f"{link}Found a mistake or a dead link? Tell us</a>" in (tmp_path / "site" / "en" / "index.html").read_text(encoding="utf-8")

    shutil.copytree(FIXTURE_GUIDE, guides, dirs_exist_ok=True)  # no repository
    assert mkdocs_build(make_project(tmp_path, guides), tmp_path / "plain").returncode == 0
    assert "os-report" not in (tmp_path / "plain" / "index.html").read_text(encoding="utf-8")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "my-library/guide")
    assert mkdocs_build(make_project(tmp_path, guides), tmp_path / "actions").returncode == 0
    assert link in (tmp_path / "actions" / "index.html").read_text(encoding="utf-8")


def test_a_missing_pagefind_stops_the_build_as_a_plugin_error(tmp_path: Path) -> None:
    """The index starts before the pages render (in on_config): Pagefind missing is still MkDocs' "Aborted with a
    BuildError!" naming what to install, not another kind of failure."""
    import os
    import subprocess
    import sys

    config = make_project(tmp_path / "proj", FIXTURE_GUIDE)
    env = {**os.environ, "PAGEFIND_BINARY_PATH": str(tmp_path / "missing-pagefind"), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(tmp_path / "site")],
                            capture_output=True, text=True, timeout=300, check=False, env=env)
    assert result.returncode == 1
    assert "the Pagefind binary is missing: pip install 'pagefind[extended]'" in result.stderr
    assert "Aborted with a BuildError!" in result.stdout + result.stderr and "Traceback" not in result.stdout + result.stderr
