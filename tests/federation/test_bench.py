"""scripts/bench_federation.py runs end to end on a tiny consortium served on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys

from support import ROOT


def test_bench_federation_smoke() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_federation.py"), "--members", "3", "--entries", "30", "--pool", "30"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.splitlines()[-1])
    # each member's own 40 % (12 each) plus the pool entries some member drew (18 of 30 each)
    assert result["members"] == 3 and 3 * 12 + 18 <= result["unique"] <= 3 * 12 + 30
    for step in ("sources update", "merge (load consortium)", "build consortium", "build single (plain equiv.)"):
        assert result[step]["wall"] > 0 and result[step]["peak"] > 0
    assert "consortium / single build: wall" in proc.stdout and "load average" in proc.stdout
