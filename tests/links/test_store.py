"""The state file: atomic writes, corrupt files, the N-runs policy, merge, site helpers."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from openshelf import fsutil
from openshelf.links.store import (
    LinkState,
    StateError,
    StateWriter,
    cut_off,
    default_state_file,
    fetch_order,
    load_state,
    merge_states,
    save_state,
    status_for,
    updated,
    wayback_url,
)
from openshelf.links.verdict import Verdict


def T(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


def test_missing_file_is_an_empty_state(tmp_path):
    assert load_state(tmp_path / "nope.json") == {}


def test_round_trip(tmp_path):
    path = tmp_path / "_state" / "links.json"
    states = {"https://b.example/": LinkState(last_checked=T(2), last_ok=T(2), last_verdict="ok", last_status=200),
              "https://a.example/": LinkState(last_checked=T(1), first_failure=T(1), last_verdict="broken",
                                              consecutive_failures=2)}
    save_state(path, states)
    assert load_state(path) == states
    text = path.read_text()
    assert "last_cut_off" not in text  # written only when set, so a file is as it was unless a deadline cut a check off
    states["https://c.example/"] = cut_off(None, T(3))
    save_state(path, states)
    assert load_state(path) == states
    assert text.index("https://a.example/") < text.index("https://b.example/")  # sorted: small diffs
    assert [p.name for p in path.parent.iterdir()] == ["links.json"]  # no temp file left
    assert '"last_checked": "2026-01-02T00:00:00Z"' in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"version": 1, "links": {', "not valid JSON"),
        ("[]", "no 'links' mapping"),
        ('{"version": 9, "links": {}}', "unknown link state version"),
        ('{"version": 1, "links": {"u": {"nonsense": 1}}}', "bad record for 'u'"),
        ('{"version": 1, "links": {"u": {"consecutive_failures": -1}}}', "bad consecutive_failures"),
        ('{"version": 1, "links": {"u": {"last_checked": "yesterday"}}}', "last_checked is not an ISO 8601 time"),
        ('{"version": 1, "links": {"u": {"last_verdict": "fine"}}}', "bad last_verdict for 'u': 'fine' is not one of ok,"),
    ],
)
def test_corrupt_file_is_an_error_and_is_kept(tmp_path, text, message):
    path = tmp_path / "links.json"
    path.write_text(text)
    with pytest.raises(StateError, match=message) as info:
        load_state(path)
    assert str(path) in str(info.value)
    assert path.read_text() == text  # never silently discarded


def test_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "links.json"
    old = {"https://a.example/": LinkState(last_verdict="ok")}
    save_state(path, old)
    before = path.read_bytes()

    def interrupted(src, dst):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(fsutil.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_state(path, {"https://b.example/": LinkState(last_verdict="broken")})
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["links.json"]


def test_update_policy():
    s1 = updated(None, "transient", "2026-01-01T00:00:00Z", 503)
    s2 = updated(s1, "transient", "2026-01-08T00:00:00Z", 503)
    s3 = updated(s2, "transient", "2026-01-15T00:00:00Z", None, "timeout")
    assert s3 is not None
    assert (s3.consecutive_failures, s3.first_failure, s3.last_verdict) == (3, T(1), Verdict.TRANSIENT)
    blocked = updated(s3, "blocked", "2026-01-16T00:00:00Z", 403)
    assert blocked.consecutive_failures == 3  # type: ignore[union-attr]
    ok = updated(s3, "ok", "2026-01-22T00:00:00Z", 200)
    assert ok is not None
    assert (ok.consecutive_failures, ok.first_failure, ok.last_ok) == (0, None, T(22))
    assert updated(ok, "skipped", "2026-01-23T00:00:00Z") is ok


def test_freshness():
    now = datetime(2026, 1, 10, tzinfo=UTC)
    s = LinkState(last_ok=T(9), last_verdict="ok")
    assert s.is_fresh(timedelta(days=7), now)
    assert not s.is_fresh(timedelta(hours=12), now)
    assert not s.is_fresh(None, now)
    assert not LinkState(last_ok=T(9), last_verdict="transient").is_fresh(timedelta(days=7), now)


def test_merge_takes_the_latest_record():
    a = {"u": LinkState(last_checked=T(1), last_verdict="ok"), "only-a": LinkState(last_checked=T(1))}
    b = {"u": LinkState(last_checked=T(2), last_verdict="broken"), "only-b": LinkState()}
    merged = merge_states(a, b)
    assert set(merged) == {"u", "only-a", "only-b"}
    assert merged["u"].last_verdict == "broken"
    assert merge_states(b, a)["u"].last_verdict == "broken"


def test_merge_keeps_the_latest_cut_off():
    """A check a deadline ended midway after the last finished one is kept, with the finished record."""
    checked = {"u": LinkState(last_checked=T(2), last_verdict="ok")}
    cut = {"u": LinkState(last_checked=T(1), last_verdict="broken", last_cut_off=T(3))}
    for merged in (merge_states(checked, cut), merge_states(cut, checked)):
        assert (merged["u"].last_verdict, merged["u"].last_cut_off) == ("ok", T(3))
    stale = {"u": LinkState(last_cut_off=T(1))}
    assert merge_states(checked, stale)["u"] == checked["u"]


def test_a_check_ended_midway_goes_after_the_urls_never_tried():
    """fetch_order: never tried first, then least recently tried, where a cut-off check counts as tried (and goes
    after a check finished at the same time); a finished check forgets the cut-off, and files without it read as before."""
    never, checked, cut = None, LinkState(last_checked=T(2)), cut_off(None, T(2))
    assert sorted([cut, checked, never, LinkState(last_checked=T(1))], key=fetch_order) == \
        [never, LinkState(last_checked=T(1)), checked, cut]
    assert cut_off(checked, T(3)) == replace(checked, last_cut_off=T(3))
    assert updated(cut_off(checked, T(3)), Verdict.OK, T(4)).last_cut_off is None  # type: ignore[union-attr]


def test_an_unwritable_state_is_an_error_not_a_traceback(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(StateError, match="cannot write the link state file") as info:
        save_state(tmp_path / "file" / "links.json", {})
    assert info.value.exit_code == 2


def test_default_state_file():
    assert default_state_file(Path("g")) == Path("g/_state/links.json")
    assert default_state_file() == Path("guides/_state/links.json")


def test_status_for_the_site():
    """The site shows what the last run reported: the runner has applied the N-runs policy already."""
    states = {
        "ok": LinkState(last_checked=T(2, 3), last_verdict=Verdict.OK, last_ok=T(2, 3)),
        "dead": LinkState(last_checked=T(9), last_verdict=Verdict.BROKEN, first_failure=T(2), consecutive_failures=2),
        "flaky": LinkState(last_checked=T(9), last_verdict=Verdict.TRANSIENT, first_failure=T(8), consecutive_failures=5),
        "unknown": LinkState(last_checked=T(9)),
    }
    ok = status_for(states, "ok")
    assert ok == store_status("2026-01-02", False, None, Verdict.OK)
    assert status_for(states, "dead") == store_status("2026-01-09", True, "2026-01-02", Verdict.BROKEN)
    assert status_for(states, "flaky") == store_status("2026-01-09", False, None, Verdict.TRANSIENT)
    assert status_for(states, "unknown") == store_status("2026-01-09", False, None, None)
    assert status_for(states, "never") is None
    assert status_for({"x": LinkState(last_verdict=Verdict.BROKEN)}, "x") is None  # never checked


def store_status(checked, broken, since, verdict):  # type: ignore[no-untyped-def]
    from openshelf.links.store import SiteStatus

    return SiteStatus(last_checked=checked, broken=broken, unreachable_since=since, verdict=verdict, redirect_to=None)


def test_wayback_url():
    assert wayback_url("https://a.example/x?y=1") == "https://web.archive.org/web/https://a.example/x?y=1"


def test_state_writer_writes_the_canonical_document_and_follows_replaced_records(tmp_path):
    """What a run writes every N results is byte for byte ``json.dumps(indent=1, sort_keys=True)`` of the
    state, whatever was written before: records serialised earlier are reused only while unchanged."""
    path = tmp_path / "links.json"
    states = {"https://例子.org/\"q\"": LinkState(last_checked=T(2), last_verdict=Verdict.OK, last_error="a\nb"),
              "https://a.org/": LinkState(last_checked=T(1), consecutive_failures=2, last_verdict=Verdict.TRANSIENT)}

    def canonical(states: dict[str, LinkState]) -> str:
        links = {url: json.loads(json.dumps(vars(st), default=str)) for url, st in states.items()}
        for rec in links.values():
            for name in ("last_checked", "last_ok", "first_failure", "last_cut_off"):
                rec[name] = rec[name] and rec[name].replace("+00:00", "Z").replace(" ", "T")
            if rec["last_cut_off"] is None:
                del rec["last_cut_off"]  # written only when set
        return json.dumps({"version": 1, "links": links}, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    writer = StateWriter(path)
    writer.write({})
    assert path.read_text(encoding="utf-8") == canonical({})
    writer.write(states)
    assert path.read_text(encoding="utf-8") == canonical(states)
    states["https://a.org/"] = replace(states["https://a.org/"], last_verdict=Verdict.OK, consecutive_failures=0)
    states["https://b.org/"] = LinkState(last_checked=T(3), last_verdict=Verdict.BROKEN)
    states["https://c.org/"] = LinkState(last_cut_off=T(4))
    writer.write(states)
    assert path.read_text(encoding="utf-8") == canonical(states)
    assert load_state(path) == states
