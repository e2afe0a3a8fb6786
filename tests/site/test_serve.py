"""`mkdocs serve` rebuilds the preview when a guide file changes (a real server on 127.0.0.1)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support import FIXTURE_GUIDE, NEAR_DUPLICATES, make_project, write_guide


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


@contextmanager
def serving(config: Path, port: int) -> Iterator[subprocess.Popen[str]]:
    """``mkdocs serve --strict`` on 127.0.0.1:port (``make serve`` is strict too: mkdocs.yml says so), stopped afterwards."""
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--strict", "-f", str(config), "-a", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_preview_rebuilds_when_yaml_changes(tmp_path: Path) -> None:
    guides = tmp_path / "guides"
    shutil.copytree(FIXTURE_GUIDE, guides)
    config = make_project(tmp_path, guides)
    port = free_port()
    with serving(config, port):
        url = f"http://127.0.0.1:{port}/databases/"
        wait_for(url, "中国知网")
        path = guides / "databases.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("zh: 中国知网", "zh: 中国知网（已更新）"), encoding="utf-8")
        wait_for(url, "中国知网（已更新）")


def test_preview_serves_a_guide_with_warnings(tmp_path: Path) -> None:
    """MkDocs' strict mode does not count the guide's warnings: the preview starts and shows both entries."""
    config = make_project(tmp_path / "proj", write_guide(tmp_path / "guides", {"health.yml": NEAR_DUPLICATES}))
    port = free_port()
    with serving(config, port) as server:
        page = ""
        deadline = time.monotonic() + 90
        while server.poll() is None and not page and time.monotonic() < deadline:
            try:
                page = fetch(f"http://127.0.0.1:{port}/health/")
            except OSError:
                time.sleep(0.5)
        assert server.poll() is None, server.communicate()[1]
        assert 'id="fever-hubei"' in page and 'id="fever-hunan"' in page
