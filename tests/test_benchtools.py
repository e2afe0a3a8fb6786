"""scripts/benchtools.py: a benchmark charges a tool for all its processes at once, whichever thread started them."""

from __future__ import annotations

import subprocess
import sys
import time

from support import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from benchtools import tree_rss_kb, wait_measured

# A parent that starts, from a thread other than its main one, a child holding 200 MB.
PARENT = """
import subprocess, sys, threading, time
child = "x = bytearray(200 * 1024 * 1024); import time; time.sleep(3)"
threading.Thread(target=lambda: subprocess.run([sys.executable, "-c", child])).start()
time.sleep(3.5)
"""


def _own_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))


def test_a_child_started_from_another_thread_counts() -> None:
    proc = subprocess.Popen([sys.executable, "-c", PARENT])
    try:
        tree = 0
        for _ in range(200):  # until the child has its 200 MB (at most 2 s)
            time.sleep(0.01)
            tree = max(tree, tree_rss_kb(proc.pid))
            if tree > 200 * 1024:
                break
        assert tree > 200 * 1024 > _own_rss_kb(proc.pid)
    finally:
        proc.wait()


def test_wait_measured_reports_the_peak_of_parent_and_child_together() -> None:
    proc = subprocess.Popen([sys.executable, "-c", PARENT])
    status, cpu, peak_kb = wait_measured(proc)
    assert status == 0 and cpu > 0
    assert peak_kb > 200 * 1024
