"""The GitHub Actions workflows: linted (actionlint, zizmor), and held to what the test suite runs.

GitHub Actions cannot run here, so the workflows are kept honest in three ways:

- actionlint and ``zizmor --offline`` pass on ``.github/workflows``;
- every ``run:`` step calls only ``make TARGET`` (a target the Makefile defines), ``openshelf COMMAND
  [OPTIONS]`` (parsed by the real click command tree, so a renamed option fails here) or plain
  plumbing (git, gh, echo, test, ...), and never expands ``${{ }}`` inside the script;
- the site crawl that CI runs (``make links-site`` = build + ``make crawl-site``) is run here on a
  small site: it passes, and it fails once a hand-written page links to a missing page and anchor.
"""

from __future__ import annotations

import os
import re
import shlex
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


def makefile_targets() -> set[str]:
    targets = set()
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
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
        if not args or args[0] not in main.commands:
            return [f"`{' '.join(words)}`: not an openshelf command (have: {', '.join(sorted(main.commands))})"]
        command = main.commands[args[0]]
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
    assert {p.name for p in WORKFLOW_FILES} >= {"ci.yml", "links-pr.yml", "links-weekly.yml"}


def test_actionlint_is_clean() -> None:
    proc = subprocess.run([tool("actionlint"), "-no-color", *map(str, WORKFLOW_FILES)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"actionlint:\n{proc.stdout}{proc.stderr}"


def test_zizmor_is_clean() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")}
    proc = subprocess.run([tool("zizmor"), "--offline", "--no-progress", "--color", "never", str(WORKFLOWS)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
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


def test_make_targets_used_by_workflows_resolve() -> None:
    """`make -n` on each target the workflows call: make itself finds a rule and its prerequisites."""
    goals = set()
    for path in WORKFLOW_FILES:
        for _, step in steps(load(path)):
            for words in simple_commands(step.get("run") or ""):
                if words[0] == "make":
                    goals.update(a for a in words[1:] if not a.startswith("-") and "=" not in a)
    assert {"venv", "site", "build-zensical", "test", "links-site"} <= goals
    for goal in sorted(goals):
        proc = subprocess.run(["make", "--no-print-directory", "-n", goal], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, f"make -n {goal}:\n{proc.stdout}{proc.stderr}"
    # CI's crawl (links-site) is the command the crawl tests below run (crawl-site).
    links_site = subprocess.run(["make", "--no-print-directory", "-n", "links-site"], cwd=ROOT, capture_output=True, text=True).stdout
    crawl_site = subprocess.run(["make", "--no-print-directory", "-n", "crawl-site", "CRAWL_DIR=site"], cwd=ROOT, capture_output=True,
                                text=True).stdout
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
    assert 'gh issue create --title "Broken links"' in text and "gh issue close" in text
    assert "git add guides/_state/links.json" in text
    # The state file the workflow commits is the one `openshelf links` writes by default.
    from openshelf.links.store import default_state_file
    assert default_state_file().as_posix() == "guides/_state/links.json"
    if "stale" in main.commands:
        called = {tuple(w[:2]) for _, s in steps(wf) for w in simple_commands(s.get("run") or "")}
        assert ("openshelf", "stale") in called, "`openshelf stale` exists now: run it in the weekly workflow"
    else:
        assert "TODO(issue 4)" in text and "openshelf stale" in text
    assert wf["jobs"]["check"]["permissions"] == {"contents": "read"}, "the job fetching URLs gets a read-only token"


# --- the site crawl (make crawl-site, which make links-site runs after building site/) ------------

GOOD_PAGE = """\
# Notes

See [CNKI](databases.md#cnki), the [access methods](access.md) and the [A–Z list](a-z.md).
"""

BROKEN_PAGE = """\
# Notes

A [missing anchor](databases.md#no-such-entry) and a [missing page](no-such-page.md).
"""


def build_small_site(where: Path, page: str, strict: bool) -> Path:
    """The fixture guide plus one hand-written page, built with mkdocs like the real site."""
    docs = where / "docs"
    docs.mkdir(parents=True)
    (docs / "notes.md").write_text(page, encoding="utf-8")
    config = make_project(where, FIXTURE_GUIDE, docs_dir=str(docs), strict=strict)
    site = where / "site"
    proc = subprocess.run([tool("mkdocs"), "build", "--quiet", "-f", str(config), "-d", str(site)], cwd=where,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (site / "notes" / "index.html").is_file()
    return site


def crawl(site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", "crawl-site", f"CRAWL_DIR={site}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_site_crawl_passes_on_a_sound_site(tmp_path: Path) -> None:
    site = build_small_site(tmp_path, GOOD_PAGE, strict=True)
    proc = crawl(site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 errors found" in proc.stdout and "0 warnings found" in proc.stdout
    checked = int(re.search(r"(\d+) links? in \d+ URLs? checked", proc.stdout).group(1))
    assert checked > 20, proc.stdout  # it crawled the site, not just the home page


def test_site_crawl_fails_on_a_missing_page_and_a_missing_anchor(tmp_path: Path) -> None:
    site = build_small_site(tmp_path, BROKEN_PAGE, strict=False)
    proc = crawl(site)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    report = " ".join(proc.stdout.split())  # linkchecker wraps its lines
    assert "no-such-page.md" in report and "Error: 404" in report, proc.stdout
    assert "Anchor `no-such-entry' (decoded: `no-such-entry') not found" in report, proc.stdout


def test_site_crawl_of_the_default_guide(built_site: Path) -> None:
    """The built default guide has no broken internal link or anchor (the crawl CI runs)."""
    proc = subprocess.run(["make", "--no-print-directory", "crawl-site", f"CRAWL_DIR={built_site}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr
    assert "0 errors found" in proc.stdout
