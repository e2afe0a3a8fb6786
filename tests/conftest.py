"""Shared fixtures; helpers that tests import live in support.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="Rewrite golden files from the current output.")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


#: Set by GitHub Actions, where CI runs `make test`: a build there links its footer to the repository it runs in
#: (openshelf.site.pipeline.repository). Tests build the same everywhere; the ones about that link set them.
GITHUB_REPOSITORY_VARIABLES = ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY")


@pytest.fixture(autouse=True)
def _quiet_mkdocs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    for name in GITHUB_REPOSITORY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default guide built once with `mkdocs build --strict`, for the browser tests."""
    from support import ROOT

    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
                            capture_output=True, text=True, check=False, timeout=900,
                            env={**{k: v for k, v in os.environ.items() if k not in GITHUB_REPOSITORY_VARIABLES}, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    return out
