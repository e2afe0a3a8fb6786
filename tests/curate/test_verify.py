"""openshelf verify: a check recorded in place (date, who, evidence, note), comments kept, validated before writing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.cli import main
from openshelf.curate.verify import Check, NoSuchEntry, record_check
from openshelf.guide.load import load_guide
from support import COMMENTED_COLLECTION, write_guide

DBS = COMMENTED_COLLECTION + """\
    last_verified:
    aliases: [CNKI]

  # ---- the next one was checked before
  - id: doaj
    title:
      en: DOAJ
    url: https://doaj.org/
    description:
      en: Free journals.
    category: databases
    access: free
    last_verified: 2025-01-01
    verified_by: Someone
    evidence:
      - https://doaj.org/about/
    verification_note: An old note.
    aliases: [DOAJ]
"""


@pytest.fixture
def guides(tmp_path: Path) -> Path:
    return write_guide(tmp_path / "guides", {"dbs.yml": DBS})


def verify(guides: Path, *args: str) -> object:
    return CliRunner().invoke(main, ["verify", "--guides", str(guides), *args])


def test_record_check_sets_the_fields_in_schema_order_and_keeps_comments() -> None:
    check = Check(dt.date(2026, 11, 28), "A. Librarian", ("https://www.cnki.net/about", "https://web.archive.org/web/2020/https://www.cnki.net/"),
                  "The page states the 2020 free service.")
    text, index = record_check(DBS, "cnki", check)
    assert index == 0
    assert """\
    access: institutional   # through your library
    last_verified: 2026-11-28
    verified_by: A. Librarian
    evidence:
      - https://www.cnki.net/about
      - https://web.archive.org/web/2020/https://www.cnki.net/
    evidence_kind: provider
    verification_note: The page states the 2020 free service.
    aliases: [CNKI]

  # ---- the next one was checked before
""" in text
    assert text.startswith(DBS.split("  - id: cnki", maxsplit=1)[0])
    assert text.split("  # ---- the next one")[1] == DBS.split("  # ---- the next one")[1]  # the other entry is untouched


def test_a_new_check_replaces_the_previous_one_and_drops_its_note() -> None:
    text, index = record_check(DBS, "doaj", Check(dt.date(2026, 11, 28), "B", ("https://doaj.org/",)))
    assert index == 1
    assert text.endswith("""\
    last_verified: 2026-11-28
    verified_by: B
    evidence:
      - https://doaj.org/
    evidence_kind: provider
    aliases: [DOAJ]
""")
    assert "An old note" not in text


def test_record_check_of_an_unknown_id_raises() -> None:
    with pytest.raises(NoSuchEntry):
        record_check(DBS, "nope", Check(dt.date(2026, 11, 28), "B", ("https://doaj.org/",)))


def test_verify_command_writes_and_the_guide_stays_valid(guides: Path) -> None:
    result = verify(guides, "cnki", "--by", "A. Librarian", "--evidence", "https://www.cnki.net/about", "--date", "2026-11-01",
                    "--note", "States the offer.")
    assert result.exit_code == 0, result.output
    assert "recorded the check of 'cnki' (2026-11-01, by A. Librarian) at " in result.stderr
    guide, diagnostics = load_guide(guides)
    assert guide is not None and diagnostics == []
    cnki = guide.by_id["cnki"]
    assert (cnki.last_verified, cnki.verified_by, cnki.evidence, cnki.verification_note) == (
        dt.date(2026, 11, 1), "A. Librarian", ["https://www.cnki.net/about"], "States the offer.")
    assert "# ---- Chinese databases" in (guides / "dbs.yml").read_text(encoding="utf-8")


def test_verify_records_what_the_evidence_is_and_a_later_check_without_kind_says_provider(guides: Path) -> None:
    """A check without --kind left evidence_kind out, and this repository's content tests (what `make test` runs in CI)
    refuse a check that does not say what its evidence is: a curator following CONTRIBUTING's `openshelf verify ID --by
    NAME --evidence URL` had a failing pull request.  Without --kind the check now says provider, as the help promises."""
    result = verify(guides, "doaj", "--by", "B", "--evidence", "https://blog.example.edu/doaj-2020", "--kind", "report",
                    "--date", "2026-11-02", "--note", "A library's blog post on the offer.")
    assert result.exit_code == 0, result.output
    text = (guides / "dbs.yml").read_text(encoding="utf-8")
    assert "      - https://blog.example.edu/doaj-2020\n    evidence_kind: report\n    verification_note: A library's" in text
    guide, diagnostics = load_guide(guides)
    assert guide is not None and diagnostics == [] and guide.by_id["doaj"].evidence_kind == "report"
    assert verify(guides, "doaj", "--by", "B", "--evidence", "https://doaj.org/about/", "--date", "2026-11-03").exit_code == 0
    assert "      - https://doaj.org/about/\n    evidence_kind: provider\n" in (guides / "dbs.yml").read_text(encoding="utf-8")
    assert verify(guides, "cnki", "--by", "A", "--evidence", "https://www.cnki.net/").exit_code == 0  # never checked before
    guide, diagnostics = load_guide(guides)
    assert guide is not None and [e.evidence_kind for e in guide.entries] == ["provider", "provider"], diagnostics
    bad = verify(guides, "doaj", "--by", "B", "--evidence", "https://doaj.org/", "--kind", "rumour")
    assert bad.exit_code == 2 and "rumour" in bad.output


def test_verify_defaults_to_today_and_dry_run_writes_nothing(guides: Path) -> None:
    result = verify(guides, "cnki", "--by", "A", "--evidence", "https://www.cnki.net/", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"last_verified: {dt.date.today().isoformat()}" in result.stdout
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == DBS


@pytest.mark.parametrize(("args", "message"), [
    (["nope", "--by", "A", "--evidence", "https://a.org/"], "no entry 'nope' in "),
    (["cnki", "--by", "A", "--evidence", "ftp://a.org/x"], "'ftp://a.org/x': url must start with http:// or https://"),
    (["cnki", "--by", "A", "--evidence", "https://a.org/x y"], "url must be an absolute http(s) address"),
    (["cnki", "--by", "A", "--evidence", "https://a.org/", "--date", "2026-02-30"], "'2026-02-30' is not a date written YYYY-MM-DD"),
    (["cnki", "--by", "A", "--evidence", "https://a.org/", "--date", "2999-01-01"], "2999-01-01 is in the future"),
    (["cnki", "--by", " ", "--evidence", "https://a.org/"], "say who made the check"),
    (["cnki", "--by", "A"], "Missing option '--evidence'"),
])
def test_usage_errors_change_nothing(guides: Path, args: list[str], message: str) -> None:
    result = verify(guides, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == DBS


def test_a_check_that_would_make_the_guide_invalid_is_not_written(guides: Path) -> None:
    too_long = "x" * 1001  # verification_note holds at most 1,000 characters
    result = verify(guides, "cnki", "--by", "A", "--evidence", "https://a.org/", "--note", too_long)
    assert result.exit_code == 1
    assert "verification_note" in result.stderr and "not changed" in result.stderr
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == DBS


def test_evidence_without_a_date_is_an_error(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "g", {"dbs.yml": DBS.replace("    last_verified: 2025-01-01\n", "")})
    guide, diagnostics = load_guide(guides)
    assert guide is None
    assert any("verified_by, evidence, verification_note describe a check: give last_verified" in d.message for d in diagnostics)


def test_verify_keeps_the_files_line_endings_and_byte_order_mark(guides: Path) -> None:
    """A file saved on Windows (CRLF, a BOM) gets only its entry's lines changed: verify rewrote every line as LF and
    dropped the mark, so the whole file showed as changed in the pull request."""
    path = guides / "dbs.yml"
    before = "\ufeff" + path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(before.encode("utf-8"))
    result = verify(guides, "cnki", "--by", "A. Librarian", "--evidence", "https://www.cnki.net/about", "--date", "2026-11-01")
    assert result.exit_code == 0, result.output
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\n" not in raw.replace(b"\r\n", b"")
    old, new = before.split("\r\n"), raw.decode("utf-8").split("\r\n")
    assert new[: new.index("  - id: cnki")] == old[: old.index("  - id: cnki")]  # the lines before the entry: untouched
