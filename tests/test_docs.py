"""The examples in README.md and CONTRIBUTING.md work when copied.

* An entry example (a ```yaml block starting ``  - id:``) added to a copy of the guide validates and
  is already in the canonical form that ``openshelf fmt --check`` (CI, pre-commit) demands.  The
  examples show a real entry of the default guide, so in the copy the example takes its place.
* Any other ```yaml block is the ``limits`` block: the defaults it states are the models' defaults.
* A ```console line ``$ … openshelf …`` runs and prints what the block shows after it (line and
  column numbers aside), with the documented exit code: 1 when it shows an error, else 0.  An
  ``error: entry 'x': url must start with …`` shown is provoked by taking the scheme off x's url.
* A bare ``file:line:col: error: …`` block (CONTRIBUTING's message example) is what validate prints.
"""

from __future__ import annotations

import re
import shlex
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

from openshelf.cli import main
from openshelf.guide.models import Limits
from support import ROOT

DOCS = ("README.md", "CONTRIBUTING.md")
URL_MESSAGE = re.compile(r"^(?P<file>\S+?):\d+:\d+: error: entry '(?P<entry>[a-z0-9-]+)': url must start with http:// or https://$")


def blocks(doc: str, lang: str) -> list[str]:
    """The fenced code blocks of ``doc`` whose info string is ``lang`` ("" for a bare fence)."""
    found: list[str] = []
    open_lang: str | None = None  # the info string of the block we are in
    lines: list[str] = []
    for line in (ROOT / doc).read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.startswith("```"):
            lines.append(line)
        elif open_lang is None:
            open_lang, lines = line[3:].strip(), []
        else:
            if open_lang == lang:
                found.append("".join(lines))
            open_lang = None
    return found


def examples(lang: str, keep: object = lambda block: True) -> list[object]:
    found = [pytest.param(block, id=f"{doc}#{i}") for doc in DOCS for i, block in enumerate(blocks(doc, lang)) if keep(block)]
    assert found, f"no {lang} examples found"
    return found


def guide_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "guides", tmp_path / "guides", ignore=shutil.ignore_patterns("templates"))
    return tmp_path / "guides"


def without_entry(text: str, entry_id: str) -> str:
    """The collection file's text without the entry ``entry_id`` (its lines up to the next entry or comment)."""
    lines = text.splitlines(keepends=True)
    start = lines.index(f"  - id: {entry_id}\n")
    end = next((j for j in range(start + 1, len(lines)) if lines[j].startswith(("  - id:", "  #"))), len(lines))
    return "".join(lines[:start] + lines[end:])


def invoke(args: list[str], cwd: Path) -> tuple[int, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("example", examples("yaml", lambda block: block.startswith("  - id:")))
def test_entry_example_validates_and_is_canonical(example: str, tmp_path: Path) -> None:
    guides = guide_copy(tmp_path)
    entry_id = yaml.safe_load(example)[0]["id"]
    target = next(p for p in guides.glob("*.yml") if f"  - id: {entry_id}\n" in p.read_text(encoding="utf-8"))
    text = without_entry(target.read_text(encoding="utf-8"), entry_id)
    target.write_text(text.rstrip("\n") + "\n\n" + example, encoding="utf-8")
    code, output = invoke(["validate", "guides"], tmp_path)
    assert code == 0, output
    code, output = invoke(["fmt", "--check", "guides"], tmp_path)
    assert code == 0, output


@pytest.mark.parametrize("example", examples("yaml", lambda block: block.startswith("limits:")))
def test_limits_example_states_the_defaults(example: str) -> None:
    stated = yaml.safe_load(example)
    assert set(stated) == {"limits"}
    assert Limits.model_validate(stated["limits"]) == Limits()


def _models() -> dict[str, tuple[type[BaseModel], bool]]:
    """A documented YAML block's top-level key → the model it must validate against, and whether the
    model is the whole file (True) or the key's value (False)."""
    from pydantic import create_model

    from openshelf.federation.config import SourcesFile
    from openshelf.federation.overlays import OverlaysFile
    from openshelf.guide.models import Emergency, Policy, ServiceStatus, Site

    # A settings key whose value is not a model of its own: checked as that one field of Site.
    kinds = create_model("ResourceKinds", resource_kinds=(Site.model_fields["resource_kinds"].annotation, ...))
    return {"emergency": (Emergency, False), "service_status": (ServiceStatus, False), "sources": (SourcesFile, True),
            "overlays": (OverlaysFile, True), "policy": (Policy, False), "resource_kinds": (kinds, True)}


@pytest.mark.parametrize("example", examples("yaml", lambda block: not block.startswith(("  - id:", "plugins:", "limits:"))))
def test_other_yaml_examples_validate(example: str) -> None:
    """Every other YAML example (site settings, subscription files …) is valid for the model its key names."""
    stated = yaml.safe_load(textwrap.dedent(example))
    assert isinstance(stated, dict) and len(stated) == 1, example
    (key, value), = stated.items()
    models = _models()
    assert key in models, f"a README/CONTRIBUTING YAML example starts with {key!r}: add its model to _models()"
    model, whole = models[key]
    model.model_validate(stated if whole else value)


@pytest.mark.parametrize("example", examples("yaml", lambda block: block.startswith("plugins:")))
def test_plugin_example_uses_real_options(example: str) -> None:
    from openshelf.site.plugin import OpenShelfConfig

    config = OpenShelfConfig()
    config.load_dict(yaml.safe_load(example)["plugins"][0]["openshelf"])
    assert config.validate() == ([], [])


def provoke(guides: Path, shown: list[str]) -> None:
    """Break the guide copy so that it has the errors ``shown``."""
    for line in shown:
        found = URL_MESSAGE.match(line)
        assert found, f"no way to provoke {line!r}: teach tests/test_docs.py"
        path = guides.parent / found["file"]
        text = path.read_text(encoding="utf-8")
        block = text.index(f"  - id: {found['entry']}\n")
        url = text.index("    url: https://", block)
        path.write_text(text[:url] + "    url: " + text[url + len("    url: https://"):], encoding="utf-8")


def mask(text: str) -> str:
    return re.sub(r":\d+:\d+:", ":L:C:", text)


@pytest.mark.parametrize("example", examples("console", lambda block: "openshelf" in block))
def test_console_example_runs_as_shown(example: str, tmp_path: Path) -> None:
    guides = guide_copy(tmp_path)
    commands = [i for i, line in enumerate(example.splitlines()) if line.startswith("$ ")]
    lines = example.splitlines()
    for n, i in enumerate(commands):
        words = shlex.split(lines[i][2:], comments=True)
        if not words[0].endswith("openshelf"):
            continue
        shown = lines[i + 1:commands[n + 1] if n + 1 < len(commands) else len(lines)]
        provoke(guides, [line for line in shown if ": error: " in line])
        code, output = invoke(words[1:], tmp_path)
        assert code == (1 if any(": error: " in line for line in shown) else 0), output
        if not any(": warning: " in line for line in shown):  # a guide's warnings (a fork's imported lists) are not the example's point
            output = re.sub(r"\b\d+ warning\(s\)", "0 warning(s)", "\n".join(line for line in output.splitlines() if ": warning: " not in line))
        assert mask(output).splitlines() == [mask(line) for line in shown]


@pytest.mark.parametrize("example", examples("", lambda block: ": error: " in block))
def test_message_example_is_what_validate_prints(example: str, tmp_path: Path) -> None:
    guides = guide_copy(tmp_path)
    shown = example.strip().splitlines()
    provoke(guides, shown)
    code, output = invoke(["validate", "guides"], tmp_path)
    assert code == 1
    assert all(mask(line) in mask(output).splitlines() for line in shown), output


def readme_part(start: str, end: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme[readme.index(start):readme.index(end, readme.index(start))]


def _is_path(token: str) -> bool:
    """A backticked token that names a file or folder: `guides/_site.yml`, `.gitignore`, `Makefile`, `guides/_schema/`."""
    return (re.fullmatch(r"[\w./-]+", token) is not None and not token.startswith("-")
            and ("/" in token or "." in token or (token[:1].isupper() and not token.isupper())))


def test_the_readme_names_every_file_init_writes_and_no_other(tmp_path: Path) -> None:
    """The list left out guides/templates/resources.csv, .gitignore and .github/dependabot.yml.  A folder named
    (`guides/_schema/`) stands for the files in it."""
    flags = ("--no-input", "--name-zh", "河畔图书馆指南", "--name-en", "Riverside Library Guide", "--publisher-zh", "河畔图书馆",
             "--publisher-en", "Riverside Library", "--subscribe", "https://shared.example.org/openshelf.json", "--no-fetch")
    result = CliRunner().invoke(main, ["init", str(tmp_path / "new"), *flags])
    assert result.exit_code == 0, result.output
    written = {p.relative_to(tmp_path / "new").as_posix() for p in (tmp_path / "new").rglob("*") if p.is_file()}
    named = {t for t in re.findall(r"`([^`\s]+)`", readme_part("writes into a new or empty folder:", "`make dist` builds")) if _is_path(t)}
    folders = {n for n in named if n.endswith("/")}
    assert sorted(f for f in written if f not in named and not any(f.startswith(d) for d in folders)) == []
    assert sorted(n for n in named if n not in written and not (n in folders and any(f.startswith(n) for f in written))) == []


def test_the_readme_gives_a_reason_for_every_dependency() -> None:
    """Its list left out uvloop and segno; it names every dependency of pyproject.toml, and nothing else."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = {re.match(r"[A-Za-z0-9_.-]+", d).group().lower().replace("_", "-") for d in project["dependencies"]}  # type: ignore[union-attr]
    said = {name.split("[")[0].lower() for name in re.findall(r"\*\*([^*]+)\*\*", readme_part("Dependencies and why:", "Test extras:"))}
    assert said == required
