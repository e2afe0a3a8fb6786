"""The GitHub Actions workflows: linted (actionlint, zizmor), and held to what the test suite runs.

GitHub Actions cannot run here, so the workflows are kept honest in three ways:

- actionlint and ``zizmor --offline`` pass on ``.github/workflows``;
- every ``run:`` step calls only ``make TARGET`` (a target the Makefile defines), ``openshelf COMMAND
  [OPTIONS]`` (parsed by the real click command tree, so a renamed option fails here) or plain
  plumbing (git, gh, echo, test, ...), and never expands ``${{ }}`` inside the script;
- the site crawl that CI runs (``make links-site`` = build + ``make crawl-site``) is run here: it
  passes on the default guide, and it fails once a hand-written page links to a missing page and anchor.

Also here: the drift workflow and its make targets (``make test-latest`` / ``make test-lowest``), the
Dependabot configuration, and the version comment beside every pinned action.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml

from openshelf.cli import main
from support import FIXTURE_GUIDE, ROOT, make_project

WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
BIN = Path(sys.executable).parent
PLUMBING = {"git", "gh", "echo", "test", "mkdir", "cat", "cd", "exit"}
SHELL_KEYWORDS = {"if", "then", "else", "elif", "fi", "while", "until", "do", "done", "!", "{", "}"}
SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", ";;"}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
SHA_PIN = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
# `uses: owner/name@<40 hex>  # v1.2.3`: the comment names the release the SHA was verified against.
USES_LINE = re.compile(r"^\s*(?:- )?uses: (?P<ref>\S+)(?P<comment>.*)$")
VERSION_COMMENT = re.compile(r"^\s+# v\d+\.\d+\.\d+(?:\s|$)")


def tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is missing from {BIN}: run `make venv` (it comes with the test extras)"
    return str(path)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    return {on: None} if isinstance(on, str) else dict(on)


def steps(workflow: dict) -> Iterator[tuple[str, dict]]:
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def makefile_targets(makefile: Path = ROOT / "Makefile") -> set[str]:
    targets = set()
    for line in makefile.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([^\s#:=$][^:=]*?)\s*::?(?!=)", line)
        if match and not line.startswith("\t"):
            targets.update(t for t in match.group(1).split() if not t.startswith("."))
    return targets


# --- the shell checker: every simple command in a run: block ------------------------------------


def _substitutions(script: str) -> tuple[str, list[str]]:
    """Replace each ``$( ... )`` with a placeholder; return the script and the inner scripts."""
    out, inner, i = [], [], 0
    while i < len(script):
        if script.startswith("$(", i):
            depth, j, quote = 1, i + 2, ""
            while j < len(script) and depth:
                c = script[j]
                if quote:
                    quote = "" if c == quote else quote
                elif c in "'\"":
                    quote = c
                elif c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                j += 1
            assert depth == 0, f"unbalanced $( in: {script}"
            inner.append(script[i + 2 : j - 1])
            out.append("__SUBSTITUTION__")
            i = j
        else:
            out.append(script[i])
            i += 1
    return "".join(out), inner


def simple_commands(script: str) -> Iterator[list[str]]:
    """Each simple command of a (simple) bash script as words, without keywords or assignments."""
    script = script.replace("\\\n", " ")
    script, inner = _substitutions(script)
    for sub in inner:
        yield from simple_commands(sub)
    for line in script.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|<>()")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words: list[str] = []
        tokens = list(lexer)
        k = 0
        while k <= len(tokens):
            token = tokens[k] if k < len(tokens) else ";"
            if token in SEPARATORS:
                while words and (words[0] in SHELL_KEYWORDS or ASSIGNMENT.match(words[0])):
                    words.pop(0)
                if words:
                    yield words
                words = []
            elif set(token) <= set("<>&") and token:  # a redirection and its target
                k += 1
            elif token.isdigit() and k + 1 < len(tokens) and set(tokens[k + 1]) <= set("<>&") and tokens[k + 1]:
                pass  # the file descriptor of a redirection such as 2>
            else:
                words.append(token)
            k += 1


def problems_in_command(words: list[str], targets: set[str]) -> list[str]:
    name, args = words[0], words[1:]
    if name in PLUMBING:
        return []
    if name == "make":
        goals = [a for a in args if not a.startswith("-") and "=" not in a]
        if not goals:
            return [f"`{' '.join(words)}`: name a make target"]
        return [f"`{' '.join(words)}`: the Makefile has no target {g!r}" for g in goals if g not in targets]
    if name == "openshelf":
        with click.Context(main) as ctx:
            names = main.list_commands(ctx)
            command = main.get_command(ctx, args[0]) if args else None
        if command is None:
            return [f"`{' '.join(words)}`: not an openshelf command (have: {', '.join(names)})"]
        try:  # parse the options with the real command, as the shell would pass them
            command.make_context(f"openshelf {args[0]}", list(args[1:]))
        except click.exceptions.Exit:
            pass
        except click.ClickException as exc:
            return [f"`{' '.join(words)}`: {exc.format_message()}"]
        return []
    return [f"`{' '.join(words)}`: only make targets, openshelf commands and {sorted(PLUMBING)} may run in a workflow"]


def test_the_shell_checker_itself() -> None:
    script = ('number="$(gh issue list --jq \'[.[] | select(.a == "b")][0]\')"\n'
              "if test -n \"$x\"; then make site && openshelf validate guides > out.txt 2>&1 || status=$?; fi\n"
              "pip install foo | tee log\n")
    assert list(simple_commands(script)) == [
        ["gh", "issue", "list", "--jq", '[.[] | select(.a == "b")][0]'],
        ["test", "-n", "$x"], ["make", "site"], ["openshelf", "validate", "guides"], ["pip", "install", "foo"],
        ["tee", "log"],
    ]
    targets = {"site"}
    assert problems_in_command(["make", "site"], targets) == []
    assert problems_in_command(["make", "nope"], targets)
    assert problems_in_command(["curl", "-sSf", "https://example.org"], targets)
    assert problems_in_command(["openshelf", "nope"], targets)
    assert problems_in_command(["openshelf", "validate", "--format", "sarif"], targets)  # not a choice


# --- linters ---------------------------------------------------------------------------------------


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOW_FILES} >= {"ci.yml", "links-pr.yml", "links-weekly.yml", "drift.yml"}


def test_actionlint_is_clean() -> None:
    proc = subprocess.run([tool("actionlint"), "-no-color", *map(str, WORKFLOW_FILES)], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0, f"actionlint:\n{proc.stdout}{proc.stderr}"


def test_zizmor_is_clean() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")}
    proc = subprocess.run([tool("zizmor"), "--offline", "--no-progress", "--color", "never", str(WORKFLOWS)],
                          cwd=ROOT, capture_output=True, text=True, check=False, timeout=60, env=env)
    assert proc.returncode == 0, f"zizmor:\n{proc.stdout}{proc.stderr}"


# --- every run: line is a make target, an openshelf command or plumbing ---------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_run_steps_call_only_make_targets_openshelf_and_plumbing(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # relative paths in the commands (guides) resolve as in CI
    targets = makefile_targets()
    problems = []
    for job_id, step in steps(load(path)):
        script = step.get("run")
        if script is None:
            continue
        if "${{" in script:
            problems.append(f"{job_id}: expression inside run: (pass it through env:): {script.strip()}")
        for words in simple_commands(script):
            problems += [f"{job_id}: {p}" for p in problems_in_command(words, targets)]
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def make_dry_run(*args: str) -> str:
    proc = subprocess.run(["make", "--no-print-directory", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_make_targets_used_by_workflows_resolve() -> None:
    """`make -n` on each target the workflows call: make itself finds a rule and its prerequisites."""
    goals = set()
    for path in WORKFLOW_FILES:
        for _, step in steps(load(path)):
            for words in simple_commands(step.get("run") or ""):
                if words[0] == "make":
                    goals.update(a for a in words[1:] if not a.startswith("-") and "=" not in a)
    assert {"venv", "site", "build-zensical", "test", "links-site", "test-latest", "test-lowest"} <= goals
    for goal in sorted(goals):
        make_dry_run(goal)
    # CI's crawl (links-site) is the command the crawl tests below run (crawl-site).
    links_site = make_dry_run("links-site")
    crawl_site = make_dry_run("crawl-site", "CRAWL_DIR=site")
    assert crawl_site.strip() and links_site.rstrip().endswith(crawl_site.strip())


# --- hardening -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_hardening(path: Path) -> None:
    workflow = load(path)
    assert workflow.get("permissions") == {}, "no default permissions at the workflow level"
    for job_id, job in workflow["jobs"].items():
        assert "permissions" in job, f"{job_id}: declare the job's permissions"
        assert "timeout-minutes" in job, f"{job_id}: bound the job's run time"
    for job_id, step in steps(workflow):
        uses = step.get("uses")
        if uses is None:
            continue
        assert SHA_PIN.match(uses), f"{job_id}: pin {uses} by its full commit SHA"
        if uses.startswith("actions/checkout@"):
            assert (step.get("with") or {}).get("persist-credentials") is False, f"{job_id}: persist-credentials: false"
    for line in path.read_text(encoding="utf-8").splitlines():
        match = USES_LINE.match(line)
        if match:
            assert VERSION_COMMENT.match(match["comment"]), f"name the pinned release beside the SHA (`# v1.2.3`): {line.strip()}"


def test_ci_workflow() -> None:
    ci = load(WORKFLOWS / "ci.yml")
    on = triggers(ci)
    assert "pull_request" in on and on["push"]["branches"] == ["main"]
    jobs = ci["jobs"]
    assert set(jobs) >= {"validate", "build", "zensical", "test", "deploy"}
    runs = {job_id: [s.get("run") for s in job["steps"] if "run" in s] for job_id, job in jobs.items()}
    assert "openshelf validate --format github guides" in runs["validate"]
    assert "openshelf schema --check" in runs["validate"]
    assert "openshelf fmt --check guides" in runs["validate"]
    assert "openshelf issueform --check" in runs["validate"]
    assert "make site" in runs["build"] and "make build-zensical" in runs["zensical"] and "make test" in runs["test"]
    uploads = [s["uses"].split("@")[0] for s in jobs["build"]["steps"] if "uses" in s]
    assert "actions/upload-artifact" in uploads and "actions/upload-pages-artifact" in uploads
    deploy = jobs["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"]["group"] and deploy["concurrency"]["cancel-in-progress"] is False
    assert "pull_request" in deploy["if"] and "refs/heads/main" in deploy["if"]
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_links_pr_workflow() -> None:
    wf = load(WORKFLOWS / "links-pr.yml")
    assert "guides/**" in triggers(wf)["pull_request"]["paths"]
    changed = wf["jobs"]["changed-links"]
    assert changed["steps"][0]["with"]["fetch-depth"] == 0
    run = next(s for s in changed["steps"] if "--only-changed" in (s.get("run") or ""))
    assert run["run"].startswith('openshelf links --only-changed "origin/$BASE_REF"') and "--format github" in run["run"]
    assert run["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert any(s.get("run") == "make links-site" for s in wf["jobs"]["site-crawl"]["steps"])


def test_links_weekly_workflow() -> None:
    wf = load(WORKFLOWS / "links-weekly.yml")
    on = triggers(wf)
    assert on["schedule"] and "workflow_dispatch" in on
    text = (WORKFLOWS / "links-weekly.yml").read_text(encoding="utf-8")
    assert "openshelf links --format markdown --json-report" in text
    deadline = re.search(r"openshelf links .*--deadline (\S+)", text)
    assert deadline, "bound the weekly check (--deadline) so the job's time limit never loses a whole run"
    from openshelf.durations import parse_duration
    assert parse_duration(deadline[1]).total_seconds() < wf["jobs"]["check"]["timeout-minutes"] * 60 - 120
    assert 'gh issue create --title "Broken links"' in text and "gh issue close" in text
    assert "git add guides/_state/links.json" in text
    # The state file the workflow commits is the one `openshelf links` writes by default.
    from openshelf.links.store import default_state_file
    assert default_state_file().as_posix() == "guides/_state/links.json"
    if "stale" in main.list_commands(click.Context(main)):
        called = {tuple(w[:2]) for _, s in steps(wf) for w in simple_commands(s.get("run") or "")}
        assert ("openshelf", "stale") in called, "`openshelf stale` exists now: run it in the weekly workflow"
    else:
        assert "TODO(issue 4)" in text and "openshelf stale" in text
    assert wf["jobs"]["check"]["permissions"] == {"contents": "read"}, "the job fetching URLs gets a read-only token"
    # The issue body is the two markdown reports together: each is cut to its share of GitHub's limit,
    # and the whole reports go into the link-report artifact.
    from openshelf.links.issue import GITHUB_BODY_LIMIT
    body = re.search(r"cat (link-report/\S+\.md) (link-report/\S+\.md) > link-report/issue\.md", text)
    assert body, "the issue body is built from the two reports"
    shares = []
    for report in body.groups():
        (line,) = [line for line in text.splitlines() if line.strip().startswith("openshelf ") and f"> {report} " in line]
        command = shlex.split(line.partition(" > ")[0])
        assert "--max-chars" in command, command
        shares.append(int(command[command.index("--max-chars") + 1]))
        assert shares[-1] > 0
    assert sum(shares) <= GITHUB_BODY_LIMIT
    assert "--full-report link-report/report-full.md" in text  # the whole link report, for the note to point to
    assert re.search(r"openshelf stale --max-chars 0 .*> link-report/stale-full.md", text)  # the whole freshness list


def _script(job: dict) -> tuple[str, dict]:
    """The one run: step of a job, and its env."""
    (step,) = [s for s in job["steps"] if "run" in s]
    return step["run"], step.get("env", {})


def test_links_weekly_state_goes_through_a_pull_request_unless_set_to_direct() -> None:
    """Where main is protected the state cannot be pushed to it: by default the weekly run pushes it to a
    branch of its own and opens a pull request; the repository variable LINK_STATE_COMMIT=direct (and only
    that) commits it to the run's branch instead.  Each mode is a job with only the permissions it needs."""
    jobs = load(WORKFLOWS / "links-weekly.yml")["jobs"]
    pr, direct = jobs["state-pr"], jobs["commit-state"]
    assert pr["if"] == "vars.LINK_STATE_COMMIT != 'direct'" and direct["if"] == "vars.LINK_STATE_COMMIT == 'direct'"
    assert pr["needs"] == direct["needs"] == "check"
    assert pr["permissions"] == {"contents": "write", "pull-requests": "write", "actions": "write"}
    assert direct["permissions"] == {"contents": "write", "actions": "write"}

    script, env = _script(pr)
    branch = env["STATE_BRANCH"]
    assert branch and branch not in ("main", "master") and env["GH_TOKEN"] == "${{ github.token }}"
    commands = list(simple_commands(script))
    pushes = [w for w in commands if w[:2] == ["git", "push"]]
    assert pushes == [["git", "push", "--force", "origin", "HEAD:refs/heads/$STATE_BRANCH"]], "push to the state branch only"
    create = next(w for w in commands if w[:3] == ["gh", "pr", "create"])
    assert create[create.index("--head") + 1] == "$STATE_BRANCH" and create[create.index("--base") + 1] == "$GITHUB_REF_NAME"
    listing = next(w for w in commands if w[:3] == ["gh", "pr", "list"])
    assert listing[:5] == ["gh", "pr", "list", "--head", "$STATE_BRANCH"]  # an open one is reused, not duplicated
    assert ["gh", "workflow", "run", "ci.yml", "--ref", "$STATE_BRANCH"] in commands  # the pull request gets its checks
    assert ["git", "add", "guides/_state/links.json"] in commands

    script, _ = _script(direct)
    pushes = [w for w in simple_commands(script) if w[:2] == ["git", "push"]]
    assert pushes == [["git", "push", "origin", "HEAD:$GITHUB_REF_NAME"]]

    # The next run starts from the unmerged pull request's state (the N-runs policy needs the memory):
    # the check job merges that branch's state file in before it checks, in pull-request mode only.
    carry = next(s for s in jobs["check"]["steps"] if "links merge" in (s.get("run") or ""))
    assert carry["if"] == pr["if"] and carry["env"]["STATE_BRANCH"] == branch
    assert "ref=$STATE_BRANCH" in carry["run"]
    merges = [w for w in simple_commands(carry["run"]) if w[:3] == ["openshelf", "links", "merge"]]
    assert merges and all(w[-2:] == ["-o", "guides/_state/links.json"] for w in merges)
    check_steps = jobs["check"]["steps"]
    assert check_steps.index(carry) < next(i for i, s in enumerate(check_steps) if s.get("id") == "check")


def test_drift_workflow() -> None:
    """Weekly and on demand, one job per make target; main and pull requests keep the lock (ci.yml)."""
    wf = load(WORKFLOWS / "drift.yml")
    on = triggers(wf)
    assert on["schedule"] and "workflow_dispatch" in on and "pull_request" not in on and "push" not in on
    runs = {job_id: [s["run"] for s in job["steps"] if "run" in s] for job_id, job in wf["jobs"].items()}
    assert runs == {"latest": ["make test-latest"], "lowest": ["make test-lowest"]}
    for job in wf["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
    ci_test = load(WORKFLOWS / "ci.yml")["jobs"]["test"]
    assert all(wf["jobs"][j]["container"] == ci_test["container"] for j in ("latest", "lowest")), "the same machine as make test"


@pytest.mark.parametrize(("target", "resolution"), [("test-latest", "highest"), ("test-lowest", "lowest-direct")])
def test_drift_targets_ignore_the_lock_and_test_their_own_venv(target: str, resolution: str) -> None:
    venv = f".venv-{target.removeprefix('test-')}"
    lines = make_dry_run(target).splitlines()
    install = next(line for line in lines if " pip install " in line)
    assert f"--resolution {resolution}" in install and f"--python {venv}/bin/python" in install and ".[test,zensical]" in install
    assert "uv.lock" not in "\n".join(lines) and "sync" not in "\n".join(lines)
    assert f"rm -rf {venv}" in lines, "a fresh venv on every run"
    pytest_line = lines[-1]
    assert f"{venv}/bin/python -m pytest" in pytest_line and f"{ROOT}/{venv}/bin:" in pytest_line  # its bin/ first on PATH
    # The tests find their tools beside sys.executable; `make crawl-site` is told the interpreter's venv.
    crawl = make_dry_run("crawl-site", "CRAWL_DIR=site", f"VENV={ROOT / venv}")
    assert crawl.startswith(f"{ROOT / venv}/bin/python .github/scripts/crawl_site.py site"), crawl


def test_dependabot_proposes_lock_and_action_updates() -> None:
    config = load(ROOT / ".github" / "dependabot.yml")
    assert config["version"] == 2
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"uv", "github-actions"}  # uv.lock, and the actions pinned in .github/workflows
    for update in updates.values():
        assert update["directory"] == "/" and update["schedule"]["interval"] == "weekly"


# --- the site crawl (make crawl-site, which make links-site runs after building site/) ------------

# Sound links beside broken ones: the crawl reports exactly the two broken ones.  A hand-written page
# links to generated pages (and an entry's anchor) the way docs/ pages do.
NOTES_PAGE = """\
# Notes

See [CNKI](databases.md#cnki), the [access methods](access.md) and the [A–Z list](a-z.md).

A [missing anchor](databases.md#no-such-entry) and a [missing page](no-such-page.md).
"""


def build_small_site(where: Path, page: str) -> Path:
    """The fixture guide plus one hand-written page, built with mkdocs like the real site (not strict:
    MkDocs itself would refuse the link to the missing page)."""
    docs = where / "docs"
    docs.mkdir(parents=True)
    (docs / "notes.md").write_text(page, encoding="utf-8")
    config = make_project(where, FIXTURE_GUIDE, docs_dir=str(docs), strict=False)
    site = where / "site"
    proc = subprocess.run([tool("mkdocs"), "build", "--quiet", "-f", str(config), "-d", str(site)], cwd=where,
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (site / "notes" / "index.html").is_file()
    return site


def crawl(site: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """``make crawl-site`` with this interpreter's venv (VENV=sys.prefix: .venv, or .venv-latest / .venv-lowest)."""
    return subprocess.run(["make", "--no-print-directory", "crawl-site", f"CRAWL_DIR={site}", f"VENV={sys.prefix}"], cwd=ROOT,
                          capture_output=True, text=True, check=False, timeout=timeout)


def links_checked(report: str) -> int:
    return int(re.search(r"(\d+) internal links checked", report).group(1))


def test_site_crawl_reports_exactly_the_missing_page_and_the_missing_anchor(tmp_path: Path) -> None:
    site = build_small_site(tmp_path, NOTES_PAGE)
    proc = crawl(site)
    assert proc.returncode != 0, proc.stdout + proc.stderr  # make's 2 for the script's 1
    broken = [line for line in proc.stdout.splitlines() if ": broken " in line]
    # The hand-written page is in both editions of the site (/notes/, /en/notes/): reported once in each.
    assert sorted(broken) == ["en/notes/index.html: broken anchor (no id 'no-such-entry' in en/databases/index.html): ../databases/#no-such-entry",
                              "en/notes/index.html: broken link (no file en/notes/no-such-page.md): no-such-page.md",
                              "notes/index.html: broken anchor (no id 'no-such-entry' in databases/index.html): ../databases/#no-such-entry",
                              "notes/index.html: broken link (no file notes/no-such-page.md): no-such-page.md"], proc.stdout
    # ... and nothing else: the sound links on the same page (an entry's anchor included) pass.
    assert "4 broken" in proc.stdout
    assert links_checked(proc.stdout) > 20, proc.stdout  # it crawled the site, not just the home page


def test_site_crawl_of_the_default_guide(built_site: Path) -> None:
    """The built default guide (with the hand-written docs/ pages) has no broken internal link or anchor."""
    proc = crawl(built_site)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr
    assert " 0 broken" in proc.stdout
    assert links_checked(proc.stdout) > 20, proc.stdout


# --- the suggestion workflow ------------------------------------------------------------------------


def test_suggestions_run_again_when_an_approved_issue_is_edited() -> None:
    workflow = load(WORKFLOWS / "suggest-resource.yml")
    assert triggers(workflow)["issues"] == {"types": ["labeled", "edited"]}
    condition = workflow["jobs"]["propose"]["if"]
    assert "github.event.action == 'edited' && contains(github.event.issue.labels.*.name, 'approved-suggestion')" in condition
    assert "github.event.action == 'labeled' && github.event.label.name == 'approved-suggestion'" in condition


def run_step(step: dict, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A step's script under bash as GitHub runs it (-e, pipefail), with a `gh` that records its arguments."""
    fake = tmp_path / "fake-bin"
    fake.mkdir(exist_ok=True)
    gh = fake / "gh"
    gh.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$RUNNER_TEMP/gh-args.txt"\n', encoding="utf-8")
    gh.chmod(0o755)
    full = {**os.environ, "PATH": f"{fake}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}", "RUNNER_TEMP": str(tmp_path / "temp"), **env}
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=tmp_path / "project", env=full,
                          capture_output=True, text=True, timeout=120, check=False)


def test_a_failing_suggestion_posts_its_message_on_the_issue(tmp_path: Path) -> None:
    (tmp_path / "temp").mkdir()
    shutil.copytree(FIXTURE_GUIDE, tmp_path / "project" / "guides")
    named = {step.get("name"): step for _, step in steps(load(WORKFLOWS / "suggest-resource.yml"))}
    body = ("### 栏目 · Collection [collection]\n\n免费学术资源 · Free academic resources [databases]\n\n"
            "### 名称（英文）· Title in English [title-en]\n\nEurope PMC\n\n### 网址 · Address [url]\n\neuropepmc.org\n\n"
            "### 说明（英文）· Description in English [description-en]\n\nLiterature.\n\n"
            "### 分类 · Category [category]\n\n外文数据库 · International databases [international-databases]\n\n"
            "### 访问方式 · Access [access]\n\n免费 · Free [free]\n")
    added = run_step(named["Add the suggested entry"], tmp_path, {"BODY": body})
    assert added.returncode == 2, added.stderr
    comment = run_step(named["Tell the suggester what to fix"], tmp_path, {"ISSUE": "7", "RUN_URL": "https://github.invalid/run/1"})
    assert comment.returncode == 0, comment.stderr
    assert (tmp_path / "temp" / "gh-args.txt").read_text(encoding="utf-8").split("\n")[:3] == ["issue", "comment", "7"]
    posted = (tmp_path / "temp" / "comment.md").read_text(encoding="utf-8")
    assert "issue form: error: 网址 · Address: url must start with http:// or https:// · 网址须以 http:// 或 https:// 开头" in posted
    assert "Usage" not in posted and "请直接编辑本 issue" in posted and "https://github.invalid/run/1" in posted


@pytest.mark.parametrize("name", ["make venv", "openshelf fmt guides", "openshelf validate guides"])
def test_every_step_that_can_fail_keeps_its_message_for_the_comment(name: str) -> None:
    scripts = [step["run"] for _, step in steps(load(WORKFLOWS / "suggest-resource.yml")) if step.get("run", "").startswith(name)]
    assert scripts == [f'{name} 2> "$RUNNER_TEMP/step.txt"']
