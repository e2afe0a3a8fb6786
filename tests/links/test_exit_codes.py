"""`openshelf --help` states each exit code; what the commands do must match what it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.cli import main

SITE = "title: {en: Test guide}\ncategories:\n  db: {en: Databases}\n"
ENTRY = "  - id: one\n    title: {en: One}\n    url: URL\n    description: {en: x}\n    category: db\n    access: free\n"


def exit_code_table() -> dict[int, str]:
    """``{code: its text}`` from the 'Exit codes:' table of the top-level help (wrapped lines joined)."""
    help_text = CliRunner().invoke(main, ["--help"]).output
    table: dict[int, str] = {}
    code = None
    for line in help_text.split("Exit codes:", 1)[1].splitlines()[1:]:
        row = re.match(r"^\s+(\d)\s{2,}(.*)$", line)
        if row:
            code = int(row.group(1))
            table[code] = row.group(2)
        elif line.strip() and code is not None and line.startswith(" "):
            table[code] += " " + line.strip()
        else:
            break
    return table


def guide(root: Path, url: str = "https://a.example/", extra: str = "") -> None:
    (root / "guides").mkdir()
    (root / "guides/_site.yml").write_text(SITE)
    (root / "guides/things.yml").write_text("id: things\ntitle: {en: T}\nentries:\n" + ENTRY.replace("URL", url) + extra)


def test_the_table_has_each_code_once():
    assert sorted(exit_code_table()) == [0, 1, 2]


@pytest.mark.parametrize(("situation", "args", "said"), [
    ("validate: an invalid guide", ["validate"], "errors in the guide (every command but links)"),
    ("stale: an invalid guide", ["stale"], "errors in the guide (every command but links)"),
    ("links: an invalid guide", ["links", "--no-state"], "for links also an invalid guide"),
    ("validate: a bad option", ["validate", "--format", "xml"], "a bad option"),
])
def test_an_invalid_guide(tmp_path, monkeypatch, situation, args, said):
    monkeypatch.chdir(tmp_path)
    guide(tmp_path, extra="    link_check: sometimes\n")
    code = CliRunner().invoke(main, args).exit_code
    assert said in exit_code_table()[code], f"{situation} exits {code}"


def test_links_situations(tmp_path, monkeypatch, server):
    monkeypatch.chdir(tmp_path)
    guide(tmp_path, url=server.url("/status/404?exit-codes=1"))
    table = exit_code_table()

    def code(*args: str) -> int:
        return CliRunner().invoke(main, ["links", "--allow-host", "127.0.0.1", *args]).exit_code

    assert "a broken link (links)" in table[code("--no-state")]
    (tmp_path / "guides/_links.yml").write_text("hosts: [{host: a.org}]\n")
    assert "an invalid guides/_links.yml" in table[code("--no-state")]
    (tmp_path / "guides/_links.yml").unlink()
    (tmp_path / "state.json").write_text("{")
    assert "a corrupt link state file (links, build, export)" in table[code("--state", "state.json")]
    export = CliRunner().invoke(main, ["export", "--format", "json", "--state", "state.json"]).exit_code
    assert "a corrupt link state file (links, build, export)" in table[export]
    guide_ok = tmp_path / "guides/things.yml"
    guide_ok.write_text(guide_ok.read_text().replace("/status/404", "/ok"))
    assert table[code("--no-state")] == "success"
