"""The text report's lines: each says a status once, and what the host asked for."""

from __future__ import annotations

from openshelf.links.extract import Occurrence, Target
from openshelf.links.report import format_text
from openshelf.links.runner import Result, RunSummary
from openshelf.links.verdict import Verdict

PLACE = [Occurrence("guides/databases.yml", 7, "e")]


def line(result: Result) -> str:
    summary = RunSummary(total=1)
    summary.counts[result.verdict] += 1
    return format_text([result], summary).splitlines()[0]


def test_a_status_the_error_already_names_is_not_said_twice() -> None:
    limited = Result(Target("https://a.example.org/", PLACE), Verdict.TRANSIENT, status=429,
                     error="HTTP 429; Retry-After 120s exceeds the 60s limit")
    assert line(limited) == ("guides/databases.yml:7: entry 'e': transient: HTTP 429; Retry-After 120s exceeds the 60s limit "
                             "<https://a.example.org/>")
    soft = Result(Target("https://b.example.org/x", PLACE), Verdict.TRANSIENT, status=200,
                  error="soft 404? HTTP 200, but the page's title says 'Page not found'")
    assert "HTTP 200; soft 404?" not in line(soft) and "transient: soft 404? HTTP 200, but" in line(soft)
    plain = Result(Target("https://c.example.org/", PLACE), Verdict.BROKEN, status=404, error="HTTP 404")
    assert "broken: HTTP 404 <" in line(plain)


def test_the_hosts_request_to_wait_is_in_the_text_line() -> None:
    waited = Result(Target("https://a.example.org/", PLACE), Verdict.TRANSIENT, status=429, error="HTTP 429",
                    note="the host asked to wait (Retry-After 2s): paused it")
    assert "transient: HTTP 429; the host asked to wait (Retry-After 2s): paused it <" in line(waited)


def test_one_url_and_one_request_are_counted_in_the_singular() -> None:
    """The summary line said '1 URLs: 1 ok; 1 requests in 0.0s'."""
    ok = Result(Target("https://a.example.org/", PLACE), Verdict.OK, status=200)
    summary = RunSummary(total=1, requests=1)
    summary.counts[Verdict.OK] += 1
    assert format_text([ok], summary).splitlines()[-1] == "1 URL: 1 ok; 1 request in 0.0s"
    summary = RunSummary(total=2, requests=3)
    summary.counts[Verdict.OK] += 2
    assert format_text([ok, ok], summary).splitlines()[-1] == "2 URLs: 2 ok; 3 requests in 0.0s"
