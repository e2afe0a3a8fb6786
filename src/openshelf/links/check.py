"""The async checking engine: URL -> :class:`Outcome` with a verdict.

Policy, in one place:

- ``ok``          2xx (or a status the rules accept); temporary redirects are followed silently
- ``redirected``  the URL answers through a permanent redirect (301/308): ``redirect_to`` is the new URL
- ``broken``      definite: 404, 410, a soft 404 phrase, a name that does not resolve,
                  connection refused, a redirect loop or too many redirects
- ``transient``   a bad day: timeout, reset, 5xx, 429, 408, other 4xx, TLS trouble; or a guessed soft 404
                  (a 200 page whose title or main heading says "not found", or that looks like the host's
                  answer for a path that cannot exist), which the N-runs policy turns into ``broken``
- ``blocked``     bot protection (a Cloudflare challenge, 401/403/999): a person should look
- ``skipped``     not fetched: excluded pattern, non-http scheme, private address, login-only entry
                  (and, from the runner, a URL not finished before the run's deadline)

Each request has a connect timeout *and* a hard deadline over all of it (``asyncio.timeout``;
a read timeout of the same length could never fire first, so there is none), so a server that
trickles its headers cannot stretch it; at most ``body_limit`` bytes of a body are
read; each request is a GET (as lychee's and LinkChecker's are): one request answers for the status and,
on an HTML page, its title; the body of anything else is not read (a small one is drained so the
connection is kept). A GET refused (405, 501) or answered with what cannot be parsed is asked once
more with HEAD, whose answer decides when it is no failure (noted). With ``method="HEAD"`` (``--method head``) HEAD comes first and GET follows when
HEAD fails, is refused or rate-limited (a HEAD 404 alone is never believed: some servers answer HEAD
404 for pages GET serves), or lands on an HTML page (its title is read); a host that refuses HEAD
three times then gets GET straight away. Redirects are followed by hand (each
hop passes the private-address guard, loops are detected); transient failures are retried
with backoff. ``Retry-After`` on a 429 or 503 pauses that host (only that one: the others go
on), whichever request met it (a HEAD, its GET fallback, a retry, a redirect hop), because every
request passes the same per-host gate; the pause is capped at ``max_retry_after`` seconds, a
longer one gives up on the URL as ``transient``, and the result's note says what the host asked.
Cookies belong to one URL (its redirect chains and retries; see :class:`_Budget`), never to the run;
a kept-alive connection that received an answer nobody asked for is not used again (:mod:`.pool`).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import errno
import functools
import secrets
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from openshelf.wording import counted

from .guard import AddressGuard, GuardedResolver, PrivateAddressError
from .limits import Limiter, interleave_hosts
from .page import Heads, decode_prefix, not_found_claim, read_heads
from .pool import VettedConnector
from .rules import HostRule, LinkRules
from .verdict import FAILING, Verdict

USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 OpenShelf-LinkCheck/1.0"
)
Method = Literal["GET", "HEAD"]
HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
}
REDIRECT_CODES = {301, 302, 303, 307, 308}
PERMANENT_CODES = {301, 308}
DEFINITE_CODES = {404, 410}
BLOCKED_CODES = {401, 403, 999}
RETRY_CODES = {408, 425, 429, 500, 502, 503, 504}
GET_REFUSED_CODES = {405, 501}  # GET refused: HEAD is asked once, and decides when it is no failure
CHALLENGE_MARKERS = (b"cf-chl-", b"challenge-platform", b"Just a moment...", b"Attention Required! | Cloudflare")


@dataclass
class CheckOptions:
    concurrency: int = 128
    per_host: int = 8
    timeout: float = 15.0
    connect_timeout: float | None = None  # default: min(timeout, 10)
    max_redirects: int = 10
    retries: int = 2
    backoff: float = 1.0
    max_retry_after: float = 60.0
    body_limit: int = 64 * 1024
    method: Method = "GET"  # the first request's: GET, or HEAD with GET after it where HEAD cannot decide
    window: int = 0  # URLs begun but not finished, at most; 0 = max(1024, 8 x concurrency)


@dataclass
class Outcome:
    verdict: Verdict
    status: int | None = None
    final_url: str | None = None
    error: str | None = None
    redirect_to: str | None = None
    elapsed_ms: int = 0
    checked_at: str = ""
    attempts: int = 0
    requests: int = 0
    retry_after: float | None = None
    note: str | None = None  # the rule or reason that shaped the verdict


@dataclass
class _Hop:
    """What one attempt (a redirect chain) ended with."""

    verdict: Verdict
    status: int | None = None
    final_url: str | None = None
    error: str | None = None
    redirect_to: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    note: str | None = None
    heads: Heads | None = None  # the landing page's title and main heading, when read


#: The note of a URL the private-address guard refused (on its first request or a redirect hop).
GUARD_NOTE = "private address"
#: The note of a URL whose check met a fault of the checker's own (reported, not ending the run).
INTERNAL_NOTE = "internal error"
#: How the note of a URL whose host asked for a pause begins.
RETRY_AFTER_NOTE = "the host asked to wait"
#: Seconds a body read only to keep the connection (not a page's title, a rule's phrases or a challenge) may take:
#: past that the connection is dropped rather than a host's slot held (a trickled 404 page, a 429's text).
DRAIN_GRACE = 2.0
HEAD_REFUSALS_BEFORE_GET = 3  # 405/501 answers to HEAD (that GET then answered) before a host gets GET straight away


@dataclass
class _Host:
    """Per-host limits, and whether the host refuses HEAD (then it gets GET straight away)."""

    limiter: Limiter
    resume_at: float = 0.0
    head_unsupported: int = 0  # 405/501 answers to HEAD that GET then answered


@dataclass
class _Budget:
    """Time a URL may spend in requests (queueing excluded), so a chain of slow hops is bounded;
    the longest ``Retry-After`` its requests met (for the note); and the cookies its answers set.

    Cookies are this URL's alone: its redirect chains and retries send what its answers set (a login or
    consent redirect needs that), and nothing is kept for the next URL (a cookie one member's link got
    must not change the answer to another's, and a run keeps no jar that grows with every site)."""

    left: float
    retry_after: float | None = None
    cookies: aiohttp.CookieJar | None = None  # made when an answer first sets a cookie
    on_send: Callable[[], None] | None = None  # called when the URL's first request has passed its gates


def now_iso() -> str:
    """The current UTC time to the second, as ``2026-01-02T03:04:05Z`` (formatted once per second)."""
    return _iso_second(int(time.time()))


@functools.lru_cache(maxsize=2)
def _iso_second(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).isoformat().replace("+00:00", "Z")


def _seconds(asked: float) -> str:
    """A host's Retry-After as it reads in a message: ``120s``; an HTTP date years ahead in days, not ``2.1e+09s``."""
    return f"{asked:g}s" if asked < 100_000 else counted(round(asked / 86_400), 'day')


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Checker:
    """Checks URLs with one shared session; use as ``async with Checker(...) as c``."""

    def __init__(
        self,
        options: CheckOptions | None = None,
        rules: LinkRules | None = None,
        guard: AddressGuard | None = None,
        resolver: AbstractResolver | None = None,
    ) -> None:
        self._inner_resolver = resolver  # tests inject a fake DNS; default: the system's
        self.options = options or CheckOptions()
        self.rules = rules or LinkRules()
        self.guard = guard or AddressGuard()
        self._global = Limiter(max(1, self.options.concurrency))
        self._hosts: dict[str, _Host] = {}
        self._session: aiohttp.ClientSession | None = None
        self.request_count = 0
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}
        self._literal_refusals: dict[tuple[str, int | None], str | None] = {}  # IP-literal hosts: None = allowed
        self._probes: dict[str, asyncio.Task[tuple[str, Heads] | None]] = {}  # per origin, see _probe
        self._stop: asyncio.Event | None = None  # set by stop(): check_many ends as at a deadline

    async def __aenter__(self) -> Checker:
        connector = VettedConnector(
            limit=max(1, self.options.concurrency),
            limit_per_host=0,
            resolver=GuardedResolver(self.guard, self._inner_resolver),
            ttl_dns_cache=300,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers=HEADERS,
            cookie_jar=aiohttp.DummyCookieJar(),  # each URL has its own (see _Budget)
            trust_env=False,  # a proxy would bypass the address guard
            auto_decompress=True,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._probes.values():
            task.cancel()
        if self._session is not None:
            await self._session.close()

    # --- public -------------------------------------------------------------

    async def check_many(self, urls: Iterable[str], on_result: Callable[[str, Outcome], None] | None = None,
                         deadline: float | None = None, first: Callable[[str], Any] | None = None,
                         sent: set[str] | None = None) -> dict[str, Outcome]:
        """Check each URL once, concurrently; results keyed by URL, in the order they finished.

        ``first``: URLs with a smaller key are begun first (hosts still interleaved among equal keys).
        ``on_result`` is called with each result as it comes.  ``deadline`` (a ``time.monotonic()``
        value): then every request still going is cancelled, and the URLs not finished have no result.
        ``sent``: each URL whose first request went out (past its host's gate) is added to it, so the
        URLs a deadline ended midway are those in it without a result.
        """
        results: dict[str, Outcome] = {}
        # A bounded window of URLs in progress keeps memory flat however long the list: that many
        # workers, each taking the next URL when it has finished one (no task per URL).
        # Interleaving the hosts keeps one big host from filling the window.
        todo = interleave_hosts(dict.fromkeys(urls))
        if first is not None:
            todo.sort(key=first)  # stable: the interleaving holds among equal keys
        pending = iter(todo)

        async def worker() -> None:
            for url in pending:  # shared: each URL goes to exactly one worker
                outcome = await self.check(url, None if sent is None else functools.partial(sent.add, url))
                results[url] = outcome
                if on_result is not None:
                    on_result(url, outcome)

        size = min(len(todo), self.options.window or max(1024, 8 * self.options.concurrency))
        workers = [asyncio.ensure_future(worker()) for _ in range(size)]
        every: asyncio.Future[Any] = asyncio.gather(*workers)
        self._stop = asyncio.Event()
        stopped: asyncio.Future[Any] = asyncio.ensure_future(self._stop.wait())
        try:
            # until every URL is done, stop() is called, or the deadline (on the loop's clock, which may not be
            # time.monotonic()'s: uvloop's)
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            await asyncio.wait({every, stopped}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
            if every.done():
                every.result()  # a worker's exception, if one failed
        finally:
            stopped.cancel()
            every.cancel()
            for task in workers:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await every  # let the cancelled requests unwind before the session closes
        return results

    def stop(self) -> None:
        """End a running :meth:`check_many` now, as if its deadline had come (from a signal handler, say)."""
        if self._stop is not None:
            self._stop.set()

    async def check(self, url: str, on_send: Callable[[], None] | None = None) -> Outcome:
        """Check one URL, with retries; never raises for network trouble, nor for a fault of this checker's own that
        one URL meets (a hostile page should not end a run of thousands): that is the URL's ``transient`` result.
        ``on_send`` is called when its first request goes out."""
        started = time.monotonic()
        checked_at = now_iso()
        try:
            outcome = await self._check(url, on_send)
        except Exception as exc:  # reported as the URL's result, with what went wrong
            text = " ".join(str(exc).split())[:300]
            outcome = Outcome(Verdict.TRANSIENT, error=f"internal error in the link checker ({type(exc).__name__}: {text}); "
                              "please report it", note=INTERNAL_NOTE)
        outcome.elapsed_ms = int((time.monotonic() - started) * 1000)
        outcome.checked_at = checked_at
        return outcome

    # --- internals ----------------------------------------------------------

    def _host(self, url: URL) -> _Host:
        key = f"{url.host}:{url.port}"
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(Limiter(max(1, self.options.per_host)))
        return host

    async def _check(self, url: str, on_send: Callable[[], None] | None = None) -> Outcome:
        try:
            parsed = URL(url)
        except (ValueError, TypeError) as exc:
            return Outcome(Verdict.BROKEN, error=f"invalid URL: {exc}")
        if parsed.scheme not in ("http", "https"):
            return Outcome(Verdict.SKIPPED, error=f"not fetched: {parsed.scheme or 'no'} scheme")
        if not parsed.host:
            return Outcome(Verdict.BROKEN, error="invalid URL: no host")
        excluded = self.rules.excluded(url)
        if excluded is not None:
            return Outcome(Verdict.SKIPPED, error=f"excluded: {excluded.reason}", note=excluded.pattern)
        rule = self.rules.host_rule(parsed.host)
        if rule is not None and rule.skip:
            return Outcome(Verdict.SKIPPED, error=f"host rule: {rule.reason}", note=rule.host)

        opts = self.options
        timeout = rule.timeout if rule is not None and rule.timeout else opts.timeout
        budget = _Budget(timeout * 3, on_send=on_send)
        attempts = requests = 0
        hop = _Hop(Verdict.TRANSIENT, error="not checked")
        while True:
            attempts += 1
            hop, n = await self._attempt(parsed, rule, timeout, budget, continuing=attempts > 1)
            requests += n
            if not hop.retryable or attempts > opts.retries or budget.left <= 0:
                break
            # A Retry-After has already paused the host (see _pause_host): the next request waits
            # for it at the host's gate; the backoff is this URL's own.
            await asyncio.sleep(opts.backoff * (2 ** (attempts - 1)))
        if budget.left <= 0 and hop.verdict == Verdict.TRANSIENT and hop.retryable:
            hop.error = f"{hop.error} (the URL's time budget, 3 × --timeout, is used up)"
        verdict, error, note = hop.verdict, hop.error, hop.note
        if budget.retry_after is not None:
            note = "; ".join(filter(None, (note, self._retry_after_note(budget.retry_after))))
        if rule is not None and rule.unreachable_from_ci and verdict in FAILING and hop.status is None:
            verdict = Verdict.BLOCKED
            note = f"host rule: {rule.reason}"
        return Outcome(
            verdict,
            status=hop.status,
            final_url=hop.final_url,
            error=error,
            redirect_to=hop.redirect_to,
            attempts=attempts,
            requests=requests,
            retry_after=hop.retry_after,
            note=note,
        )

    def _retry_after_note(self, asked: float) -> str:
        cap = self.options.max_retry_after
        wait = _seconds(asked)
        if asked > cap:
            return f"{RETRY_AFTER_NOTE} (Retry-After {wait}), more than the {cap:g}s limit: paused it {cap:g}s, gave up"
        return f"{RETRY_AFTER_NOTE} (Retry-After {wait}): paused it"

    def _pause_host(self, host: _Host, response: _Response, budget: _Budget) -> _Response:
        """The host asked for a pause (``Retry-After`` on a 429 or 503): every later request to it
        waits at its gate, up to ``max_retry_after``; beyond that this URL gives up (``transient``)."""
        asked = response.retry_after
        assert asked is not None
        cap = self.options.max_retry_after
        host.resume_at = max(host.resume_at, time.monotonic() + min(asked, cap))
        budget.retry_after = max(budget.retry_after or 0.0, asked)
        if asked > cap:
            error = f"HTTP {response.status}; Retry-After {_seconds(asked)} exceeds the {cap:g}s limit"
            return _Response(hop=_Hop(Verdict.TRANSIENT, response.status, error=error, retry_after=asked))
        return response

    async def _attempt(self, start: URL, rule: HostRule | None, timeout: float, budget: _Budget,
                       continuing: bool = False, probe: bool = False) -> tuple[_Hop, int]:
        """Follow one redirect chain; return how it ended and the number of requests made.

        ``probe``: this is a host's probe (a path that cannot exist): GET at once, and its page is not judged.
        """
        visits = {str(start): 1}
        notes: list[str] = []  # what the final hop's note says beside its own
        url = start
        permanent_target: str | None = None
        still_permanent = True
        requests = 0
        for _ in range(self.options.max_redirects + 1):
            host = self._host(url)
            # Soft-404 phrases: this hop's host's own, else the first URL's (a short link or a
            # redirect to a "content removed" page on another host is caught either way).
            here = self.rules.host_rule(url.host or "") if url.host != start.host else rule
            hop_rule = here if here is not None and here.soft_404 else rule
            want_body = bool(hop_rule and hop_rule.soft_404)
            head_first = self.options.method == "HEAD" and not (want_body or probe or host.head_unsupported >= HEAD_REFUSALS_BEFORE_GET)
            method = "HEAD" if head_first else "GET"
            result = await self._request(method, url, hop_rule, timeout, budget, urgent=continuing or requests > 0)
            requests += 1
            head: _Response | None = None
            if method == "HEAD":
                head = result
                if result.fallback:
                    # HEAD failed, was refused or rate-limited, or landed on an HTML page: GET decides (a HEAD 404
                    # alone is never believed: some servers answer HEAD 404 for pages GET serves). After a
                    # Retry-After the GET waits at the host's gate like any request.
                    result = await self._request("GET", url, hop_rule, timeout, budget, urgent=True)
                    requests += 1
                    if head.status in (405, 501) and result.status is not None:
                        host.head_unsupported += 1
            refused = _get_refused(result)
            if refused is not None:
                # GET was refused (405, 501) or its answer could not be parsed (a Content-Length shorter than the body, a
                # header over 8 KiB: browsers often show such a page): HEAD's answer, without a body, decides when it is
                # no failure; a HEAD that met a 429 or 503 makes the URL be tried again, after the host's pause.
                if head is None:
                    head = await self._request("HEAD", url, hop_rule, timeout, budget, urgent=True)
                    requests += 1
                if head.hop is None and head.status is not None and (head.status < 400 or head.status in RETRY_CODES):
                    if head.status < 400:
                        notes.append(f"{refused}; HEAD answered {head.status}")
                    result = replace(head, fallback=False)
            if result.hop is not None:
                hop = result.hop
                hop.final_url = str(url)
                if url != start:  # on a redirect hop: say so, and where it led
                    hop.error = f"redirected to {url}: {hop.error}"
                    hop.redirect_to = hop.redirect_to or permanent_target
                return hop, requests
            status = result.status
            assert status is not None
            if status in REDIRECT_CODES and result.location is not None:
                try:
                    nxt = url.join(URL(result.location))
                except (ValueError, TypeError):
                    return _Hop(Verdict.BROKEN, status, str(url), f"bad redirect Location: {result.location!r}"), requests
                if nxt.scheme not in ("http", "https"):
                    return _Hop(Verdict.BROKEN, status, str(nxt), f"redirect to unsupported scheme {nxt.scheme!r}"), requests
                nxt = nxt.with_fragment(None)
                if still_permanent and status in PERMANENT_CODES:
                    permanent_target = str(nxt)
                else:
                    still_permanent = False
                # A URL may come back once (a site that sets a cookie and redirects to itself);
                # a third visit is a loop.
                seen = visits[str(nxt)] = visits.get(str(nxt), 0) + 1
                if seen > 2:
                    return _Hop(Verdict.BROKEN, status, str(nxt), "redirect loop"), requests
                url = nxt
                continue
            hop = self._classify(result, url, hop_rule)
            hop.final_url = str(url)
            hop.heads = result.heads
            if result.heads is not None and hop.verdict == Verdict.OK and not probe:
                claim = await self._soft_404_claim(start, url, result.heads)
                if claim is not None:  # a guess: transient, so only the N-runs policy makes it broken
                    hop = _Hop(Verdict.TRANSIENT, status, str(url), f"soft 404? HTTP {status}, but {claim}",
                               note=f"soft 404: {claim}", heads=result.heads)
            if notes:
                hop.note = "; ".join(filter(None, (hop.note, *notes)))
            if permanent_target is not None and hop.verdict == Verdict.OK:
                hop.verdict = Verdict.REDIRECTED
                hop.redirect_to = permanent_target
            elif permanent_target is not None:
                hop.redirect_to = permanent_target
            return hop, requests
        return _Hop(Verdict.BROKEN, None, str(url), f"too many redirects (more than {self.options.max_redirects})"), requests

    async def _soft_404_claim(self, start: URL, url: URL, heads: Heads) -> str | None:
        """Why a 200 page (``url``, reached from ``start``) looks like a "not found" page, or None.

        Its title or main heading says so; or it has the same title and heading as its host's answer
        for a path that cannot exist (a host that serves its home page for every unknown path).  A
        start URL that is a site's root, or the very page the probe landed on, is that home page.
        """
        claim = not_found_claim(heads)
        if claim is not None or (start.path in ("", "/") and not start.query_string) or heads.key() is None:
            return claim  # a page with neither title nor heading cannot be compared: no probe for it
        probed = await self._probe(url)
        if probed is None:
            return None
        probe_url, probe_heads = probed
        if probe_heads.key() != heads.key() or str(start) == probe_url:
            return None
        label = f"title {heads.title[:80]!r}" if heads.title else f"main heading {heads.h1[:80]!r}"
        return f"the page is what the host answers for a path that cannot exist ({label})"

    async def _probe(self, url: URL) -> tuple[str, Heads] | None:
        """What ``url``'s host answers for a path that cannot exist: (the page it landed on, its heads)
        when that is a 200 page, else None.  One request (chain) per host and run, through the host's
        gate like any other, shared by every URL that asks (a URL cancelled meanwhile does not cancel it)."""
        origin = url.origin()
        key = str(origin)
        task = self._probes.get(key)
        if task is None:
            task = self._probes[key] = asyncio.ensure_future(self._fetch_probe(origin))
        return await asyncio.shield(task)

    async def _fetch_probe(self, origin: URL) -> tuple[str, Heads] | None:
        probe = origin.with_path(f"/openshelf-probe-{secrets.token_hex(8)}")
        rule = self.rules.host_rule(probe.host or "")
        timeout = rule.timeout if rule is not None and rule.timeout else self.options.timeout
        hop, _ = await self._attempt(probe, rule, timeout, _Budget(timeout), continuing=True, probe=True)
        if hop.verdict in (Verdict.OK, Verdict.REDIRECTED) and hop.heads is not None and hop.final_url is not None:
            return hop.final_url, hop.heads
        return None

    def _classify(self, result: _Response, url: URL, rule: HostRule | None) -> _Hop:
        status = result.status
        assert status is not None
        host = url.host or ""
        if result.challenge:
            return _Hop(Verdict.BLOCKED, status, error=f"HTTP {status}: bot protection challenge")
        if 200 <= status < 300:
            if rule is not None and rule.soft_404 and result.body is not None:
                for phrase in rule.soft_404:
                    if phrase in result.body:
                        return _Hop(Verdict.BROKEN, status, error=f"soft 404: page says {phrase!r}", note=f"host rule: {rule.reason}")
            return _Hop(Verdict.OK, status)
        if self.rules.accepted(host, status):
            return _Hop(Verdict.OK, status, note=f"status {status} accepted by rule")
        if status in DEFINITE_CODES:
            return _Hop(Verdict.BROKEN, status, error=f"HTTP {status}")
        if status in BLOCKED_CODES:
            return _Hop(Verdict.BLOCKED, status, error=f"HTTP {status}: refused to a robot")
        if status in RETRY_CODES:
            return _Hop(Verdict.TRANSIENT, status, error=f"HTTP {status}", retryable=True, retry_after=result.retry_after)
        return _Hop(Verdict.TRANSIENT, status, error=f"HTTP {status}")

    async def _request(self, method: str, url: URL, rule: HostRule | None, timeout: float, budget: _Budget,
                       urgent: bool) -> _Response:
        """One request, under the host and global limits and a hard deadline.

        ``urgent``: it continues a URL already begun, so it goes before new URLs' first requests.
        """
        key = (url.host or "", url.port)
        refused = self._literal_refusals.get(key, "")
        if refused == "":  # not decided yet for this host and port (the guard is fixed for a run)
            try:
                self.guard.check_literal(*key)
                refused = None
            except PrivateAddressError as exc:
                refused = str(exc)
            self._literal_refusals[key] = refused
        if refused is not None:
            return _Response(hop=_Hop(Verdict.SKIPPED, error=refused, note=GUARD_NOTE))
        host = self._host(url)
        while True:
            while (wait := host.resume_at - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            await host.limiter.acquire(urgent)
            if host.resume_at <= time.monotonic():
                break
            host.limiter.release()  # the host asked for a pause while we queued: wait for it too
        try:
            await self._global.acquire(urgent)
        except BaseException:
            host.limiter.release()
            raise
        if budget.on_send is not None:
            budget.on_send()
            budget.on_send = None
        limit = max(0.05, min(timeout, budget.left))
        started = time.monotonic()
        try:
            async with asyncio.timeout(limit) as deadline:
                response = await self._fetch(method, url, rule, limit, deadline, budget)
            if response.retry_after is not None:
                response = self._pause_host(host, response, budget)  # before this request's slot is given up
            return response
        except TimeoutError:
            return _Response(hop=_Hop(Verdict.TRANSIENT, error=f"timeout after {limit:.1f}s", retryable=True))
        except aiohttp.ClientError as exc:
            return _error_response(method, exc)
        except OSError as exc:
            return _error_response(method, exc)
        finally:
            self._global.release()
            host.limiter.release()
            budget.left -= time.monotonic() - started
            self.request_count += 1

    async def _fetch(self, method: str, url: URL, rule: HostRule | None, limit: float,
                     deadline: asyncio.Timeout, budget: _Budget) -> _Response:
        assert self._session is not None
        opts = self.options
        # Only the connect timeout here: the hard deadline (``asyncio.timeout`` in _request, the same
        # ``limit``) bounds everything else, so aiohttp's own total and read timers, which would
        # fire no earlier, are left out (two timers fewer per request, and none re-armed per read).
        connect = min(limit, opts.connect_timeout or 10.0)
        client_timeout = self._timeouts.get(connect)
        if client_timeout is None:
            client_timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=None)
            if len(self._timeouts) < 64:
                self._timeouts[connect] = client_timeout
        jar = budget.cookies
        async with self._session.request(
            method, url, allow_redirects=False, timeout=client_timeout, raise_for_status=False,
            cookies=jar.filter_cookies(url) if jar is not None else None,
        ) as resp:
            status = resp.status
            headers = resp.headers
            if "Set-Cookie" in headers:
                if jar is None:
                    jar = budget.cookies = aiohttp.CookieJar(unsafe=True)  # unsafe: IP-address hosts keep theirs too
                jar.update_cookies(resp.cookies, resp.url)
            challenge = headers.get("cf-mitigated", "").lower() == "challenge"
            location = headers.get("Location")
            retry_after = parse_retry_after(headers.get("Retry-After")) if status in (429, 503) else None
            # A 200 HTML page is judged by its title and main heading (a soft 404?), unless a host rule
            # names its own soft-404 phrases (or none: ``soft_404: []`` turns the guessing off).
            judge = (rule is None or rule.soft_404 is None) and 200 <= status < 300 and _is_html(headers)
            if method == "HEAD":
                if (status >= 400 and not challenge) or judge:
                    # GET decides; after a 429's or 503's Retry-After it waits at the host's gate first.
                    return _Response(status=status, location=location, fallback=True, retry_after=retry_after)
                return _Response(status=status, location=location, retry_after=retry_after, challenge=challenge)
            body_text: str | None = None
            heads: Heads | None = None
            need_body = judge or (rule is not None and bool(rule.soft_404) and 200 <= status < 300) or (
                status in (403, 503) and "cloudflare" in headers.get("Server", "").lower()
            )
            length = resp.content_length
            if need_body or (length is not None and length <= opts.body_limit):
                raw, whole = await _read_prefix(resp, opts.body_limit, deadline, None if need_body else DRAIN_GRACE)
                if status in (403, 503) and any(m in raw for m in CHALLENGE_MARKERS):
                    challenge = True
                if judge:
                    heads = read_heads(raw, resp.charset)
                elif need_body:
                    body_text = decode_prefix(raw, resp.charset)  # as the title is: a GBK page often declares nothing
                if not whole:
                    resp.close()  # unread rest, or a body that went wrong: drop the connection rather than drain it
            else:
                resp.close()
            return _Response(
                status=status, location=location, retry_after=retry_after, challenge=challenge, body=body_text, heads=heads
            )


@dataclass
class _Response:
    status: int | None = None
    location: str | None = None
    retry_after: float | None = None
    challenge: bool = False
    body: str | None = None
    heads: Heads | None = None
    fallback: bool = False
    malformed: bool = False  # an answer aiohttp could not parse (``hop`` says what)
    hop: _Hop | None = field(default=None)


def _get_refused(result: _Response) -> str | None:
    """Why a GET's answer cannot decide while a HEAD's could (the method refused, the answer unparsable), or None."""
    if result.malformed and result.hop is not None:
        return f"the GET answer could not be parsed ({result.hop.error})"
    if result.hop is None and result.status in GET_REFUSED_CODES and not result.challenge:
        return f"GET was refused (HTTP {result.status})"
    return None


def _is_html(headers: Mapping[str, str]) -> bool:
    """An HTML page, or one that does not say what it is."""
    kind = headers.get("Content-Type", "").lower()
    return not kind or "html" in kind


async def _read_prefix(resp: aiohttp.ClientResponse, limit: int, deadline: asyncio.Timeout,
                       grace: float | None = None) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of the body, and whether that was all of it; within ``grace`` seconds when given.

    The status is in by now and decides: a body that stalls until the request's deadline, breaks off, or does not
    decode (a lying Content-Length, a bad chunk, broken gzip) ends the read, not the request, and what came of it
    is kept (a 404 stays a 404, a 200 page is judged by the part of it that arrived).
    """
    loop = asyncio.get_running_loop()
    when = deadline.when()
    assert when is not None
    deadline.reschedule(None)  # the read has the same deadline, its own, so that running out ends only the read
    chunks: list[bytes] = []
    size = 0
    whole = False
    try:
        async with asyncio.timeout_at(when if grace is None else min(when, loop.time() + grace)):
            while size < limit:
                chunk = await resp.content.read(limit - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            whole = resp.content.at_eof()
    except (TimeoutError, aiohttp.ClientError, OSError):
        pass
    finally:
        deadline.reschedule(max(when, loop.time() + 1.0))  # what is left (the connection's release) stays bounded
    return b"".join(chunks), whole


def _errno_chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        nxt = getattr(cur, "os_error", None)
        if isinstance(nxt, BaseException) and id(nxt) not in seen:
            yield nxt
            seen.add(id(nxt))
        cur = cur.__cause__ or cur.__context__


def _error_response(method: str, exc: BaseException) -> _Response:
    chain = list(_errno_chain(exc))
    for e in chain:
        if isinstance(e, PrivateAddressError):
            return _Response(hop=_Hop(Verdict.SKIPPED, error=str(e), note=GUARD_NOTE))
    for e in chain:
        if isinstance(e, socket.gaierror):
            if e.errno in (socket.EAI_AGAIN,) or getattr(socket, "EAI_SYSTEM", None) == e.errno:
                return _Response(hop=_Hop(Verdict.TRANSIENT, error=f"name lookup failed for now: {e.strerror}", retryable=True))
            return _Response(hop=_Hop(Verdict.BROKEN, error=f"name does not resolve: {e.strerror}"))
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return _Response(hop=_Hop(Verdict.BROKEN, error=f"name does not resolve: {exc}"))
    for e in chain:
        if isinstance(e, ConnectionRefusedError) or getattr(e, "errno", None) == errno.ECONNREFUSED:
            return _Response(hop=_Hop(Verdict.BROKEN, error="connection refused"))
    if isinstance(exc, (aiohttp.ClientSSLError, aiohttp.ServerFingerprintMismatch)):
        return _Response(hop=_Hop(Verdict.TRANSIENT, error=f"TLS error: {exc}"))
    if isinstance(exc, aiohttp.InvalidURL):
        return _Response(hop=_Hop(Verdict.BROKEN, error=f"invalid URL: {exc}"))
    head_trouble = (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError)
    if method == "HEAD" and isinstance(exc, head_trouble):
        return _Response(fallback=True)  # some servers mishandle HEAD: try GET
    if isinstance(exc, aiohttp.ClientResponseError) and isinstance(exc.__cause__, aiohttp.http_exceptions.HttpProcessingError):
        # aiohttp could not parse the answer and calls it status 400: no status came, and the error must not read as one
        what = " ".join(exc.message.replace("\\n", " ").split())
        what = what.split(": b'", 1)[0].split(': b"', 1)[0]  # not the raw bytes aiohttp quotes after it
        return _Response(malformed=True, hop=_Hop(Verdict.TRANSIENT, error=f"malformed HTTP answer: {what}", retryable=True))
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return _Response(hop=_Hop(Verdict.TRANSIENT, error=f"timeout: {exc}", retryable=True))
    text = " ".join(str(exc).replace("\\n", " ").split()) or type(exc).__name__  # one line, whatever the library wrote
    return _Response(hop=_Hop(Verdict.TRANSIENT, error=f"{type(exc).__name__}: {text}", retryable=True))
