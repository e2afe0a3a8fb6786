"""scripts/bench_links.py runs end to end on a tiny size (openshelf only: the other tools are optional)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
