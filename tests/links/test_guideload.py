"""The guide validated in a child process while the URLs a plain scan finds are checked early.

The validated targets decide what is reported; the scan may only start checks sooner.
"""

from __future__ import annotations

import asyncio
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.links import guideload
from openshelf.links.check import CheckOptions, now_iso
from openshelf.links.cli import links
from openshelf.links.extract import Target
from openshelf.links.guard import AddressGuard
from openshelf.links.guideload import GuideInvalid, GuideLoader, load_targets, scan_urls
from openshelf.links.rules import LinkRules
from openshelf.links.runner import run_check
from openshelf.links.store import updated

SITE = "title: {en: Test guide}\ncategories:\n  db: {en: Databases}\n"


def entry(eid: str, url: str, *extra: str) -> str:
    lines = [f"  - id: {eid}", f"    title: {{en: {eid}}}", f"    url: {url}", "    description: {en: x}",
             "    category: db", "    access: free", *(f"    {e}" for e in extra)]
    return "\n".join(lines) + "\n"


def write(root: Path, name: str, body: str) -> Path:
    guides = root / "guides"
    guides.mkdir(exist_ok=True)
    (guides / "_site.yml").write_text(SITE)
    (guides / f"{name}.yml").write_text(f"id: {name}\ntitle: {{en: {name}}}\nentries:\n{body}")
    return guides


# --- the scan -----------------------------------------------------------------


def test_scan_finds_entry_urls_in_order_each_once(tmp_path):
    guides = write(tmp_path, "a", entry("one", "https://a.example/1") + entry("two", "'https://a.example/2'")
                   + entry("three", '"https://a.example/3"  # quoted, then a comment')
                   + entry("four", "https://a.example/1") + entry("five", "https://a.example/5 # comment"))
    assert scan_urls(guides) == ["https://a.example/1", "https://a.example/2", "https://a.example/3",
                                 "https://a.example/5"]


def test_scan_ignores_what_is_not_an_entry_url(tmp_path):
    body = (entry("one", "https://a.example/1", "aliases: [x]")
            + "  - id: two\n    title: {en: two}\n    url: https://a.example/2\n    description:\n"
              "      en: |\n        url: https://hidden.example/in-a-block-scalar\n"
              "    category: db\n    access: free\n    archive_url: https://archive.example/2\n"
            + "  - {id: three, title: {en: three}, url: 'https://a.example/flow', category: db}\n"
            + entry("four", "not-a-url") + entry("five", "&anchor https://a.example/anchored")
            + entry("six", "'it''s https://a.example/x'"))
    guides = write(tmp_path, "a", body)
    (guides / "_links.yml").write_text("url: https://rules.example/\n")
    (guides / "_site.yml").write_text(SITE + "url: https://site.example/\n")
    assert scan_urls(guides) == ["https://a.example/1", "https://a.example/2"]


@pytest.mark.parametrize("mark", ["link_check: skip", "link_check: login-required", '"link_check": skip',
                                  "link_check: 'skip'"])
def test_scan_skips_a_file_that_marks_any_entry_not_normal(tmp_path, mark):
    guides = write(tmp_path, "a", entry("one", "https://a.example/1") + entry("two", "https://a.example/2", mark))
    write(tmp_path, "b", entry("three", "https://b.example/3", "link_check: normal"))
    assert scan_urls(guides) == ["https://b.example/3"]


def test_scan_of_a_missing_folder_is_empty(tmp_path):
    assert scan_urls(tmp_path / "nowhere") == []


# --- the child process ----------------------------------------------------------


def test_child_answers_what_loading_here_answers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a", entry("one", "https://a.example/1") + entry("two", "https://a.example/2", "link_check: skip"))
    here, _ = load_targets(Path("guides"))
    loader = GuideLoader(Path("guides"))
    assert loader._proc is not None  # a real child process
    assert asyncio.run(loader.targets()) == here
    assert [o.entry for t in here for o in t.occurrences] == ["one", "two"]
    assert here[1].link_check == "skip" and here[0].occurrences[0].line == 6


def test_child_reports_an_invalid_guide(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a", entry("one", "not-a-url"))
    with pytest.raises(GuideInvalid) as info:
        asyncio.run(GuideLoader(Path("guides")).targets())
    assert any(line.startswith("guides/a.yml:6:") and "url" in line for line in info.value.lines)


def test_no_child_process_means_loading_here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a", entry("one", "https://a.example/1"))

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("no processes left")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    loader = GuideLoader(Path("guides"))
    assert loader._proc is None
    assert [t.url for t in asyncio.run(loader.targets())] == ["https://a.example/1"]


def test_a_child_that_fails_means_loading_here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a", entry("one", "https://a.example/1"))
    real = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda cmd, **kw: real([cmd[0], "-c", "print('garbage')"], **kw))
    assert [t.url for t in asyncio.run(GuideLoader(Path("guides")).targets())] == ["https://a.example/1"]


# --- early checks in the runner ------------------------------------------------


def run(targets, early, states=None, max_age=None):  # type: ignore[no-untyped-def]
    guard = AddressGuard.from_options(["127.0.0.1"])
    opts = CheckOptions(concurrency=8, per_host=4, timeout=3.0, retries=0)
    return asyncio.run(run_check(targets, states or {}, opts, LinkRules(), guard, max_age=max_age, early=early))


def test_only_the_validated_targets_are_reported(server):
    keep, stray, late = server.url("/ok?early=keep"), server.url("/status/404?early=stray"), server.url("/ok2?early=late")
    before = server.hits.copy()

    async def targets() -> list[Target]:
        await asyncio.sleep(0.2)  # the early checks are under way meanwhile
        return [Target(keep), Target(late)]

    results, states, summary = run(targets, [keep, stray])
    assert [(r.url, r.verdict) for r in results] == [(keep, "ok"), (late, "ok")]
    assert set(states) == {keep, late}  # nothing about the stray URL is remembered
    assert summary.total == 2 and summary.fetched == 2 and dict(summary.counts) == {"ok": 2}
    assert server.hits["HEAD /ok"] == before["HEAD /ok"] + 1  # each URL once
    assert server.hits["HEAD /ok2"] == before["HEAD /ok2"] + 1


def test_early_urls_fresh_in_the_state_are_not_fetched(server):
    url = server.url("/ok?early=fresh")
    states = {url: updated(None, "ok", now_iso(), 200)}
    before = server.hits["/ok"]

    async def targets() -> list[Target]:
        return [Target(url)]

    results, _, summary = run(targets, [url], states=states, max_age=timedelta(hours=1))
    assert results[0].cached and summary.cached == 1
    assert server.hits["/ok"] == before


def test_an_invalid_guide_stops_the_early_checks(server):
    slow = server.url("/slow?early=invalid")

    async def targets() -> list[Target]:
        await asyncio.sleep(0.05)
        raise GuideInvalid(["guides/a.yml:1:1: broken"])

    with pytest.raises(GuideInvalid):
        run(targets, [slow])


def test_a_list_of_targets_still_works_without_early_urls(server):
    results, _, _ = run([Target(server.url("/ok?plain=1"))], [])
    assert results[0].verdict == "ok"


# --- the command ---------------------------------------------------------------


@pytest.fixture()
def always_a_child(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(guideload, "CHILD_MIN_BYTES", 0)


def test_only_a_big_guide_gets_a_child(tmp_path):
    guides = write(tmp_path, "a", entry("one", "https://a.example/1"))
    assert not guideload.worth_a_child(guides)
    (guides / "b.yml").write_bytes(b"#" * guideload.CHILD_MIN_BYTES)
    assert guideload.worth_a_child(guides)


def test_urls_the_scan_misses_are_still_checked(tmp_path, monkeypatch, server, always_a_child):
    monkeypatch.chdir(tmp_path)
    body = (entry("plain", server.url("/ok?scan=plain"))
            + f"  - {{id: flow, title: {{en: flow}}, url: '{server.url('/status/404?scan=flow')}', "
              "description: {en: x}, category: db, access: free}\n")
    write(tmp_path, "a", body)
    assert scan_urls(Path("guides")) == [server.url("/ok?scan=plain")]
    result = CliRunner().invoke(links, ["--format", "json", "--allow-host", "127.0.0.1", "--no-state"])
    assert result.exit_code == 1, result.output
    assert '"verdict": "broken"' in result.stdout and "scan=flow" in result.stdout


def test_an_invalid_guide_is_reported_before_invalid_rules(tmp_path, monkeypatch, always_a_child):
    monkeypatch.chdir(tmp_path)
    guides = write(tmp_path, "a", entry("one", "not-a-url"))
    (guides / "_links.yml").write_text("hosts:\n  - host: a.org\n")
    result = CliRunner().invoke(links, ["--no-state"])
    assert result.exit_code == 2
    assert "has errors" in result.output and "guides/a.yml" in result.output
    assert "invalid link rules" not in result.output


def test_the_child_is_stopped_when_the_run_ends_early(tmp_path, monkeypatch, always_a_child):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a", entry("one", "https://a.example/1"))
    (tmp_path / "guides/_state").mkdir()
    (tmp_path / "guides/_state/links.json").write_text("{corrupt")
    made: list[GuideLoader] = []
    real_init = GuideLoader.__init__

    def spy(self, folder):  # type: ignore[no-untyped-def]
        real_init(self, folder)
        made.append(self)

    monkeypatch.setattr(guideload.GuideLoader, "__init__", spy)
    result = CliRunner().invoke(links, [])
    assert result.exit_code == 2
    assert made and all(m._proc is None or m._proc.poll() is not None for m in made)
