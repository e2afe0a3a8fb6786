"""`openshelf build --site-dir`: never a folder that holds sources, and only what a build wrote is removed.

Every case runs in a copy of a project inside ``tmp_path`` (the project is nested one level down,
so even ``--site-dir ..`` stays inside the test's own folder).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.cli import main
from support import FIXTURE_GUIDE, ROOT, make_project


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """outer/{beside.txt, project/{mkdocs.yml, docs/ (with an untracked note), guides/}}; cwd is project/."""
    root = tmp_path / "outer" / "project"
    shutil.copytree(ROOT / "docs", root / "docs")
    (root / "docs" / "untracked-note.md").write_text("# Draft\n\nnot yet committed\n", encoding="utf-8")
    shutil.copytree(FIXTURE_GUIDE, root / "guides")
    config = make_project(root, root / "guides", docs_dir="docs")
    (tmp_path / "outer" / "beside.txt").write_text("a file beside the repository\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return config


def build(config: Path, site_dir: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "-f", str(config), "-d", site_dir])
    return result.exit_code, result.output


@pytest.mark.parametrize(("site_dir", "names"), [
    ("docs", "docs folder"),
    ("docs/built", "docs folder"),
    ("guides", "guides folder"),
    ("guides/site", "guides folder"),
    (".", "configuration file's folder"),
    ("..", "configuration file's folder"),
    (".openshelf", "staging folder"),
])
def test_a_site_dir_that_holds_sources_is_refused_before_anything_is_removed(project: Path, site_dir: str,
                                                                            names: str) -> None:
    outer = project.parent.parent
    before = snapshot(outer)
    code, output = build(project, site_dir)
    assert code != 0, output
    assert "refusing to build the site into" in output and names in output, output
    assert "Traceback" not in output
    assert snapshot(outer) == before


def test_the_working_directory_is_refused_too(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "work.txt").write_text("mine\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    code, output = build(project, str(elsewhere))
    assert code != 0 and "working directory" in output, output
    assert (elsewhere / "work.txt").read_text(encoding="utf-8") == "mine\n"


def test_only_what_a_previous_build_wrote_is_removed(project: Path) -> None:
    out = project.parent / "out"
    out.mkdir()
    (out / "CNAME").write_text("guide.example.org\n", encoding="utf-8")  # the user's, never written by a build
    code, output = build(project, "out")
    assert code == 0, output
    assert (out / "access" / "index.html").is_file() and (out / "CNAME").is_file()
    (project.parent / "guides" / "access.yml").unlink()  # the next build has no access page
    databases = project.parent / "guides" / "databases.yml"
    databases.write_text(databases.read_text(encoding="utf-8").replace("    related: [carsi]\n", ""), encoding="utf-8")
    code, output = build(project, "out")
    assert code == 0, output
    assert not (out / "access").exists(), "a page the previous build wrote and this one did not is removed"
    assert (out / "CNAME").read_text(encoding="utf-8") == "guide.example.org\n", "a file no build wrote stays"
    assert (out / "databases" / "index.html").is_file()
