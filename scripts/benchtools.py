"""What the benchmarks share: the memory of a process together with the processes it started."""

from __future__ import annotations

import os
import subprocess
import time


def tree_rss_kb(pid: int) -> int:
    """Resident kB of a process and its descendants now (Linux /proc; 0 elsewhere).  A child started
    from any thread counts (``/proc/PID/task/TID/children`` lists each thread's own)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def wait_measured(proc: subprocess.Popen[bytes], limit: float = 3600, every: float = 0.01) -> tuple[int, float, int]:
    """Wait for ``proc``; its exit status, CPU seconds (user + system, children included) and peak
    memory in kB: the larger of ``ru_maxrss`` from wait4 (the biggest single process) and the largest
    sum of the resident sizes of the process and its children, sampled every ``every`` seconds (a
    tool that runs a helper process alongside is charged for both)."""
    deadline = time.monotonic() + limit
    tree_kb = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        tree_kb = max(tree_kb, tree_rss_kb(proc.pid))
        if time.monotonic() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            raise TimeoutError(f"{proc.args!r} took longer than {limit}s")
        time.sleep(every)
    return status, usage.ru_utime + usage.ru_stime, max(usage.ru_maxrss, tree_kb)
