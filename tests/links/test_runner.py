"""One run: the order URLs are fetched in, and the state handed out while the run goes on."""

from __future__ import annotations

from datetime import UTC, datetime

from openshelf.links.check import CheckOptions
from openshelf.links.extract import Target
from openshelf.links.guard import AddressGuard
from openshelf.links.rules import LinkRules
from openshelf.links.runner import run_check_sync
from openshelf.links.store import LinkState
from openshelf.links.verdict import Verdict

ONE_AT_A_TIME = CheckOptions(concurrency=1, per_host=1, timeout=3, retries=0)


def run(urls, states, **kw):  # type: ignore[no-untyped-def]
    return run_check_sync([Target(u) for u in urls], states, ONE_AT_A_TIME, LinkRules(),
                          AddressGuard.from_options(["127.0.0.1"]), **kw)


def test_least_recently_checked_go_first(server):
    urls = [server.url(f"/ok?order={name}") for name in ("week", "never", "month", "yesterday")]
    states = {
        urls[0]: LinkState(last_checked=datetime(2026, 11, 21, tzinfo=UTC), last_verdict=Verdict.OK),
        urls[2]: LinkState(last_checked=datetime(2026, 10, 28, tzinfo=UTC), last_verdict=Verdict.OK),
        urls[3]: LinkState(last_checked=datetime(2026, 11, 27, tzinfo=UTC), last_verdict=Verdict.OK),
    }
    server.log.clear()
    results, _, _ = run(urls, states)
    assert [q for _, _, _, q in server.log] == ["order=never", "order=month", "order=week", "order=yesterday"]
    assert [r.url for r in results] == urls  # reported in the guide's order
    assert [r.verdict for r in results] == ["ok"] * 4


def test_the_state_is_handed_out_every_n_results(server):
    urls = [server.url(f"/ok?checkpoint={i}") for i in range(7)]
    seen: list[set[str]] = []
    _, final, summary = run(urls, {}, checkpoint=lambda states: seen.append(set(states)), checkpoint_every=3)
    assert [len(s) for s in seen] == [3, 6]  # a run killed now loses at most 3 results
    assert seen[0] < seen[1] < set(final) == set(urls)
    assert summary.fetched == 7
