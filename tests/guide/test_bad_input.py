"""Hostile and careless input: every bad file ends in exit 1 and a clear message, never a traceback or a hang.

The corpus is in tests/fixtures/bad/ (one case per file, small enough to read); the huge cases (deep
nesting, a 5 MB value, a file over the size limit) are generated here.  Harmless oddities (a
byte-order mark, Windows line endings, an internationalised domain name) are in
tests/fixtures/harmless/ and must pass quietly.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.cli import main
from support import ROOT

BAD = ROOT / "tests" / "fixtures" / "bad"
HARMLESS = ROOT / "tests" / "fixtures" / "harmless"
TIMEOUT = 60  # seconds; a hang fails the test instead of blocking the suite

# file → (text the message must contain, the field it must name or None where no field applies)
CASES: dict[str, tuple[str, str | None]] = {
    "tabs": ("entry 'cnki': while scanning for the next token, found character that cannot start any token "
             "(a tab is used for indentation: YAML needs spaces)", None),
    "bad-indentation": ("check the indentation", None),
    # adoption review: one space too many before a field read as "a value holds ': ' ... put it in quotes"
    "over-indented-field": ("entry 'cnki': this line starts further right than the field 'id' above it: the fields of one "
                            "entry must start in the same column (check the indentation;", None),
    "unclosed-quote": ("a quote is opened but not closed", None),
    "gbk": ("the file is not UTF-8 (it looks like GBK/GB18030): save it as UTF-8", None),
    "utf16": ("the file is not UTF-8 (it looks like UTF-16): save it as UTF-8", None),
    "empty": ("the file is empty; it must be a mapping", None),
    "top-level-list": ("the file is a list; it must be a mapping", None),
    "top-level-scalar": ("the file is a single value; it must be a mapping", None),
    "billion-laughs": ("the document expands to more than 2,000,000 values", None),
    "comma-list": ("must be a list, written [covid, journals, 期刊]", "tags"),
    "empty-entries": ("entries: must be a list, not empty: write 'entries: []' for an empty list", "entries"),
    "impossible-date": ("must be a real date written YYYY-MM-DD, not '2020-02-30'", "last_verified"),
    "id-escapes-folder": ("must be a slug", "id"),
    "id-with-slash": ("must be a slug", "id"),
    "tags": ("collection id 'tags' is a page name the site uses", None),
    "id-clashes-with-anchor": ("starts with 'category-', which the page uses for its category headings", "id"),
    "url-javascript": ("must start with http:// or https://", "url"),
    "url-data": ("must start with http:// or https://", "url"),
    "url-file": ("must start with http:// or https://", "url"),
    "url-relative": ("must start with http:// or https://", "url"),
    "url-with-spaces": ("without spaces", "url"),
    "url-zero-width": ("url has an invisible character, U+200B (ZERO WIDTH SPACE), after 'https://www.cnki.net/'", "url"),
    "url-with-password": ("url must not hold a user name or password", "url"),
    "wrong-type": ("must be a mapping of fields", "title"),
    "duplicate-key": ("entry 'cnki': duplicate key 'url' in entries[0] (first defined at line 6)", None),
    "merge-key": ("merge keys ('<<') are not supported", None),
    "recursive-alias": ("recursive alias", None),
    "two-documents": ("expected a single document", None),
    "unknown-field": ("unknown field 'tittle' (did you mean 'title'?)", None),
    "missing-field": ("missing required field 'access'", None),
    "full-width-colon": ("a full-width colon '：' here: YAML needs an ASCII ':' followed by a space", None),
    "full-width-space": ("the key 'url' starts with an invisible character U+3000", None),
    "full-width-comma": ("separate list items with an ASCII comma ','", "tags[0]"),
    "control-character": ("the file contains the control character U+0008", None),
    "escaped-control": ("entry 'cnki': description.en: has the control character U+001B after 'Papers.': delete it", "description.en"),
    "bidi-override": ("entry 'cnki': title.en: has the control character U+202E (RIGHT-TO-LEFT OVERRIDE) after 'CNKI '", "title.en"),
    "missing-colon": ("entry 'cnki': this line has no ':' after its field name: write 'field: value'", None),
    "id-without-colon": ("entry 'cnki': this line has no ':' after its field name: write 'field: value'", None),
    "colon-in-value": ("entry 'cnki': mapping values are not allowed in this context (a value holds ': ' (like 'Note: login "
                       "needed'): put the whole value in quotes", None),
    "bold-start": ("a value that begins with '*' (like **Free**) is read as a YAML alias: put the whole value in quotes", None),
    "markdown-link-start": ("a value that begins with '[' is read as a list or mapping: put the whole value in quotes", None),
    "ended-service-running": ("service_status says 'running' for a program that has ended (status: ended)", None),
    "future-check": ("last_verified 2099-03-01 is in the future", "last_verified"),
    "language-name": ("must be a language code (ISO 639-1, like zh, en or fr), not 'english'", "languages[0]"),
    "category-label": ("not '数据库': write the key _site.yml gives it", "category"),
    "full-width-space-after-colon": ("entry 'cnki': a full-width space after ':' on this line: YAML needs an ASCII space", None),
}
# Exact positions for the cases where libyaml's own position would mislead.
POSITIONS = {"missing-colon": "6:5", "id-without-colon": "4:3", "full-width-space-after-colon": "9:5", "colon-in-value": "8:15",
             "empty-entries": "3:9", "full-width-colon": "6:8", "full-width-space": "6:1", "control-character": "7:41", "gbk": "5:1",
             "over-indented-field": "5:6"}


# Cases run in a process of their own (`python -m openshelf validate`, with TIMEOUT): the ones that
# could crash the interpreter or spin (deep nesting, alias bombs), so a failure cannot take the suite
# down, and one run over the whole corpus through the real entry point.  The others run in-process
# through Click's test runner: the same command, exit code and output, without starting Python for each.
IN_A_PROCESS = {"billion-laughs", "recursive-alias"}


def validate(*args: str | Path, cwd: Path, process: bool = False) -> subprocess.CompletedProcess[str]:
    command = ["validate", *map(str, args)]
    if process:
        return subprocess.run([sys.executable, "-m", "openshelf", *command], cwd=cwd, capture_output=True,
                              text=True, timeout=TIMEOUT, check=False, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    with contextlib.chdir(cwd):
        # catch_exceptions=False: an uncaught exception fails the test with its traceback.
        result = CliRunner().invoke(main, command, catch_exceptions=False)
    return subprocess.CompletedProcess(["openshelf", *command], result.exit_code, result.stdout, result.stderr)


def check_failure(result: subprocess.CompletedProcess[str], name: str, expected: str, field: str | None) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    line = next((x for x in result.stderr.splitlines() if expected in x), None)
    assert line is not None, f"{expected!r} not in:\n{output}"
    assert re.match(rf"^{re.escape(name)}:\d+:\d+: error: ", line), line
    if field:
        assert re.search(rf"(?<![\w-]){re.escape(field)}(?![\w-])", line.split(": error: ", 1)[1]), line


def test_the_corpus_is_complete() -> None:
    assert sorted(p.stem for p in BAD.glob("*.yml") if p.name != "_site.yml") == sorted(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file(case: str) -> None:
    expected, field = CASES[case]
    result = validate(f"{case}.yml", cwd=BAD, process=case in IN_A_PROCESS)
    check_failure(result, f"{case}.yml", expected, field)
    if case in POSITIONS:
        assert f"{case}.yml:{POSITIONS[case]}: error: " in result.stderr, result.stderr


@pytest.mark.parametrize("case", ["bom", "crlf", "idn"])
def test_harmless_file_passes_quietly(case: str) -> None:
    result = validate(f"{case}.yml", cwd=HARMLESS)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "ok: 1 collection, 1 entry"


def _generated(tmp_path: Path, name: str, text: str, site: str | None = None) -> Path:
    (tmp_path / "_site.yml").write_text(site or (BAD / "_site.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deep_nesting_neither_crashes_nor_hangs(tmp_path: Path, depth: int) -> None:
    # PyYAML's own composer recurses in C and kills the process at about 30,000 levels.
    text = "id: deep\ntitle: {en: Deep}\nentries:\n  - id: x\n    tags: " + "[" * depth + "]" * depth + "\n"
    result = validate("deep.yml", cwd=_generated(tmp_path, "deep.yml", text), process=True)
    check_failure(result, "deep.yml", "the YAML nests too deeply (more than 64 levels)", "entries[0].tags")


def test_a_5_mb_value_is_refused_with_its_field(tmp_path: Path) -> None:
    text = "id: long\ntitle: {en: Long}\nentries:\n  - id: x\n    description:\n      en: " + "长" * 5_000_000 + "\n"
    result = validate("long.yml", cwd=_generated(tmp_path, "long.yml", text))
    check_failure(result, "long.yml", "the value is 5,000,000 characters long; the limit is 100,000", "entries[0].description.en")


def test_limits_come_from_the_site_file(tmp_path: Path) -> None:
    site = (BAD / "_site.yml").read_text(encoding="utf-8") + "limits: {max_file_bytes: 500, max_entries: 1, max_value_chars: 50}\n"
    entry = (BAD / "missing-field.yml").read_text(encoding="utf-8").split("entries:\n", 1)[1] + "    access: free\n"
    root = _generated(tmp_path, "big.yml", "id: big\ntitle: {en: Big}\nentries:\n" + entry + "# padding\n" * 60, site)
    check_failure(validate("big.yml", cwd=root), "big.yml", "bytes; the limit is 500 (limits.max_file_bytes in _site.yml)", None)
    (root / "big.yml").write_text("id: big\ntitle: {en: Big}\nentries:\n" + entry + entry.replace("cnki", "cnki-2"), encoding="utf-8")
    check_failure(validate("big.yml", cwd=root), "big.yml", "the guide has more than 1 entries (limits.max_entries", "entries")
    (root / "big.yml").write_text("id: big\ntitle: {en: Big}\nentries:\n" + entry.replace("Papers.", "P" * 60), encoding="utf-8")
    check_failure(validate("big.yml", cwd=root), "big.yml", "the value is 60 characters long; the limit is 50", "entries[0].description.en")


def test_every_bad_file_at_once_is_one_run(tmp_path: Path) -> None:
    result = validate(".", cwd=BAD, process=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    files = {line.split(":", 1)[0] for line in result.stderr.splitlines() if ": error: " in line}
    assert files == {f"{name}.yml" for name in CASES}


def test_the_limits_in_help_are_the_defaults() -> None:
    from click.testing import CliRunner

    from openshelf.cli import main
    from openshelf.guide.models import Limits

    text = CliRunner().invoke(main, ["validate", "--help"], terminal_width=120).output
    for name, value in Limits().model_dump().items():
        assert re.search(rf"{name}\s+{value:,}\s", text), name


def test_a_20000_entry_guide_keeps_exact_positions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmark's guide (about 7 MB), with two mistakes in its last entry: both positions exact."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_validate
    finally:
        sys.path.pop(0)
    from openshelf.guide.load import load_guide

    paths = bench_validate.generate(tmp_path / "guides", 20_000)
    last = paths[-1]
    lines = last.read_text(encoding="utf-8").splitlines(keepends=True)
    url = max(i for i, line in enumerate(lines) if line.startswith("    url: "))
    lines[url] = "    url: www.example.org/last\n"
    lines.append("    related: [nowhere]\n")  # a duplicate key at the very end
    last.write_text("".join(lines), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, diagnostics = load_guide(tmp_path / "guides")
    # (the file is then unreadable, so the entry before it relates to an id that is missing)
    expected = (f"guides/{last.name}:{len(lines)}:5: error: entry 'r19999': duplicate key 'related' in entries[4999] "
                f"(first defined at line {len(lines) - 1})")
    assert expected in [d.format() for d in diagnostics]
    lines.pop()
    last.write_text("".join(lines), encoding="utf-8")
    _, diagnostics = load_guide(tmp_path / "guides")
    assert [d.format() for d in diagnostics] == [
        f"guides/{last.name}:{url + 1}:10: error: entry 'r19999': url must start with http:// or https://"]


def test_bench_validate_runs(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_validate.py"), "--entries", "300"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "openshelf validate" in result.stdout and "CSafeLoader" in result.stdout and "SafeLoader (pure Python)" in result.stdout
