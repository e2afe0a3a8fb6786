"""A consortium site in headless Chromium: where entries come from, local notes, the Members page, the
per-member filter (URL state, no-script fallback) and search narrowed to one member.

The site is built through the plugin from a Guide with sources (``support.federated_fixture``, as the
federation stage loads one): cnki from 'emergency' and also listed by 'campus', pubmed from 'campus',
muse-2020 this library's own and also listed by 'emergency'.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from browser import browser, keep_local, serious_violations, serve, type_query, wait_until
from support import build_guide, federated_fixture

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    built = build_guide(federated_fixture(consortium=True), tmp_path_factory.mktemp("consortium"))
    with serve(built) as base, browser() as chromium:
        yield base, chromium


def open_page(site: tuple[str, Any], path: str, **context: Any) -> Any:
    base, chromium = site
    page = chromium.new_context(**context).new_page()
    outside = keep_local(page)
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    assert outside == []
    return page


def visible(page: Any) -> list[str]:
    return page.eval_on_selector_all(".os-entry:not([hidden]) h3", "hs => hs.map(h => h.id)")


def test_entries_show_their_source_and_the_local_note(site: tuple[str, Any]) -> None:
    page = open_page(site, "en/databases/")  # the English edition
    cnki = page.locator("article.os-entry:has(h3#cnki)")
    origin = cnki.locator("p.os-origin")
    assert not origin.is_visible()  # in the entry's details, a tap away
    cnki.locator("summary").click()
    assert origin.is_visible()
    assert "From: Shared emergency guide (updated 2026-11-20)" in origin.inner_text()
    assert "Also listed by: Campus library guide" in origin.inner_text()
    note = cnki.locator(".os-local-note")
    assert note.is_visible() and "At our library, sign in through WebVPN first." in note.inner_text()
    assert "Link OK (checked by Shared emergency guide on 2026-11-19)" in cnki.locator(".os-link").inner_text()
    muse = page.locator("article.os-entry:has(h3#muse-2020)")
    muse.locator("summary").click()
    assert "From this library" in muse.locator("p.os-origin").inner_text()
    origin.locator("a", has_text="Campus library guide").click()
    page.wait_for_load_state("networkidle")
    assert urlsplit(page.url).path.endswith("/members/") and urlsplit(page.url).fragment == "source-campus"
    page.close()


def test_the_members_page_lists_each_member_with_what_it_contributes(site: tuple[str, Any]) -> None:
    page = open_page(site, "en/members/")
    assert page.locator("article h1").inner_text().removesuffix("¶") == "Members"
    emergency = page.locator("h2#source-emergency")
    assert emergency.is_visible() and "Shared emergency guide" in emergency.inner_text()
    body = page.locator("article").inner_text()
    assert "Publisher: Emergency alliance" in body
    assert "2 in all: 2 shared with other guides, 0 only here" in body and "2 in all: 1 shared with other guides, 1 only here" in body
    assert page.locator("article a[href='https://shared.example.org/']").is_visible()
    nav = page.eval_on_selector_all(".md-nav--primary > .md-nav__list > .md-nav__item > .md-nav__link",
                                    "links => links.map(a => a.textContent.trim())")
    order = ("Academic resources", "Off-campus access", "Members", "Tag index")
    named = [next((name for name in order if name in text), "") for text in nav]
    assert tuple(dict.fromkeys(n for n in named if n)) == order, nav  # the page comes after the collections
    page.close()


def test_the_member_filter_narrows_the_list_and_keeps_its_state_in_the_url(site: tuple[str, Any]) -> None:
    page = open_page(site, "databases/")
    assert visible(page) == ["cnki", "muse-2020", "pubmed"]  # A to Z: CNKI, Project MUSE, PubMed
    page.locator("details.os-filter-box > summary").click()
    page.locator('form.os-filters input[name="member"][value="campus"]').check()
    wait_until(page, "() => document.querySelectorAll('.os-entry[hidden]').length === 1")
    assert visible(page) == ["cnki", "pubmed"]
    assert parse_qs(urlsplit(page.url).query)["member"] == ["campus"]
    shared = page.url
    page.close()

    again = open_page(site, shared.split("/", 3)[3])  # the shared URL restores the same view
    assert again.locator('input[name="member"][value="campus"]').is_checked()
    assert visible(again) == ["cnki", "pubmed"]
    again.close()
    no_script = open_page(site, "databases/?member=campus", java_script_enabled=False)
    assert not no_script.locator("form.os-filters").is_visible()
    assert no_script.locator(".os-entry:visible").count() == 3  # without JavaScript every entry is listed
    no_script.close()


RESULTS = """exp => {
  const list = document.querySelector('.md-search-result__list');
  const found = [...list.querySelectorAll('a.md-search-result__link')].map(a => a.hash.slice(1)).sort().join(' ');
  return list.dataset.query === 'journals' && found === exp && found;
}"""


def test_search_across_members_can_be_narrowed_to_one(site: tuple[str, Any]) -> None:
    page = open_page(site, "en/")
    type_query(page, "journals")
    wait_until(page, RESULTS, "cnki document-delivery muse-2020")  # one result per entry, from every member
    tags = page.eval_on_selector_all(".md-search-result__item .os-member", "ts => ts.map(t => t.textContent)")
    assert "Campus library guide" in tags and "This library" in tags
    member = page.locator("select.os-search-member")
    assert member.is_visible()
    options = member.locator("option").all_inner_texts()
    assert options[0] == "All members" and "Campus library guide" in options and "Shared emergency guide" in options
    member.select_option("Campus library guide")
    wait_until(page, RESULTS, "cnki")
    member.select_option("This library")
    wait_until(page, RESULTS, "document-delivery muse-2020")
    member.select_option("")
    wait_until(page, RESULTS, "cnki document-delivery muse-2020")
    page.close()


MEMBER_FILTER = """form => [...form.querySelectorAll('label:has(input[name=member])')].map(label => {
  const name = label.cloneNode(true);
  name.querySelectorAll('.os-count, .os-lang-mark').forEach(part => part.remove());  // the count, a name's ZH / EN mark
  return name.textContent.trim();
})"""


@pytest.mark.parametrize(("edition", "expected"), [("", ["共享应急指南", "Campus library guide", "本馆"]),
                                                   ("en/", ["Shared emergency guide", "Campus library guide", "This library"])])
def test_the_search_lists_the_members_in_the_order_of_the_page_filter(site: tuple[str, Any], edition: str, expected: list[str]) -> None:
    """The search's member select listed the members by name while the collection pages' filter follows _sources.yml
    (this library last): one order for both."""
    page = open_page(site, edition + "databases/")
    assert page.eval_on_selector("form.os-filters", MEMBER_FILTER) == expected
    type_query(page, "journals")
    wait_until(page, RESULTS, "cnki document-delivery muse-2020")
    assert page.locator("select.os-search-member option").all_inner_texts()[1:] == expected
    page.close()


@pytest.mark.parametrize("path", ["members/", "databases/", "en/members/", "en/databases/"])
def test_no_serious_accessibility_violations(site: tuple[str, Any], path: str) -> None:
    page = open_page(site, path, bypass_csp=True)
    serious = serious_violations(page)
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    page.close()


@pytest.mark.parametrize(("viewport", "scheme"), [({"width": 390, "height": 844}, "light"), ({"width": 1280, "height": 800}, "light"),
                                                  ({"width": 1280, "height": 800}, "dark")])
def test_search_results_naming_members_have_no_serious_accessibility_violations(site: tuple[str, Any], viewport: dict[str, int],
                                                                                 scheme: str) -> None:
    """The result count, the member select and each result's collection and member tags are read against the
    results' grey: Material's light grey text on it (3.9:1) is below WCAG AA; in the dark scheme the matched words
    are marked in the accent colour, which must be light enough for the dark background."""
    page = open_page(site, "en/", bypass_csp=True, viewport=viewport, color_scheme=scheme)
    if viewport["width"] < 960:  # a phone: the header's search button opens the search
        page.locator("label.md-header__button[for=__search]").click()
    type_query(page, "journals")
    wait_until(page, RESULTS, "cnki document-delivery muse-2020")
    assert page.locator("select.os-search-member").is_visible() and page.locator(".md-search-result__item .os-member").count() > 0
    serious = serious_violations(page)
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    page.close()
