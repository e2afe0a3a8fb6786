"""The connection pool: aiohttp's connector, with each kept-alive connection vetted before it is used again.

A server can poison its own kept-alive connections: an answer nobody asked for (a second response after
the first, a late error page) that arrives while the connection waits in the pool is read by the next
request sent on it as that request's answer, and a good URL gets another URL's 404. aiohttp parses
what arrives on an idle connection and keeps it; it drops a connection whose answer was not cleanly
framed only when the extra bytes come before the answer is released. So, as urllib3 and libcurl do
with a pooled connection that has become readable, a connection that received anything while it was
idle is closed here, and the request goes on another one (or a new one).

What this cannot see: an unrequested answer that arrives after the next request went out, which no
HTTP/1.1 client can tell from the real one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp

if TYPE_CHECKING:
    from aiohttp.client_reqrep import ClientRequest
    from aiohttp.connector import Connection
    from aiohttp.tracing import Trace

#: At most this many poisoned connections are dropped for one request; then the last one is used
#: (a server that talks first on every new connection would otherwise be tried forever).
DROP_LIMIT = 8


class VettedConnector(aiohttp.TCPConnector):
    """A :class:`aiohttp.TCPConnector` that never hands out a connection holding data nobody asked for."""

    async def connect(self, req: ClientRequest, traces: list[Trace], timeout: aiohttp.ClientTimeout) -> Connection:
        for _ in range(DROP_LIMIT):
            conn = await super().connect(req, traces, timeout)
            protocol = conn.protocol
            # should_close: an answer or bytes are buffered, or the last answer's body never ended
            if protocol is None or not protocol.should_close:
                return conn
            conn.close()
        return await super().connect(req, traces, timeout)
