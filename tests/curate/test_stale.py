"""openshelf stale: past end dates still active, old verifications, checks without evidence, never verified; formats and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.cli import main
from openshelf.curate.stale import find_stale
from openshelf.guide.load import load_guide
from support import write_guide


def entry(id_: str, extra: str = "") -> str:
    return (f"  - id: {id_}\n    title: {{en: Title {id_}}}\n    url: https://{id_}.example.org/\n"
            f"    description: {{en: D}}\n    category: databases\n    access: free\n{extra}")


EVIDENCE = "    evidence: [https://evidence.example.org/]\n"
DBS = "id: dbs\ntitle: {en: D}\nentries:\n" + "".join([
    entry("fresh", "    last_verified: 2026-10-01\n" + EVIDENCE),
    entry("old", "    last_verified: 2025-01-01\n" + EVIDENCE),
    entry("older", "    last_verified: 2024-01-01\n" + EVIDENCE),
    entry("never"),
    entry("expired", "    status: active\n    available_until: 2020-06-30\n    last_verified: 2026-11-01\n" + EVIDENCE),
    entry("ended", "    status: ended\n    available_until: 2020-06-30\n    last_verified: 2026-11-01\n" + EVIDENCE),
    entry("unsupported", "    last_verified: 2026-11-01\n"),
])
TODAY = "2026-11-22"


@pytest.fixture
def guides(tmp_path: Path) -> Path:
    return write_guide(tmp_path / "guides", {"dbs.yml": DBS})


def stale(guides: Path, *args: str) -> object:
    return CliRunner().invoke(main, ["stale", str(guides), "--today", TODAY, *args])


def test_find_stale(guides: Path) -> None:
    guide, diagnostics = load_guide(guides)
    assert guide is not None, diagnostics
    result = find_stale(guide, dt.date(2026, 11, 22), 180)
    assert [e.id for e in result.expired] == ["expired"]  # 'ended' is marked ended: fine
    assert [e.id for e in result.outdated] == ["older", "old"]  # oldest first
    assert [e.id for e in result.never] == ["never"]
    assert [e.id for e in result.unsupported] == ["unsupported"]  # checked, but nobody can tell against what
    assert [e.id for e in find_stale(guide, dt.date(2026, 11, 22), 365 * 3).outdated] == []


def test_text_output_names_file_line_and_counts_never_verified(guides: Path) -> None:
    result = stale(guides)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "dbs.yml:" in out and "entry 'expired': still marked active, but available_until 2020-06-30 passed" in out
    assert "entry 'older': last verified 2024-01-01, 1056 days ago (more than 180)" in out
    assert "1 entry never verified (-v lists them)" in out and "entry 'never'" not in out
    assert "1 entry checked without evidence (-v lists them): record what was looked at with 'openshelf verify ID" in out
    assert "1 past their end date, 2 verified more than 180 days ago, 1 checked without evidence, 1 never verified" in out
    verbose = stale(guides, "-v").stdout
    assert "entry 'never': never verified" in verbose and "entry 'unsupported': checked without evidence (2026-11-01)" in verbose


def test_a_single_day_and_a_single_entry_are_counted_in_the_singular(tmp_path: Path) -> None:
    """--older-than 1d said 'verified more than 1 days ago' and '2 days ago' beside '1 days ago'; the issue body's
    folded list '1 entries'."""
    folder = write_guide(tmp_path / "guides", {"dbs.yml": "id: dbs\ntitle: {en: D}\nentries:\n"
                                              + entry("yesterday", "    last_verified: 2026-11-20\n" + EVIDENCE) + entry("never")})
    text = stale(folder, "--older-than", "1d").stdout
    assert "entry 'yesterday': last verified 2026-11-20, 2 days ago (more than 1)" in text
    assert "1 verified more than 1 day ago" in text
    markdown = stale(folder, "--older-than", "1d", "--format", "markdown").stdout
    assert "Not verified for more than 1 day (1)" in markdown and "(2 days ago)" in markdown
    assert "<summary>1 entry</summary>" in markdown


def test_older_than_threshold(guides: Path) -> None:
    out = stale(guides, "--older-than", "2y").stdout
    assert "entry 'older'" in out and "entry 'old'" not in out
    assert "entry 'old'" in stale(guides, "--older-than", "6mo").stdout  # 2025-01-01 is more than 180 days ago


def test_older_than_in_minutes_is_refused_with_a_hint(guides: Path) -> None:
    """Before: '6m' meant six months here and six minutes for `links --max-age`."""
    result = stale(guides, "--older-than", "6m")
    assert result.exit_code == 2
    assert "'6m' is not a whole number of days: m means minutes; for 6 months write 6mo (or 180d)" in result.output


def test_markdown_lists_everything(guides: Path) -> None:
    out = stale(guides, "--format", "markdown").stdout
    assert out.startswith("## 时效检查 · Freshness (2026-11-22)")
    assert "Past their end date, still marked active (1)" in out
    assert "[`Title expired`](https://expired.example.org/) `expired`" in out
    assert "Never verified (1)" in out and "`never`" in out
    assert "Checked without evidence (1)" in out and "`unsupported`" in out


def test_json(guides: Path) -> None:
    data = json.loads(stale(guides, "--format", "json").stdout)
    assert data["counts"] == {"expired": 1, "outdated": 2, "no_evidence": 1, "never_verified": 1}
    assert data["no_evidence"][0]["id"] == "unsupported" and data["outdated"][0]["evidence"] == ["https://evidence.example.org/"]
    assert data["older_than_days"] == 180 and data["today"] == TODAY
    assert data["outdated"][0]["id"] == "older" and data["outdated"][0]["days_since_verified"] == 1056
    assert data["expired"][0]["line"] > 0 and data["expired"][0]["file"].endswith("dbs.yml")


def test_exit_codes(guides: Path, tmp_path: Path) -> None:
    assert stale(guides).exit_code == 0
    assert stale(guides, "--fail").exit_code == 1
    only_never = write_guide(tmp_path / "g2", {"dbs.yml": "id: dbs\ntitle: {en: D}\nentries:\n" + entry("never")})
    assert CliRunner().invoke(main, ["stale", str(only_never), "--fail"]).exit_code == 0
    assert stale(guides, "--older-than", "soon").exit_code == 2
    assert stale(guides, "--today", "2026-02-30").exit_code == 2
    broken = write_guide(tmp_path / "g3", {"dbs.yml": "id: dbs\ntitle: {en: D}\nentries: 3\n"})
    assert CliRunner().invoke(main, ["stale", str(broken)]).exit_code == 1


def test_a_how_to_without_an_address_is_listed_by_title(tmp_path: Path) -> None:
    vpn = "  - id: vpn\n    title: {en: Campus VPN}\n    kind: how-to\n    description: {en: D}\n    category: databases\n    access: free\n"
    guides = write_guide(tmp_path / "guides", {"dbs.yml": "id: dbs\ntitle: {en: D}\nentries:\n" + vpn})
    result = stale(guides, "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "- `Campus VPN` `vpn` (dbs, " in result.stdout  # no link: the address is each library's own
    assert json.loads(stale(guides, "--format", "json").stdout)["never_verified"][0]["url"] is None


def test_markdown_stays_under_an_issue_bodys_limit_and_counts_what_it_leaves_out(tmp_path: Path) -> None:
    many = "".join(entry(f"e{n:03}-{'x' * 40}", "    last_verified: 2020-01-01\n" if n % 3 == 0 else "") for n in range(700))
    guides = write_guide(tmp_path / "guides", {"dbs.yml": "id: dbs\ntitle: {en: D}\nentries:\n" + many})
    full = stale(guides, "--format", "markdown", "--max-chars", "0").stdout
    assert len(full) > 100_000 and "more not shown" not in full
    for args, limit in (((), 20_000), (("--max-chars", "60000"), 60_000)):
        out = stale(guides, "--format", "markdown", *args).stdout
        assert len(out) <= limit < len(full)
        assert "Not verified for more than 180 days (234)" in out and "Never verified (466)" in out
        assert "Checked without evidence (234)" in out  # the old checks name no evidence either: listed twice
        listed = out.count("\n- [")
        left_out = sum(int(n) for n in re.findall(r"^- … (\d+) more not shown here", out, re.MULTILINE))
        assert listed + left_out == 700 + 234 and left_out > 0
    assert stale(guides, "--format", "markdown", "--max-chars", "-1").exit_code == 2


def test_a_title_in_the_markdown_report_cannot_mention_add_an_image_or_leave_its_line(tmp_path: Path) -> None:
    """The report is the body of a scheduled issue: a title is a code span on one line (it @-mentioned, and a newline in
    it started a paragraph of its own, outside the list)."""
    title = '"hi @octocat ![x](https://tracker.example/p.png)\\n\\n## a heading\\n@github/security"'
    guides = write_guide(tmp_path / "guides", {"dbs.yml": "id: dbs\ntitle: {en: D}\nentries:\n" + entry("never").replace(
        "{en: Title never}", f"{{en: {title}}}")})
    out = stale(guides, "--format", "markdown").stdout
    line = next(line for line in out.splitlines() if "`never`" in line)
    assert line.startswith("- [`hi @octocat ![x](https://tracker.example/p.png)\\x0a\\x0a## a heading\\x0a@github/security`]("), line
    assert "@" not in out.replace(line, "")
