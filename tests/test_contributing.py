"""The contribution path: pre-commit hooks run real openshelf commands; templates are in place."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from support import ROOT

BIN = Path(sys.executable).parent


def test_pre_commit_hooks_pass_on_the_default_guide() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {h["id"] for h in hooks} == {"openshelf-validate", "openshelf-fmt", "openshelf-issueform"}
    for hook in hooks:
        words = shlex.split(hook["entry"])
        assert words[0] == "openshelf"
        result = subprocess.run([str(BIN / "openshelf"), *words[1:]], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, (hook["id"], result.stderr)


def test_contributor_files_exist() -> None:
    for path in ("CONTRIBUTING.md", ".github/pull_request_template.md", ".github/ISSUE_TEMPLATE/suggest-resource.yml",
                 ".github/ISSUE_TEMPLATE/broken-link.yml", ".github/workflows/suggest-resource.yml"):
        assert (ROOT / path).is_file(), path
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for message in ("url must start with http:// or https://", "unknown field", "missing required field",
                    "is not defined in _site.yml", "must be a list", "a tab is used for indentation"):
        assert message in contributing, message
