"""`openshelf build`: the staged pages built by MkDocs and by Zensical, nothing written into docs/."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.cli import main
from support import (
    FIXTURE_GUIDE,
    NEAR_DUPLICATES,
    RAW_MARKDOWN,
    ROOT,
    bundle_ok,
    failing_search_index,
    make_project,
    minimal_project,
    mkdocs_build,
    visible_text,
    with_plugin_options,
    write_guide,
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    before = sorted(p.name for p in docs.rglob("*"))
    config = make_project(tmp_path, FIXTURE_GUIDE, docs_dir="docs")
    monkeypatch.chdir(tmp_path)
    yield config
    assert sorted(p.name for p in docs.rglob("*")) == before, "nothing may be written into docs/"


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_build_with_engine(project: Path, engine: str, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NO_MKDOCS_2_WARNING", raising=False)  # as a curator runs it, without the Makefile
    result = CliRunner().invoke(main, ["build", "--engine", engine, "-f", str(project), "-d", "out"])
    assert result.exit_code == 0, result.output
    assert "NO_MKDOCS_2_WARNING" not in capfd.readouterr().err  # Material's notice about MkDocs 2 is not printed
    site = project.parent / "out"
    for page in ("index.html", "databases/index.html", "access/index.html", "tags/index.html", "a-z/index.html", "about/index.html"):
        assert (site / page).is_file(), page
    html = (site / "databases" / "index.html").read_text(encoding="utf-8")
    assert 'id="cnki"' in html
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert 'id="counts"' in about and "openshelf:counts" not in about  # the About page shows the guide's counts
    assert "os-announcement" in html
    assert (site / "assets" / "openshelf" / "openshelf.css").is_file()
    assert re.search(r'^var VERSION = "[0-9a-f]{16}";$', (site / "sw.js").read_text(encoding="utf-8"), re.MULTILINE)
    policies = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
    assert len(policies) == 1 and "'sha256-" in policies[0] and "'unsafe-inline' " not in policies[0].split(";")[1], policies
    if engine == "mkdocs":
        bundle_ok(site)
    else:  # Zensical keeps its own search; the Pagefind script finds no form of its own and does nothing
        assert not (site / "pagefind").exists()
        assert 'name="openshelf-search"' not in (site / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_build_writes_a_site_per_language_like_the_plugin(project: Path, engine: str) -> None:
    """Both paths build the same editions: the main one (zh) at the root, English under en/, each page
    naming itself in every edition; one service worker, at the root; the About page of each edition."""
    result = CliRunner().invoke(main, ["build", "--engine", engine, "-f", str(project), "-d", "out"])
    assert result.exit_code == 0, result.output
    site = project.parent / "out"
    zh, en = ((site / p / "databases" / "index.html").read_text(encoding="utf-8") for p in ("", "en"))
    assert '<html lang="zh"' in zh and '<html lang="en"' in en
    for html in (zh, en):
        assert '<meta name="openshelf-alternate" content="zh /databases/">' in html
        assert '<meta name="openshelf-alternate" content="en /en/databases/">' in html
    assert '<meta name="openshelf-edition" content="en">' in en and '<meta name="openshelf-root" content="../../">' in en
    assert "Institutional subscription" in en and "Institutional subscription" not in zh
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<meta name="openshelf-choose-edition" content="1">' in home
    assert "openshelf-choose-edition" not in (site / "en" / "index.html").read_text(encoding="utf-8")
    assert (site / "sw.js").is_file() and not (site / "en" / "sw.js").exists()
    assert "About this guide" in (site / "en" / "about" / "index.html").read_text(encoding="utf-8")
    assert "关于本指南" in (site / "about" / "index.html").read_text(encoding="utf-8")
    for edition, title in (("", "永久链接"), ("en", "Permanent link")):  # the links beside headings, entries' and hand-written
        for page in ("databases", "about"):
            html = (site / edition / page / "index.html").read_text(encoding="utf-8")
            assert set(re.findall(r'class="headerlink" href="#[^"]*" title="([^"]*)"', html)) == {title}, (edition, page)
    if engine == "mkdocs":
        bundle_ok(site / "en")  # the English edition's own search index


SEARCH_WATCH = """
import json
from pathlib import Path

def on_post_build(config):  # after Material's search plugin's own on_post_build: what it indexed, what it wrote
    search = config.plugins["material/search"]
    seen = {"entries": len(search.search_index.entries), "index": (Path(config.site_dir) / "search" / "search_index.json").exists()}
    with Path(__file__).with_name("search.log").open("a", encoding="utf-8") as log:
        log.write(json.dumps(seen) + "\\n")
"""


def test_build_leaves_material_search_unindexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With Pagefind, Material's search plugin keeps the search box but indexes no page (jieba) and writes no index, on
    the staged path as with the plugin: it indexed every page of each edition and the build deleted the index."""
    (tmp_path / "watch.py").write_text(SEARCH_WATCH, encoding="utf-8")
    config = make_project(tmp_path, FIXTURE_GUIDE, hooks=[str(tmp_path / "watch.py")])
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "out"])
    assert result.exit_code == 0, result.output
    seen = (tmp_path / "search.log").read_text(encoding="utf-8").splitlines()
    assert seen == ['{"entries": 0, "index": false}'] * 2  # each edition
    bundle_ok(tmp_path / "out")
    bundle_ok(tmp_path / "out" / "en")


def test_build_runs_the_sites_own_hooks_from_where_mkdocs_yml_names_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hook named relative to mkdocs.yml (as MkDocs reads it) is found from the staged project too."""
    (tmp_path / "watch.py").write_text(SEARCH_WATCH, encoding="utf-8")
    config = make_project(tmp_path, FIXTURE_GUIDE, hooks=["watch.py"])
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "out"])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "search.log").read_text(encoding="utf-8").splitlines()) == 2


def test_build_with_editions_off_writes_the_bilingual_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = with_plugin_options(make_project(tmp_path, FIXTURE_GUIDE), editions=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "out"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "out" / "en").exists()
    assert 'class="os-zh"' in (tmp_path / "out" / "databases" / "index.html").read_text(encoding="utf-8")


def test_build_stops_on_an_invalid_guide(project: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(FIXTURE_GUIDE, bad)
    text = (bad / "databases.yml").read_text(encoding="utf-8").replace("https://www.cnki.net/", "www.cnki.net")
    (bad / "databases.yml").write_text(text, encoding="utf-8")
    config = make_project(tmp_path, bad, docs_dir="docs")
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "out"])
    assert result.exit_code == 1
    assert "entry 'cnki': url must start with http:// or https://" in result.output
    assert not (tmp_path / "out").exists()


def test_guide_warnings_stop_the_build_only_with_the_plugins_strict_option(project: Path, tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "warned", {"health.yml": NEAR_DUPLICATES})
    config = make_project(tmp_path, guides, docs_dir="docs")
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "out"])  # --strict: MkDocs' own warnings
    assert result.exit_code == 0, result.output
    assert "warning: entry 'fever-hunan': title: nearly the same title" in result.output
    shutil.rmtree(tmp_path / "out")
    result = CliRunner().invoke(main, ["build", "-f", str(with_plugin_options(config, strict=True)), "-d", "out"])
    assert result.exit_code == 1, result.output
    assert "warning: entry 'fever-hunan'" in result.output
    assert "has 1 warning(s) and the openshelf plugin's 'strict' option is set" in result.output
    assert not (tmp_path / "out").exists()


def test_an_unreadable_link_state_is_one_clean_error_on_both_paths(project: Path, tmp_path: Path) -> None:
    guides = tmp_path / "guides"
    shutil.copytree(FIXTURE_GUIDE, guides)
    (guides / "_state").mkdir()
    (guides / "_state" / "links.json").write_text("{not json", encoding="utf-8")
    config = make_project(tmp_path, guides, docs_dir="docs")
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "out"])
    assert result.exit_code == 2, result.output  # a state file is configuration, as for `openshelf links`
    assert "links.json" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    plugin = mkdocs_build(config, tmp_path / "plugin-out")
    assert plugin.returncode == 1
    assert "links.json" in plugin.stderr and "Traceback" not in plugin.stderr


def test_build_gives_a_minimal_mkdocs_yml_the_markdown_extensions_the_pages_need(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = minimal_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "out"])
    assert result.exit_code == 0, result.output
    for page in ("index.html", "databases/index.html", "tags/index.html"):
        text = visible_text((tmp_path / "out" / page).read_text(encoding="utf-8"))
        assert not RAW_MARKDOWN.findall(text), (page, RAW_MARKDOWN.findall(text)[:5])
    html = (tmp_path / "out" / "databases" / "index.html").read_text(encoding="utf-8")
    assert 'class="admonition warning"' in html and 'class="headerlink"' in html


def test_a_project_without_a_docs_folder_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A guide needs no hand-written page: a missing docs_dir is an empty one, not a traceback."""
    config = make_project(tmp_path, FIXTURE_GUIDE, docs_dir="docs")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "out"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "databases" / "index.html").is_file()
    assert not (tmp_path / "docs").exists()
    (tmp_path / "docs").write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "out2"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "docs: docs_dir is not a folder" in result.output


def _gbk_page(page: Path) -> str:
    page.write_bytes("# 图书馆闭馆通知\n".encode("gbk"))
    return ":1: the file is not UTF-8 (it looks like GBK/GB18030)"


def _broken_symlink(page: Path) -> str:
    page.symlink_to(page.parent.parent / "nowhere.md")
    return ": cannot copy it into the build: [Errno 2] No such file or directory"


@pytest.mark.parametrize("make", [_gbk_page, _broken_symlink])
def test_a_hand_written_page_that_cannot_be_read_is_named_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                           make: Callable[[Path], str]) -> None:
    """A page in docs/ saved in GBK, or a symlink to nothing: each ended `openshelf build` in a traceback."""
    config = make_project(tmp_path, FIXTURE_GUIDE, docs_dir="docs")
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "notes.md"
    expected = make(page)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "out"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"{page}{expected}" in result.output
    assert not (tmp_path / "out").exists()


def test_theme_and_plugins_in_every_form_mkdocs_takes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``theme: material`` (the README's minimal mkdocs.yml) ended in a ValueError traceback, and the plugin's options
    written as ``plugins: {openshelf: {…}}`` were dropped."""
    write_guide(tmp_path / "guides", {"health.yml": NEAR_DUPLICATES})
    config = tmp_path / "mkdocs.yml"
    monkeypatch.chdir(tmp_path)
    config.write_text("site_name: M\ntheme: material\nplugins: {search: {}, openshelf: {strict: true}}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-d", "out"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "the openshelf plugin's 'strict' option is set" in result.output and not (tmp_path / "out").exists()
    config.write_text("site_name: M\ntheme: material\nplugins: [search, openshelf]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-d", "out"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "health" / "index.html").is_file()


@pytest.mark.parametrize(("text", "named"), [
    ("theme: 5\nplugins: [openshelf]\n", "theme"),
    ("theme: material\nplugins: 5\n", "plugins"),
    ("theme: material\ndocs_dir: 5\nplugins: [openshelf]\n", "docs_dir"),
    ("theme: material\nmarkdown_extensions: 5\nplugins: [openshelf]\n", "markdown_extensions"),
    ("theme: material\nplugins: [openshelf, 5]\n", "plugins[1]"),
    ("theme: material\nplugins: [openshelf]\nmarkdown_extensions: [toc, {a: 1, b: 2}]\n", "markdown_extensions[1]"),
])
def test_a_value_of_the_wrong_type_in_mkdocs_yml_is_named_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                          text: str, named: str) -> None:
    config = minimal_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    config.write_text("site_name: M\n" + text, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-d", "out"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"mkdocs.yml: {named}: " in result.output, result.output


def test_a_failed_search_index_stops_openshelf_build_and_leaves_no_site(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The editions' Pagefind runs go on while the next edition builds; one that fails still fails the build, and no half site is moved into place."""
    indexed = failing_search_index(monkeypatch, "zh", "Pagefind failed (exit 1): the Chinese edition's index")
    result = CliRunner().invoke(main, ["build", "-f", str(project), "-d", "out"])
    assert result.exit_code == 1, result.output
    assert "the Chinese edition's index" in result.output and "Traceback" not in result.output
    assert indexed == ["zh", "en"]  # the English edition was built and indexed all the same, then the build failed
    assert not (project.parent / "out").exists()


def test_build_indexes_in_parts_as_the_plugin_option_says(project: Path) -> None:
    """``search_part_words`` reaches `openshelf build`'s Pagefind runs as it does the plugin's."""
    import json

    result = CliRunner().invoke(main, ["build", "-f", str(with_plugin_options(project, search_part_words=150)), "-d", "out"])
    assert result.exit_code == 0, result.output
    for bundle in (project.parent / "out" / "pagefind", project.parent / "out" / "en" / "pagefind"):
        parts = json.loads((bundle / "openshelf-parts.json").read_text(encoding="utf-8"))["parts"]
        assert parts and all((bundle / part / "pagefind-entry.json").is_file() for part in parts)


@pytest.mark.parametrize(("options", "named"), [
    ({"search_part_words": "many"}, "plugins.openshelf.search_part_words: Expected type: <class 'int'>"),
    ({"search": "lunr"}, "plugins.openshelf.search:"),
    ({"editions": "yes please"}, "plugins.openshelf.editions:"),
])
def test_build_checks_the_plugins_options_as_mkdocs_does(project: Path, options: dict[str, object], named: str) -> None:
    result = CliRunner().invoke(main, ["build", "-f", str(with_plugin_options(project, **options)), "-d", "out"])
    assert result.exit_code == 1, result.output
    assert named in result.output and "Traceback" not in result.output
    assert not (project.parent / "out").exists()
    plugin = mkdocs_build(with_plugin_options(project, **options), project.parent / "plugin-out")
    assert plugin.returncode != 0  # MkDocs refuses the same options for the plugin


def test_a_misspelt_plugin_option_fails_a_strict_build_and_is_a_warning_otherwise(project: Path) -> None:
    """As MkDocs treats an option it does not know: refused by --strict (the default), else warned about."""
    config = with_plugin_options(project, search_part_word=1000)
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "out"])
    assert result.exit_code == 1, result.output
    assert "plugins.openshelf.search_part_word: Unrecognised configuration name: search_part_word" in result.output
    assert "Traceback" not in result.output and not (project.parent / "out").exists()
    result = CliRunner().invoke(main, ["build", "--no-strict", "-f", str(config), "-d", "out"])
    assert result.exit_code == 0, result.output
    assert f"{config}: warning: plugins.openshelf.search_part_word: Unrecognised configuration name" in result.output
    plugin = mkdocs_build(config, project.parent / "plugin-out")  # MkDocs' --strict refuses it for the plugin too
    assert plugin.returncode != 0 and "search_part_word" in plugin.stderr
