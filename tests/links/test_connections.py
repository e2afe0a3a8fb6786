"""Keep-alive connections a server poisons: the next URL on the connection still gets its own verdict."""

from __future__ import annotations

import asyncio

import pytest

from openshelf.links.check import Checker, CheckOptions, Outcome
from openshelf.links.guard import AddressGuard

ONE_CONNECTION = CheckOptions(concurrency=1, per_host=1, timeout=3.0, retries=0)


@pytest.mark.parametrize("what", ["answer", "part"])
def test_what_a_server_sends_unasked_on_an_idle_connection_is_not_the_next_urls_answer(keepalive_server, what):
    """A server sends an answer nobody asked for (a 404), or bytes that begin none, on a connection the checker keeps
    for its next request: the next URL read the stale 404 as its own and was reported broken, or met a garbled answer.
    A pooled connection that received anything while idle is dropped (as urllib3 and libcurl do), and the request goes
    on a fresh one. (The start of an answer alone, ``part``, did no harm before either: aiohttp starts a new parser for
    each request; it stays here so that it keeps doing none.)"""
    srv = keepalive_server

    async def run() -> tuple[Outcome, Outcome]:
        async with Checker(ONE_CONNECTION, None, AddressGuard.from_options(["127.0.0.1"])) as checker:
            first = await checker.check(srv.url(f"/poison/{what}"))
            srv.go.set()  # now the server sends what nobody asked for, on the idle connection
            while not any(m == "SENT" for _, m, _, _ in srv.log):
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.05)  # and the checker's loop reads it
            return first, await checker.check(srv.url("/fine"))

    first, second = asyncio.run(asyncio.wait_for(run(), 30))
    assert (first.verdict, first.status) == ("ok", 200)
    assert (second.verdict, second.status, second.error) == ("ok", 200, None), second
