"""One link-check run: targets + state + options -> results and the new state.

This is where the policy meets the memory: entries marked ``login-required`` or ``skip`` are
not fetched, URLs checked OK within ``max_age`` are not fetched again (their last result is
reported with ``cached: true``), and a transient failure that has lasted
``transient_runs_before_broken`` consecutive runs is reported as ``broken``.

Trust (``openshelf links --trust-sources MAXAGE``): a subscribed entry's URL that its source's
export says was working when checked within MAXAGE is not fetched either; it is reported with the
source's verdict and the note ``trusted: checked by source ID on DATE``, and its state is left as it
was.  A URL whose local record is failing is always fetched: the source's word never hides a break.

Bounded: with a ``deadline`` the URLs not finished by then are reported ``skipped`` (note
``deadline``; one the state knows is broken stays ``broken``, from the state) and their state is left
as it was, but for when the deadline ended a check midway (``last_cut_off``).  URLs are fetched least
recently tried first (never tried first of all; a check the deadline ended midway counts as tried), so
the next run begins with the URLs this one did not reach, and URLs that hang every time go after the
others instead of eating every run's time: each run makes progress.  The new state is handed to
``checkpoint`` every ``checkpoint_every`` results, so a killed run loses at most that many.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp.abc import AbstractResolver

from .check import Checker, CheckOptions, Outcome, now_iso
from .extract import Target
from .guard import AddressGuard
from .rules import LinkRules
from .store import LinkState, cut_off, fetch_order, format_time, updated, utcnow, wayback_url
from .verdict import FAILING, WORKING, Verdict

if TYPE_CHECKING:
    from openshelf.guide.load import Guide


@dataclass
class Result:
    target: Target
    verdict: Verdict
    status: int | None = None
    final_url: str | None = None
    error: str | None = None
    elapsed_ms: int = 0
    checked_at: str | None = None
    redirect_to: str | None = None
    cached: bool = False
    attempts: int = 0
    raw_verdict: Verdict | None = None  # before the N-runs policy
    consecutive_failures: int = 0
    first_failure: str | None = None
    note: str | None = None
    trusted: bool = False  # not fetched: a source's recent check was trusted (the note says whose)

    @property
    def url(self) -> str:
        return self.target.url

    @property
    def archive_url(self) -> str | None:
        """The entry's own archived copy, else the Wayback Machine's address (suggested)."""
        if self.verdict not in FAILING:
            return None
        return self.target.archive_url or wayback_url(self.url)

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "verdict": self.verdict,
            "status": self.status,
            "final_url": self.final_url,
            "error": self.error,
            "elapsed_ms": self.elapsed_ms,
            "checked_at": self.checked_at,
            "occurrences": [o.as_json() for o in self.target.occurrences],
            "redirect_to": self.redirect_to,
            "archive_url": self.archive_url,
            "cached": self.cached,
            "attempts": self.attempts,
            "raw_verdict": self.raw_verdict or self.verdict,
            "consecutive_failures": self.consecutive_failures,
            "first_failure": self.first_failure,
            "note": self.note,
        }


@dataclass
class RunSummary:
    total: int = 0
    counts: Counter[Verdict] = field(default_factory=Counter)
    fetched: int = 0
    cached: int = 0
    trusted: int = 0
    requests: int = 0
    elapsed_s: float = 0.0
    shard: str | None = None
    interrupted: str | None = None  # the signal that ended the run early (SIGINT, SIGTERM)

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            **{v.value: self.counts.get(v, 0) for v in Verdict},
            "fetched": self.fetched,
            "cached": self.cached,
            "trusted": self.trusted,
            "requests": self.requests,
            "elapsed_s": round(self.elapsed_s, 3),
            "shard": self.shard,
            "interrupted": self.interrupted,
        }


# --- sharding ---------------------------------------------------------------


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` with 1 <= I <= N -> (I, N); ValueError otherwise."""
    try:
        i_text, n_text = text.split("/")
        i, n = int(i_text), int(n_text)
    except ValueError:
        raise ValueError(f"{text!r} is not a shard such as 1/4") from None
    if not 1 <= i <= n:
        raise ValueError(f"shard {text!r}: I must be between 1 and N")
    return i, n


def shard_of(url: str, n: int) -> int:
    """The stable shard (1..N) of a URL: by hash, the same on every machine and run."""
    digest = hashlib.sha256(url.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n + 1


# --- the run ----------------------------------------------------------------

#: A run hands its state to ``checkpoint`` every this many results (the CLI writes the state file).
CHECKPOINT_EVERY = 500
DEADLINE_NOTE = "deadline"
INTERRUPTED_NOTE = "interrupted"
#: The signals that end a run early, as its deadline would: the results so far are kept and reported.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.asynccontextmanager
async def _stopped_by_signals(checker: Checker) -> AsyncIterator[list[str]]:
    """While inside, SIGINT or SIGTERM ends ``checker``'s run as its deadline would (and a second one acts as usual:
    the handlers are gone); yields a list that then holds the signal's name."""
    loop = asyncio.get_running_loop()
    caught: list[str] = []

    def stop(sig: signal.Signals) -> None:
        caught.append(sig.name)
        for other in STOP_SIGNALS:
            loop.remove_signal_handler(other)
        checker.stop()

    installed = []
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, stop, sig)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no such support
            pass
    try:
        yield caught
    finally:
        if not caught:
            for sig in installed:
                loop.remove_signal_handler(sig)


@dataclass(frozen=True)
class SourceCheck:
    """What a subscribed entry's source reported about its URL: the source's id and its verdict."""

    source: str
    verdict: Verdict
    checked: datetime
    status: int | None = None

    @property
    def note(self) -> str:
        return f"trusted: checked by source {self.source} on {self.checked.date().isoformat()}"


def source_checks(guide: Guide, max_age: timedelta, now: datetime | None = None) -> dict[str, SourceCheck]:
    """The URLs a run may trust its sources for: those a subscribed entry's source found working within
    ``max_age``; pure."""
    now = now or utcnow()
    checks: dict[str, SourceCheck] = {}
    for entry in guide.entries:
        origin = guide.origins.get(entry.id)
        if entry.url is None or origin is None or origin.source is None or origin.health is None:
            continue
        health = origin.health
        if health.checked is None or health.verdict not in WORKING or now - health.checked > max_age:
            continue
        checks[entry.url] = SourceCheck(health.by or origin.source, Verdict(health.verdict), health.checked, health.status)
    return checks


def _from_source(target: Target, check: SourceCheck) -> Result:
    return Result(target, check.verdict, status=check.status, checked_at=format_time(check.checked), note=check.note, trusted=True)


def _from_state(target: Target, state: LinkState) -> Result:
    return Result(target, state.last_verdict or Verdict.OK, status=state.last_status, final_url=state.final_url,
                  checked_at=format_time(state.last_checked), redirect_to=state.redirect_to, cached=True,
                  consecutive_failures=state.consecutive_failures, first_failure=format_time(state.first_failure))


async def run_check(
    targets: list[Target],
    states: dict[str, LinkState],
    options: CheckOptions,
    rules: LinkRules,
    guard: AddressGuard,
    max_age: timedelta | None = None,
    resolver: AbstractResolver | None = None,
    deadline: float | None = None,
    checkpoint: Callable[[dict[str, LinkState]], None] | None = None,
    checkpoint_every: int = CHECKPOINT_EVERY,
    trusted: dict[str, SourceCheck] | None = None,
) -> tuple[list[Result], dict[str, LinkState], RunSummary]:
    """Check targets; return results (in target order), the new state and a summary.

    ``trusted``: URLs whose sources' checks stand in for a fetch (:func:`source_checks`), unless the
    local state's record of the URL is failing.

    ``deadline``: a ``time.monotonic()`` value; URLs not finished by then are reported skipped.
    ``checkpoint``: called with the new state every ``checkpoint_every`` results.
    """
    started = time.monotonic()
    summary = RunSummary(total=len(targets))
    results: dict[str, Result] = {}
    to_fetch: list[Target] = []
    for target in targets:
        mode = target.link_check
        if mode != "normal":
            why = "entry marked link_check: login-required (checkable only behind a login)" if mode == "login-required" \
                else "entry marked link_check: skip"
            results[target.url] = Result(target, Verdict.SKIPPED, error=why, checked_at=now_iso())
            continue
        state = states.get(target.url)
        if state is not None and state.is_fresh(max_age):
            results[target.url] = _from_state(target, state)
            summary.cached += 1
            continue
        check = (trusted or {}).get(target.url)
        if check is not None and (state is None or state.last_verdict not in FAILING):
            results[target.url] = _from_source(target, check)
            summary.trusted += 1
            continue
        to_fetch.append(target)

    new_states = dict(states)
    n_runs = rules.transient_runs_before_broken
    by_url = {t.url: t for t in to_fetch}
    # One request per address as sent: a fragment never reaches the server, so …/article#one and …/article#two are
    # fetched once and each gets that result (and its own state record).
    sharing: dict[str, list[str]] = {}
    for url in by_url:
        sharing.setdefault(url.partition("#")[0], []).append(url)

    def record(url: str, outcome: Outcome) -> None:
        target = by_url[url]
        state = updated(new_states.get(url), outcome.verdict, outcome.checked_at, outcome.status,
                        outcome.error, outcome.final_url, outcome.redirect_to)
        verdict, error = outcome.verdict, outcome.error
        streak = state.consecutive_failures if state else 0
        if state is not None and verdict == Verdict.TRANSIENT and streak >= n_runs:
            verdict = Verdict.BROKEN
            since = state.first_failure.date().isoformat() if state.first_failure else "?"
            error = f"failing for {streak} consecutive runs (since {since}): {error}"
            state.last_verdict, state.last_error = verdict, error  # the site shows what CI reported
        if state is not None:
            new_states[url] = state
        results[url] = Result(
            target, verdict, status=outcome.status, final_url=outcome.final_url, error=error,
            elapsed_ms=outcome.elapsed_ms, checked_at=outcome.checked_at, redirect_to=outcome.redirect_to,
            attempts=outcome.attempts, raw_verdict=outcome.verdict, consecutive_failures=streak,
            first_failure=format_time(state.first_failure) if state else None, note=outcome.note,
        )
        summary.fetched += 1
        if checkpoint is not None and summary.fetched % checkpoint_every == 0:
            checkpoint(new_states)

    def record_each(sent: str, outcome: Outcome) -> None:
        for url in sharing[sent]:
            record(url, outcome)

    if to_fetch:
        sent: set[str] = set()
        async with Checker(options, rules, guard, resolver=resolver) as checker, _stopped_by_signals(checker) as caught:
            # least recently tried first (never tried first of all), so what a deadline did not reach goes first next
            # time, and what it ended midway goes after the URLs no run has tried (see fetch_order)
            await checker.check_many(list(sharing), on_result=record_each, deadline=deadline, sent=sent,
                                     first=lambda key: min(fetch_order(states.get(u)) for u in sharing[key]))
            summary.requests = checker.request_count
        summary.interrupted = caught[0] if caught else None
        ended = utcnow()
        for key in sent:
            for url in sharing[key]:
                if url not in results:  # begun, a request sent, and ended midway by the deadline or a signal
                    new_states[url] = cut_off(new_states.get(url), ended)
    why, note = ("the run was interrupted", INTERRUPTED_NOTE) if summary.interrupted else ("the run's deadline ran out", DEADLINE_NOTE)
    for target in to_fetch:
        if target.url not in results:
            state = states.get(target.url)
            if state is not None and state.last_verdict == Verdict.BROKEN:
                # Known broken and not re-checked: still broken as far as anyone knows (the exit status and the
                # "Broken links" issue keep it), said to come from the state.
                kept = _from_state(target, state)
                kept.error = f"{state.last_error or 'broken'} (not re-checked: {why})"
                kept.note = note
                results[target.url] = kept
            else:
                results[target.url] = Result(target, Verdict.SKIPPED, error=f"not checked: {why}", note=note)

    ordered = [results[t.url] for t in targets]
    summary.counts.update(r.verdict for r in ordered)
    summary.elapsed_s = time.monotonic() - started
    return ordered, new_states, summary


def run_check_sync(*args: Any, **kwargs: Any) -> tuple[list[Result], dict[str, LinkState], RunSummary]:
    """Run :func:`run_check` on a new event loop (uvloop's when it is installed: less CPU per request)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(run_check(*args, **kwargs))
    return uvloop.run(run_check(*args, **kwargs))
