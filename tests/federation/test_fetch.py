"""Downloading a source's export (federation/fetch.py) from real servers on 127.0.0.1: the address
guard on every hop, bounded size and time, conditional requests, gzip."""

from __future__ import annotations

import gzip
import socket
from collections.abc import Iterator

import pytest

from openshelf.federation.fetch import MAX_REDIRECTS, FetchError, fetch
from support_sources import ExportServer, endless, export_server, make_export, redirect, respond, trickle

LIMIT = 100_000


@pytest.fixture(scope="module")
def server() -> Iterator[ExportServer]:
    with export_server() as srv:
        yield srv


@pytest.fixture(scope="module")
def other() -> Iterator[ExportServer]:
    """A second server, on another port of 127.0.0.1."""
    with export_server() as srv:
        yield srv


@pytest.fixture(scope="module")
def body(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_export(tmp_path_factory.mktemp("guide"))


def get(server: ExportServer, path: str, **options: object) -> object:
    kwargs: dict = {"allow_hosts": [server.host], "max_bytes": LIMIT, "timeout": 5.0, **options}
    return fetch(server.url(path), **kwargs)


def refused(server: ExportServer, path: str, **options: object) -> str:
    with pytest.raises(FetchError) as caught:
        get(server, path, **options)
    return caught.value.format_message()


def test_the_body_comes_back_exactly_with_its_validators(server: ExportServer, body: bytes) -> None:
    server.serve("/plain.json", body, etag='"v1"', last_modified="Sat, 28 Nov 2026 12:00:00 GMT")
    got = get(server, "/plain.json")
    assert got.body == body and got.etag == '"v1"' and got.last_modified == "Sat, 28 Nov 2026 12:00:00 GMT"
    assert not got.unchanged and got.url == server.url("/plain.json")


def test_gzip_is_decoded(server: ExportServer, body: bytes) -> None:
    server.serve("/gz.json", body, gzipped=True)
    assert get(server, "/gz.json").body == body


def test_a_conditional_request_and_304_means_unchanged(server: ExportServer, body: bytes) -> None:
    server.serve("/cond.json", body, etag='"v2"', last_modified="Fri, 27 Nov 2026 10:00:00 GMT")
    got = get(server, "/cond.json", etag='"v2"', last_modified="Fri, 27 Nov 2026 10:00:00 GMT")
    assert got.unchanged and got.body is None and got.etag == '"v2"'
    path, headers = server.requests[-1]
    assert path == "/cond.json" and headers["If-None-Match"] == '"v2"' and headers["If-Modified-Since"] == "Fri, 27 Nov 2026 10:00:00 GMT"
    # An old validator gets the new body.
    assert get(server, "/cond.json", etag='"v1"').body == body


def test_without_allow_hosts_loopback_is_refused(server: ExportServer, body: bytes) -> None:
    server.serve("/private.json", body)
    before = len(server.requests)
    message = refused(server, "/private.json", allow_hosts=[])
    assert message.startswith(f"refused: {server.url('/private.json')}: private address refused: 127.0.0.1 (loopback)")
    assert len(server.requests) == before, "nothing was sent"


def test_allow_hosts_exempts_only_that_port(server: ExportServer, other: ExportServer, body: bytes) -> None:
    other.serve("/x.json", body)
    before = len(other.requests)
    with pytest.raises(FetchError, match=r"private address refused: 127\.0\.0\.1 \(loopback\)"):
        fetch(other.url("/x.json"), allow_hosts=[server.host], max_bytes=LIMIT, timeout=5)
    assert len(other.requests) == before


def test_redirects_are_followed_on_the_allowed_host(server: ExportServer, body: bytes) -> None:
    server.serve("/moved-here.json", body)
    server.routes["/moved.json"] = redirect("/moved-here.json", 301)
    server.routes["/moved-twice.json"] = redirect(server.url("/moved.json"), 307)
    got = get(server, "/moved-twice.json")
    assert got.body == body and got.url == server.url("/moved-here.json")


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/x.json", "http://localhost:{other}/x.json", "http://127.0.0.1:{other}/x.json",
                                    "http://[::1]:{port}/x.json", "http://169.254.169.254/latest/meta-data/"])
def test_a_redirect_to_another_private_address_is_refused_at_that_hop(server: ExportServer, other: ExportServer, body: bytes,
                                                                      target: str) -> None:
    """Only 127.0.0.1:PORT is allowed: a redirect to another loopback address or port, to a name that
    resolves to loopback, or to cloud metadata, is refused by the guard (not merely unreachable)."""
    before = len(other.requests)
    other.serve("/x.json", body)
    location = target.format(port=server.port, other=other.port)
    server.routes["/hop.json"] = redirect(location)
    message = refused(server, "/hop.json")
    assert message.startswith(f"refused: {location}"), message
    assert f"(redirect 1 from {server.url('/hop.json')})" in message
    assert "private address refused" in message
    assert len(other.requests) == before, "the other server was never asked"


def test_a_redirect_to_another_scheme_is_refused(server: ExportServer) -> None:
    server.routes["/file.json"] = redirect("file:///etc/passwd")
    assert refused(server, "/file.json").startswith("refused: file:///etc/passwd (redirect 1 from")


def test_a_redirect_loop_ends(server: ExportServer) -> None:
    server.routes["/loop.json"] = redirect("/loop.json")
    before = len(server.requests)
    assert refused(server, "/loop.json") == f"too many redirects: more than {MAX_REDIRECTS} from {server.url('/loop.json')}"
    assert len(server.requests) - before == MAX_REDIRECTS + 1


def test_a_big_body_with_its_content_length_is_refused_before_reading(server: ExportServer) -> None:
    server.routes["/big.json"] = respond(b" " * (LIMIT + 1))
    assert refused(server, "/big.json") == (f"too big: {server.url('/big.json')} says it is {LIMIT + 1:,} bytes; "
                                            f"the limit is {LIMIT:,} (max_bytes)")


def test_an_endless_body_without_content_length_is_cut_at_the_limit(server: ExportServer) -> None:
    sent = [0]
    server.routes["/endless.json"] = endless(chunked=True, sent=sent)
    assert refused(server, "/endless.json") == f"too big: {server.url('/endless.json')} sent more than {LIMIT:,} bytes (max_bytes)"
    assert sent[0] < 10_000 * 65536, "the client stopped reading"


def test_a_gzip_bomb_is_bounded_after_decoding(server: ExportServer) -> None:
    """Its Content-Length (the compressed size) is small and tells the truth about the wrong thing."""
    bomb = gzip.compress(b" " * (50 * LIMIT))
    assert len(bomb) < LIMIT
    server.routes["/bomb.json"] = respond(bomb, **{"Content-Encoding": "gzip"})
    assert refused(server, "/bomb.json").startswith("too big:")


def test_a_slow_body_runs_out_of_time(server: ExportServer) -> None:
    server.routes["/slow.json"] = trickle()
    assert refused(server, "/slow.json", timeout=0.5) == f"too slow: {server.url('/slow.json')}: no complete answer within 0.5 s (timeout)"


def test_http_errors_and_unreachable_hosts_say_so(server: ExportServer) -> None:
    assert refused(server, "/missing.json") == f"HTTP 404 Not Found from {server.url('/missing.json')}"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError, match=r"^unreachable: http://127\.0\.0\.1:\d+/x\.json: connection refused$"):
        fetch(f"http://127.0.0.1:{port}/x.json", allow_hosts=[f"127.0.0.1:{port}"], max_bytes=LIMIT, timeout=5)

