"""Concurrency helpers for the engine: a two-queue semaphore and host interleaving."""

from __future__ import annotations

import asyncio
import collections
import re
from collections.abc import Iterable

from yarl import URL


class Limiter:
    """A semaphore with two queues: requests that continue a URL already begun (the next redirect
    hop, a retry, a GET after a HEAD) go before a new URL's first request. URLs then finish soon
    after they start (a bounded number are in progress), and what a host taught (a pause, that it
    refuses HEAD) is learnt early in a run.
    """

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._urgent: collections.deque[asyncio.Future[None]] = collections.deque()
        self._normal: collections.deque[asyncio.Future[None]] = collections.deque()

    async def acquire(self, urgent: bool) -> None:
        if self._free > 0 and not self._urgent and not self._normal:
            self._free -= 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._normal
        queue.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # the slot was handed over just as we were cancelled
            elif fut in queue:  # a release() in between may have dropped the cancelled future already
                queue.remove(fut)
            raise

    def release(self) -> None:
        for queue in (self._urgent, self._normal):
            while queue:
                fut = queue.popleft()
                if not fut.done():
                    fut.set_result(None)  # hand the slot over directly
                    return
        self._free += 1


_AUTHORITY = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?(\[[^\]/?#]*\]|[^:/?#]*)")


def _host_key(url: str) -> str:
    """The host of a URL, for grouping only: a plain reading of the authority (parsing every URL
    with yarl here cost as much as a tenth of the engine's own time); odd URLs fall back to yarl."""
    match = _AUTHORITY.match(url)
    if match and match.group(1).isascii() and "%" not in match.group(1):
        return match.group(1).lower().rstrip(".")
    try:
        return (URL(url).host or "").rstrip(".")
    except (ValueError, TypeError):
        return ""


def interleave_hosts(urls: Iterable[str]) -> list[str]:
    """Round-robin over hosts (first-seen order within each), so work spreads across hosts."""
    by_host: dict[str, collections.deque[str]] = {}
    for url in urls:
        by_host.setdefault(_host_key(url), collections.deque()).append(url)
    out: list[str] = []
    queues = list(by_host.values())
    while queues:
        for queue in queues:
            out.append(queue.popleft())
        queues = [q for q in queues if q]
    return out
