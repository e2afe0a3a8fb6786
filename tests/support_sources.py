"""Helpers for the ``sources update`` tests: exports made from small guides, and a real aiohttp
server on 127.0.0.1 that serves them (well or with hostile behaviours), in a background thread."""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from openshelf.federation.exchange import export_json
from openshelf.guide.load import load_guide
from support import write_guide

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)

SITE = """\
id: shared
title: {zh: 共享指南, en: Shared guide}
categories:
  databases: {zh: 数据库, en: Databases}
  access: {zh: 访问, en: Access}
"""


def entry(entry_id: str, title: str, url: str, category: str = "databases", tags: str = "[]", description: str = "A resource.") -> str:
    return (f"  - id: {entry_id}\n    title: {{en: {title}}}\n    url: {url}\n    description: {{en: {description}}}\n"
            f"    category: {category}\n    tags: {tags}\n    access: free\n")


def collection(collection_id: str, *entries: str) -> str:
    return f"id: {collection_id}\ntitle: {{en: {collection_id.title()}}}\nentries:\n" + "".join(entries)


DATABASES = collection(
    "databases",
    entry("cnki", "CNKI", "https://www.cnki.net/", tags="[chinese]"),
    entry("pubmed", "PubMed", "https://pubmed.ncbi.nlm.nih.gov/", tags="[medicine]"),
    entry("arxiv", "arXiv", "https://arxiv.org/"),
)
ACCESS = collection("access", entry("webvpn", "WebVPN", "https://vpn.example.edu/", category="access"))


def make_export(where: Path, files: dict[str, str] | None = None, now: dt.datetime = NOW) -> bytes:
    """The export (format 2.0 JSON bytes) of a guide written into ``where`` from ``files``."""
    files = {"_site.yml": SITE, "databases.yml": DATABASES, "access.yml": ACCESS} if files is None else files
    guide, diagnostics = load_guide(write_guide(where, files))
    assert guide is not None, [d.format() for d in diagnostics]
    return export_json(guide, now=now).encode("utf-8")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class ExportServer:
    """An aiohttp server on 127.0.0.1; ``routes`` maps a path to its handler (change it between requests)."""

    port: int = 0
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (path, headers) in arrival order

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: bytes, etag: str | None = None, last_modified: str | None = None, gzipped: bool = False) -> None:
        """Serve ``body`` at ``path``, answering 304 to a request that carries its validators."""

        async def handler(request: web.Request) -> web.StreamResponse:
            headers = {k: v for k, v in (("ETag", etag), ("Last-Modified", last_modified)) if v}
            if (etag and request.headers.get("If-None-Match") == etag) or (
                    last_modified and request.headers.get("If-Modified-Since") == last_modified):
                return web.Response(status=304, headers=headers)
            if gzipped:
                headers["Content-Encoding"] = "gzip"
                return web.Response(body=gzip.compress(body), headers=headers, content_type="application/json")
            return web.Response(body=body, headers=headers, content_type="application/json")

        self.routes[path] = handler


@contextmanager
def export_server() -> Iterator[ExportServer]:
    server = ExportServer()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def dispatch(request: web.Request) -> web.StreamResponse:
        server.requests.append((request.path, dict(request.headers)))
        handler = server.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="no such export")
        return await handler(request)

    async def start() -> web.AppRunner:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", dispatch)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server.port = runner.addresses[0][1]
        return runner

    runner = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)


def sources_yml(*sources: str) -> str:
    return "sources:\n" + "".join(sources)


def source(source_id: str, url: str, allow: str, **options: str) -> str:
    extra = "".join(f"    {k}: {v}\n" for k, v in options.items())
    return f"  - id: {source_id}\n    url: {url}\n    allow_hosts: [\"{allow}\"]\n" + extra


# --- handlers, well-behaved and hostile -------------------------------------------------------------


def respond(body: bytes, status: int = 200, **headers: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, status=status, headers=headers)
    return handler


def redirect(location: str, status: int = 302) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": location})
    return handler


def endless(chunked: bool, sent: list[int] | None = None) -> Handler:
    """A body that never ends (up to 650 MB): chunked, or behind a Content-Length of 1 GB.  ``sent``
    counts the bytes written, so a test can see that the client stopped reading."""
    sent = [0] if sent is None else sent

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={} if chunked else {"Content-Length": str(10**9)})
        if chunked:
            response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for _ in range(10_000):
                await response.write(b"{" * 65536)
                sent[0] += 65536
        except (ConnectionError, RuntimeError):
            pass
        return response
    return handler


def trickle() -> Handler:
    """Headers at once, then one byte of the body every 0.1 s (until the client goes away)."""
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "100000"})
        await response.prepare(request)
        try:
            for _ in range(1000):
                await response.write(b" ")
                await asyncio.sleep(0.1)
        except (ConnectionError, RuntimeError):
            pass
        return response
    return handler
