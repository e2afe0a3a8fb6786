"""A site per language, in headless Chromium: the English edition speaks English, the switch keeps
the reader on the same entry, the site's root sends a reader to their browser's language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from browser import browser, keep_local, serve, type_query, wait_until
from support import ROOT

pytestmark = pytest.mark.browser

#: Chinese characters and CJK punctuation (full-width comma, colon, brackets …).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
#: The interface around the content: header (site name, search box), navigation, table of contents,
#: announcement, footer, and on collection pages the filters and the badges.  Material's language
#: selector is left out: it names each edition in its own language (中文), marked lang="zh".
INTERFACE = [".md-header", ".md-banner", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer",
             "form.os-filters", ".os-badge", ".md-search"]
INTERFACE_TEXT = """selectors => {
  const parts = [document.title];
  for (const selector of selectors) {
    for (const element of document.querySelectorAll(selector)) {
      const copy = element.cloneNode(true);
      copy.querySelectorAll('.md-select').forEach(s => s.remove());
      parts.push(copy.textContent);
      copy.querySelectorAll('[placeholder], [aria-label], [title]').forEach(e =>
        parts.push(e.getAttribute('placeholder') || '', e.getAttribute('aria-label') || '', e.getAttribute('title') || ''));
    }
  }
  return parts.join('\\n');
}"""


@cache
def names_without_english() -> list[str]:
    """The Chinese titles of the default guide's entries that have no English one: the only Chinese allowed."""
    from openshelf.guide.load import load_guide

    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    return sorted((e.title.zh for e in guide.entries if e.title.zh and not e.title.en), key=len, reverse=True)


@pytest.fixture(scope="module")
def site(built_site: Path) -> Iterator[tuple[str, Any]]:
    with serve(built_site) as base, browser() as chromium:
        yield base, chromium


def open_page(site: tuple[str, Any], path: str, locale: str = "en-US", **context: Any) -> Any:
    base, chromium = site
    page = chromium.new_context(locale=locale, viewport={"width": 1280, "height": 800}, **context).new_page()
    page.outside = keep_local(page)
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("path", ["en/", "en/databases/", "en/services/", "en/a-z/", "en/about/"])
def test_the_english_edition_has_no_chinese_interface_text(site: tuple[str, Any], path: str) -> None:
    page = open_page(site, path)
    assert page.evaluate("document.documentElement.lang") == "en"
    text = page.evaluate(INTERFACE_TEXT, INTERFACE)
    for name in names_without_english():
        text = text.replace(name, "")
    assert CJK.findall(text) == [], [line.strip() for line in text.splitlines() if CJK.search(line)]
    assert page.locator("input.md-search__input").get_attribute("placeholder") == "Search"
    if path == "en/databases/":  # the filters and badges are there to be checked
        assert page.locator("form.os-filters legend").count() >= 2 and page.locator(".os-badge").count() >= 20
    page.context.close()


def test_the_chinese_edition_has_chinese_interface(site: tuple[str, Any]) -> None:
    page = open_page(site, "databases/", locale="zh-CN")
    assert page.evaluate("document.documentElement.lang") == "zh"
    assert page.locator("input.md-search__input").get_attribute("placeholder") == "搜索"
    assert "Institutional" not in page.locator(".os-badge").all_inner_texts()
    page.context.close()


#: Latin-letter words the Chinese edition's interface may show: the name in the footer's credit ("本站使用 Material for MkDocs 构建").
MATERIAL_FOOTER = {"Material", "for", "MkDocs"}


@cache
def latin_words_in_chinese_names() -> set[str]:
    """Latin-letter words of the names the Chinese edition shows: entries' titles and the Chinese labels of tags,
    categories and collections (VPN, CNKI, PubMed)."""
    from openshelf.guide.load import load_guide

    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    labels = [*guide.site.tags.values(), *guide.site.categories.values(), *(c.title for c in guide.collections)]
    names = [t.zh or t.en or "" for t in (*labels, *(e.title for e in guide.entries))]
    return set(LATIN.findall(" ".join(names)))


LATIN = re.compile(r"[A-Za-z][A-Za-z-]+")


@pytest.mark.parametrize("path", ["", "databases/", "tags/", "print/databases/"])
def test_the_chinese_edition_has_no_english_interface_text(site: tuple[str, Any], path: str) -> None:
    """Headings' link titles, tag names, the filters, the handout's title, the footer: in Chinese (only names in Latin letters)."""
    page = open_page(site, path, locale="zh-CN")
    page.evaluate("document.querySelectorAll('script').forEach(s => s.remove())")
    text = page.evaluate(INTERFACE_TEXT, [*INTERFACE, ".md-content .headerlink", ".md-content h1"])
    assert set(LATIN.findall(text)) - MATERIAL_FOOTER - latin_words_in_chinese_names() == set(), path
    page.context.close()


def switch_to(page: Any, lang: str) -> None:
    page.locator(".md-header .md-select").hover()
    page.locator(f'.md-header a.md-select__link[hreflang="{lang}"]').click()
    page.wait_for_load_state("networkidle")


def test_the_switch_leads_to_the_same_entry_in_the_other_edition(site: tuple[str, Any]) -> None:
    base, _ = site
    page = open_page(site, "en/databases/#cnki")
    switch_to(page, "zh")
    assert page.url == base + "databases/#cnki"
    assert page.evaluate("document.documentElement.lang") == "zh"
    assert page.locator("#cnki").inner_text().startswith("中国知网")
    switch_to(page, "en")
    assert page.url == base + "en/databases/#cnki"
    page.context.close()


def test_the_switch_follows_instant_navigation(site: tuple[str, Any]) -> None:
    """Material's instant navigation swaps the page but not the header: the switch still leads to the page shown."""
    base, _ = site
    page = open_page(site, "en/databases/")
    page.locator('.md-sidebar--primary a[href$="/en/services/"]').first.click()
    wait_until(page, "() => location.pathname.endsWith('/en/services/') && !!document.getElementById('cashl-document-delivery')")
    page.evaluate("location.hash = '#cashl-document-delivery'")
    switch_to(page, "zh")
    assert page.url == base + "services/#cashl-document-delivery"
    page.context.close()


@pytest.mark.parametrize(("locale", "landing"), [("en-US", "en/"), ("zh-CN", ""), ("fr-FR", "")])
def test_the_root_sends_a_reader_to_the_edition_of_their_language(site: tuple[str, Any], locale: str, landing: str) -> None:
    base, _ = site
    page = open_page(site, "", locale=locale)
    wait_until(page, "url => location.href === url", base + landing)
    page.context.close()


def test_a_reader_who_chose_an_edition_stays_there(site: tuple[str, Any]) -> None:
    base, _ = site
    page = open_page(site, "")  # en-US: sent to /en/
    wait_until(page, "url => location.href === url", base + "en/")
    switch_to(page, "zh")
    assert page.url == base
    page.goto(base)  # again, as if typed: the choice is remembered
    page.wait_for_load_state("networkidle")
    assert page.url == base and page.evaluate("document.documentElement.lang") == "zh"
    page.context.close()


def test_without_scripts_the_editions_are_plain_links(site: tuple[str, Any]) -> None:
    base, _ = site
    page = open_page(site, "", java_script_enabled=False)
    assert page.url == base
    links = page.locator('.md-header a.md-select__link[hreflang]')
    assert sorted(links.evaluate_all("links => links.map(a => a.hreflang + ' ' + a.href)")) == [f"en {base}en/", f"zh {base}"]
    page.context.close()


@pytest.mark.parametrize(("query", "anchor"), [("PubMed", "en/databases/#pubmed"), ("document delivery", "en/services/#cashl-document-delivery"),
                                               ("vaccines", "en/health/#who-covid-dashboard"), ("知网", "en/databases/#cnki")])
def test_search_in_the_english_edition(site: tuple[str, Any], query: str, anchor: str) -> None:
    """The English edition's own index: English words (stemmed: vaccines finds vaccine), names in either script,
    results that lead into the English edition."""
    base, _ = site
    page = open_page(site, "en/")
    type_query(page, query)
    wait_until(page, "q => { const l = document.querySelector('.md-search-result__list'); return l && l.dataset.query === q; }", query)
    hrefs = page.eval_on_selector_all("a.md-search-result__link", "links => links.map(a => a.href)")
    assert base + anchor in hrefs, hrefs[:10]
    assert all(h.startswith(base + "en/") for h in hrefs), hrefs
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert any(url.startswith(base + "en/pagefind/") for url in loaded)
    assert not any(url.startswith(base + "pagefind/") for url in loaded)  # not the Chinese edition's index
    assert page.outside == []
    page.context.close()


def test_english_results_show_chinese_words_whole(site: tuple[str, Any]) -> None:
    """The English edition indexes Chinese character by character, parted by spaces; its results show 中国知网,
    not 中 国 知 网, and 知网 as one mark."""
    page = open_page(site, "en/")
    type_query(page, "知网")
    wait_until(page, "q => { const l = document.querySelector('.md-search-result__list'); return l && l.dataset.query === q; }", "知网")
    cnki = page.locator("a.md-search-result__link[href$='#cnki'] article")
    text = cnki.inner_text()
    assert "中国知网" in text and "中 国" not in text, text
    assert " · 知网 · " in text, text  # an alias between its neighbours: not run into them ("…服务知网免费")
    assert "知网" in cnki.locator("mark").all_inner_texts(), cnki.inner_html()
    page.context.close()


#: The 404 page's blocks as the reader sees them: each visible one's language, heading and link.
NOT_FOUND_SHOWN = """() => [...document.querySelectorAll('.os-not-found')].filter(b => b.checkVisibility()).map(b => ({
  lang: b.closest('[lang]').lang, heading: b.querySelector('h1').textContent, link: b.querySelector('a').href}))"""


@pytest.mark.parametrize(("path", "lang", "heading", "home"), [("en/no-such-page/", "en", "404 - Not found", "en/"),
                                                               ("no-such-page/", "zh", "404 - 页面不存在", "")])
def test_a_missing_address_is_answered_in_its_editions_language(site: tuple[str, Any], path: str, lang: str, heading: str, home: str) -> None:
    """GitHub Pages serves the root's 404.html (the Chinese edition's) for every missing address: under /en/ the reader
    got Chinese.  With scripts the page speaks the edition of the address and leads to its home page; without, it
    says it in both languages, each leading to its own edition."""
    base, _ = site
    page = open_page(site, path, locale="zh-CN")
    assert page.evaluate(NOT_FOUND_SHOWN) == [{"lang": lang, "heading": heading, "link": base + home}]
    assert page.evaluate("document.documentElement.lang") == lang
    page.context.close()
    plain = open_page(site, path, java_script_enabled=False)
    assert plain.evaluate(NOT_FOUND_SHOWN) == [{"lang": "zh", "heading": "404 - 页面不存在", "link": base},
                                               {"lang": "en", "heading": "404 - Not found", "link": base + "en/"}]
    plain.context.close()
