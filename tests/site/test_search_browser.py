"""Search in a real browser: the built default guide, typed into Material's search box."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import browser, keep_local, serve, type_query

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(built_site: Path) -> Iterator[Any]:
    with serve(built_site) as base, browser() as chromium:
        tab = chromium.new_page()
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
                          " return l && l.dataset.query === q && l.querySelector('.md-search-result__item'); }", arg=query, timeout=10_000)
    return tab.eval_on_selector_all(".md-search-result__link", "links => links.map(a => a.getAttribute('href'))")


@pytest.mark.parametrize(("query", "anchor"), [
    ("知网", "#cnki"),
    ("文献传递", "#cashl-document-delivery"),
    ("CARSI", "#carsi"),
    ("PubMed", "#pubmed"),
    ("Figshare", "#figshare"),
    ("新冠", "#litcovid"),  # LitCovid 新冠文献库
    ("VPN", "#campus-vpn"),
])
def test_search_finds_the_entry(page: Any, query: str, anchor: str) -> None:
    hrefs = search(page, query)
    assert any(h.endswith(anchor) for h in hrefs), (query, hrefs[:10])


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
