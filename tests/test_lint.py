"""Static checks that catch real mistakes: ruff with the rule set in pyproject.toml ([tool.ruff]) over
the code, the tests and the scripts, and mypy (strict, with the pydantic plugin; [tool.mypy]) over src/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import ROOT

BIN = Path(sys.executable).parent  # the venv's tools: .venv, or .venv-latest / .venv-lowest (make test-latest / test-lowest)


def test_ruff_is_clean() -> None:
    result = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "--output-format", "concise", "src", "tests", "scripts",
                             ".github/scripts"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean(tmp_path: Path) -> None:
    """The files and options come from [tool.mypy]; the cache goes to a temporary folder, not the repository."""
    result = subprocess.run([str(BIN / "mypy"), "--cache-dir", str(tmp_path / "mypy-cache")], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
