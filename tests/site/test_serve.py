"""`mkdocs serve` rebuilds the preview when a guide file changes (a real server on 127.0.0.1)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from support import FIXTURE_GUIDE, make_project


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # 127.0.0.1 only
        return response.read().decode("utf-8")


def wait_for(url: str, needle: str, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
            if needle in last:
                return last
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{needle!r} did not appear at {url} within {seconds}s")


def test_preview_rebuilds_when_yaml_changes(tmp_path: Path) -> None:
    guides = tmp_path / "guides"
    shutil.copytree(FIXTURE_GUIDE, guides)
    config = make_project(tmp_path, guides)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/databases/"
        wait_for(url, "中国知网")
        path = guides / "databases.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("zh: 中国知网", "zh: 中国知网（已更新）"), encoding="utf-8")
        wait_for(url, "中国知网（已更新）")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
