"""``openshelf sources update`` and ``openshelf sources list`` end to end, against a server on 127.0.0.1:
output formats, messages and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from openshelf.cli import main
from openshelf.federation.config import lock_file, snapshot_file
from openshelf.guide.load import display_path
from support_sources import ACCESS, SITE, ExportServer, collection, entry, export_server, make_export, respond, source, sources_yml


@pytest.fixture(scope="module")
def server() -> Iterator[ExportServer]:
    with export_server() as srv:
        yield srv


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["sources", *args], catch_exceptions=False)


@pytest.fixture
def guides(server: ExportServer, tmp_path: Path) -> Path:
    """A guide folder subscribed to two sources served from 127.0.0.1 (only that host and port allowed)."""
    folder = tmp_path / "guides"
    folder.mkdir()
    for name in ("shared", "other"):
        server.serve(f"/{tmp_path.name}/{name}.json", make_export(tmp_path / f"upstream-{name}"), etag=f'"{name}-1"')
    (folder / "_sources.yml").write_text(sources_yml(
        source("shared", server.url(f"/{tmp_path.name}/shared.json"), server.host),
        source("other", server.url(f"/{tmp_path.name}/other.json"), server.host, collections="[access]"),
    ), encoding="utf-8")
    return folder


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_update_then_list(guides: Path) -> None:
    result = run("update", "--guides", str(guides))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "source 'shared': updated: 4 added, 0 changed, 0 removed (4 entries taken)"
    assert "source 'other': updated: 1 added, 0 changed, 0 removed (1 entry taken)" in result.stdout
    assert "  added    cnki  CNKI" in result.stdout
    assert result.stderr == "2 source(s): 2 updated, 0 unchanged, 0 failed\n"
    assert set(json.loads(lock_file(guides).read_text())["sources"]) == {"shared", "other"}

    again = run("update", "--guides", str(guides))
    assert again.exit_code == 0 and "source 'shared': unchanged (4 entries taken)" in again.stdout

    listing = run("list", "--guides", str(guides))
    assert listing.exit_code == 0, listing.output
    assert listing.stdout.count("snapshot ok (matches the lock)") == 2
    assert "shared: http://127.0.0.1:" in listing.stdout and ", 4 entries in the export, format 2.1," in listing.stdout

    config = guides / "_sources.yml"
    config.write_text(config.read_text(encoding="utf-8").split("  - id: other")[0], encoding="utf-8")
    listing = run("list", "--guides", str(guides))
    assert listing.exit_code == 0, listing.output
    assert "still has 'other', which _sources.yml no longer names" in listing.stdout


def test_an_update_drops_the_sources_no_longer_named_as_the_warning_says(guides: Path) -> None:
    """Adoption review: validate warns "source 'other' has a lock entry but guides/_sources.yml no longer names it: run
    'openshelf sources update' to drop it", but the update left the lock entry and the snapshot as they were, so the
    warning never went away (and CONTRIBUTING tells curators not to edit guides/_sources/ by hand).  A file there that
    the update did not write (or that no longer matches the lock) is kept."""
    assert run("update", "--guides", str(guides)).exit_code == 0
    config = guides / "_sources.yml"
    whole = config.read_text(encoding="utf-8")
    config.write_text(whole.split("  - id: other")[0], encoding="utf-8")
    (guides / "_sources" / "notes.txt").write_text("ours", encoding="utf-8")

    named = run("update", "shared", "--guides", str(guides))  # one source by id: the others are not its business
    assert named.exit_code == 0 and "other" in json.loads(lock_file(guides).read_text())["sources"]
    dry = run("update", "--guides", str(guides), "--dry-run")
    assert dry.exit_code == 0 and "other" in json.loads(lock_file(guides).read_text())["sources"]

    result = run("update", "--guides", str(guides))
    assert result.exit_code == 0, result.output
    assert ("note: source 'other': guides/_sources.yml no longer names it: its lock entry and snapshot "
            f"{display_path(snapshot_file(guides, 'other'))} are dropped") in result.stderr
    assert set(json.loads(lock_file(guides).read_text())["sources"]) == {"shared"}
    assert sorted(p.name for p in (guides / "_sources").iterdir()) == ["lock.json", "notes.txt", "shared.json"]
    assert run("list", "--guides", str(guides)).stdout.count("no longer names") == 0

    config.write_text(whole, encoding="utf-8")  # subscribed again, then left with a snapshot edited by hand
    assert run("update", "--guides", str(guides)).exit_code == 0
    edited = snapshot_file(guides, "other")
    edited.write_bytes(edited.read_bytes() + b" ")
    config.write_text(whole.split("  - id: other")[0], encoding="utf-8")
    result = run("update", "--guides", str(guides))
    assert result.exit_code == 0 and edited.is_file()
    assert f"its lock entry is dropped; {display_path(edited)} is kept (" in result.stderr
    assert set(json.loads(lock_file(guides).read_text())["sources"]) == {"shared"}


def test_one_source_by_id_and_the_markdown_change_list_in_a_file(guides: Path, tmp_path: Path) -> None:
    out = tmp_path / "changes.md"
    result = run("update", "other", "--guides", str(guides), "--format", "markdown", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    body = out.read_text(encoding="utf-8")
    assert body.startswith("## Source updates\n")
    assert "| `other` | updated | 1 | 0 | 0 | 1 |" in body and "- added `webvpn` `WebVPN`" in body
    assert "`shared`" not in body
    assert not snapshot_file(guides, "shared").exists()


def test_json_and_dry_run(guides: Path) -> None:
    result = run("update", "--guides", str(guides), "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dry_run"] is True and [s["state"] for s in data["sources"]] == ["updated", "updated"]
    assert [c["id"] for c in data["sources"][1]["changes"]] == ["webvpn"]
    assert "(dry run: nothing written)" in result.stderr
    assert files(guides) == {"_sources.yml": (guides / "_sources.yml").read_bytes()}


def test_a_failing_source_exits_1_names_itself_and_keeps_its_snapshot(server: ExportServer, guides: Path, tmp_path: Path) -> None:
    assert run("update", "--guides", str(guides)).exit_code == 0
    before = files(guides)
    server.routes[f"/{tmp_path.name}/shared.json"] = respond(b'{"format": "openshelf-guide", "version": "3.0"}')
    result = run("update", "--guides", str(guides), "--format", "markdown")
    assert result.exit_code == 1
    url = server.url(f"/{tmp_path.name}/shared.json")
    assert f"error: source 'shared': {url}: format version 3.0; this OpenShelf reads 2.x: upgrade OpenShelf to read it\n" in result.stderr
    assert "| `shared` | **failed**: last good snapshot kept |" in result.stdout
    assert "| `other` | unchanged |" in result.stdout
    assert files(guides) == before


def test_a_tampered_snapshot_is_reported_by_list(guides: Path) -> None:
    assert run("update", "--guides", str(guides)).exit_code == 0
    path = snapshot_file(guides, "shared")
    path.write_bytes(path.read_bytes().replace(b"PubMed", b"PubMed <script>"))
    snapshot_file(guides, "other").unlink()
    result = run("list", "--guides", str(guides))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    shared = lines.index(next(line for line in lines if line.startswith("shared: ")))
    assert lines[shared + 2].startswith(f"  error: {display_path(path)} does not match its lock (sha256 ")
    assert "run 'openshelf sources update shared'" in lines[shared + 2]
    assert any(line.startswith("  error: ") and "other.json is missing" in line for line in lines)
    assert result.stderr == "2 source(s) without a good snapshot: a build refuses them\n"


@pytest.mark.parametrize(("text", "message"), [
    ("sources:\n  - id: a\n    url: ftp://example.org/x.json\n", r"_sources\.yml:3:10: error: .*url must start with http:// or https://"),
    ("sources:\n  - id: a\n    url: https://a.example/x.json\n    colections: [x]\n", r"_sources\.yml:4:5: error: .*colections"),
    ("sources:\n  - id: a\n    url: https://a.example/x.json\n  - id: a\n    url: https://b.example/x.json\n",
     r"_sources\.yml:4:9: error: source id 'a' is used twice"),
    ("sources:\n  - id: a\n\turl: x\n", r"_sources\.yml:3:1: error: .*tab"),
    ("", r"_sources\.yml:1:1: error: the file is empty; it must be a mapping with 'sources:', the list of subscribed guides"),
])
def test_a_bad_sources_file_is_a_configuration_error_with_its_place(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "_sources.yml").write_text(text, encoding="utf-8")
    for command in ("update", "list"):
        result = run(command, "--guides", str(tmp_path))
        assert result.exit_code == 2, result.output
        assert re.search(message, result.stderr), result.stderr
        assert "error(s) in " in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_sources.yml"]


def test_usage_errors_exit_2(guides: Path, tmp_path: Path) -> None:
    unknown = run("update", "nope", "--guides", str(guides))
    assert unknown.exit_code == 2 and "no source 'nope' in guides/_sources.yml (its sources: 'shared', 'other')" in unknown.stderr
    missing = run("update", "--guides", str(tmp_path / "empty"))
    assert missing.exit_code == 2 and "_sources.yml does not exist" in missing.stderr
    listing = run("list", "--guides", str(tmp_path / "empty"))
    assert listing.exit_code == 0 and "no sources" in listing.stderr
    lock_file(guides).parent.mkdir()
    lock_file(guides).write_text("{not json", encoding="utf-8")
    corrupt = run("update", "--guides", str(guides))
    assert corrupt.exit_code == 2 and "lock.json: cannot be read" in corrupt.stderr
    assert lock_file(guides).read_text(encoding="utf-8") == "{not json"


def test_help_documents_the_exit_codes() -> None:
    for command in ("update", "list"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Exit codes: 0" in " ".join(result.stdout.split())


def test_the_guides_default_is_the_working_directorys_guides(server: ExportServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    guides = tmp_path / "guides"
    guides.mkdir()
    server.serve(f"/{tmp_path.name}/cwd.json", make_export(tmp_path / "up", {"_site.yml": SITE, "databases.yml": collection(
        "databases", entry("cnki", "CNKI", "https://www.cnki.net/")), "access.yml": ACCESS}))
    (guides / "_sources.yml").write_text(sources_yml(source("cwd", server.url(f"/{tmp_path.name}/cwd.json"), server.host)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("update")
    assert result.exit_code == 0, result.output
    assert Path("guides/_sources/cwd.json").is_file()


def test_the_weekly_workflow_proposes_the_change_list_as_the_pull_requests_body() -> None:
    """The scheduled workflow runs the command as documented, and the file it writes is the body of the
    pull request; the job that fetches holds a read-only token."""
    from test_workflows import WORKFLOWS, load, simple_commands, triggers

    wf = load(WORKFLOWS / "sources.yml")
    on = triggers(wf)
    assert on["schedule"] and "workflow_dispatch" in on
    update, pr = wf["jobs"]["update"], wf["jobs"]["pull-request"]
    assert update["permissions"] == {"contents": "read"}
    assert pr["permissions"] == {"contents": "write", "pull-requests": "write", "actions": "write"} and pr["needs"] == "update"
    commands = [w for job in (update, pr) for s in job["steps"] for w in simple_commands(s.get("run") or "")]
    assert ["make", "venv"] in commands
    (call,) = [w for w in commands if w[:3] == ["openshelf", "sources", "update"]]
    report = call[call.index("--output") + 1]
    assert call[call.index("--format") + 1] == "markdown"
    create = next(w for w in commands if w[:3] == ["gh", "pr", "create"])
    edit = next(w for w in commands if w[:3] == ["gh", "pr", "edit"])
    assert create[create.index("--body-file") + 1] == report == edit[edit.index("--body-file") + 1]
    assert create[create.index("--head") + 1] == "$SOURCES_BRANCH"
    assert [w for w in commands if w[:2] == ["git", "push"]] == [["git", "push", "--force", "origin", "HEAD:refs/heads/$SOURCES_BRANCH"]]
    assert ["git", "add", "guides/_sources"] in commands
    uploaded = {s["with"]["name"]: s["with"]["path"] for s in update["steps"] if "upload-artifact" in s.get("uses", "")}
    downloaded = {s["with"]["name"]: s["with"]["path"] for s in pr["steps"] if "download-artifact" in s.get("uses", "")}
    assert uploaded == {"sources-snapshots": "guides/_sources/", "sources-report": f"{report.rsplit('/', 1)[0]}/"}
    assert {name: path.rstrip("/") for name, path in uploaded.items()} == downloaded


OWN_SITE = """\
id: library
title: {zh: 本馆指南, en: Library guide}
categories:
  databases: {zh: 数据库, en: Databases}
"""


def test_the_weekly_update_step_brings_the_issue_form_along_when_a_source_adds_a_category(server: ExportServer, tmp_path: Path) -> None:
    """The adoption review: a source defining a category the guide has not got changed what the issue form offers, and
    the weekly pull request then failed CI at 'openshelf issueform --check'. The update step, run here as Actions runs it,
    now regenerates the form and hands it to the pull-request job, whose copy passes the check."""
    from test_workflows import WORKFLOWS, load

    from support import ROOT

    repo = tmp_path / "repo"
    guides = repo / "guides"
    guides.mkdir(parents=True)
    (guides / "_site.yml").write_text(OWN_SITE, encoding="utf-8")
    (guides / "databases.yml").write_text(collection("databases", entry("pubmed", "PubMed", "https://pubmed.ncbi.nlm.nih.gov/")),
                                          encoding="utf-8")
    form = repo / ".github" / "ISSUE_TEMPLATE" / "suggest-resource.yml"
    form.parent.mkdir(parents=True)
    form.write_text((ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-resource.yml").read_text(encoding="utf-8"), encoding="utf-8")
    openshelf = str(Path(sys.executable).with_name("openshelf"))
    subprocess.run([openshelf, "issueform"], cwd=repo, check=True, capture_output=True)  # the form of the guide as it is
    server.serve(f"/{tmp_path.name}/shared.json", make_export(tmp_path / "upstream"))  # defines the category 'access' too
    (guides / "_sources.yml").write_text(sources_yml(source("shared", server.url(f"/{tmp_path.name}/shared.json"), server.host)),
                                         encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "guide"]):
        subprocess.run([*git, *command], cwd=repo, check=True, capture_output=True)
    (step,) = [s for s in load(WORKFLOWS / "sources.yml")["jobs"]["update"]["steps"] if s.get("id") == "update"]
    outputs, summary = tmp_path / "output", tmp_path / "summary"
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary),
           "HOME": str(tmp_path)}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert outputs.read_text().splitlines() == ["status=0", "changed=true"]
    carried = repo / "sources-report" / "issue-form.yml"
    assert "access" in carried.read_text(encoding="utf-8")
    subprocess.run([*git, "checkout", "-q", "--", ".github"], cwd=repo, check=True)  # the pull-request job's fresh checkout
    assert subprocess.run([openshelf, "issueform", "--check"], cwd=repo, capture_output=True, check=False).returncode == 1
    pr_script = next(s["run"] for s in load(WORKFLOWS / "sources.yml")["jobs"]["pull-request"]["steps"] if "git add" in (s.get("run") or ""))
    assert "cat sources-report/issue-form.yml > .github/ISSUE_TEMPLATE/suggest-resource.yml" in pr_script
    form.write_bytes(carried.read_bytes())
    check = subprocess.run([openshelf, "issueform", "--check"], cwd=repo, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


CRASH = """
import os, sys
from openshelf.federation import update
real = update.write_atomic
def crash(path, text):
    if path.name == "lock.json":
        os._exit(9)  # killed between the snapshot and the lock: no clean-up runs
    real(path, text)
update.write_atomic = crash
from openshelf.cli import main
main(["sources", "update", "--guides", sys.argv[1]])
"""


def test_a_crash_between_snapshot_and_lock_leaves_a_mismatch_that_list_reports(server: ExportServer, guides: Path, tmp_path: Path) -> None:
    assert run("update", "--guides", str(guides)).exit_code == 0
    server.serve(f"/{tmp_path.name}/shared.json", make_export(tmp_path / "changed", {"_site.yml": SITE, "databases.yml": collection(
        "databases", entry("cnki", "CNKI", "https://www.cnki.net/", description="Changed upstream.")), "access.yml": ACCESS}))
    lock_before = lock_file(guides).read_bytes()
    proc = subprocess.run([sys.executable, "-c", CRASH, str(guides)], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 9, proc.stderr
    assert lock_file(guides).read_bytes() == lock_before
    result = run("list", "--guides", str(guides))
    assert result.exit_code == 1
    assert f"error: {display_path(snapshot_file(guides, 'shared'))} does not match its lock" in result.stdout
