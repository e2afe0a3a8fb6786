"""The "Broken links" issue body: grouped by guide and by source, each place linked to its line,
and under GitHub's 65,536-character limit however many links are broken."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.links.cli import links
from openshelf.links.extract import Occurrence, Target
from openshelf.links.groups import Group, group_of
from openshelf.links.issue import GITHUB_BODY_LIMIT, Part, cut_note, fit, full_report_pointer
from openshelf.links.report import format_markdown
from openshelf.links.runner import Result, RunSummary
from openshelf.links.verdict import Verdict

from .test_cli import write_guide

BLOB = "https://github.com/example/guide/blob/0123abc"


def broken(n: int, file: str, first_line: int = 4) -> list[Result]:
    return [Result(Target(f"https://dead.example.org/{file}/page-{i}",
                          [Occurrence(file, first_line + 6 * i, f"entry-{i}")]),
                   Verdict.BROKEN, status=404, error="HTTP 404", checked_at="2026-11-28T04:30:00Z",
                   first_failure="2026-11-01T04:30:00Z")
            for i in range(n)]


def summary_of(results: list[Result]) -> RunSummary:
    s = RunSummary(total=len(results), fetched=len(results), requests=len(results))
    s.counts.update(r.verdict for r in results)
    return s


def test_group_of_a_collection_file_and_of_a_subscribed_source() -> None:
    assert group_of("guides/databases.yml") == Group("guide", "guides/databases.yml")
    assert group_of("guides/_sources/pku-library.json") == Group("source", "pku-library")
    assert group_of("other/_sources/x.yml") == Group("guide", "other/_sources/x.yml")  # not a snapshot
    ordered = sorted([group_of("guides/_sources/a.json"), group_of("guides/z.yml"), group_of("guides/b.yml")], key=Group.sort_key)
    assert [g.name for g in ordered] == ["guides/b.yml", "guides/z.yml", "a"]


def test_broken_links_are_grouped_by_guide_and_source_and_linked_to_their_line() -> None:
    results = broken(2, "guides/databases.yml") + broken(1, "guides/_sources/pku-library.json") + broken(1, "guides/access.yml")
    out = format_markdown(results, summary_of(results), blob_url=BLOB + "/")
    counts = out[out.index("| Guide or source |"):out.index("### ")]
    assert counts.splitlines()[2:5] == [
        "| `guides/access.yml` | 1 |",
        "| `guides/databases.yml` | 2 |",
        "| source `pku-library` | 1 |",
    ]
    headings = re.findall(r"^### (.*)$", out, re.M)
    assert headings == ["`guides/access.yml` (1)", "`guides/databases.yml` (2)", "source `pku-library` (1)"]
    source = out[out.index("### source"):]
    assert f"| [`guides/_sources/pku-library.json:4`]({BLOB}/guides/_sources/pku-library.json#L4) | `entry-0` |" in source
    assert f"[`guides/databases.yml:10`]({BLOB}/guides/databases.yml#L10)" in out
    assert "Cut to fit" not in out


def test_two_thousand_broken_links_fit_in_an_issue_body() -> None:
    results = broken(1500, "guides/databases.yml") + broken(500, "guides/_sources/pku-library.json")
    full = format_markdown(results, summary_of(results), blob_url=BLOB)
    assert len(full) > 2 * GITHUB_BODY_LIMIT  # the fixture is far too long without the limit
    out = format_markdown(results, summary_of(results), blob_url=BLOB, max_chars=GITHUB_BODY_LIMIT,
                          full_report="The full report is in `report-full.md`.")
    assert len(out) <= GITHUB_BODY_LIMIT
    assert out.startswith(full[:full.index("### ")])  # the counts and the table of groups are whole
    assert "| `guides/databases.yml` | 1500 |" in out
    assert "| source `pku-library` | 500 |" in out
    shown = out.count("| `entry-")
    assert 100 < shown < 2000
    assert f"**Cut to fit in an issue:** {2000 - shown:,} of the 2,000 places are not listed here. The full report is in `report-full.md`." in out
    assert out.rstrip().endswith("</sub>")  # the run's summary line stays last
    kept = out[:out.index("\n**Cut to fit")]
    assert full.startswith(kept)  # the places kept are the first ones, whole rows


def test_fit_keeps_whole_parts_in_order_and_cuts_an_oversized_head() -> None:
    rows = [f"- row {i} " + "x" * 20 + "\n" for i in range(6)]
    parts = [Part("## A\n"), *(Part(row, 1) for row in rows)]
    note = cut_note("rows", "See FILE.")
    whole = "H\n## A\n" + "".join(rows) + "T\n"
    assert fit("H\n", parts, "T\n", len(whole), note) == whole
    cut = fit("H\n", parts, "T\n", 180, note)
    assert len(cut) <= 180 < len(whole) + len(note(6, 6))
    assert cut == "H\n## A\n" + "".join(rows[:3]) + "\n**Cut to fit in an issue:** 3 of the 6 rows are not listed here. See FILE.\n\nT\n"
    assert len(fit("H" * 300 + "\n", parts, "T\n", 150, note)) <= 150


def test_full_report_pointer_names_the_workflow_run() -> None:
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "42"}
    assert full_report_pointer(Path("link-report/report-full.md"), env) == (
        "The full report is `report-full.md` in the artifacts of [this workflow run](https://github.com/o/r/actions/runs/42).")
    assert full_report_pointer(Path("out/full.md"), {}) == "The full report is in `out/full.md`."
    assert "without --max-chars" in full_report_pointer(None, env)


@pytest.fixture()
def here(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_max_chars_and_full_report(here, server) -> None:  # type: ignore[no-untyped-def]
    lines = write_guide(here, [(f"dead{i}", server.url(f"/status/404?n={i}")) for i in range(60)])
    result = CliRunner().invoke(links, ["--format", "markdown", "--allow-host", "127.0.0.1", "--no-state", "--max-chars", "3000",
                                        "--full-report", "full.md", "--blob-url", BLOB], catch_exceptions=False)
    assert result.exit_code == 1
    assert len(result.stdout) <= 3000
    assert "places are not listed here. The full report is in `full.md`." in result.stdout
    full = Path("full.md").read_text()
    assert full.count("| [`guides/things.yml:") == 60 and "Cut to fit" not in full
    assert f"({BLOB}/guides/things.yml#L{lines['dead7']})" in full
    misuse = CliRunner().invoke(links, ["--format", "json", "--max-chars", "3000"])
    assert misuse.exit_code == 2 and "go with --format markdown" in misuse.output


def test_what_a_server_sent_stays_inert_text_in_the_issue() -> None:
    """A soft-404 page's title is quoted in the verdict: in the issue it must not @-mention anyone, show an image or
    link anywhere, so each detail is a code span (its | escaped for the table)."""
    title = "Page not found | cc @octocat ![x](https://tracker.example.org/p.png) [y](https://example.org)"
    watch = Result(Target("https://example.org/gone", [Occurrence("guides/databases.yml", 12, "gone")]), Verdict.TRANSIENT,
                   status=200, error=f"soft 404? HTTP 200, but the page's title says {title!r}", consecutive_failures=1)
    body = format_markdown([watch], summary_of([watch]))
    (row,) = [line for line in body.splitlines() if "`gone`" in line]
    cell = row.split(" | ")[3]
    assert cell.startswith("`") and cell.endswith("`"), cell
    assert "@octocat" in cell and "\\| cc" in cell
    assert "@octocat" not in body.replace(cell, "")  # nowhere outside the code span
