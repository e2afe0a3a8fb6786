"""The state file: what the checker remembers about each URL between runs.

Format (``guides/_state/links.json``, sorted for small diffs)::

    {"version": 1,
     "links": {"https://example.org/": {"last_checked": "2026-11-22T02:00:00Z",
                                        "last_ok": "2026-11-22T02:00:00Z",
                                        "first_failure": null, "consecutive_failures": 0,
                                        "last_verdict": "ok", "last_status": 200, ...}}}

(``last_cut_off`` is written only for a URL whose last check a deadline ended midway.)

Written atomically (a temp file in the same folder, fsync, ``os.replace``), so an interrupted
run leaves the old file whole; a run writes it every so many results too (:class:`StateWriter`,
which serialises each record once, so those writes stay cheap however many URLs there are). A file
that cannot be read is an error, never silently reset.

The site build reads this file (never the network): :func:`load_state`, :func:`status_for`
and :func:`wayback_url` are the pure helpers the renderer uses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openshelf.errors import ConfigError
from openshelf.fsutil import write_atomic

from .verdict import FAILING, WORKING, Verdict

STATE_VERSION = 1


def default_state_file(guides: Path = Path("guides")) -> Path:
    """Where a guide's link state lives unless ``--state`` says otherwise: ``GUIDES/_state/links.json``."""
    return guides / "_state" / "links.json"


class StateError(ConfigError):
    """The state file exists but cannot be read or written (exit 2)."""


@dataclass
class LinkState:
    """What is remembered about one URL. Times are aware UTC datetimes (ISO 8601 with Z on disk).

    ``last_verdict`` is the verdict as reported, after the N-runs policy: a transient failure
    that lasted N runs is stored as ``broken``, so the site shows what CI reported.
    """

    last_checked: datetime | None = None
    last_ok: datetime | None = None
    first_failure: datetime | None = None
    consecutive_failures: int = 0
    last_verdict: Verdict | None = None
    last_status: int | None = None
    last_error: str | None = None
    final_url: str | None = None
    redirect_to: str | None = None
    #: when a run's deadline (or a signal) last ended its check midway, a request already sent; None once a check
    #: finishes. Such a URL goes after the ones no run has tried (see :func:`fetch_order`). Written only when set.
    last_cut_off: datetime | None = None

    def is_fresh(self, max_age: timedelta | None, now: datetime | None = None) -> bool:
        """Checked OK within ``max_age``: a run may skip it."""
        if max_age is None or self.last_verdict not in WORKING or self.last_ok is None:
            return False
        return (now or utcnow()) - self.last_ok < max_age


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_time(when: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, to the second."""
    if when is None:
        return None
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(text: str | datetime | None) -> datetime | None:
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=UTC)
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# --- read and write ---------------------------------------------------------

_FIELDS = {f.name for f in fields(LinkState)}
_TIMES = ("last_checked", "last_ok", "first_failure", "last_cut_off")
_WRITTEN_WHEN_SET = ("last_cut_off",)  # a field added later: a record without it is written as before


def _record(state: LinkState) -> dict[str, Any]:
    raw = asdict(state)
    for name in _TIMES:
        raw[name] = format_time(raw[name])
    for name in _WRITTEN_WHEN_SET:
        if raw[name] is None:
            del raw[name]
    return raw


def load_state(path: Path | str) -> dict[str, LinkState]:
    """The state per URL; an absent file is an empty state; a corrupt one raises StateError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError(f"{path}: cannot read the link state file: {exc}") from None
    hint = "fix it, restore it from git (git checkout -- FILE) or delete it to start afresh"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StateError(f"{path}:{exc.lineno}:{exc.colno}: the link state file is not valid JSON ({exc.msg}); {hint}") from None
    if not isinstance(data, dict) or not isinstance(data.get("links"), dict):
        raise StateError(f"{path}: the link state file has no 'links' mapping; {hint}")
    if data.get("version") != STATE_VERSION:
        raise StateError(f"{path}: unknown link state version {data.get('version')!r} (expected {STATE_VERSION})")
    states: dict[str, LinkState] = {}
    for url, raw in data["links"].items():
        if not isinstance(raw, dict) or not set(raw) <= _FIELDS:
            raise StateError(f"{path}: bad record for {url!r}; {hint}")
        try:
            state = LinkState(**raw)
            for name in _TIMES:
                value = getattr(state, name)
                if value is not None and (not isinstance(value, str) or parse_time(value) is None):
                    raise TypeError(f"{name} is not an ISO 8601 time: {value!r}")
                setattr(state, name, parse_time(value))
        except TypeError as exc:
            raise StateError(f"{path}: bad record for {url!r}: {exc}") from None
        if not isinstance(state.consecutive_failures, int) or state.consecutive_failures < 0:
            raise StateError(f"{path}: bad consecutive_failures for {url!r}")
        if state.last_verdict is not None:
            try:
                state.last_verdict = Verdict(state.last_verdict)
            except ValueError:
                raise StateError(f"{path}: bad last_verdict for {url!r}: {state.last_verdict!r} is not one of "
                                 f"{', '.join(Verdict)}") from None
        states[url] = state
    return states


def _record_text(url: str, state: LinkState) -> str:
    """One ``"url": {...}`` member of the ``links`` mapping, indented as in the whole document."""
    record = json.dumps(_record(state), ensure_ascii=False, indent=1, sort_keys=True).replace("\n", "\n  ")
    return f"  {json.dumps(url, ensure_ascii=False)}: {record}"


def _document(members: list[str]) -> str:
    """The state document around its sorted ``links`` members: what ``json.dumps(indent=1, sort_keys=True)`` writes."""
    links = "{\n" + ",\n".join(members) + "\n }" if members else "{}"
    return f'{{\n "links": {links},\n "version": {STATE_VERSION}\n}}\n'


def dump_state(states: dict[str, LinkState]) -> str:
    return _document([_record_text(url, states[url]) for url in sorted(states)])


def save_state(path: Path | str, states: dict[str, LinkState]) -> None:
    """Write atomically (a temp file beside the target, then a rename); StateError when it cannot."""
    StateWriter(path).write(states)


class StateWriter:
    """Writes one state file again and again during a run (every so many results, and at the end).

    Each record is serialised once and kept until its :class:`LinkState` is replaced by another
    object (the runner never changes a record it has handed in; it makes a new one), so a write
    costs a sort and a join, not a full encoding: writing a 50,000-URL state every 500 results
    stays cheap.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._texts: dict[str, tuple[LinkState, str]] = {}

    def write(self, states: Mapping[str, LinkState]) -> None:
        """Write atomically (a temp file beside the target, then a rename); StateError when it cannot."""
        members = []
        for url in sorted(states):
            state = states[url]
            known = self._texts.get(url)
            if known is None or known[0] is not state:
                known = self._texts[url] = (state, _record_text(url, state))
            members.append(known[1])
        try:
            write_atomic(self.path, _document(members))
        except OSError as exc:
            raise StateError(f"{self.path}: cannot write the link state file: {exc.strerror or exc}") from None


# --- update and merge -------------------------------------------------------


def updated(prev: LinkState | None, verdict: Verdict, checked_at: str | datetime, status: int | None = None,
            error: str | None = None, final_url: str | None = None, redirect_to: str | None = None) -> LinkState | None:
    """The state after one check; None when nothing was fetched (skipped)."""
    if verdict == Verdict.SKIPPED:
        return prev
    when = parse_time(checked_at)
    state = LinkState(**asdict(prev)) if prev else LinkState()
    state.last_checked = when
    state.last_verdict = verdict
    state.last_status = status
    state.last_error = error
    state.final_url = final_url
    state.redirect_to = redirect_to
    state.last_cut_off = None
    if verdict in WORKING:
        state.last_ok = when
        state.first_failure = None
        state.consecutive_failures = 0
    elif verdict in FAILING:
        state.consecutive_failures += 1
        state.first_failure = state.first_failure or when
    # blocked: the page is probably alive; the failure streak neither grows nor resets
    return state


def cut_off(state: LinkState | None, when: datetime) -> LinkState:
    """The record of a URL whose check a run's deadline (or a signal) ended midway at ``when``: as it was, and when."""
    return replace(state or LinkState(), last_cut_off=when)


def last_checked(state: LinkState | None) -> datetime:
    """When a URL was last checked; the earliest time for one never checked (so it sorts first)."""
    if state is None or state.last_checked is None:
        return _EPOCH
    return state.last_checked


def fetch_order(state: LinkState | None) -> tuple[datetime, bool]:
    """A URL's place in a run, smallest first: least recently tried first, where a check a deadline cut off
    counts as tried (else the same hanging URLs, never finished, would come first and eat every run's time);
    URLs no run has tried come first of all, and at the same time a cut-off check goes after a finished one."""
    tried = last_checked(state)
    if state is not None and state.last_cut_off is not None and state.last_cut_off >= tried:
        return state.last_cut_off, True
    return tried, False


def merge_states(*parts: dict[str, LinkState]) -> dict[str, LinkState]:
    """Merge shard states: for each URL, the most recently checked record wins (with the latest cut-off of any)."""
    merged: dict[str, LinkState] = {}
    for part in parts:
        for url, state in part.items():
            have = merged.get(url)
            if have is None:
                merged[url] = state
                continue
            win, other = (state, have) if last_checked(state) > last_checked(have) else (have, state)
            if other.last_cut_off is not None and fetch_order(other) > fetch_order(win):
                win = replace(win, last_cut_off=other.last_cut_off)
            merged[url] = win
    return merged


_EPOCH = datetime.min.replace(tzinfo=UTC)


# --- for the site -----------------------------------------------------------


@dataclass(frozen=True)
class SiteStatus:
    """What the site shows for one URL."""

    last_checked: str  # YYYY-MM-DD
    broken: bool
    unreachable_since: str | None  # YYYY-MM-DD, when broken
    verdict: Verdict | None
    redirect_to: str | None  # for curators only; readers see nothing


def status_for(states: Mapping[str, LinkState], url: str) -> SiteStatus | None:
    """The site's view of a URL, or None when it has never been checked.

    Broken is what the last run reported (the runner has already applied the N-runs policy
    with the guide's own ``transient_runs_before_broken``), so the site and CI agree.
    """
    state = states.get(url)
    if state is None or state.last_checked is None:
        return None
    broken = state.last_verdict == Verdict.BROKEN
    since = (state.first_failure or state.last_checked) if broken else None
    return SiteStatus(
        last_checked=state.last_checked.date().isoformat(),
        broken=broken,
        unreachable_since=since.date().isoformat() if since else None,
        verdict=state.last_verdict,
        redirect_to=state.redirect_to,
    )


def wayback_url(url: str) -> str:
    """The Internet Archive's address for the latest copy of a URL."""
    return "https://web.archive.org/web/" + url
