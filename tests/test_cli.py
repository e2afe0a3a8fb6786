"""The openshelf command: exit codes 0 / 1 / 2 and what it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from openshelf.cli import main
from support import FIXTURE_GUIDE, NEAR_DUPLICATES, ROOT, write_guide

BAD = ("id: dbs\ntitle: {en: D}\nentries:\n  - id: cnki\n    title: {en: A}\n    url: www.cnki.net\n    description: {en: D}\n"
       "    category: databases\n    access: free\n")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openshelf", *args], capture_output=True, text=True, check=False, timeout=300)


def test_validate_clean_guide_exits_0() -> None:
    result = CliRunner().invoke(main, ["validate", str(FIXTURE_GUIDE)])
    assert result.exit_code == 0, result.output
    assert "ok: 2 collections, 6 entries" in result.output


def test_validate_bad_url_prints_location_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_guide(tmp_path / "guides", {"dbs.yml": BAD})
    result = run("validate")
    assert result.returncode == 1
    assert "guides/dbs.yml:6:10: error: entry 'cnki': url must start with http:// or https://" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_github_format_annotates_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_guide(tmp_path / "guides", {"dbs.yml": BAD})
    result = CliRunner().invoke(main, ["validate", "--format", "github", "guides"])
    assert result.exit_code == 1
    assert "::error file=guides/dbs.yml,line=6,col=10::entry 'cnki': url must start with http:// or https://" in result.output


def test_validate_reports_warnings_and_fails_on_them_only_with_strict(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "guides", {"health.yml": NEAR_DUPLICATES})
    default = CliRunner().invoke(main, ["validate", str(guides)])
    assert default.exit_code == 0, default.output
    assert "warning: entry 'fever-hunan': title: nearly the same title as entry 'fever-hubei'" in default.output
    assert "ok: 1 collection, 2 entries, 1 warning(s)" in default.output
    strict = CliRunner().invoke(main, ["validate", "--strict", str(guides)])
    assert strict.exit_code == 1, strict.output
    assert "warning: entry 'fever-hunan'" in strict.output
    assert "0 error(s), 1 warning(s) (--strict: warnings fail)" in strict.output
    assert CliRunner().invoke(main, ["validate", "--strict", str(FIXTURE_GUIDE)]).exit_code == 0


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["validate", str(tmp_path / "nope")]).exit_code == 2
    assert CliRunner().invoke(main, ["validate", "--format", "xml"]).exit_code == 2
    assert CliRunner().invoke(main, ["frobnicate"]).exit_code == 2


def test_schema_files_are_up_to_date_and_describe_the_fields() -> None:
    result = CliRunner().invoke(main, ["schema", "--check", "--out", str(ROOT / "guides" / "_schema")])
    assert result.exit_code == 0, result.output
    schema = json.loads((ROOT / "guides" / "_schema" / "collection.schema.json").read_text(encoding="utf-8"))
    entry = schema["$defs"]["Entry"]
    assert entry["additionalProperties"] is False
    assert {"id", "title", "description", "category", "access"} <= set(entry["required"])
    # url is required unless the entry is a how-to (its address is each library's own)
    assert entry["if"] == {"properties": {"kind": {"const": "how-to"}}, "required": ["kind"]}
    assert entry["else"] == {"required": ["url"]}


def test_schema_check_reports_drift(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["schema", "--out", str(tmp_path)]).exit_code == 0
    (tmp_path / "site.schema.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, ["schema", "--check", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "site.schema.json: out of date" in result.output


def test_every_guide_file_names_its_schema() -> None:
    for path in (ROOT / "guides").glob("*.yml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        expected = "site" if path.name == "_site.yml" else "collection"
        if path.name.startswith("_") and path.name != "_site.yml":
            continue
        assert first == f"# yaml-language-server: $schema=_schema/{expected}.schema.json", path.name


def test_help_lists_commands_and_exit_codes() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "build", "schema", "links"):
        assert command in result.output
    assert "2  usage or configuration error" in result.output  # the whole table: tests/links/test_exit_codes.py


def test_every_lazily_loaded_command_is_the_command_of_its_name() -> None:
    """LAZY_COMMANDS names each command by hand: a renamed command or attribute would turn up here, not at a user's prompt."""
    from openshelf.cli import LAZY_COMMANDS

    with click.Context(main) as ctx:
        for name in LAZY_COMMANDS:
            command = main.get_command(ctx, name)
            assert command is not None and command.name == name, name
        assert set(LAZY_COMMANDS) <= set(main.list_commands(ctx))
    result = CliRunner().invoke(main, ["--help"])
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == {"validate", "build", "schema", *LAZY_COMMANDS}


def test_validate_imports_no_http_client_and_no_other_stage() -> None:
    """A curator's most frequent command starts without the link checker, the fetcher or the curators' commands: their
    imports (aiohttp above all) were about 0.2 s of every start-up."""
    code = ("import sys\nfrom openshelf.cli import main\n"
            f"try:\n    main(['validate', {str(FIXTURE_GUIDE)!r}])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'aiohttp' or m.startswith(('openshelf.curate', "
            "'openshelf.links.check', 'openshelf.federation.fetch', 'openshelf.site'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert "ok: 2 collections" in result.stderr, result.stderr
    assert result.stdout.strip() == "[]"


def test_ctrl_c_says_interrupted_and_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Click's own handling printed "Aborted!" and exited 1, the code for an invalid guide (validate) or a broken link."""
    import openshelf.cli

    def stopped(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(openshelf.cli, "load_federated", stopped)
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert (result.exit_code, result.stderr.strip()) == (130, "interrupted")
