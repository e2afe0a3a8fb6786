"""``openshelf links`` end to end: a guide in tmp_path pointing at the local test server."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.links.cli import links
from openshelf.links.store import load_state
from openshelf.links.verdict import Verdict

SITE = "title: {en: Test guide}\ncategories:\n  db: {en: Databases}\n"


def write_guide(root: Path, entries: list, name: str = "things") -> dict[str, int]:  # type: ignore[type-arg]
    """Write guides/_site.yml and guides/<name>.yml; return {entry id: line of its url}."""
    guides = root / "guides"
    guides.mkdir(exist_ok=True)
    (guides / "_site.yml").write_text(SITE)
    lines = [f"id: {name}", "title: {en: Things}", "entries:"]
    where = {}
    for item in entries:
        eid, url = item[0], item[1]
        lines += [f"  - id: {eid}", f"    title: {{en: {eid}}}"]
        where[eid] = len(lines) + 1
        lines += [f"    url: {url}", "    description: {en: x}", "    category: db", "    access: free"]
        extra = item[2] if len(item) > 2 else {}  # type: ignore[misc]
        if isinstance(extra, str):
            extra = {"link_check": extra}
        lines += [f"    {key}: {value}" for key, value in extra.items()]
    (guides / f"{name}.yml").write_text("\n".join(lines) + "\n")
    return where


def invoke(*args: str, ok_codes: tuple[int, ...] = (0, 1)):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(links, list(args), catch_exceptions=False)
    assert result.exit_code in ok_codes, result.output
    return result


def as_json(result) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(result.stdout)


@pytest.fixture()
def here(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    return tmp_path


FIELDS = {"url", "verdict", "status", "final_url", "error", "elapsed_ms", "checked_at", "occurrences"}


def test_acceptance_verdicts(here, server):
    urls = {
        "ok": server.url("/ok"),
        "missing": server.url("/status/404"),
        "gone": server.url("/status/410"),
        "moved": server.url("/redirect/301?to=/ok2"),
        "busy": server.url("/ratelimited/cli?after=1"),
        "hangs": server.url("/hang"),
        "huge": server.url("/huge"),
    }
    lines = write_guide(here, list(urls.items()))
    result = invoke("--format", "json", "--allow-host", "127.0.0.1", "--timeout", "1.5", "--retries", "1")
    assert result.exit_code == 1
    doc = as_json(result)
    assert set(doc) == {"results", "summary"}
    got = {r["occurrences"][0]["entry"]: r for r in doc["results"]}
    assert {k: v["verdict"] for k, v in got.items()} == {
        "ok": "ok", "missing": "broken", "gone": "broken", "moved": "redirected",
        "busy": "ok", "hangs": "transient", "huge": "ok",
    }
    for r in doc["results"]:
        assert set(r) >= FIELDS
    assert got["moved"]["redirect_to"] == server.url("/ok2")
    assert got["missing"]["status"] == 404 and got["missing"]["archive_url"].startswith("https://web.archive.org/web/")
    assert got["missing"]["occurrences"] == [{"file": "guides/things.yml", "line": lines["missing"], "entry": "missing"}]
    assert doc["summary"]["broken"] == 2 and doc["summary"]["total"] == 7
    state = json.loads((here / "guides/_state/links.json").read_text())
    assert state["links"][urls["ok"]]["last_verdict"] == "ok"


def test_each_url_once_with_all_occurrences(here, server):
    url = server.url("/ok?shared=1")
    write_guide(here, [("one", url), ("two", url, {"shares_url_with": "one"})])
    before = server.hits["GET /ok"]
    doc = as_json(invoke("--format", "json", "--allow-host", server.host))
    (only,) = doc["results"]
    assert [o["entry"] for o in only["occurrences"]] == ["one", "two"]
    assert server.hits["GET /ok"] == before + 1


def test_max_age_second_run_makes_no_request_for_ok_urls(here, server):
    write_guide(here, [("fine", server.url("/ok?age=1")), ("moved", server.url("/redirect/308?to=/ok&age=1")),
                       ("dead", server.url("/status/404?age=1"))])
    invoke("--allow-host", "127.0.0.1")
    hits = server.hits.copy()
    doc = as_json(invoke("--format", "json", "--allow-host", "127.0.0.1", "--max-age", "1h"))
    assert server.hits["/ok"] == hits["/ok"]
    assert server.hits["/redirect/308"] == hits["/redirect/308"]
    assert server.hits["/status/404"] > hits["/status/404"]  # failures are always checked again
    got = {r["occurrences"][0]["entry"]: r for r in doc["results"]}
    assert got["fine"]["cached"] and got["fine"]["verdict"] == "ok"
    assert got["moved"]["cached"] and got["moved"]["verdict"] == "redirected"
    assert not got["dead"]["cached"]
    assert doc["summary"]["cached"] == 2


def test_transient_counts_as_broken_after_n_runs(here, server):
    write_guide(here, [("flaky", server.url("/always-500"))])
    (here / "guides/_links.yml").write_text("transient_runs_before_broken: 2\n")
    first = invoke("--format", "json", "--allow-host", "127.0.0.1", "--retries", "0")
    assert first.exit_code == 0 and as_json(first)["results"][0]["verdict"] == "transient"
    second = invoke("--format", "json", "--allow-host", "127.0.0.1", "--retries", "0")
    assert second.exit_code == 1
    r = as_json(second)["results"][0]
    assert (r["verdict"], r["raw_verdict"], r["consecutive_failures"]) == ("broken", "transient", 2)
    assert "2 consecutive runs" in r["error"]


def test_login_required_and_skip_entries_are_not_fetched(here, server):
    write_guide(here, [("portal", server.url("/status/404?login=1"), "login-required"),
                       ("nope", server.url("/status/404?skip=1"), "skip")])
    before = server.hits["/status/404"]
    result = invoke("--format", "json", "--allow-host", "127.0.0.1")
    assert result.exit_code == 0
    assert {r["verdict"] for r in as_json(result)["results"]} == {"skipped"}
    assert server.hits["/status/404"] == before


def test_private_addresses_skipped_without_allow_host(here, server):
    write_guide(here, [("local", server.url("/status/404?private=1"))])
    result = invoke("--format", "json")
    assert result.exit_code == 0
    r = as_json(result)["results"][0]
    assert r["verdict"] == "skipped" and "private address refused" in r["error"]


def test_text_format(here, server):
    lines = write_guide(here, [("fine", server.url("/ok")), ("dead", server.url("/status/404?t=1"))])
    out = invoke("--allow-host", "127.0.0.1").stdout
    assert f"guides/things.yml:{lines['dead']}: entry 'dead': broken: HTTP 404 <{server.url('/status/404?t=1')}>" in out
    assert "entry 'fine'" not in out
    assert "2 URLs: 1 broken, 1 ok;" in out
    assert "entry 'fine': ok: HTTP 200" in invoke("--allow-host", "127.0.0.1", "-v").stdout


def test_github_format(here, server):
    lines = write_guide(here, [("dead", server.url("/status/410?g=1")), ("moved", server.url("/redirect/301?to=/ok&g=1"))])
    out = invoke("--format", "github", "--allow-host", "127.0.0.1").stdout
    assert f"::error file=guides/things.yml,line={lines['dead']},title=Broken link::" in out
    assert f"::warning file=guides/things.yml,line={lines['moved']},title=Link moved permanently::" in out


def test_markdown_format(here, server):
    write_guide(here, [("dead", server.url("/status/404?m=1")), ("moved", server.url("/redirect/301?to=/ok&m=1"))])
    out = invoke("--format", "markdown", "--allow-host", "127.0.0.1", "--json-report", "report.json").stdout
    assert json.loads(Path("report.json").read_text())["summary"]["broken"] == 1
    assert "## Broken" in out and "`guides/things.yml:" in out and "[archive](https://web.archive.org/web/" in out
    assert "## Moved permanently" in out
    write_guide(here, [("fine", server.url("/ok"))])
    assert "All links are fine." in invoke("--format", "markdown", "--allow-host", "127.0.0.1").stdout


def test_shards_split_the_urls_stably_and_merge(here, server):
    write_guide(here, [(f"e{i}", server.url(f"/ok?shard={i}")) for i in range(12)])
    seen: list[str] = []
    for i in (1, 2, 3):
        doc = as_json(invoke("--format", "json", "--allow-host", "127.0.0.1", "--shard", f"{i}/3",
                             "--state", f"s{i}.json"))
        assert doc["summary"]["shard"] == f"{i}/3"
        seen += [r["url"] for r in doc["results"]]
    assert sorted(seen) == sorted(server.url(f"/ok?shard={i}") for i in range(12))  # each exactly once
    again = as_json(invoke("--format", "json", "--allow-host", "127.0.0.1", "--shard", "2/3", "--no-state"))
    assert {r["url"] for r in again["results"]} <= set(seen)
    merged = invoke("merge", "s1.json", "s2.json", "s3.json", "-o", "all.json")
    assert "12 URLs" in merged.stdout
    assert len(json.loads(Path("all.json").read_text())["links"]) == 12


def test_merge_refuses_a_corrupt_state(here):
    Path("bad.json").write_text("{oops")
    result = invoke("merge", "bad.json", "-o", "out.json", ok_codes=(2,))
    assert "bad.json:1:2: the link state file is not valid JSON" in result.output
    assert not Path("out.json").exists()


def test_corrupt_state_is_reported_and_kept(here, server):
    write_guide(here, [("fine", server.url("/ok"))])
    state = here / "guides/_state/links.json"
    state.parent.mkdir()
    state.write_text("not json")
    result = invoke("--allow-host", "127.0.0.1", ok_codes=(2,))
    assert "the link state file is not valid JSON" in result.output
    assert state.read_text() == "not json"


def test_invalid_rules_exit_2_with_position(here, server):
    write_guide(here, [("fine", server.url("/ok"))])
    (here / "guides/_links.yml").write_text("hosts:\n  - host: a.org\n")
    result = invoke(ok_codes=(2,))
    assert "guides/_links.yml:2:5: error: missing required field 'hosts[0].reason'" in result.output
    assert "Traceback" not in result.output


def test_invalid_guide_exit_2(here):
    write_guide(here, [("fine", "not-a-url")])
    result = invoke(ok_codes=(2,))
    assert "guides/things.yml" in result.output and "has errors" in result.output


@pytest.mark.parametrize(
    "args",
    [("--shard", "4/3"), ("--shard", "x"), ("--max-age", "soon"), ("--deadline", "soon"), ("--deadline", "10"), ("--format", "xml"),
     ("--concurrency", "0"), ("--allow-host", "a:b")],
)
def test_usage_errors_exit_2(here, server, args):
    write_guide(here, [("fine", server.url("/ok"))])
    invoke(*args, ok_codes=(2,))


@pytest.mark.parametrize("option", ["--json-report", "--full-report"])
def test_a_report_that_cannot_be_written_is_found_before_any_request(here, server, option):
    write_guide(here, [("fine", server.url("/ok?unwritable=1"))])
    Path("taken").write_text("a file, not a folder")
    before = server.hits["GET /ok"]
    extra = ("--format", "markdown") if option == "--full-report" else ()
    result = invoke(*extra, option, "taken/report", "--allow-host", "127.0.0.1", "--no-state", ok_codes=(2,))
    assert "taken is not a folder" in result.output
    assert server.hits["GET /ok"] == before


def git(*args: str) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": "/tmp"})


def test_only_changed_checks_added_and_edited_urls(here, server):
    write_guide(here, [("old", server.url("/ok?v=old")), ("edited", server.url("/ok?v=1"))])
    git("init", "-q", ".")
    git("add", "guides")
    git("commit", "-qm", "base")
    write_guide(here, [("old", server.url("/ok?v=old")), ("edited", server.url("/ok?v=2")), ("new", server.url("/ok?v=new"))])
    doc = as_json(invoke("--format", "json", "--allow-host", "127.0.0.1", "--only-changed", "HEAD", "--no-state"))
    assert sorted(r["occurrences"][0]["entry"] for r in doc["results"]) == ["edited", "new"]
    result = invoke("--allow-host", "127.0.0.1", "--only-changed", "no-such-rev", ok_codes=(2,))
    assert "Invalid value for --only-changed" in result.output and "no-such-rev" in result.output


def test_help_names_verdicts_and_exit_codes():
    out = invoke("--help").stdout
    assert "Exit codes: 0 nothing broken, 1 something broken, 2" in out
    for verdict in Verdict:  # as words: "ok" alone, not inside "broken"
        assert re.search(rf"\b{verdict}\b", out), verdict


def test_merge_into_an_unwritable_place_is_an_error_not_a_traceback(here):
    save = invoke("merge", "--help")
    assert save.exit_code == 0
    Path("s1.json").write_text('{"version": 1, "links": {}}')
    Path("file").write_text("")
    result = invoke("merge", "s1.json", "-o", "file/links.json", ok_codes=(2,))
    assert "file/links.json: cannot write the link state file" in result.output


def test_only_changed_reads_old_files_with_the_bounded_loader(here):
    """Before: the files at REV went through yaml.safe_load, and walking an alias bomb there never ended."""
    from openshelf.links.changed import urls_at_revision

    bomb = "".join(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9 if n else ['"lol"'] * 9) + "]\n" for n in range(10))
    write_guide(here, [("old", "https://a.example/old")])
    (here / "guides/bomb.yml").write_text(bomb)
    git("init", "-q", ".")
    git("add", "guides")
    git("commit", "-qm", "base")
    found = urls_at_revision(Path("guides"), "HEAD")
    assert found[str((here / "guides/things.yml").resolve())] == {"https://a.example/old"}
    assert found[str((here / "guides/bomb.yml").resolve())] == set()  # unreadable then: all its URLs count as new


def test_deadline_bounds_the_run_and_keeps_the_rest_for_next_time(here, server):
    """``--deadline 3s`` with hanging endpoints: over within 4 s, the rest skipped (note: deadline), the
    state file valid; the next run begins with the URLs this one did not check."""
    fine = [(f"fine{i}", server.url(f"/ok?deadline={i}")) for i in range(3)]
    hanging = [(f"hangs{i}", server.url(f"/hang?deadline={i}")) for i in range(6)]
    write_guide(here, fine + hanging)
    args = ("--format", "json", "--allow-host", "127.0.0.1", "--per-host", "2", "--timeout", "60", "--retries", "0")
    started = time.monotonic()
    first = as_json(invoke(*args, "--deadline", "3s"))
    assert time.monotonic() - started < 4.0
    got = {r["occurrences"][0]["entry"]: r for r in first["results"]}
    assert {got[e]["verdict"] for e, _ in fine} == {"ok"}
    for entry, _ in hanging:
        assert (got[entry]["verdict"], got[entry]["note"]) == ("skipped", "deadline"), got[entry]
        assert "deadline" in got[entry]["error"]
    assert first["summary"]["skipped"] == 6 and first["summary"]["fetched"] == 3
    state_file = here / "guides/_state/links.json"
    json.loads(state_file.read_text())
    states = load_state(state_file)
    assert {url for url, s in states.items() if s.last_checked} == {url for _, url in fine}
    # two hanging ones were begun (the host's two slots) and ended midway: their records say only when
    cut = {url for url, s in states.items() if s.last_cut_off is not None}
    assert len(cut) == 2 and cut <= {url for _, url in hanging} and cut == set(states) - {url for _, url in fine}

    # Next run: the four URLs never tried go first; now they fill the host's two slots and the ones checked (or
    # ended midway) last time are not reached.
    second = as_json(invoke(*args, "--deadline", "2s"))
    got = {r["occurrences"][0]["entry"]: r for r in second["results"]}
    assert {got[e]["note"] for e, _ in fine} == {"deadline"}
    json.loads(state_file.read_text())


def test_hanging_urls_do_not_eat_every_runs_deadline(here, server):
    """Hanging URLs a deadline ended midway had no record, so they counted as never checked and came first again in
    every run: with a deadline shorter than one URL's budget they held the host's slots each time, and the good URLs
    behind them were never checked. A check ended midway now counts as tried: the next run begins with the URLs no run
    has tried, and two short runs check every good URL."""
    good = [(f"good{i}", server.url(f"/ok?starve={i}")) for i in range(1, 21)]
    hanging = [("hangs0", server.url("/hang?starve=0")), ("hangs5", server.url("/hang?starve=5"))]
    write_guide(here, [hanging[0], *good[:4], hanging[1], *good[4:]])  # the host's two slots: hangs0, then good1-4, then hangs5
    args = ("--format", "json", "--allow-host", "127.0.0.1", "--per-host", "2", "--timeout", "60", "--retries", "0",
            "--deadline", "2s")
    checked: set[str] = set()
    for _ in range(2):
        got = {r["occurrences"][0]["entry"]: r for r in as_json(invoke(*args))["results"]}
        checked |= {e for e, r in got.items() if r["verdict"] == "ok"}
        assert {(got[e]["verdict"], got[e]["note"]) for e, _ in hanging} == {("skipped", "deadline")}
    assert checked == {e for e, _ in good}


def test_a_link_known_broken_stays_broken_when_the_deadline_cuts_it_off(here, server):
    """A run the deadline cut short says so, and a link the state knows is broken, not re-checked, is still reported
    broken (exit 1, the "Broken links" issue stays open) rather than dropped among the skipped; the markdown report
    never says "All links are fine" when links went unchecked."""
    dead = server.url("/status/404?deadline-kept=1")
    write_guide(here, [("dead", dead)])
    invoke("--format", "json", "--allow-host", "127.0.0.1")  # the state now knows it is broken
    write_guide(here, [("dead", dead)] + [(f"hangs{i}", server.url(f"/hang?deadline-kept={i}")) for i in range(4)])
    args = ("--allow-host", "127.0.0.1", "--per-host", "4", "--timeout", "60", "--retries", "0", "--deadline", "2s")
    # the hanging URLs were never checked, so they go first and hold every slot: the dead link is not reached
    result = invoke("--format", "markdown", "--json-report", "report.json", *args)
    assert result.exit_code == 1
    got = {r["occurrences"][0]["entry"]: r for r in json.loads(Path("report.json").read_text())["results"]}
    assert (got["dead"]["verdict"], got["dead"]["note"], got["dead"]["cached"]) == ("broken", "deadline", True)
    assert "not re-checked" in got["dead"]["error"]
    out = result.stdout
    assert "## Broken" in out and "## Not checked this run" in out and "All links are fine" not in out
    assert "**5** URLs were not reached before the run's deadline came (1 of them broken in earlier runs" in out

    write_guide(here, [(f"hangs{i}", server.url(f"/hang?deadline-only={i}")) for i in range(2)])
    out = invoke("--format", "markdown", "--no-state", *args).stdout
    assert "No link is known to be broken, but 2 were not checked this run" in out and "All links are fine" not in out


def test_a_link_redirected_to_a_refused_address_is_named_in_the_report(here, server):
    """The guard refuses a redirect hop to another port (only 127.0.0.1:PORT is allowed): the error names the hop, and
    the markdown report lists it under "Not checked this run" instead of "All links are fine"."""
    port = server.url("/").split(":")[2].split("/")[0]
    write_guide(here, [("leaves", server.url("/redirect/302?to=http://127.0.0.1:1/inside"))])
    result = invoke("--format", "markdown", "--json-report", "report.json", "--no-state", "--allow-host", f"127.0.0.1:{port}")
    (got,) = json.loads(Path("report.json").read_text())["results"]
    assert got["verdict"] == "skipped" and got["note"] == "private address"
    assert got["error"].startswith("redirected to http://127.0.0.1:1/inside: private address refused"), got["error"]
    assert "## Not checked this run" in result.stdout and "redirected to http://127.0.0.1:1/inside" in result.stdout
    assert "All links are fine" not in result.stdout


def test_a_killed_run_keeps_all_but_the_last_500_results(here, server):
    """The state file is written every 500 results: 1,000 URLs answered, the run then stuck on hanging
    ones and killed (SIGKILL: nothing runs at exit) leaves a whole state file with those 1,000."""
    fine = [(f"fine{i}", server.url(f"/ok?killed={i}")) for i in range(1000)]
    write_guide(here, fine + [(f"hangs{i}", server.url(f"/hang?killed={i}")) for i in range(4)])
    state_file = here / "guides/_state/links.json"
    proc = subprocess.Popen([sys.executable, "-m", "openshelf.links", "--allow-host", "127.0.0.1", "--timeout", "120"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # wait (up to a minute) for the second write
            if state_file.exists() and len(load_state(state_file)) == 1000:
                break
            assert proc.poll() is None, "the run ended although some URLs hang"
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    json.loads(state_file.read_text())
    assert set(load_state(state_file)) == {url for _, url in fine}


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_keeps_and_reports_what_it_checked(here, server, sig, code):
    """Ctrl-C (SIGINT) or SIGTERM ends a run as its deadline would: the results so far go into the state file and
    the report, the rest are skipped (note: interrupted), and the exit status is the shell's for that signal, not
    1 ("something is broken"). A run used to print "Aborted!", exit 1 and keep only its last checkpoint."""
    fine = [(f"fine{i}", server.url(f"/ok?{sig.name}={i}")) for i in range(20)]
    hanging = [(f"hangs{i}", server.url(f"/hang?{sig.name}={i}")) for i in range(3)]
    write_guide(here, fine + hanging)
    state_file = here / "guides/_state/links.json"
    before = server.hits["GET /ok"]
    proc = subprocess.Popen([sys.executable, "-m", "openshelf.links", "--allow-host", "127.0.0.1", "--timeout", "120",
                             "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(600):  # until the server has answered every fine URL (up to a minute)
            if server.hits["GET /ok"] - before >= len(fine):
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        time.sleep(0.5)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    doc = json.loads(out)
    got = {r["occurrences"][0]["entry"]: r for r in doc["results"]}
    assert {got[e]["verdict"] for e, _ in fine} == {"ok"}
    assert {(got[f"hangs{i}"]["verdict"], got[f"hangs{i}"]["note"]) for i in range(3)} == {("skipped", "interrupted")}
    assert doc["summary"]["interrupted"] == sig.name
    states = load_state(state_file)
    assert {url for url, s in states.items() if s.last_checked} == {url for _, url in fine}
    cut = {url: s for url, s in states.items() if s.last_checked is None}  # ended midway: only when, nothing checked
    assert set(cut) == {url for _, url in hanging}
    assert all(s.last_cut_off is not None and s.last_verdict is None for s in cut.values())


def test_the_collector_settings_are_restored_after_a_run(here, server):  # type: ignore[no-untyped-def]
    """A run collects garbage less often (see openshelf.gcpolicy) and gives the process its settings back."""
    import gc

    before = gc.get_threshold()
    write_guide(here, [("fine", server.url("/ok"))])
    invoke("--allow-host", "127.0.0.1", "--no-state")
    Path("guides/things.yml").write_text("id: things\nentries: 3\n")
    invoke("--no-state", ok_codes=(2,))
    assert gc.get_threshold() == before


def test_a_kept_broken_link_keeps_its_first_failure_and_is_counted_as_not_reached(here, server):
    """The deadline keeps a known-broken link broken: its first-failure date comes with it (the report's "Since"), and
    "Not checked this run" counts it even when it is the only URL the deadline cut off."""
    dead = server.url("/status/404?kept-since=1")
    write_guide(here, [("dead", dead)])
    invoke("--format", "json", "--allow-host", "127.0.0.1")
    first = load_state(Path("guides/_state/links.json"))[dead].first_failure
    assert first is not None
    write_guide(here, [("dead", dead), ("hangs", server.url("/hang?kept-since=1"))])
    args = ("--allow-host", "127.0.0.1", "--per-host", "1", "--timeout", "60", "--retries", "0", "--deadline", "2s")
    result = invoke("--format", "markdown", "--json-report", "report.json", *args)
    got = {r["occurrences"][0]["entry"]: r for r in json.loads(Path("report.json").read_text())["results"]}
    assert got["dead"]["first_failure"] is not None and got["dead"]["first_failure"][:10] == first.date().isoformat()
    assert "## Not checked this run" in result.stdout
    assert "were not reached before the run's deadline came (1 of them broken in earlier runs, listed under Broken)" in result.stdout


def test_a_report_folder_that_cannot_be_written_is_found_before_any_request(here, server):
    write_guide(here, [("fine", server.url("/ok?unwritable-proc=1"))])
    before = server.hits["GET /ok"]
    result = invoke("--json-report", "/proc/report.json", "--allow-host", "127.0.0.1", "--no-state", ok_codes=(2,))
    assert "cannot write /proc/report.json" in result.output
    assert server.hits["GET /ok"] == before


def test_the_commands_in_the_docs_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``openshelf links`` command in docs/link-checking.md's "Running it" block uses options and values the
    command accepts (a renamed option would leave the docs teaching an error)."""
    import shlex

    from openshelf.links.cli import links as command
    from support import ROOT

    doc = (ROOT / "docs/link-checking.md").read_text(encoding="utf-8")
    block = doc.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [shlex.split(part, comments=True) for line in block.splitlines() for part in line.split("&&")]
    commands = [words[2:] for words in commands if words[:2] == ["openshelf", "links"]]
    assert len(commands) >= 10 and ["--method", "head"] in commands
    for words in commands:
        ctx = command.make_context("links", list(words))
        if words and words[0] == "merge":
            monkeypatch.chdir(tmp_path)
            for name in (w for w in words[1:] if w.endswith(".json")):
                Path(name).write_text("{}")  # the states it merges must exist
            command.get_command(ctx, "merge").make_context("merge", words[1:], parent=ctx)  # type: ignore[union-attr]
