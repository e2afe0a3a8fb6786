"""The verdict on one URL: one type for the checker, the runner, the state file, the reports and the site.

A :class:`Verdict` is a ``str`` (an ``enum.StrEnum``), so it is written to JSON and the state file
as its plain value (``"ok"``, ``"broken"`` …) and compares equal to it.
"""

from __future__ import annotations

from enum import StrEnum


class Verdict(StrEnum):
    OK = "ok"
    """2xx, or a status a host rule accepts; temporary redirects are followed silently."""
    REDIRECTED = "redirected"
    """The URL answers through a permanent redirect (301, 308): update the guide."""
    BROKEN = "broken"
    """Definite (404, 410, a soft 404, no such name, refused, a redirect loop), or transient for N runs."""
    TRANSIENT = "transient"
    """A bad day: timeout, reset, 5xx, 429, 408, another 4xx, TLS trouble; or a guessed soft 404 (note ``soft 404: …``)."""
    BLOCKED = "blocked"
    """Bot protection (a challenge, 401, 403, 999): a person should look."""
    SKIPPED = "skipped"
    """Not fetched: excluded, not http(s), a private address, an entry marked login-required or skip, or not
    finished before the run's deadline (note ``deadline``)."""


#: The verdicts that mean the URL works (the failure streak resets).
WORKING = frozenset({Verdict.OK, Verdict.REDIRECTED})
#: The verdicts that lengthen a failure streak.
FAILING = frozenset({Verdict.BROKEN, Verdict.TRANSIENT})
#: Most urgent first: the order of the text report and the summary line.
BY_URGENCY = (Verdict.BROKEN, Verdict.TRANSIENT, Verdict.BLOCKED, Verdict.REDIRECTED, Verdict.SKIPPED, Verdict.OK)
