"""Headless Chromium for the browser tests: Debian's chromium driven by Playwright.

Playwright's own browser download cannot run on these machines, so the tests launch the
system browser by path, with the flags that keep it off the network.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise RuntimeError("chromium is not installed: `make test` installs Debian's chromium package")
    return path


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # `format`: the base class's parameter name
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing address gets the site's root ``404.html`` with status 404, as GitHub Pages serves it for every one."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 at a free port, its ``404.html`` for a missing address; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def wait_until(page: Any, predicate: str, arg: Any = None, timeout: float = 60.0) -> Any:
    """Poll ``predicate`` (a JavaScript function of ``arg``, which may return a promise) until it is
    truthy, and return its value.

    Not ``page.wait_for_function``: that builds its predicate with ``eval`` inside the page, which
    the site's Content-Security-Policy refuses at times, and it does not wait for a promise.
    ``page.evaluate`` runs through the DevTools protocol and awaits the promise.  A page that
    navigates while it is asked (a link just followed) is asked again once the next one loads.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = page.evaluate(predicate, arg)
        except Exception as exc:  # a navigation under way (a followed link): ask the next page
            if "Execution context was destroyed" not in str(exc):
                raise
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout:.0f} s: {predicate}")
        time.sleep(0.05)


def type_query(page: Any, text: str) -> None:
    """Type into Material's search box the way a person does: Material searches on keyup.

    ASCII goes key by key; Chinese arrives as committed IME text, followed by a key release
    (here End), which is what an input method produces when a word is chosen.
    """
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("")
    if text.isascii():
        box.press_sequentially(text, delay=30)
    else:
        page.keyboard.insert_text(text)
        box.press("End")


def keep_local(page: Any) -> list[str]:
    """Abort every request that would leave 127.0.0.1; returns the list the refused URLs go into."""
    from urllib.parse import urlsplit

    outside: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname in ("127.0.0.1", None) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", guard)
    return outside


#: axe-core, installed from npm by ``make test``.
AXE = Path(__file__).resolve().parent.parent / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page: Any) -> list[Any]:
    """axe-core's serious and critical accessibility violations on ``page`` (opened with ``bypass_csp=True``)."""
    assert AXE.is_file(), "make test installs axe-core from npm into .cache/npm"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"][:3]])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
