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

ONE_AT_A_TIME = CheckOptions(concurrency=1, per_host=8, timeout=3, retries=0)  # one queue: the global one


def run(urls, states, allow=("127.0.0.1",), **kw):  # type: ignore[no-untyped-def]
    return run_check_sync([Target(u) for u in urls], states, ONE_AT_A_TIME, LinkRules(),
                          AddressGuard.from_options(list(allow)), **kw)


def test_least_recently_checked_go_first(server):
    urls = [server.url(f"/ok?order={name}") for name in ("week", "never", "month", "yesterday")]
    states = {
        urls[0]: LinkState(last_checked=datetime(2026, 11, 21, tzinfo=UTC), last_verdict=Verdict.OK),
        urls[2]: LinkState(last_checked=datetime(2026, 10, 28, tzinfo=UTC), last_verdict=Verdict.OK),
        urls[3]: LinkState(last_checked=datetime(2026, 11, 27, tzinfo=UTC), last_verdict=Verdict.OK),
    }
    server.log.clear()
    results, _, _ = run(urls, states)
    asked = [q for _, method, path, q in server.log if method == "GET" and path == "/ok"]
    assert asked == ["order=never", "order=month", "order=week", "order=yesterday"]
    assert [r.url for r in results] == urls  # reported in the guide's order
    assert [r.verdict for r in results] == ["ok"] * 4


def test_least_recently_checked_go_first_across_hosts(server, fake_dns):
    """Hosts are interleaved among URLs of the same age only: a URL checked long ago on one host goes
    before a URL checked recently on another."""
    def url(host: str, name: str) -> str:
        return f"http://{host}:{server.port}/ok?order={name}"

    urls = [url("a.test", "a-yesterday"), url("a.test", "a-never"), url("b.test", "b-month"), url("b.test", "b-never")]
    states = {urls[0]: LinkState(last_checked=datetime(2026, 11, 27, tzinfo=UTC), last_verdict=Verdict.OK),
              urls[2]: LinkState(last_checked=datetime(2026, 10, 28, tzinfo=UTC), last_verdict=Verdict.OK)}
    server.log.clear()
    run(urls, states, allow=("a.test", "b.test"), resolver=fake_dns({"a.test": "127.0.0.1", "b.test": "127.0.0.1"}))
    asked = [q for _, method, path, q in server.log if method == "GET" and path == "/ok"]
    assert asked == ["order=a-never", "order=b-never", "order=b-month", "order=a-yesterday"]


def test_the_state_is_handed_out_every_n_results(server):
    urls = [server.url(f"/ok?checkpoint={i}") for i in range(7)]
    seen: list[set[str]] = []
    _, final, summary = run(urls, {}, checkpoint=lambda states: seen.append(set(states)), checkpoint_every=3)
    assert [len(s) for s in seen] == [3, 6]  # a run killed now loses at most 3 results
    assert seen[0] < seen[1] < set(final) == set(urls)
    assert summary.fetched == 7


def test_addresses_that_differ_only_by_fragment_are_fetched_once(server):
    """A fragment never reaches the server: …/ok?x#one and …/ok?x#two are one request, and each gets its result
    and its own state record."""
    urls = [server.url("/ok?fragments=1#one"), server.url("/ok?fragments=1#two"), server.url("/ok?fragments=1")]
    server.log.clear()
    results, states, _ = run(urls, {})
    assert [method for _, method, path, _ in server.log if path == "/ok"] == ["GET"]  # once
    assert [r.url for r in results] == urls and [r.verdict for r in results] == ["ok"] * 3
    assert set(states) == set(urls)
