"""``--only-changed REV``: the URLs added or changed since a git revision.

Compares URL sets per guide file (the file at REV, read with ``git show``, against the
file now): a URL is "changed" where it stands in a file that did not have it at REV. This
is sturdier than parsing a diff: moved lines, re-indented entries and reordered files
do not count as changes, and an edited URL always does.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path
from typing import Any

from openshelf.errors import ConfigError
from openshelf.guide import yamlsource

from .extract import Target


class GitError(ConfigError):
    """git could not answer (not a repository, unknown revision): exit 2."""


def _git(cwd: Path, *args: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"cannot run git: {exc}") from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.strip() or f"git {' '.join(args)} failed")
    return proc.stdout


def _urls_in(value: Any, out: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "url" and isinstance(item, str):
                out.add(item.strip())
            else:
                _urls_in(item, out)
    elif isinstance(value, list):
        for item in value:
            _urls_in(item, out)


def urls_at_revision(guides: Path, rev: str) -> dict[str, set[str]]:
    """``{absolute file path: {url, ...}}`` for the guide files as they were at ``rev``."""
    guides = guides.resolve()
    top = Path(_git(guides, "rev-parse", "--show-toplevel").strip())
    _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    rel = os.path.relpath(guides, top)
    names = _git(top, "ls-tree", "-r", "--name-only", rev, "--", rel).splitlines()
    found: dict[str, set[str]] = {}
    for name in names:
        if not name.endswith((".yml", ".yaml")):
            continue
        text = _git(top, "show", f"{rev}:{name}")
        urls: set[str] = set()
        with contextlib.suppress(yamlsource.YamlProblem):  # a file that did not parse then (or broke a limit): all its URLs count as new
            _urls_in(yamlsource.load(text)[0], urls)
        found[str((top / name).resolve())] = urls
    return found


def changed_targets(targets: list[Target], guides: Path, rev: str) -> list[Target]:
    """The targets with at least one occurrence in a file that lacked the URL at ``rev``."""
    before = urls_at_revision(guides, rev)
    keep = []
    for target in targets:
        for occ in target.occurrences:
            old = before.get(str(Path(occ.file).resolve()), set())
            if target.url not in old:
                keep.append(target)
                break
    return keep
