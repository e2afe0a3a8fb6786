"""``openshelf links --trust-sources MAXAGE``: a subscribed entry's URL that its source found working
within MAXAGE is not fetched (reported with a note naming the source); anything else is fetched, and a
URL with a failing local record always is.  Requests are counted on a server on 127.0.0.1.

Most tests fill the guide's ``origins`` on top of the guide read from disk, to control each case; the
last one subscribes for real (``_sources.yml``, a snapshot carrying its publisher's link state, the lock).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.guide.load import Guide, load_guide
from openshelf.guide.models import Text
from openshelf.guide.provenance import Origin, SourceHealth, SourceInfo
from openshelf.links import cli, guideload
from openshelf.links.runner import SourceCheck, source_checks
from openshelf.links.store import LinkState, save_state
from openshelf.links.verdict import Verdict
from support import write_guide

NOW = datetime.now(UTC).replace(microsecond=0)


def entries(urls: dict[str, str]) -> str:
    lines = ["id: things", "title: {en: Things}", "entries:"]
    for eid, url in urls.items():
        lines += [f"  - id: {eid}", f"    title: {{en: {eid}}}", f"    url: {url}", "    description: {en: x}",
                  "    category: databases", "    access: free"]
    return "\n".join(lines) + "\n"


def subscribed(guide: Guide, health: dict[str, SourceHealth | None], local: tuple[str, ...] = ()) -> Guide:
    """``guide`` with every entry named in ``health`` taken from the source 'shared' (those in ``local``: the guide's own)."""
    origins = {eid: Origin("guide" if eid in local else "shared-guide", source=None if eid in local else "shared",
                           listed_by=("shared-guide",), health=h) for eid, h in health.items()}
    sources = [SourceInfo("shared", "shared-guide", Text(en="Shared"), "https://shared.example.org/downloads/openshelf.json")]
    return dataclasses.replace(guide, origins=origins, sources=sources)


def ok(days: float, verdict: str = "ok") -> SourceHealth:
    when = NOW - timedelta(days=days)
    return SourceHealth(verdict, checked=when, status=200, last_ok=when)


def test_source_checks_trusts_recent_working_checks_of_subscribed_entries_only(tmp_path: Path) -> None:
    urls = {eid: f"https://{eid}.example.org/" for eid in ("fresh", "moved", "old", "bad", "mine", "undated")}
    guide, _ = load_guide(write_guide(tmp_path / "guides", {"things.yml": entries(urls)}))
    assert guide is not None
    guide = subscribed(guide, {"fresh": ok(1), "moved": ok(2, "redirected"), "old": ok(8), "bad": ok(1, "broken"),
                               "mine": ok(1), "undated": SourceHealth("ok")}, local=("mine",))
    checks = source_checks(guide, timedelta(days=7), now=NOW)
    assert set(checks) == {urls["fresh"], urls["moved"]}
    assert checks[urls["fresh"]] == SourceCheck("shared", Verdict.OK, NOW - timedelta(days=1), 200)
    assert checks[urls["moved"]].verdict == Verdict.REDIRECTED
    assert checks[urls["fresh"]].note == f"trusted: checked by source shared on {(NOW - timedelta(days=1)).date().isoformat()}"


def test_a_check_another_source_made_is_trusted_in_that_sources_name(tmp_path: Path) -> None:
    """The merge keeps the latest of its sources' reports on a resource (SourceHealth.by): the trusted check names the
    source that made it, not the one the entry was taken from."""
    guide, _ = load_guide(write_guide(tmp_path / "guides", {"things.yml": entries({"fresh": "https://fresh.example.org/"})}))
    assert guide is not None
    guide = subscribed(guide, {"fresh": dataclasses.replace(ok(1), by="campus")})
    assert source_checks(guide, timedelta(days=7), now=NOW)["https://fresh.example.org/"].source == "campus"


@pytest.fixture()
def here(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_trusted_url_gets_no_request_and_the_others_do(here, server, monkeypatch):  # type: ignore[no-untyped-def]
    urls = {"trusted": server.url("/ok?trust=trusted"), "stale": server.url("/ok?trust=stale"),
            "local-broken": server.url("/status/404?trust=local-broken"), "mine": server.url("/ok?trust=mine"),
            "no-word": server.url("/ok?trust=no-word")}
    write_guide(here / "guides", {"things.yml": entries(urls)})
    health = {"trusted": ok(1), "stale": ok(30), "local-broken": ok(1), "mine": ok(1), "no-word": None}
    real = guideload.load_checked_guide
    monkeypatch.setattr(cli, "load_checked_guide", lambda folder: subscribed(real(folder), health, local=("mine",)))
    failed = NOW - timedelta(days=2)
    save_state(here / "guides" / "_state" / "links.json",
               {urls["local-broken"]: LinkState(last_checked=failed, first_failure=failed, consecutive_failures=1,
                                                last_verdict=Verdict.BROKEN, last_status=404)})
    server.log.clear()
    result = CliRunner().invoke(cli.links, ["--format", "json", "--allow-host", "127.0.0.1", "--retries", "0",
                                            "--trust-sources", "7d"], catch_exceptions=False)
    asked = [query for _, _, _, query in server.log]
    assert not any("trust=trusted" in q for q in asked), asked
    for eid in ("stale", "local-broken", "mine", "no-word"):
        assert any(f"trust={eid}" in q for q in asked), (eid, asked)
    doc = json.loads(result.stdout)
    got = {r["occurrences"][0]["entry"]: r for r in doc["results"]}
    assert got["trusted"]["verdict"] == "ok" and not got["trusted"]["cached"]
    assert got["trusted"]["note"] == f"trusted: checked by source shared on {(NOW - timedelta(days=1)).date().isoformat()}"
    assert got["local-broken"]["verdict"] == "broken"  # the source's ok does not hide a local break
    assert doc["summary"]["trusted"] == 1
    assert result.exit_code == 1
    # the trusted URL's state is what it was: nothing was fetched
    assert urls["trusted"] not in json.loads((here / "guides" / "_state" / "links.json").read_text())["links"]


def test_without_the_option_every_url_is_fetched_and_the_text_report_names_the_source(here, server, monkeypatch):  # type: ignore[no-untyped-def]
    urls = {"trusted": server.url("/ok?trust=again")}
    write_guide(here / "guides", {"things.yml": entries(urls)})
    real = guideload.load_checked_guide
    monkeypatch.setattr(cli, "load_checked_guide", lambda folder: subscribed(real(folder), {"trusted": ok(1)}))
    server.log.clear()
    CliRunner().invoke(cli.links, ["--allow-host", "127.0.0.1", "--no-state"], catch_exceptions=False)
    assert any("trust=again" in q for _, _, _, q in server.log)
    server.log.clear()
    result = CliRunner().invoke(cli.links, ["--allow-host", "127.0.0.1", "--no-state", "-v", "--trust-sources", "2d"],
                                catch_exceptions=False)
    assert server.log == []
    assert f"entry 'trusted': ok: HTTP 200; trusted: checked by source shared on {(NOW - timedelta(days=1)).date().isoformat()} <" in result.stdout
    assert "; 1 trusted from sources;" in result.stdout


def test_a_bad_duration_is_a_usage_error(here):  # type: ignore[no-untyped-def]
    write_guide(here / "guides", {"things.yml": entries({"a": "https://a.example.org/"})})
    result = CliRunner().invoke(cli.links, ["--trust-sources", "soon"])
    assert result.exit_code == 2 and "--trust-sources" in result.output


def test_through_a_real_subscription_the_snapshots_link_health_is_trusted(here, server):  # type: ignore[no-untyped-def]
    """The same with the guide as the federation stage reads it from disk: a snapshot whose export carries
    its publisher's link state (one URL checked yesterday, one a month ago), and a local entry."""
    from federated import collection, entry, site, subscribe

    from openshelf.federation.exchange import export_json

    urls = {"fresh": server.url("/ok?disk=fresh"), "old": server.url("/ok?disk=old"), "mine": server.url("/ok?disk=mine")}
    shared, _ = load_guide(write_guide(here / "shared", {"_site.yml": site("shared"), "databases.yml": collection(
        "databases", entry("fresh", urls["fresh"]), entry("old", urls["old"]))}))
    assert shared is not None
    yesterday, month = NOW - timedelta(days=1), NOW - timedelta(days=30)
    states = {urls["fresh"]: LinkState(last_checked=yesterday, last_ok=yesterday, last_verdict=Verdict.OK, last_status=200),
              urls["old"]: LinkState(last_checked=month, last_ok=month, last_verdict=Verdict.OK, last_status=200)}
    guides = write_guide(here / "guides", {"_site.yml": site("mylib"), "local.yml": collection("local", entry("mine", urls["mine"]))})
    subscribe(guides, {"shared": export_json(shared, states, now=NOW).encode()},
              "sources:\n  - id: shared\n    url: https://shared.example.org/downloads/openshelf.json\n")
    server.log.clear()
    result = CliRunner().invoke(cli.links, ["--format", "json", "--allow-host", "127.0.0.1", "--no-state", "--trust-sources", "7d"],
                                catch_exceptions=False)
    asked = [query for _, _, _, query in server.log]
    assert not any("disk=fresh" in q for q in asked) and any("disk=old" in q for q in asked) and any("disk=mine" in q for q in asked)
    got = {r["occurrences"][0]["entry"]: r for r in json.loads(result.stdout)["results"]}
    assert got["fresh"]["note"] == f"trusted: checked by source shared on {yesterday.date().isoformat()}"
    assert got["old"]["note"] is None and got["mine"]["note"] is None
