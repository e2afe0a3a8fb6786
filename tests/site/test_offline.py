"""The service worker: a cache per build, old caches deleted on activation, never an error response cached."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from openshelf.site import offline
from openshelf.site.pipeline import ASSETS

VERSION = re.compile(r'^var VERSION = "([0-9a-f]{16})";$', re.MULTILINE)


def worker_version(site: Path) -> str:
    match = VERSION.search((site / "sw.js").read_text(encoding="utf-8"))
    assert match, "sw.js carries no build version"
    return match.group(1)


def test_the_version_is_a_hash_of_the_other_files(tmp_path: Path) -> None:
    shutil.copyfile(ASSETS["sw.js"], tmp_path / "sw.js")
    (tmp_path / "index.html").write_text("<p>one</p>", encoding="utf-8")
    first = offline.stamp(tmp_path)
    assert worker_version(tmp_path) == first
    assert offline.stamp(tmp_path) == first, "the worker itself is not part of the hash"
    (tmp_path / "pagefind").mkdir()
    (tmp_path / "pagefind" / "fragment").write_text("new search data", encoding="utf-8")
    second = offline.stamp(tmp_path)
    assert second != first and worker_version(tmp_path) == second
    original = ASSETS["sw.js"].read_text(encoding="utf-8")
    assert (tmp_path / "sw.js").read_text(encoding="utf-8") == original.replace('var VERSION = "dev";', f'var VERSION = "{second}";')


@pytest.mark.browser
def test_the_worker_caches_per_build_and_never_an_error(built_site: Path, tmp_path: Path) -> None:
    from browser import browser, keep_local, serve, wait_until

    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    first = worker_version(site)
    cache_names = "caches.keys()"
    cached = "url => caches.open(%r).then(c => c.match(url)).then(r => r ? r.status : null)"
    with serve(site) as base, browser() as chromium:
        page: Any = chromium.new_context(locale="zh-CN").new_page()  # the root's edition: no redirect to /en/
        page.set_default_timeout(90_000)  # a loaded machine; nothing here is a timing claim
        keep_local(page)
        page.goto(base)
        wait_until(page, "() => navigator.serviceWorker.controller !== null")
        # The worker opens its cache when it first stores a response: wait for it, then compare.
        wait_until(page, "() => caches.keys().then(k => k.length > 0)")
        assert page.evaluate(cache_names) == [f"openshelf-{first}"]

        missing = page.goto(base + "no-such-page/")
        assert missing is not None and missing.status == 404
        page.goto(base + "databases/")  # a page that exists, cached after the missing one
        wait_until(page, f"url => ({cached % f'openshelf-{first}'})(url).then(s => s === 200)", base + "databases/")
        assert page.evaluate(cached % f"openshelf-{first}", base + "no-such-page/") is None

        # A deploy: any built file changes, so the worker gets a new version and a new cache.
        about = site / "about" / "index.html"
        about.write_text(about.read_text(encoding="utf-8") + "<!-- changed -->", encoding="utf-8")
        second = offline.stamp(site)
        assert second != first
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        wait_until(page, f"() => caches.keys().then(k => k.length === 1 && k[0] === 'openshelf-{second}')")
        page.goto(base + "about/")
        wait_until(page, f"url => ({cached % f'openshelf-{second}'})(url).then(s => s === 200)", base + "about/")
        # The old build's worker may still finish a write it began before the switch; the new
        # worker deletes such a cache again on the next page load, so none is left behind.
        page.goto(base + "databases/")
        wait_until(page, f"() => caches.keys().then(k => k.length === 1 && k[0] === 'openshelf-{second}')")
        assert page.evaluate(cache_names) == [f"openshelf-{second}"]
