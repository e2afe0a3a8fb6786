"""What readers see, in headless Chromium: filters, badges, sharing, accessibility (the editions: test_editions_browser.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from browser import browser, keep_local, serve, wait_until
from support import ROOT

pytestmark = pytest.mark.browser
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def site(built_site: Path) -> Iterator[tuple[str, Any]]:
    with serve(built_site) as base, browser() as chromium:
        yield base, chromium


def open_page(site: tuple[str, Any], path: str, **context: Any) -> Any:
    base, chromium = site
    ctx = chromium.new_context(**context)
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
    assert page.locator("form.os-filters").is_visible()
    total = visible_entries(page)
    assert total >= 20
    page.locator('form.os-filters input[name="access"][value="free"]').check()
    free = visible_entries(page)
    assert 0 < free < total
    assert parse_qs(urlsplit(page.url).query)["access"] == ["free"]
    page.locator('form.os-filters input[name="status"][value="ended"]').check()
    both = visible_entries(page)
    assert both < free
    shared = page.url
    page.close()

    again = open_page(site, shared.split("/", 3)[3])  # the shared URL restores the same view
    assert again.locator('input[name="access"][value="free"]').is_checked()
    assert visible_entries(again) == both
    again.locator("form.os-filters button[type=reset]").click()
    wait_until(again, "() => document.querySelectorAll('.os-entry[hidden]').length === 0")
    assert "access=" not in again.url
    again.close()


def test_without_javascript_every_entry_is_listed(site: tuple[str, Any]) -> None:
    page = open_page(site, "databases/?access=free", java_script_enabled=False)
    assert not page.locator("form.os-filters").is_visible()
    assert visible_entries(page) == page.locator(".os-entry").count()
    page.close()


def test_badges_qr_and_feed_are_shown(site: tuple[str, Any], built_site: Path) -> None:
    page = open_page(site, "en/databases/")  # the English edition
    badges = page.locator("#cnki").locator("xpath=..").locator(".os-badge")
    texts = badges.all_inner_texts()
    assert any("Institutional" in t for t in texts) and any("verified" in t for t in texts)
    assert any("Link" in t for t in texts)
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


@pytest.mark.parametrize("path", ["", "databases/", "en/databases/"])
def test_no_serious_accessibility_violations(site: tuple[str, Any], path: str) -> None:
    assert AXE.is_file(), "make test installs axe-core from npm into .cache/npm"
    page = open_page(site, path, bypass_csp=True)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"][:3]])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    page.close()


def test_nothing_is_requested_from_other_hosts(site: tuple[str, Any]) -> None:
    for path in ("", "databases/", "health/", "links/"):
        page = open_page(site, path)
        assert page.outside == [], (path, page.outside)
        page.close()


def test_phone_screenshots(site: tuple[str, Any]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for path, name in (("", "home"), ("databases/", "databases")):
        page = open_page(site, path, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} scrolls sideways on a phone ({overflow}px)"
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=False)
        page.close()
    assert (ARTIFACTS / "phone-home.png").stat().st_size > 10_000
