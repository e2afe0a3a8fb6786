"""``openshelf links``' start-up and wrap-up.

It imports what a run needs and not the code of other commands or of rare paths: the federation's snapshots, overlays
and merge (only for a guide with a ``_sources.yml``), charset-normalizer (only for a file that is not UTF-8), the site
builder and the curators' commands.  And as the process ends Python's last collection skips the run's objects (frozen).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support import write_guide

COLLECTION = """\
id: nav
title: {en: Nav}
entries:
  - {id: a, title: {en: A}, url: 'http://127.0.0.1:9/a', description: {en: D}, category: databases, access: free}
"""
RUN = """\
import atexit, gc, json, sys
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0, file=sys.stderr))  # runs after the run's handlers
from openshelf.links.cli import links
try:
    links.main(["--guides", sys.argv[1], "--no-state", "--format", "json"], standalone_mode=False)
finally:
    print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
NOT_NEEDED = ("charset_normalizer", "openshelf.federation.merge", "openshelf.federation.exchange", "openshelf.federation.overlays",
              "openshelf.federation.snapshots", "openshelf.federation.select", "openshelf.site", "openshelf.curate", "jinja2",
              "markdown", "mkdocs")


def run(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    guides = write_guide(tmp_path / "guides", {"nav.yml": COLLECTION})
    return subprocess.run([sys.executable, "-c", RUN, str(guides)], capture_output=True, text=True, check=False, timeout=120)


def test_a_run_imports_no_module_it_does_not_need(tmp_path: Path) -> None:
    done = run(tmp_path)
    summary = json.loads(done.stdout)["summary"]
    assert (summary["skipped"], summary["requests"]) == (1, 0), done.stdout  # the loopback URL is skipped: no request went out
    modules = json.loads(done.stderr.strip().splitlines()[-2])
    assert "aiohttp" in modules  # the probe sees what the run imported
    assert [m for m in modules if m.split(".")[0] in NOT_NEEDED or m.startswith(NOT_NEEDED)] == []


def test_the_last_collection_at_exit_skips_the_runs_objects(tmp_path: Path) -> None:
    assert run(tmp_path).stderr.strip().splitlines()[-1] == "frozen at exit: True"
