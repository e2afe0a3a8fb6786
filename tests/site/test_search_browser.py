"""Search in a real browser: the built default guide, typed into Material's search box."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from browser import browser, keep_local, serve, type_query
from support import ROOT

pytestmark = pytest.mark.browser

HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser for the module (Playwright's synchronous API runs one at a time)."""
    with browser() as instance:
        yield instance


@pytest.fixture(scope="module")
def page(built_site: Path, chromium: Any) -> Iterator[Any]:
    with serve(built_site) as base:
        tab = chromium.new_page(locale="zh-CN")  # the Chinese edition, the site's root (test_editions_browser.py searches the English one)
        outside = keep_local(tab)
        tab.goto(base)
        tab.wait_for_load_state("networkidle")
        tab.outside = outside  # type: ignore[attr-defined]
        yield tab
        tab.close()


def search(tab: Any, query: str) -> list[str]:
    type_query(tab, query)
    # the list says which query its results answer (search.js), so results typed so far ("C" of CARSI) don't count
    tab.wait_for_function("q => { const l = document.querySelector('.md-search-result__list');"
                          " return l && l.dataset.query === q; }", arg=query, timeout=10_000)
    return tab.eval_on_selector_all("a.md-search-result__link", "links => links.map(a => a.getAttribute('href'))")


def every_result(tab: Any, query: str) -> list[str]:
    """All results of ``query``: the list shows ten at a time, its "… +n" button the next ten."""
    search(tab, query)
    count = re.search(r"\d+", tab.inner_text(".md-search-result__meta"))  # "no results" has no number
    total = int(count.group()) if count else 0
    while (shown := tab.locator("a.md-search-result__link").count()) < total:
        tab.locator(".os-search-more button").click()
        tab.wait_for_function("n => document.querySelectorAll('a.md-search-result__link').length >= n", arg=min(total, shown + 10), timeout=10_000)
    return tab.eval_on_selector_all("a.md-search-result__link", "links => links.map(a => a.getAttribute('href'))")


def entries_found(hrefs: list[str]) -> set[str]:
    return {h.rpartition("#")[2] for h in hrefs if "#" in h}


@cache
def records() -> list[Any]:
    """The default guide's search records (openshelf.site.search), as the build indexes them for the Chinese edition."""
    from openshelf.guide.load import load_guide
    from openshelf.site.search import entry_records

    guide, diagnostics = load_guide(ROOT / "guides")
    assert guide is not None, diagnostics
    return entry_records(guide, "zh")


@cache
def searchable_text() -> dict[str, str]:
    """Each entry's searchable text (its record's title and content) as Pagefind reads it: spaces do not part words."""
    return {r.url.rpartition("#")[2]: re.sub(r"\s+", "", f"{r.meta['title']} {r.content}") for r in records()}


def holding(word: str) -> set[str]:
    return {anchor for anchor, text in searchable_text().items() if word.lower() in text.lower()}


@cache
def sampled_words() -> list[tuple[str, str]]:
    """Chinese words from the default guide's own titles and descriptions, each with the entry it came from.

    A fixed-seed sample of two kinds: words as a reader types them (jieba's cut of the text) and
    arbitrary substrings of 2–4 Chinese characters (search must not depend on where a segmenter cuts).
    """
    import jieba

    from openshelf.guide.load import load_guide
    from openshelf.site.markup import plain_text

    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    rng = random.Random(2020)
    words: set[tuple[str, str]] = set()
    pieces: set[tuple[str, str]] = set()
    for entry in guide.entries:
        text = " ".join(t for t in (entry.title.zh, plain_text(entry.description.zh or "")) if t)
        words |= {(w, entry.id) for w in jieba.cut(text) if HAN_RUN.fullmatch(w)}
        for run in HAN_RUN.findall(text):
            size = rng.randint(2, min(4, len(run)))
            start = rng.randrange(len(run) - size + 1)
            pieces.add((run[start:start + size], entry.id))
    return rng.sample(sorted(words), 20) + rng.sample(sorted(pieces), 20)


@pytest.mark.parametrize(("query", "anchor"), [
    ("知网", "#cnki"),
    ("文献传递", "#cashl-document-delivery"),
    ("CARSI", "#carsi"),
    ("PubMed", "#pubmed"),
    ("Figshare", "#figshare"),
    ("新冠", "#litcovid"),  # LitCovid 新冠文献库
    ("VPN", "#campus-vpn"),
    ("疫情", "#who-covid19"),  # ICU's word break (the browser's) splits 疫情 into 疫 + 情
    ("疫苗", "#who-covid-dashboard"),
    ("防疫", "#taiwan-cdc"),
    ("疫情数据", "#jhu-crc"),  # also the label of the health-data category
    ("古登堡", "#project-gutenberg"),  # 古登堡计划: a transliterated name no dictionary knows
])
def test_search_finds_the_entry(page: Any, query: str, anchor: str) -> None:
    hrefs = every_result(page, query)
    assert any(h.endswith(anchor) for h in hrefs), (query, hrefs[:10])


@pytest.mark.parametrize("query", ["疫情", "疫情数据", "古登堡"])
def test_chinese_results_are_the_entries_holding_the_words(page: Any, query: str) -> None:
    assert entries_found(every_result(page, query)) == holding(query)


def test_words_drawn_from_the_guide_find_their_entries(page: Any) -> None:
    """Every sampled word finds the entry it was taken from, and finds only entries whose text holds it."""
    wrong = []
    for word, anchor in sampled_words():
        found = entries_found(every_result(page, word))
        if anchor not in found or found != holding(word):
            wrong.append((word, anchor, sorted(found ^ holding(word))))
    assert wrong == [], "\n".join(f"{w} (from #{a}): wrong entries {d}" for w, a, d in wrong)


def test_a_collection_title_is_not_searchable_text(page: Any) -> None:
    """'resources' is in the databases collection's title (Free academic resources): it finds the entries that say it."""
    found = entries_found(every_result(page, "resources"))
    databases = {r.url.rpartition("#")[2] for r in records() if r.url.startswith("databases.md#")}
    assert found <= holding("resources")
    assert not databases <= found


def test_no_request_leaves_the_site(page: Any) -> None:
    search(page, "CNKI")
    page.goto(page.url.split("#")[0] + "databases/")
    page.wait_for_load_state("networkidle")
    assert page.outside == []


def test_search_fetches_only_pagefind_fragments(page: Any) -> None:
    """Results link to entries and come from Pagefind: Material's whole-site index is never fetched."""
    search(page, "Figshare")
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert any("/pagefind/" in url for url in loaded)
    assert not any("search_index" in url for url in loaded)
    assert not any("/pagefind/filter/" in url for url in loaded), "the collection filter is not fetched for a search"


def test_keys_typed_while_a_search_runs_end_in_the_whole_querys_results(page: Any) -> None:
    """Fast typing: keys that come while a search runs wait for it, then the query as typed runs once;
    the list ends with the results of the whole word, the same as when it is pasted."""
    whole = every_result(page, "journals")
    box = page.locator("input.md-search__input")
    box.fill("")
    box.press_sequentially("journals", delay=0)  # faster than any search: most keys arrive while one runs
    page.wait_for_function("q => document.querySelector('.md-search-result__list').dataset.query === q", arg="journals", timeout=10_000)
    shown = page.eval_on_selector_all("a.md-search-result__link", "links => links.map(a => a.getAttribute('href'))")
    assert shown and shown == whole[:len(shown)]


# --- a large guide's index in parts ----------------------------------------------


@pytest.fixture(scope="module")
def parted_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default guide built with a small ``search_part_words``: each edition's index in several parts."""
    import os
    import subprocess
    import sys

    work = tmp_path_factory.mktemp("parted")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - openshelf:\n" in text
    config = ROOT / f".parted-{os.getpid()}.yml"  # beside the real one: the same docs/ and guides/
    config.write_text(text.replace("  - openshelf:\n", "  - openshelf:\n      search_part_words: 2500\n", 1), encoding="utf-8")
    try:
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(work / "site")],
                                capture_output=True, text=True, check=False, timeout=900, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    finally:
        config.unlink()
    assert result.returncode == 0, result.stderr
    return work / "site"


def test_an_index_in_parts_finds_what_the_whole_index_finds(parted_site: Path, chromium: Any) -> None:
    """Every part is searched: words drawn from the guide find exactly the entries holding them, in both editions."""
    import json

    for bundle in (parted_site / "pagefind", parted_site / "en" / "pagefind"):
        parts = json.loads((bundle / "openshelf-parts.json").read_text(encoding="utf-8"))["parts"]
        assert len(parts) >= 3 and all((bundle / part / "pagefind-entry.json").is_file() for part in parts)
    with serve(parted_site) as base:
        tab = chromium.new_page(locale="zh-CN")
        outside = keep_local(tab)
        requested: list[str] = []
        tab.on("request", lambda request: requested.append(request.url))  # Pagefind's worker's fetches too
        tab.goto(base)
        tab.wait_for_load_state("networkidle")
        wrong = []
        for word, anchor in [("疫情", ""), ("古登堡", ""), ("知网", "cnki"), *sampled_words()[:10]]:
            found = entries_found(every_result(tab, word))
            if found != holding(word) or (anchor and anchor not in found):
                wrong.append((word, sorted(found ^ holding(word))))
        assert wrong == []
        assert any("/pagefind/part-3/" in url for url in requested), "the parts are fetched"
        tab.goto(base + "en/")
        tab.wait_for_load_state("networkidle")
        assert any(h.endswith("#pubmed") for h in every_result(tab, "PubMed"))
        assert any(h.endswith("#project-gutenberg") for h in every_result(tab, "Gutenberg"))
        assert outside == []
        tab.close()
