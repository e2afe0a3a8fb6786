"""Static checks that catch real mistakes (undefined names, unused imports, syntax errors)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import ROOT


def test_ruff_pyflakes_rules() -> None:
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), "check", "--no-cache", "--select", "F,E9", "src", "tests", "scripts", ".github/scripts"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
