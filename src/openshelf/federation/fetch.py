"""Download one source's export, as carefully as the link checker fetches a page.

- Every request goes through the link checker's private-address guard (``links.guard``): an IP
  address written in a URL is checked before the request, and every address a host name resolves
  to is checked by :class:`~openshelf.links.guard.GuardedResolver` in the connector, so what is
  checked is what is connected to.  Only the source's ``allow_hosts`` (exactly those HOST[:PORT])
  are exempt; no proxy from the environment is used (it would bypass the guard).
- Redirects are followed here, one hop at a time (at most ``MAX_REDIRECTS``), and each hop's scheme
  and address pass the same checks as the first URL.
- The body is read up to ``max_bytes`` (after gzip decoding): a larger one is refused whether its
  Content-Length says so, lies or is absent.  ``timeout`` bounds the whole download, redirects
  included.
- With the validators of the last accepted snapshot (ETag, Last-Modified), the request is
  conditional: ``304 Not Modified`` means unchanged.

Every failure is a :class:`FetchError` whose message says what went wrong and where.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from openshelf import __version__
from openshelf.errors import OpenShelfError
from openshelf.links.guard import AddressGuard, GuardedResolver, PrivateAddressError

MAX_REDIRECTS = 10
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024
HEADERS = {"User-Agent": f"OpenShelf/{__version__} (sources update)", "Accept": "application/json"}


class FetchError(OpenShelfError):
    """A download that failed; ``kind`` says how: unreachable, refused, too-big, too-slow, http, redirect."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Fetched:
    """A finished download: ``body`` is None when the server said 304 Not Modified."""

    url: str  # where the body came from, after redirects
    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def unchanged(self) -> bool:
        return self.body is None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes and contexts, and aiohttp's wrapped ``os_error``s."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        cur = todo.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        todo += [e for e in (getattr(cur, "os_error", None), cur.__cause__, cur.__context__) if isinstance(e, BaseException)]


def _network_error(url: URL, hop: str, exc: BaseException) -> FetchError:
    for cause in _causes(exc):
        if isinstance(cause, PrivateAddressError):
            return _refused(url, hop, cause)
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return FetchError("unreachable", f"unreachable: {url}{hop}: the name does not resolve ({cause.strerror})")
        if isinstance(cause, ConnectionRefusedError) or getattr(cause, "errno", None) == errno.ECONNREFUSED:
            return FetchError("unreachable", f"unreachable: {url}{hop}: connection refused")
    reason = str(exc) or type(exc).__name__
    return FetchError("unreachable", f"unreachable: {url}{hop}: {reason}")


def _refused(url: URL, hop: str, exc: PrivateAddressError) -> FetchError:
    return FetchError("refused", f"refused: {url}{hop}: {exc}; only the source's allow_hosts may be private")


def _hop_note(hop: int, previous: URL | None) -> str:
    return f" (redirect {hop} from {previous})" if previous is not None else ""


async def fetch_async(url: str, *, allow_hosts: list[str] | tuple[str, ...] = (), max_bytes: int, timeout: float,
                      etag: str | None = None, last_modified: str | None = None,
                      resolver: AbstractResolver | None = None) -> Fetched:
    """Download ``url`` (see the module's description); raises :class:`FetchError`.

    ``resolver`` is the DNS resolver under the guard (default: the system's).
    """
    try:
        guard = AddressGuard.from_options(allow_hosts)
    except ValueError as exc:
        raise FetchError("refused", f"allow_hosts: {exc}") from None
    conditional = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(guard, resolver), force_close=True)
    client_timeout = aiohttp.ClientTimeout(total=None, sock_connect=min(timeout, 10.0))
    current = URL(url)
    try:
        async with asyncio.timeout(timeout), aiohttp.ClientSession(
                connector=connector, headers=HEADERS, trust_env=False, auto_decompress=True, timeout=client_timeout) as session:
            return await _follow(session, guard, current, max_bytes, conditional)
    except TimeoutError:
        raise FetchError("too-slow", f"too slow: {url}: no complete answer within {timeout:g} s (timeout)") from None


async def _follow(session: aiohttp.ClientSession, guard: AddressGuard, start: URL, max_bytes: int,
                  conditional: dict[str, str]) -> Fetched:
    url, previous = start, None
    for hop in range(MAX_REDIRECTS + 1):
        note = _hop_note(hop, previous)
        if url.scheme not in ("http", "https") or not url.host:
            raise FetchError("redirect", f"refused: {url}{note}: only http and https addresses are fetched")
        try:
            guard.check_literal(url.host, url.port)
        except PrivateAddressError as exc:
            raise _refused(url, note, exc) from None
        try:
            async with session.get(url, allow_redirects=False, headers=conditional) as resp:
                if resp.status in REDIRECT_CODES:
                    location = resp.headers.get("Location")
                    if not location:
                        raise FetchError("http", f"HTTP {resp.status} from {url}{note} without a Location")
                    try:
                        url, previous = url.join(URL(location)).with_fragment(None), url
                    except ValueError:
                        raise FetchError("redirect", f"HTTP {resp.status} from {url}{note}: bad Location {location[:200]!r}") from None
                    continue
                etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
                if resp.status == 304 and conditional:
                    return Fetched(str(url), None, etag or conditional.get("If-None-Match"),
                                   modified or conditional.get("If-Modified-Since"))
                if resp.status != 200:
                    raise FetchError("http", f"HTTP {resp.status} {resp.reason or ''}".rstrip() + f" from {url}{note}")
                body = await _read_bounded(resp, url, max_bytes)
                return Fetched(str(url), body, etag, modified)
        except (aiohttp.ClientError, OSError) as exc:
            raise _network_error(url, note, exc) from None
    raise FetchError("redirect", f"too many redirects: more than {MAX_REDIRECTS} from {start}")


async def _read_bounded(resp: aiohttp.ClientResponse, url: URL, max_bytes: int) -> bytes:
    declared = resp.content_length
    if declared is not None and declared > max_bytes:
        raise FetchError("too-big", f"too big: {url} says it is {declared:,} bytes; the limit is {max_bytes:,} (max_bytes)")
    chunks: list[bytes] = []
    size = 0
    while chunk := await resp.content.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError("too-big", f"too big: {url} sent more than {max_bytes:,} bytes (max_bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url: str, *, allow_hosts: list[str] | tuple[str, ...] = (), max_bytes: int, timeout: float,
          etag: str | None = None, last_modified: str | None = None) -> Fetched:
    """:func:`fetch_async` from synchronous code."""
    return asyncio.run(fetch_async(url, allow_hosts=allow_hosts, max_bytes=max_bytes, timeout=timeout,
                                   etag=etag, last_modified=last_modified))
