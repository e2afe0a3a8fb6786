"""What readers see, in headless Chromium: filters, badges, sharing, accessibility (the editions: test_editions_browser.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from browser import browser, keep_local, serious_violations, serve, wait_until
from openshelf.guide.load import load_guide
from openshelf.site.bilingual import rendering
from openshelf.site.render import initial
from support import ROOT

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def site(built_site: Path) -> Iterator[tuple[str, Any]]:
    with serve(built_site) as base, browser() as chromium:
        yield base, chromium


def open_page(site: tuple[str, Any], path: str, **context: Any) -> Any:
    base, chromium = site
    # a reader of the edition's language (the root would send an English browser to en/)
    ctx = chromium.new_context(**{"locale": "en-US" if path.startswith("en/") else "zh-CN", **context})
    page = ctx.new_page()
    outside = keep_local(page)
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    page.outside = outside
    return page


def visible_entries(page: Any) -> int:
    return page.locator(".os-entry:visible").count()


def test_filters_narrow_the_list_and_keep_state_in_the_url(site: tuple[str, Any]) -> None:
    page = open_page(site, "databases/")
    toggle = page.locator("details.os-filter-box > summary")
    assert toggle.is_visible() and not page.locator("form.os-filters").is_visible()  # little room until opened
    toggle.click()
    assert page.locator("form.os-filters").is_visible()
    total = visible_entries(page)
    assert total >= 20
    page.locator('form.os-filters input[name="access"][value="free"]').check()
    free = visible_entries(page)
    assert 0 < free < total
    assert parse_qs(urlsplit(page.url).query)["access"] == ["free"]
    assert toggle.inner_text().strip() == "筛选（1）"  # the toggle counts the filters in use, in full-width brackets
    page.locator('form.os-filters input[name="status"][value="ended"]').check()
    both = visible_entries(page)
    assert both < free
    shared = page.url
    page.close()

    again = open_page(site, shared.split("/", 3)[3])  # the shared URL restores the same view
    assert again.locator('input[name="access"][value="free"]').is_checked()
    assert again.locator("form.os-filters").is_visible(), "a URL with filters opens the filter toggle"
    assert visible_entries(again) == both
    again.locator("form.os-filters button[type=reset]").click()
    wait_until(again, "() => document.querySelectorAll('.os-entry[hidden]').length === 0")
    assert "access=" not in again.url
    again.close()


def test_without_javascript_every_entry_is_listed(site: tuple[str, Any]) -> None:
    page = open_page(site, "databases/?access=free", java_script_enabled=False)
    assert not page.locator("form.os-filters").is_visible() and not page.locator(".os-filter-box").is_visible()
    assert visible_entries(page) == page.locator(".os-entry").count()
    page.locator("#cnki").locator("xpath=..").locator("summary").click()  # details open without scripts too
    assert page.locator("#cnki").locator("xpath=..").locator("p.os-url").is_visible()
    page.close()


@pytest.mark.parametrize(("path", "other"), [("databases/", "en/databases/"), ("en/tags/", "tags/"), ("en/", ""), ("a-z/", "en/a-z/")])
def test_without_javascript_the_language_switch_keeps_the_page(site: tuple[str, Any], path: str, other: str) -> None:
    """The switch's links led to the other edition's home page where scripts do not run."""
    base, _ = site
    page = open_page(site, path, java_script_enabled=False)
    other_lang = "zh" if path.startswith("en/") else "en"
    link = page.locator(f'.md-select__link[hreflang="{other_lang}"]').first
    assert link.evaluate("a => a.href") == base + other
    page.close()


def test_badges_qr_and_feed_are_shown(site: tuple[str, Any], built_site: Path) -> None:
    page = open_page(site, "en/databases/#cnki")  # the English edition; its anchor opens its details
    badges = page.locator("#cnki").locator("xpath=..").locator(".os-badge:visible")
    texts = badges.all_inner_texts()
    assert any("Institutional" in t for t in texts) and any("Active" in t for t in texts)
    body = page.locator("article.md-content__inner").inner_text()
    assert "not yet" not in body.casefold() and "尚未" not in body, "no badge without news (not yet checked, not yet verified)"
    chictr = page.locator("#chictr").locator("xpath=..")
    chictr.locator("summary").click()  # its details
    checked = chictr.locator(".os-verified")  # a check recorded with openshelf verify
    assert checked.is_visible() and "Verified on 2026-11-28" in checked.inner_text()
    assert checked.locator("a").get_attribute("href") == "http://www.chictr.org.cn/registry.aspx"
    # a badge on exactly the entries with a recorded check: none on an unchecked one
    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    listed = [e for e in guide.entries if e.collection == "databases"]
    badged = page.locator("article.os-entry").evaluate_all(
        "articles => articles.filter(a => a.querySelector('.os-verified')).map(a => a.querySelector('h3').id)")
    assert sorted(badged) == sorted(e.id for e in listed if e.last_verified is not None)
    qr = page.locator("img.os-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    feed = page.locator("a.os-feed")
    assert feed.count() == 1
    downloads = page.locator("a.os-download").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert [h.rsplit("/", 1)[-1] for h in downloads] == ["openshelf.json", "openshelf.csv", "openshelf.yaml"]
    assert page.locator('head link[rel="alternate"][type="application/atom+xml"]').count() == 1
    ET.fromstring((built_site / "feed.xml").read_text(encoding="utf-8"))  # well-formed Atom
    assert (built_site / "qr" / "index.svg").is_file()
    page.close()


@pytest.mark.parametrize("path", ["", "databases/", "en/", "en/databases/", "en/health/", "en/about/", "en/links/"])
def test_no_serious_accessibility_violations(site: tuple[str, Any], path: str) -> None:
    page = open_page(site, path, bypass_csp=True)
    serious = serious_violations(page)
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    page.close()


def test_nothing_is_requested_from_other_hosts(site: tuple[str, Any]) -> None:
    for path in ("", "databases/", "health/", "links/"):
        page = open_page(site, path)
        assert page.outside == [], (path, page.outside)
        page.close()


def test_phone_screenshots(site: tuple[str, Any]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for path, name in (("", "home"), ("databases/", "databases"), ("en/", "en-home"), ("en/databases/", "en-databases")):
        page = open_page(site, path, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} scrolls sideways on a phone ({overflow}px)"
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=False)
        page.close()
    assert (ARTIFACTS / "phone-home.png").stat().st_size > 10_000


# The separators of the first paragraph under the page's heading (the tag index's tags, the A-Z bar's letters) that
# begin a line: a wrapped line should start with a link, never with its "·".
_DOTS_STARTING_A_LINE = """() => {
  const run = document.querySelector('.md-content h1 ~ p');
  const left = run.getBoundingClientRect().left, found = [];
  const walker = document.createTreeWalker(run, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode())
    for (let i = node.textContent.indexOf('·'); i >= 0; i = node.textContent.indexOf('·', i + 1)) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      if (range.getBoundingClientRect().left - left < 2) found.push(run.textContent.slice(0, 40));
    }
  return found;
}"""


@pytest.mark.parametrize("path", ["tags/", "en/tags/", "a-z/", "en/a-z/"])
def test_a_wrapped_run_of_links_never_starts_a_line_with_its_separator(site: tuple[str, Any], path: str) -> None:
    page = open_page(site, path, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    assert page.evaluate(_DOTS_STARTING_A_LINE) == [], path
    page.close()


def largest_collection() -> str:
    """The default guide's collection with the most entries: its page's path."""
    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    return max(guide.collections, key=lambda c: len(c.entries)).id + "/"


#: Where the page's entries start and how much room they take, with every entry's details closed.
MEASURE = """() => {
  const entries = [...document.querySelectorAll('.os-entry')];
  const top = e => e.getBoundingClientRect().top + scrollY;
  const last = entries[entries.length - 1];
  return {entries: entries.length, screen: innerHeight, page: document.documentElement.scrollHeight,
          first_screen: entries.filter(e => top(e) < innerHeight).length,
          two_screens: entries.filter(e => top(e) < 2 * innerHeight).length,
          per_entry: (top(last) + last.getBoundingClientRect().height - top(entries[0])) / entries.length,
          open: document.querySelectorAll('.os-details[open]').length,
          sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          title_width: document.querySelector('.md-header__title').getBoundingClientRect().width,
          banner: document.querySelector('.md-banner')?.getBoundingClientRect().height || 0};
}"""

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.mark.parametrize("edition", ["", "en/"])
def test_the_largest_collection_is_a_list_you_can_scan_on_a_phone(site: tuple[str, Any], edition: str) -> None:
    """Issue 10: at 390 × 844 at least four entries start on the first screen, at most 150 px per entry with the
    details closed, no sideways scroll, the header's title not squeezed, the announcement short; in each edition."""
    path = edition + largest_collection()
    page = open_page(site, path, **PHONE)
    phone = page.evaluate(MEASURE)
    print(f"\n{path} at 390 × 844: {json.dumps(phone)}")
    assert phone["open"] == 0
    assert phone["first_screen"] >= 4, phone
    assert phone["per_entry"] <= 150, phone
    assert phone["sideways"] <= 1, phone
    assert phone["title_width"] >= 100, phone  # was 74 px ("Open…") beside the language buttons
    assert phone["banner"] <= 60, phone  # two lines; a third of the screen before
    page.close()
    desktop = open_page(site, path, viewport={"width": 1280, "height": 800})
    print(f"{path} at 1280 × 800: {json.dumps(desktop.evaluate(MEASURE))}")
    desktop.close()


#: Each content table: how far its scrolling box overflows, and the column name its second cell shows before its value.
TABLES = """() => [...document.querySelectorAll('article table')].map(t => {
  const box = t.closest('.md-typeset__scrollwrap') || t, cell = t.querySelector('tbody td:nth-child(2)');
  return {sideways: box.scrollWidth - box.clientWidth, stacked: t.hasAttribute('data-os-stack'),
          label: cell ? getComputedStyle(cell, '::before').content : '', hint: getComputedStyle(box).backgroundImage};
})"""


@pytest.mark.parametrize(("path", "label"), [("links/", '"正常"'), ("en/links/", '"OK"'), ("about/", '"条目"'), ("en/about/", '"Entries"')])
def test_wide_tables_are_stacked_on_a_phone_with_their_column_names(site: tuple[str, Any], path: str, label: str) -> None:
    """The link-health and About tables scrolled sideways on a phone with no sign that they did: a table too wide is
    shown a row at a time, each value beside its column's name; none scrolls."""
    page = open_page(site, path, **PHONE)
    tables = page.evaluate(TABLES)
    assert tables and all(t["sideways"] <= 1 for t in tables), tables
    assert tables[0]["stacked"] and tables[0]["label"] == label, tables[0]
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    page.set_viewport_size({"width": 1280, "height": 800})  # a wide screen: the same table, as a table
    wait_until(page, "() => !document.querySelector('article table[data-os-stack]')")
    page.close()
    plain = open_page(site, path, java_script_enabled=False, **PHONE)  # without scripts it scrolls, and shows it does
    (first, *_) = plain.evaluate(TABLES)
    assert first["sideways"] > 1 and "radial-gradient" in first["hint"], first
    plain.close()


def test_an_entrys_details_are_one_tap_away_and_open_on_its_anchor(site: tuple[str, Any]) -> None:
    page = open_page(site, largest_collection(), **PHONE)
    first = page.locator(".os-entry").first
    assert not first.locator("p.os-url").is_visible()
    first.locator("summary").tap()
    assert first.locator("p.os-url").is_visible() and first.locator(".os-details").get_attribute("open") is not None
    cnki = page.locator("article.os-entry:has(h3#cnki)")
    assert not cnki.locator("p.os-url").is_visible()
    page.evaluate("() => { location.hash = '#cnki'; }")  # a link to the entry on the same page
    wait_until(page, "() => document.querySelector('#cnki').closest('.os-entry').querySelector('details').open")
    assert cnki.locator("p.os-url").is_visible()
    cnki.locator("a", has_text="CARSI").first.click()  # a related entry on another page (Material's instant navigation)
    wait_until(page, "() => location.pathname.endsWith('/access/') && "
                     "document.querySelector('#carsi')?.closest('.os-entry').querySelector('details').open")
    page.close()
    shared = open_page(site, "access/#carsi")  # a link from another page, a search result, a shared address
    carsi = shared.locator("article.os-entry:has(h3#carsi)")
    wait_until(shared, "() => document.querySelector('#carsi').closest('.os-entry').querySelector('details').open")
    assert carsi.locator("p.os-url").is_visible()
    assert shared.locator(".os-details[open]").count() == 1
    shared.close()


@pytest.mark.parametrize("path", ["databases/#cnki", "en/databases/#cnki"])
def test_an_opened_entrys_marker_stands_beside_its_icons(site: tuple[str, Any], path: str) -> None:
    """Opened (here from its anchor), an entry's summary hid its sentence and left a lone "▾" on a line of its own above
    the icons: the marker now starts the icons' line."""
    page = open_page(site, path, **PHONE)
    wait_until(page, "() => document.querySelector('#cnki').closest('.os-entry').querySelector('details').open")
    line, chip = (page.locator(f"article.os-entry:has(h3#cnki) summary {c}").first.bounding_box() for c in (".os-line", ".os-badge"))
    assert line is not None and chip is not None
    assert abs((line["y"] + line["height"] / 2) - (chip["y"] + chip["height"] / 2)) < chip["height"] / 2, (line, chip)
    assert line["x"] < chip["x"]
    page.close()


def test_the_letter_bar_jumps_to_the_first_name_under_a_letter(site: tuple[str, Any]) -> None:
    page = open_page(site, "databases/")
    letters = page.locator("nav.os-letters a").all_inner_texts()
    assert "C" in letters and letters == sorted(letters, key=lambda g: (g == "#", g))
    page.locator("nav.os-letters a", has_text="Z").click()
    wait_until(page, "() => location.hash === '#letter-z'")
    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    order = page.eval_on_selector_all(".os-entry h3", "hs => hs.map(h => h.id)")
    target = page.locator("#letter-z")
    with rendering("zh"):  # the main edition: Chinese names by their pinyin (中国知网 under Z)
        first_z = next(i for i in order if initial(guide.by_id[i]) == "Z")
    assert target.locator("h3").get_attribute("id") == first_z
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 800
    page.close()


@pytest.mark.parametrize("path", ["access/", "en/access/"])
def test_keyboard_reaches_the_filter_toggle_and_each_entry(site: tuple[str, Any], path: str) -> None:
    page = open_page(site, path)
    summaries = page.locator(".os-details > summary").count()
    reached: list[str] = []
    for _ in range(400):
        page.keyboard.press("Tab")
        where = page.evaluate("""() => { const a = document.activeElement;
          return a.matches('.os-filter-box > summary') ? 'filter' :
                 a.matches('.os-details > summary') ? a.closest('.os-entry').querySelector('h3').id : ''; }""")
        if where and where not in reached:
            reached.append(where)
        if where == "filter":
            page.keyboard.press("Enter")
            assert page.locator("form.os-filters").is_visible()
        if len(reached) == summaries + 1:
            break
    assert reached[0] == "filter" and len(reached) == summaries + 1, reached
    page.keyboard.press("Enter")  # the last entry reached: Enter opens it
    last = page.locator(f"article.os-entry:has(h3#{reached[-1]})")
    assert last.locator(".os-details").get_attribute("open") is not None and last.locator("p.os-url, p.os-url-local").is_visible()
    page.close()


@pytest.mark.parametrize("edition", ["", "en/"])
def test_open_details_and_filters_have_no_serious_accessibility_violations(site: tuple[str, Any], edition: str) -> None:
    page = open_page(site, edition + largest_collection() + "?access=free#cnki", bypass_csp=True, **PHONE)
    wait_until(page, "() => document.querySelector('.os-details[open]') && document.querySelector('.os-filter-box[open]')")
    serious = serious_violations(page)
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    page.close()


@pytest.mark.parametrize(("home", "locale", "query", "entry"), [("", "zh-CN", "知网", "cnki"), ("en/", "en-US", "PubMed", "pubmed")])
def test_keyboard_alone_searches_and_opens_a_result(site: tuple[str, Any], home: str, locale: str, query: str, entry: str) -> None:
    """Issue 10: keyboard-only use reaches the search results, in each edition: a key opens search (Material's
    "/" shortcut), the query is typed, the arrow keys walk the results and Enter opens the entry on its page."""
    page = open_page(site, home, locale=locale)
    page.keyboard.press("/")
    wait_until(page, "() => document.activeElement && document.activeElement.matches('input.md-search__input')")
    if query.isascii():
        page.keyboard.type(query, delay=30)
    else:  # committed IME text, then a key release, as an input method does
        page.keyboard.insert_text(query)
        page.keyboard.press("End")
    wait_until(page, "q => document.querySelector('.md-search-result__list')?.dataset.query === q", query)
    href = ""
    for _ in range(30):  # down the list until the entry's result has the focus
        page.keyboard.press("ArrowDown")
        href = page.evaluate("() => document.activeElement.matches('a.md-search-result__link') ? document.activeElement.getAttribute('href') : ''")
        if href.endswith(f"#{entry}"):
            break
    assert href.endswith(f"#{entry}"), href
    page.keyboard.press("Enter")
    wait_until(page, "id => location.hash === '#' + id && document.getElementById(id)?.closest('.os-entry').querySelector('details').open", entry)
    assert page.locator(f"article.os-entry:has(h3#{entry}) p.os-url, article.os-entry:has(h3#{entry}) p.os-url-local").first.is_visible()
    assert urlsplit(page.url).path.startswith("/" + home)  # still in the reader's edition
    page.close()
