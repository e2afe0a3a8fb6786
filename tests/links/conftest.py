"""Real HTTP servers on 127.0.0.1 for the link-checker tests (never any other host).

Each server runs its own event loop in a background thread, so the checker (and the
CLI, which calls ``asyncio.run``) can talk to it from the test's thread.
"""

from __future__ import annotations

import asyncio
import collections
import socket
import struct
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web


@dataclass
class Server:
    port: int
    hits: collections.Counter = field(default_factory=collections.Counter)
    max_inflight: int = 0
    #: (time.monotonic() when the request arrived, method, path, query string), every request in arrival order
    log: list[tuple[float, str, str, str]] = field(default_factory=list)
    #: set by a test to let a raw server go on (see _keepalive_handler)
    go: threading.Event = field(default_factory=threading.Event)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class _Thread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def stop(self) -> None:
        async def _cancel_all() -> None:
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        self.run(_cancel_all())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


def _app(server: Server, other_port: list[int]) -> web.Application:
    once: collections.Counter = collections.Counter()

    @web.middleware
    async def count(request: web.Request, handler):  # type: ignore[no-untyped-def]
        server.hits[request.path] += 1
        server.hits[f"{request.method} {request.path}"] += 1
        server.log.append((time.monotonic(), request.method, request.path, request.query_string))
        return await handler(request)

    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="<html><title>ok</title>fine</html>", content_type="text/html")

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="status")

    async def redirect(request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        target = request.query.get("to", "/ok")
        return web.Response(status=code, headers={"Location": target})

    async def loop_a(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": "/loop-b"})

    async def loop_b(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": "/loop-a"})

    async def cookie_gate(request: web.Request) -> web.Response:
        if request.cookies.get("seen") == "1":
            return web.Response(text="welcome back")
        resp = web.Response(status=302, headers={"Location": request.path_qs})
        resp.set_cookie("seen", "1")
        return resp

    async def cookie_set(request: web.Request) -> web.Response:
        resp = web.Response(text="<title>Member A</title>", content_type="text/html")
        resp.set_cookie("member", "a")
        return resp

    async def cookie_sensitive(request: web.Request) -> web.Response:
        # Answers as a site does whose cookie from another page sends a reader elsewhere: 404 with any cookie.
        if request.cookies:
            return web.Response(status=404, text=f"not for {sorted(request.cookies)}")
        return web.Response(text="<title>Open page</title>", content_type="text/html")

    async def endless_chain(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        return web.Response(status=302, headers={"Location": f"/chain/{n + 1}"})

    async def ratelimited(request: web.Request) -> web.Response:
        key = request.path
        once[key] += 1
        if once[key] == 1:
            return web.Response(status=429, headers={"Retry-After": request.query.get("after", "1")}, text="slow down")
        return web.Response(text="ok now")

    async def pause_once(request: web.Request) -> web.Response:
        # The first request with the given method (HEAD by default) is refused with ?status= (429)
        # and Retry-After: ?after= (2); with ?head=CODE every HEAD is answered CODE; every other request 200.
        if request.method == "HEAD" and "head" in request.query:
            return web.Response(status=int(request.query["head"]))
        if request.method == request.query.get("method", "HEAD") and not once[request.path]:
            once[request.path] += 1
            status = int(request.query.get("status", "429"))
            return web.Response(status=status, headers={"Retry-After": request.query.get("after", "2")}, text="slow down")
        return web.Response(text="ok now")

    async def flaky(request: web.Request) -> web.Response:
        key = request.path
        once[key] += 1
        if once[key] <= int(request.query.get("fails", "2")):  # HEAD and its GET fallback both fail
            return web.Response(status=500, text="oops")
        return web.Response(text="ok now")

    async def always_500(request: web.Request) -> web.Response:
        return web.Response(status=500, text="down")

    async def nohead(request: web.Request) -> web.Response:
        # Every HEAD answered ?code= (405), with Retry-After: ?after= when given; every GET 200.
        if request.method == "HEAD":
            after = {"Retry-After": request.query["after"]} if "after" in request.query else {}
            return web.Response(status=int(request.query.get("code", "405")), headers=after)
        return web.Response(text="GET works")

    async def noget(request: web.Request) -> web.Response:
        # Every GET answered ?code= (405); HEAD 200 (text/html), or ?head= (a status) with Retry-After: ?after= the first
        # time (per path and query) and 200 after that.
        if request.method != "HEAD":
            return web.Response(status=int(request.query.get("code", "405")), text="method not allowed")
        if "head" in request.query and not once[request.path_qs]:
            once[request.path_qs] += 1
            return web.Response(status=int(request.query["head"]), headers={"Retry-After": request.query.get("after", "0")})
        return web.Response(content_type="text/html")

    async def soft404(request: web.Request) -> web.Response:
        return web.Response(text="<html><body><p>该内容已被发布者删除</p></body></html>", content_type="text/html")

    async def not_found_page(request: web.Request) -> web.Response:
        # 200 pages that say "not found" in their title: /not-found/zh, /not-found/gbk (GBK, charset only in
        # a <meta>), /not-found/gbk-undeclared (GBK, no charset anywhere), /not-found/en; /not-found/article
        # is an article about 404 errors (a real page).
        pages = {
            "zh": "<html><head><title>页面不存在 - 某某大学</title></head><body><p>请返回首页</p></body></html>",
            "gbk": '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
                   "<title>抱歉，您访问的页面不存在！</title></head><body><h1>错误</h1></body></html>",
            "gbk-undeclared": "<html><head><title>抱歉，您访问的页面不存在！</title></head><body><h1>错误</h1></body></html>",
            "en": "<html><head><title>Page not found | Example</title></head><body><h1>Oops</h1></body></html>",
            "article": "<html><head><title>How to fix 404 Not Found errors</title></head><body><h1>Fixing 404s</h1>"
                       "<p>A page titled 'Page not found' served with status 200 is a soft 404.</p></body></html>",
        }
        which = request.match_info["which"]
        text = pages[which]
        return web.Response(body=text.encode("gbk" if which.startswith("gbk") else "utf-8"), content_type="text/html")

    async def hostile_page(request: web.Request) -> web.Response:
        # 200 HTML pages that break parsers: a marked section html.parser raises on; 64 KiB it is quadratic on;
        # and one with neither a title nor a heading.
        pages = {"marked-section": "<html><![foo[ x ]]><title>Library</title></html>", "quadratic": "<a " * 21845,
                 "untitled": "<html><body><p>Nothing says what this page is.</p></body></html>"}
        return web.Response(text=pages[request.match_info["which"]], content_type="text/html")

    async def challenge(request: web.Request) -> web.Response:
        return web.Response(status=403, headers={"cf-mitigated": "challenge", "Server": "cloudflare"}, text="Just a moment...")

    async def huge(request: web.Request) -> web.StreamResponse:
        if request.method == "HEAD":
            return web.Response(status=405)
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        chunk = b"x" * 65536
        try:
            while True:  # endless body; ends when the client goes away
                await resp.write(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return resp

    inflight = [0]

    async def slow(request: web.Request) -> web.Response:
        inflight[0] += 1
        server.max_inflight = max(server.max_inflight, inflight[0])
        try:
            await asyncio.sleep(0.2)  # long enough that requests sent together overlap here
        finally:
            inflight[0] -= 1
        return web.Response(text="slow but fine")

    async def hang(request: web.Request) -> web.Response:
        await asyncio.sleep(3600)
        return web.Response(text="never")

    async def to_other_port(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": f"http://localhost:{other_port[0]}/ok"})

    async def to_loopback2(request: web.Request) -> web.Response:
        return web.Response(status=301, headers={"Location": f"http://127.0.0.2:{server.port}/ok"})

    app = web.Application(middlewares=[count])
    app.router.add_route("*", "/ok", ok)
    app.router.add_route("*", "/ok2", ok)
    app.router.add_route("*", "/status/{code}", status)
    app.router.add_route("*", "/redirect/{code}", redirect)
    app.router.add_route("*", "/loop-a", loop_a)
    app.router.add_route("*", "/loop-b", loop_b)
    app.router.add_route("*", "/chain/{n}", endless_chain)
    app.router.add_route("*", "/cookie-gate", cookie_gate)
    app.router.add_route("*", "/cookie-set", cookie_set)
    app.router.add_route("*", "/cookie-sensitive", cookie_sensitive)
    app.router.add_route("*", "/ratelimited/{key}", ratelimited)
    app.router.add_route("*", "/pause-once/{key}", pause_once)
    app.router.add_route("*", "/flaky/{key}", flaky)
    app.router.add_route("*", "/always-500", always_500)
    app.router.add_route("*", "/nohead", nohead)
    app.router.add_route("*", "/noget", noget)
    app.router.add_route("*", "/soft404", soft404)
    app.router.add_route("*", "/challenge", challenge)
    app.router.add_route("*", "/hostile-page/{which}", hostile_page)
    app.router.add_route("*", "/not-found/{which}", not_found_page)
    app.router.add_route("*", "/huge", huge)
    app.router.add_route("*", "/hang", hang)
    app.router.add_route("*", "/slow", slow)
    app.router.add_route("*", "/to-other-port", to_other_port)
    app.router.add_route("*", "/to-loopback2", to_loopback2)
    return app


async def _raw_handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Hostile raw-socket behaviours, chosen by the request path."""
    try:
        line = await reader.readline()
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass
        path = line.split()[1].decode() if len(line.split()) > 1 else "/"
        method = line.split()[0].decode() if line.split() else "GET"
        if path.startswith("/trickle"):
            # Headers one byte at a time, forever: each read is quick, the whole never ends.
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100000:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.05)
        elif path.startswith("/silent"):
            await asyncio.sleep(3600)
        elif path.startswith("/fine"):
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nConnection: close\r\n\r\nfine")
            await writer.drain()
        elif path.startswith(("/body-trickle", "/body-cut", "/body-bad-gzip")):
            # The status line and headers at once (?status=, default 200; ?type=, default text/html; a 3xx
            # leads to /fine), then (not to HEAD) the body goes wrong: /body-trickle sends its first bytes (?first=, a title)
            # and then a byte every 0.2 s; /body-cut announces 10,000 bytes, sends 100 and closes; /body-bad-gzip
            # is announced as gzip and is not.
            query = dict(item.split("=", 1) for item in path.partition("?")[2].split("&") if "=" in item)
            status = int(query.get("status", "200"))
            first = urllib.parse.unquote_plus(query.get("first", "<title>Library</title>")).encode()
            head = f"HTTP/1.1 {status} Whatever\r\nContent-Type: {query.get('type', 'text/html')}\r\nLocation: /fine\r\n"
            if method == "HEAD":  # the headers alone, as they would come with the body
                length = "20\r\nContent-Encoding: gzip" if path.startswith("/body-bad-gzip") else "1000"
                writer.write(f"{head}Content-Length: {length}\r\n\r\n".encode())
                await writer.drain()
            elif path.startswith("/body-trickle"):
                writer.write(f"{head}Content-Length: 1000\r\n\r\n".encode() + first)
                await writer.drain()
                for _ in range(1000 - len(first)):
                    await asyncio.sleep(0.2)
                    writer.write(b"x")
                    await writer.drain()
            elif path.startswith("/body-cut"):
                writer.write(f"{head}Content-Length: 10000\r\n\r\n".encode())
                await writer.drain()
                await asyncio.sleep(0.05)  # the headers first, as a slow server would send them
                writer.write(first.ljust(100, b"x"))
                await writer.drain()
            else:
                writer.write(f"{head}Content-Encoding: gzip\r\nContent-Length: 20\r\n\r\n".encode())
                await writer.drain()
                await asyncio.sleep(0.05)
                writer.write(b"this is not gzip!!!!")
                await writer.drain()
                await asyncio.sleep(3600)
        elif path.startswith("/malformed-get"):
            # GET gets an answer aiohttp cannot parse, HEAD a sound one (?head=, default 200), as from a server whose
            # Content-Length is wrong only when it sends the body.
            if method == "HEAD":
                status = int(dict(item.split("=", 1) for item in path.partition("?")[2].split("&") if "=" in item).get("head", "200"))
                writer.write(f"HTTP/1.1 {status} Whatever\r\nContent-Type: text/html\r\nContent-Length: 50\r\n\r\n".encode())
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: -1\r\n\r\n<title>Library</title>")
            await writer.drain()
        elif path.startswith("/malformed"):
            # An answer aiohttp cannot parse (a negative Content-Length).
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: -1\r\n\r\n")
            await writer.drain()
        elif path.startswith("/reset"):
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


@pytest.fixture(scope="session")
def servers() -> Iterator[tuple[Server, Server, Server]]:
    """(main aiohttp server, second aiohttp server, raw hostile server), all on 127.0.0.1."""
    thread = _Thread()
    other_port: list[int] = [0]
    main = Server(0)
    other = Server(0)

    async def start() -> list[object]:
        keep: list[object] = []
        for srv, ports in ((other, None), (main, other_port)):
            runner = web.AppRunner(_app(srv, ports or other_port), handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            srv.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            if ports is None:
                other_port[0] = srv.port
            keep.append(runner)
        raw = await asyncio.start_server(_raw_handler, "127.0.0.1", 0)
        keep.append(raw)
        return keep

    keep = thread.run(start())
    raw = Server(keep[-1].sockets[0].getsockname()[1])  # type: ignore[attr-defined]
    yield main, other, raw
    thread.stop()


def _home_app(server: Server) -> web.Application:
    """A site that answers every unknown path 200 with its home page; ``/articles/real`` is a real page
    and ``/gone-home`` redirects (302) to the home page."""

    @web.middleware
    async def count(request: web.Request, handler):  # type: ignore[no-untyped-def]
        server.hits[request.path] += 1
        server.log.append((time.monotonic(), request.method, request.path, request.query_string))
        return await handler(request)

    async def real(request: web.Request) -> web.Response:
        return web.Response(text="<title>A real article - Example Library</title><h1>A real article</h1>", content_type="text/html")

    async def gone_home(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": "/"})

    async def home(request: web.Request) -> web.Response:
        return web.Response(text="<title>Example Library</title><h1>Welcome</h1><p>news</p>", content_type="text/html")

    app = web.Application(middlewares=[count])
    app.router.add_route("*", "/articles/real", real)
    app.router.add_route("*", "/gone-home", gone_home)
    app.router.add_route("*", "/{tail:.*}", home)
    return app


async def _keepalive_handler(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A raw HTTP/1.1 server that keeps each connection open for request after request (logged in ``server.log``).

    ``/poison/answer``: 200, then, once the test sets ``server.go``, an answer nobody asked for (``404``) on the idle
    connection; ``/poison/part``: the same with the start of one (a status line cut short); anything else: 200.
    """
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            method, path = line.split()[0].decode(), line.split()[1].decode()
            server.log.append((time.monotonic(), method, path, ""))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n" + (b"" if method == "HEAD" else b"ok"))
            await writer.drain()
            if path.startswith("/poison/"):
                await asyncio.get_running_loop().run_in_executor(None, server.go.wait, 10)
                writer.write(b"HTTP/1.1 404 Not" if path.startswith("/poison/part") else b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                server.log.append((time.monotonic(), "SENT", path, "unrequested"))
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


@pytest.fixture()
def keepalive_server() -> Iterator[Server]:
    """A raw keep-alive server on 127.0.0.1 whose answers can poison its own connections (see _keepalive_handler)."""
    thread = _Thread()
    srv = Server(0)

    async def start() -> asyncio.Server:
        return await asyncio.start_server(lambda r, w: _keepalive_handler(srv, r, w), "127.0.0.1", 0)

    raw = thread.run(start())
    srv.port = raw.sockets[0].getsockname()[1]
    yield srv
    srv.go.set()
    thread.stop()


@pytest.fixture(scope="session")
def home_server() -> Iterator[Server]:
    """An aiohttp server on 127.0.0.1 whose every unknown path answers 200 with its home page."""
    thread = _Thread()
    srv = Server(0)

    async def start() -> web.AppRunner:
        runner = web.AppRunner(_home_app(srv), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        srv.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return runner

    thread.run(start())
    yield srv
    thread.stop()


@pytest.fixture()
def server(servers: tuple[Server, Server, Server]) -> Server:
    return servers[0]


@pytest.fixture()
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class FakeResolver:
    """Stands in for DNS so no query leaves the machine."""

    def __init__(self, table):  # type: ignore[no-untyped-def]
        self.table = table

    async def resolve(self, host, port=0, family=socket.AF_INET):  # type: ignore[no-untyped-def]
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [{"hostname": host, "host": self.table[host], "port": port, "family": socket.AF_INET, "proto": 0, "flags": 0}]

    async def close(self) -> None:
        pass


@pytest.fixture()
def fake_dns() -> type[FakeResolver]:
    """A stand-in for DNS: ``fake_dns({"name.test": "127.0.0.1"})``; other names do not resolve."""
    return FakeResolver
