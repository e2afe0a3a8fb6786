"""The engine against real local servers: every verdict and every hostile behaviour."""

from __future__ import annotations

import asyncio

import pytest

from openshelf.links.check import Checker, CheckOptions, Outcome, interleave_hosts, parse_retry_after
from openshelf.links.guard import AddressGuard
from openshelf.links.rules import parse_rules

FAST = CheckOptions(concurrency=16, per_host=8, timeout=3.0, retries=2, backoff=0.05, max_retry_after=3)
HEAD_FIRST = CheckOptions(concurrency=16, per_host=8, timeout=3.0, retries=2, backoff=0.05, max_retry_after=3, method="HEAD")


def check(urls, allow=("127.0.0.1",), options=FAST, rules=None, resolver=None):  # type: ignore[no-untyped-def]
    guard = AddressGuard.from_options(list(allow))

    async def run() -> tuple[dict[str, Outcome], int]:
        async with Checker(options, rules, guard, resolver=resolver) as checker:
            results = await checker.check_many(urls)
            return results, checker.request_count

    results, _ = asyncio.run(asyncio.wait_for(run(), 60))
    return results


def check_in_order(urls, options=FAST):  # type: ignore[no-untyped-def]
    """One checker, one URL after another: what it learns from one URL applies to the next."""

    async def run() -> dict[str, Outcome]:
        async with Checker(options, None, AddressGuard.from_options(["127.0.0.1"])) as checker:
            return {url: await checker.check(url) for url in urls}

    return asyncio.run(asyncio.wait_for(run(), 60))


def one(url, **kw):  # type: ignore[no-untyped-def]
    return check([url], **kw)[url]


def test_ok(server):
    out = one(server.url("/ok"))
    assert (out.verdict, out.status, out.error) == ("ok", 200, None)
    assert out.final_url == server.url("/ok")
    assert out.checked_at.endswith("Z")


@pytest.mark.parametrize("code", [404, 410])
def test_definite_codes_are_broken(server, code):
    out = one(server.url(f"/status/{code}"))
    assert (out.verdict, out.status) == ("broken", code)


def test_permanent_redirect_reports_new_url(server):
    out = one(server.url("/redirect/301?to=/ok"))
    assert out.verdict == "redirected"
    assert out.redirect_to == server.url("/ok")
    assert out.status == 200


def test_308_is_permanent_too(server):
    assert one(server.url("/redirect/308?to=/ok2")).verdict == "redirected"


def test_temporary_redirect_is_ok(server):
    out = one(server.url("/redirect/302?to=/ok"))
    assert (out.verdict, out.redirect_to, out.final_url) == ("ok", None, server.url("/ok"))


def test_permanent_redirect_to_missing_page_is_broken(server):
    out = one(server.url("/redirect/301?to=/status/404"))
    assert (out.verdict, out.status, out.redirect_to) == ("broken", 404, server.url("/status/404"))


def test_redirect_loop_is_detected(server):
    out = one(server.url("/loop-a"))
    assert out.verdict == "broken"
    assert out.error == "redirect loop"


def test_redirect_to_itself_with_a_cookie_is_not_a_loop(server):
    out = one(server.url("/cookie-gate"))
    assert (out.verdict, out.status) == ("ok", 200)


def test_endless_redirect_chain_is_bounded(server):
    opts = CheckOptions(timeout=3.0, retries=0, max_redirects=5)
    out = one(server.url("/chain/0"), options=opts)
    assert out.verdict == "broken"
    assert "too many redirects" in (out.error or "")
    assert out.requests == 6


def test_429_with_retry_after_then_ok(server):
    out = one(server.url("/ratelimited/a?after=1"))  # the GET gets the 429; its retry after the pause, 200
    assert (out.verdict, out.status, out.attempts, out.requests) == ("ok", 200, 2, 2)
    assert out.elapsed_ms >= 1000  # waited at least what the server asked


def test_429_on_head_then_get_after_the_pause(server):
    out = one(server.url("/ratelimited/head?after=1"), options=HEAD_FIRST)  # the HEAD gets the 429; the GET after the pause, 200
    assert (out.verdict, out.status, out.attempts, out.requests) == ("ok", 200, 1, 2)
    assert out.elapsed_ms >= 1000


def test_get_is_the_only_request_by_default(server):
    """GET first, as lychee and LinkChecker do: one request answers for the status and an HTML page's title (with HEAD
    first, an HTML page took two); a page that is not HTML is not read beyond a small body."""
    server.log.clear()
    out = check([server.url("/ok?only-get=1"), server.url("/status/404?only-get=1"), server.url("/huge?only-get=1")])
    assert {o.verdict for o in out.values()} == {"ok", "broken"}
    assert sorted(m for _, m, _, q in server.log if q == "only-get=1") == ["GET", "GET", "GET"]
    assert all(o.requests == 1 for o in out.values())


def test_retry_after_beyond_limit_gives_up_as_transient(server):
    out = one(server.url("/ratelimited/b?after=3600"))
    assert (out.verdict, out.status, out.attempts) == ("transient", 429, 1)
    assert "exceeds" in (out.error or "")


@pytest.mark.parametrize(("options", "attempts"), [(FAST, 3), (HEAD_FIRST, 2)])
def test_one_off_500_is_retried(server, options, attempts):
    # two 500s: GET first, two attempts; HEAD first, the HEAD and its GET fallback are one attempt
    out = one(server.url(f"/flaky/{attempts}"), options=options)
    assert (out.verdict, out.status, out.attempts) == ("ok", 200, attempts)


def test_persistent_500_is_transient(server):
    out = one(server.url("/always-500"))
    assert (out.verdict, out.status, out.attempts) == ("transient", 500, 3)


@pytest.mark.parametrize("code", [405, 501, 404])
def test_head_mishandled_falls_back_to_get(server, code):
    out = one(server.url(f"/nohead?code={code}"), options=HEAD_FIRST)
    assert (out.verdict, out.status) == ("ok", 200)


def test_soft_404_phrase_from_host_rule(server):
    rules = parse_rules(
        "hosts:\n  - host: 127.0.0.1\n    soft_404: ['该内容已被发布者删除']\n    reason: deleted articles answer 200\n"
    )
    out = one(server.url("/soft404"), rules=rules)
    assert out.verdict == "broken"
    assert "soft 404" in (out.error or "")
    assert one(server.url("/ok"), rules=rules).verdict == "ok"


def test_cloudflare_challenge_is_blocked(server):
    out = one(server.url("/challenge"))
    assert (out.verdict, out.status) == ("blocked", 403)


def test_accepted_status_rule(server):
    rules = parse_rules("accept_status: [403]\n")
    assert one(server.url("/status/403"), rules=rules).verdict == "ok"
    assert one(server.url("/status/403")).verdict == "blocked"


def test_hanging_server_times_out(server):
    opts = CheckOptions(timeout=0.5, retries=1, backoff=0.01)
    out = one(server.url("/hang"), options=opts)
    assert out.verdict == "transient"
    assert "timeout" in (out.error or "")
    assert out.attempts == 2


def test_silent_raw_server_times_out(servers):
    raw = servers[2]
    out = one(raw.url("/silent"), options=CheckOptions(timeout=0.5, retries=0))
    assert out.verdict == "transient"


def test_trickling_headers_hit_the_total_deadline(servers):
    raw = servers[2]
    # Each byte arrives well within the read timeout; only the total deadline stops it.
    out = one(raw.url("/trickle"), options=CheckOptions(timeout=0.8, retries=0))
    assert out.verdict == "transient"
    assert "timeout" in (out.error or "")


def test_huge_body_is_not_read_whole(server):
    out = one(server.url("/huge"), options=CheckOptions(timeout=3, retries=0))
    assert (out.verdict, out.status) == ("ok", 200)


def test_huge_body_with_soft_404_rule_reads_only_a_prefix(server):
    rules = parse_rules("hosts:\n  - host: 127.0.0.1\n    soft_404: [gone]\n    reason: test\n")
    out = one(server.url("/huge"), rules=rules, options=CheckOptions(timeout=3, retries=0, body_limit=100_000))
    assert (out.verdict, out.status) == ("ok", 200)


def test_connection_refused_is_broken(closed_port):
    out = one(f"http://127.0.0.1:{closed_port}/x")
    assert out.verdict == "broken"
    assert out.error == "connection refused"


def test_connection_reset_is_transient(servers):
    raw = servers[2]
    out = one(raw.url("/reset"), options=CheckOptions(timeout=3, retries=1, backoff=0.01))
    assert out.verdict == "transient"
    assert out.attempts == 2


def test_unsupported_schemes_are_skipped():
    out = check(["mailto:a@example.org", "ftp://example.org/x"], allow=())
    assert {o.verdict for o in out.values()} == {"skipped"}


def test_excluded_pattern_is_skipped_without_request(server):
    rules = parse_rules("exclude:\n  - pattern: '/status/'\n    reason: test exclusion\n")
    out = one(server.url("/status/404"), rules=rules)
    assert out.verdict == "skipped"
    assert "test exclusion" in (out.error or "")
    assert out.requests == 0


def test_name_that_does_not_resolve_is_broken(server, fake_dns):
    out = one(f"http://nowhere.test:{server.port}/ok", resolver=fake_dns({}))
    assert out.verdict == "broken"
    assert "does not resolve" in (out.error or "")


def test_per_host_concurrency_is_respected(server):
    # 6 URLs, 1 per host at a time: still all fine (the limit queues, never drops).
    urls = [server.url(f"/redirect/302?to=/ok&n={i}") for i in range(6)]
    out = check(urls, options=CheckOptions(per_host=1, concurrency=4, timeout=3))
    assert {o.verdict for o in out.values()} == {"ok"}


def test_retry_after_parsing():
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_a_head_404_is_always_confirmed_by_get(server):
    """Issue 13 review: after GET had confirmed three HEAD 404s in a part of a site, later HEAD 404s there were believed,
    so a page that answers HEAD 404 but GET 200 was reported broken at once. GET decides every time."""
    gone = [server.url(f"/status/404?confirm={i}") for i in range(5)]
    live = server.url("/nohead?code=404&confirm=1")  # HEAD 404, GET 200
    before = server.hits["GET /status/404"]
    out = check_in_order([*gone, live], options=HEAD_FIRST)
    assert {out[url].verdict for url in gone} == {"broken"}
    assert server.hits["GET /status/404"] - before == 5
    assert (out[live].verdict, out[live].status) == ("ok", 200)


@pytest.mark.parametrize("after", [None, "1"])
def test_a_head_answered_429_falls_back_to_get(server, after):
    """A host that rate-limits HEAD (429) but serves GET: GET decides, after the host's Retry-After when it gave one."""
    url = server.url("/nohead?code=429" + (f"&after={after}" if after else ""))
    server.log.clear()
    out = check([url], options=CheckOptions(per_host=1, timeout=3, retries=0, max_retry_after=3, method="HEAD"))
    assert (out[url].verdict, out[url].status) == ("ok", 200)
    head, get = (next(t for t, m, p, _ in server.log if p == "/nohead" and m == method) for method in ("HEAD", "GET"))
    if after:
        assert get - head >= 1.0


def test_host_refusing_head_gets_get_directly(server):
    urls = [server.url(f"/nohead?code=405&direct={i}") for i in range(5)]
    before = server.hits["HEAD /nohead"]
    out = check_in_order(urls, options=HEAD_FIRST)
    assert {o.verdict for o in out.values()} == {"ok"}
    assert server.hits["HEAD /nohead"] - before == 3


def test_per_host_limit_caps_requests_in_flight(server):
    server.max_inflight = 0
    urls = [server.url(f"/slow?n={i}") for i in range(12)]
    out = check(urls, options=CheckOptions(per_host=3, concurrency=16, timeout=3))
    assert {o.verdict for o in out.values()} == {"ok"}
    assert 2 <= server.max_inflight <= 3


def test_global_limit_caps_requests_in_flight(server):
    server.max_inflight = 0
    urls = [server.url(f"/slow?g={i}") for i in range(12)]
    check(urls, options=CheckOptions(per_host=8, concurrency=2, timeout=3))
    assert 1 <= server.max_inflight <= 2


def test_retry_after_pauses_only_that_host(servers):
    server, other, _ = servers
    slow_url = server.url("/ratelimited/pause?after=1")
    others = [other.url(f"/ok?p={i}") for i in range(3)]

    async def run() -> dict[str, Outcome]:
        # One request slot in all: if the wait held it, the other host would be stuck behind.
        opts = CheckOptions(concurrency=1, per_host=1, timeout=3.0, retries=2, backoff=0.05, max_retry_after=3)
        async with Checker(opts, None, AddressGuard.from_options(["127.0.0.1"])) as checker:
            return await checker.check_many([slow_url, *others])

    out = asyncio.run(asyncio.wait_for(run(), 30))
    assert out[slow_url].verdict == "ok" and out[slow_url].requests == 2
    assert list(out)[-1] == slow_url  # finished last: the other host's URLs were not held up behind the wait


def test_interleave_hosts_round_robin():
    urls = ["http://a.test/1", "http://a.test/2", "http://a.test/3", "http://b.test/1", "http://c.test/1", "http://b.test/2"]
    assert interleave_hosts(urls) == ["http://a.test/1", "http://b.test/1", "http://c.test/1",
                                      "http://a.test/2", "http://b.test/2", "http://a.test/3"]


def test_small_window_still_checks_everything(servers):
    server, other, _ = servers
    urls = [server.url(f"/ok?w={i}") for i in range(20)] + [other.url(f"/status/404?w={i}") for i in range(5)]
    out = check(urls, options=CheckOptions(concurrency=4, per_host=2, timeout=3, window=3))
    assert len(out) == 25
    assert sum(o.verdict == "ok" for o in out.values()) == 20
    assert sum(o.verdict == "broken" for o in out.values()) == 5


def test_soft_404_on_the_page_a_redirect_lands_on(servers, fake_dns):
    server, other, _ = servers
    # The first host has no rule; the page it redirects to is on a host whose rule names the phrase.
    # (Both servers are 127.0.0.1, so the rule is keyed by a name the fake DNS gives the second one.)
    rules = parse_rules("hosts:\n  - host: notice.test\n    soft_404: ['该内容已被发布者删除']\n    reason: removed-content notice\n")
    url = server.url(f"/redirect/302?to=http://notice.test:{other.port}/soft404")

    out = check([url], allow=("127.0.0.1", "notice.test"), rules=rules, resolver=fake_dns({"notice.test": "127.0.0.1"}))[url]
    assert out.verdict == "broken" and "soft 404" in (out.error or "")


def test_retry_after_pauses_requests_already_queued_for_that_host(server):
    limited, queued = server.url("/ratelimited/queued?after=1"), server.url("/ok?queued=1")
    opts = CheckOptions(concurrency=4, per_host=1, timeout=3.0, retries=2, backoff=0.05, max_retry_after=3)
    out = check([limited, queued], options=opts)
    assert out[limited].verdict == out[queued].verdict == "ok"
    # The second URL was queued behind the 429 and then honoured the host's pause (a lower bound only).
    assert out[queued].elapsed_ms >= 900


def test_limiter_serves_continuations_first():
    from openshelf.links.limits import Limiter

    async def go() -> list[str]:
        limiter = Limiter(1)
        order: list[str] = []
        await limiter.acquire(urgent=False)  # taken; the others queue

        async def take(name: str, urgent: bool) -> None:
            await limiter.acquire(urgent)
            order.append(name)
            limiter.release()

        tasks = [asyncio.ensure_future(take("new-1", False)), asyncio.ensure_future(take("new-2", False)),
                 asyncio.ensure_future(take("continuing", True))]
        await asyncio.sleep(0)
        limiter.release()
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(go()) == ["continuing", "new-1", "new-2"]


def test_a_waiter_cancelled_while_a_release_passes_it_leaves_cleanly():
    """At a run's deadline every worker is cancelled; a release() in between dropped a cancelled waiter's future from
    the queue, and its own clean-up then raised "ValueError: <Future cancelled> is not in deque" (which the GET-first
    review's catch-all turned into an 'internal error' result for URLs the deadline cut off)."""
    from openshelf.links.limits import Limiter

    async def go() -> int:
        limiter = Limiter(1)
        await limiter.acquire(urgent=False)
        waiter = asyncio.ensure_future(limiter.acquire(urgent=False))
        await asyncio.sleep(0)  # queued
        waiter.cancel()  # its future is cancelled at once; its clean-up runs at the task's next step
        limiter.release()  # before that: drops the cancelled future, frees the slot
        with pytest.raises(asyncio.CancelledError):
            await waiter
        await limiter.acquire(urgent=False)  # the slot is free again
        return 0

    assert asyncio.run(go()) == 0


def _quiet_after_refusal(server, path, method="HEAD"):  # type: ignore[no-untyped-def]
    """When the server refused ``path`` (its first ``method`` request), and the next request it got (any path)."""
    log = list(server.log)
    k = next(i for i, (_, m, p, _) in enumerate(log) if p == path and m == method)
    return log[k][0], log[k + 1][0]


@pytest.mark.parametrize("method", ["HEAD", "GET"])
@pytest.mark.parametrize(("status", "retries"), [(429, 2), (429, 0), (503, 2), (503, 0)])
def test_retry_after_on_head_pauses_every_request_to_the_host(server, status, retries, method):
    """Issue 13, acceptance 1: a HEAD (``--method head``) or a GET (the default) answered ``429``/``503`` with
    ``Retry-After: 2``: nothing reaches the host for 2 s, neither the GET fallback, a retry nor another URL's
    request (times recorded by the server)."""
    key = f"{method}-{status}-{retries}"
    limited = server.url(f"/pause-once/{key}?status={status}&after=2&method={method}")
    others = [server.url(f"/ok?{key}={i}") for i in range(3)]
    opts = CheckOptions(concurrency=4, per_host=1, timeout=3.0, retries=retries, backoff=0.05, max_retry_after=3, method=method)
    server.log.clear()
    out = check([limited, *others], options=opts)
    refused, following = _quiet_after_refusal(server, f"/pause-once/{key}", method)
    assert following - refused >= 2.0
    assert {o.verdict for o in map(out.get, others)} == {"ok"}
    assert "Retry-After 2s" in (out[limited].note or "")


def test_retry_after_on_a_get_fallback_pauses_the_host(server):
    # HEAD is refused (405), so GET follows: the GET gets the 429, and the next request waits.
    limited = server.url("/pause-once/get-fallback?method=GET&head=405&after=2")
    server.log.clear()
    out = check([limited, server.url("/ok?get-fallback=1")],
                options=CheckOptions(per_host=1, timeout=3, retries=1, backoff=0.05, method="HEAD"))
    refused, following = _quiet_after_refusal(server, "/pause-once/get-fallback", "GET")
    assert following - refused >= 2.0
    assert out[limited].verdict == "ok"


def test_retry_after_on_a_redirect_hop_pauses_the_host(server):
    # The first URL redirects to a page whose first request is refused 429 Retry-After: 2.
    limited = server.url("/redirect/302?to=/pause-once/redirect-hop%3Fafter%3D2%26method%3DGET")
    server.log.clear()
    others = [server.url(f"/ok?redirect-hop={i}") for i in range(3)]
    out = check([limited, *others], options=CheckOptions(per_host=1, timeout=3, retries=1, backoff=0.05))
    refused, following = _quiet_after_refusal(server, "/pause-once/redirect-hop", "GET")
    assert following - refused >= 2.0
    assert (out[limited].verdict, out[limited].status) == ("ok", 200)  # the hop's retry, after the pause, decided
    assert out[limited].final_url == server.url("/pause-once/redirect-hop?after=2&method=GET")
    assert "Retry-After 2s" in (out[limited].note or "")


def test_retry_after_beyond_the_cap_pauses_the_host_for_the_cap(server):
    limited = server.url("/pause-once/capped?after=3600&method=GET")
    server.log.clear()
    out = check([limited, server.url("/ok?capped=1")], options=CheckOptions(per_host=1, timeout=3, retries=2, backoff=0.05,
                                                                             max_retry_after=1))
    refused, following = _quiet_after_refusal(server, "/pause-once/capped", "GET")
    assert following - refused >= 1.0
    assert (out[limited].verdict, out[limited].status) == ("transient", 429)
    assert "Retry-After 3600s" in (out[limited].note or "") and "1s" in (out[limited].note or "")


def test_an_error_the_http_library_writes_over_several_lines_is_one_line() -> None:
    """A server that answers with no HTTP status line: aiohttp's message spans lines (and literal '\\n's), which broke
    the text report's one line per place. The error is one line."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def answer() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"THIS IS NOT HTTP\r\nat all\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/garbage"
        out = one(url, options=CheckOptions(timeout=2.0, retries=0))
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert out.verdict == "transient" and out.error, out
    assert "\n" not in out.error and "\\n" not in out.error, out.error


def test_a_page_that_breaks_the_html_parser_does_not_end_the_run(server):
    """A 200 page with '<![foo[' made html.parser raise AssertionError, out of the worker and check_many: the whole run
    ended with a traceback. Now it is one page like any other."""
    urls = [server.url("/hostile-page/marked-section"), server.url("/ok?after-marked-section=1")]
    out = check(urls)
    assert {url: out[url].verdict for url in urls} == dict.fromkeys(urls, "ok")


def test_a_page_the_html_parser_is_quadratic_on_does_not_stall_the_run(server):
    """64 KiB of '<a ' took html.parser 23 s of CPU, in the event loop: every other request and timeout waited."""
    import time

    started = time.process_time()
    out = one(server.url("/hostile-page/quadratic"))
    assert (out.verdict, out.status) == ("ok", 200)
    assert time.process_time() - started < 2


BODY_TROUBLE = [
    ("status=200&type=application/pdf", "ok", 200),
    ("status=200&type=text/html", "ok", 200),
    ("status=404&type=text/html", "broken", 404),
    ("status=410&type=text/plain", "broken", 410),
    ("status=302&type=text/html", "ok", 200),  # the redirect is followed to /fine
    ("status=403&type=text/html", "blocked", 403),
]


@pytest.mark.parametrize("kind", ["body-trickle", "body-cut", "body-bad-gzip"])
@pytest.mark.parametrize(("query", "verdict", "status"), BODY_TROUBLE)
@pytest.mark.parametrize("options", [FAST, HEAD_FIRST], ids=["get", "head"])
def test_the_status_decides_however_the_body_goes_wrong(servers, kind, query, verdict, status, options):
    """The status line and headers arrive at once, then the body trickles a byte every 0.2 s, is cut short, or is not
    the gzip it claims. GET first reads the body (a page's title, or a small body drained to keep the connection),
    and its trouble threw the status away: a 200 PDF, a 404, a 302 were all 'transient' (a timeout, a payload error),
    where HEAD had answered at once. The status decides; the body only adds what was read of it."""
    raw = servers[2]
    opts = CheckOptions(timeout=0.6, retries=0, backoff=0.05, method=options.method)
    out = one(raw.url(f"/{kind}?{query}"), options=opts)
    assert (out.verdict, out.status) == (verdict, status), out


def test_a_trickled_page_is_judged_by_what_came(servers):
    """A page whose title says 'not found' and whose body then trickles: judged by the prefix read before the deadline."""
    raw = servers[2]
    out = one(raw.url("/body-trickle?first=<title>Page+not+found</title>"), options=CheckOptions(timeout=0.6, retries=0))
    assert (out.verdict, out.status) == ("transient", 200)
    assert out.note == "soft 404: the page's title says 'Page not found'"


@pytest.mark.parametrize("query", ["status=404&type=text/html", "status=200&type=application/pdf", "status=429&type=text/plain"])
def test_a_body_read_only_to_keep_the_connection_gets_a_short_grace(servers, query):
    """A small body that is not needed (a 404's page, a PDF, a 429's text) is drained to keep the connection; when it
    trickles, waiting the whole --timeout for it held one of the host's slots that long per URL (a tarpit with 15 s
    each, a 429's slot while the host asked for less traffic). The drain gives up after a short grace and drops the
    connection; the status decides as before."""
    raw = servers[2]
    out = one(raw.url(f"/body-trickle?{query}"), options=CheckOptions(timeout=6.0, retries=0))
    assert out.status == int(query[7:10])
    assert out.elapsed_ms < 3500, out


def test_an_answer_that_cannot_be_parsed_is_not_reported_as_an_http_400(servers):
    """aiohttp reports an answer it cannot parse as ClientResponseError with status 400, and the error read
    'ClientResponseError: 400, message=...': a curator took it for the server's HTTP 400."""
    raw = servers[2]
    out = one(raw.url("/malformed"), options=CheckOptions(timeout=2.0, retries=0))
    assert (out.verdict, out.status) == ("transient", None)
    assert out.error == "malformed HTTP answer: Invalid character in Content-Length", out.error


@pytest.mark.parametrize(("head", "verdict"), [(200, "ok"), (404, "transient")])
def test_a_get_answer_that_cannot_be_parsed_is_asked_again_with_head(servers, head, verdict):  # type: ignore[no-untyped-def]
    """The GET-first review: a server whose answer aiohttp cannot parse only when it carries the body (a wrong
    Content-Length, bytes after the body, a header over 8 KiB: a browser often shows such a page) was transient, then
    broken after N runs, where HEAD first said ok. HEAD's answer, without a body, now decides when it is not a failure."""
    raw = servers[2]
    url = raw.url(f"/malformed-get?head={head}")
    out = one(url, options=CheckOptions(timeout=2.0, retries=0))
    assert (out.verdict, out.requests) == (verdict, 2), out
    if verdict == "ok":
        assert out.status == 200
        assert out.note == ("the GET answer could not be parsed (malformed HTTP answer: Invalid character in Content-Length); "
                            "HEAD answered 200")
    else:  # a failing HEAD alone is never believed: the GET's trouble stands
        assert out.error == "malformed HTTP answer: Invalid character in Content-Length"


def test_a_fault_of_the_checkers_own_on_one_url_is_that_urls_result_not_the_end_of_the_run(server, monkeypatch):  # type: ignore[no-untyped-def]
    """The GET-first review: an exception one page raised in the checker's own code (html.parser's AssertionError on
    '<![foo[' did) went out of the worker and check_many, and the whole run ended with a traceback."""
    import openshelf.links.check as check_module

    def broken(raw: bytes, charset: str | None = None) -> None:
        raise AssertionError("unknown status keyword in marked section")

    monkeypatch.setattr(check_module, "read_heads", broken)
    urls = [server.url("/ok?internal=1"), server.url("/status/404?internal=1"), server.url("/redirect/301?to=/ok%3Finternal%3D2")]
    out = check(urls)
    assert (out[urls[0]].verdict, out[urls[0]].note) == ("transient", "internal error")
    assert out[urls[0]].error == ("internal error in the link checker (AssertionError: unknown status keyword in marked section); "
                                  "please report it")
    assert out[urls[1]].verdict == "broken"  # the other URLs of the run are checked as ever


def test_a_retry_after_years_ahead_reads_in_days(server):  # type: ignore[no-untyped-def]
    """An HTTP date decades ahead is billions of seconds: the error and the note say days, not '2.3e+09s'."""
    from urllib.parse import quote

    out = one(server.url("/ratelimited/far?after=" + quote("Wed, 21 Oct 2099 07:28:00 GMT")))
    assert out.verdict == "transient" and out.error is not None and out.note is not None
    assert out.error.startswith("HTTP 429; Retry-After ") and out.error.endswith(" days exceeds the 3s limit"), out.error
    assert " days), more than the 3s limit" in out.note and "e+" not in out.error + out.note


@pytest.mark.parametrize("code", [405, 501])
def test_a_page_that_refuses_get_but_answers_head_is_ok(server, code):
    """A server that answers GET 405 (Method Not Allowed) or 501 but HEAD 200 has the page: it was ``transient``, and
    broken after N runs. HEAD is asked once, through the same per-host gate, and its answer decides, noted."""
    url = server.url(f"/noget?code={code}&refused=1")
    server.log.clear()
    out = one(url, options=CheckOptions(timeout=3.0, retries=0))
    assert (out.verdict, out.status, out.requests) == ("ok", 200, 2), out
    assert out.note == f"GET was refused (HTTP {code}); HEAD answered 200"
    assert [m for _, m, p, _ in server.log if p == "/noget"] == ["GET", "HEAD"]


def test_a_head_that_fails_after_a_refused_get_is_not_believed(server):
    """A HEAD 404 alone is never believed: the GET's 405 stands, transient."""
    out = one(server.url("/noget?head=404&refused=2"), options=CheckOptions(timeout=3.0, retries=0))
    assert (out.verdict, out.status, out.requests) == ("transient", 405, 2), out


def test_a_head_after_a_refused_get_keeps_the_hosts_retry_after(server):
    """The HEAD asked after a refused GET is answered 429 Retry-After: 1: the host is paused, the URL is tried again
    after it (GET, then HEAD), and no request reaches the host before the second is up."""
    url = server.url("/noget?head=429&after=1&refused=3")
    server.log.clear()
    out = one(url, options=CheckOptions(per_host=1, timeout=3.0, retries=1, backoff=0.05, max_retry_after=3))
    assert (out.verdict, out.status, out.attempts, out.requests) == ("ok", 200, 2, 4), out
    asked = [(t, m) for t, m, p, _ in server.log if p == "/noget"]
    assert [m for _, m in asked] == ["GET", "HEAD", "GET", "HEAD"]
    assert asked[2][0] - asked[1][0] >= 1.0
    assert "the host asked to wait (Retry-After 1s)" in (out.note or "")


def test_with_head_first_a_refused_get_leaves_heads_answer(server):
    """``--method head``: HEAD 200 on an HTML page, then the GET that would read its title is refused (405): HEAD's
    answer stands, with no third request."""
    out = one(server.url("/noget?refused=4"), options=HEAD_FIRST)
    assert (out.verdict, out.status, out.requests) == ("ok", 200, 2), out
    assert out.note == "GET was refused (HTTP 405); HEAD answered 200"


def test_a_cookie_one_url_got_is_not_sent_with_another(server):
    """One cookie jar served the whole run: a cookie one URL's page set (one member's link, a consent page) went
    with every later request to that host and could change its answer, here a 404; and the jar grew with every
    site. Cookies live as long as one URL's redirect chain (which a login or consent redirect needs: see
    test_redirect_to_itself_with_a_cookie_is_not_a_loop) and no longer."""
    setter, sensitive = server.url("/cookie-set"), server.url("/cookie-sensitive")
    out = check_in_order([setter, sensitive, server.url("/cookie-gate?after-another=1")])
    assert (out[setter].verdict, out[sensitive].verdict, out[sensitive].status) == ("ok", "ok", 200), out[sensitive]
    assert out[server.url("/cookie-gate?after-another=1")].requests == 2  # its own chain set and sent its cookie
