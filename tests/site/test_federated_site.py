"""Sites of guides that subscribe, built from the files on disk (``_sources.yml``, snapshots, lock,
``_overlays.yml``) by the real federation stage: a consortium of two member guides built with
``mkdocs build`` (and looked at in Chromium), and a library guide with a local note rendered through
the pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from federated import collection, entry, export_bytes, site, subscribe

from openshelf.site.bilingual import day
from openshelf.site.members import MEMBERS
from openshelf.site.pipeline import render_site
from support import make_project, mkdocs_build, write_guide

MEMBERS_YML = """\
sources:
  - id: east
    url: https://east.example.org/downloads/openshelf.json
  - id: west
    url: https://west.example.org/downloads/openshelf.json
"""


def member(root: Path, name: str) -> bytes:
    """A member guide's export: cnki (every member lists it) and an archive of its own."""
    return export_bytes(root / name, {"_site.yml": site(name, extra=f"url: https://{name}.example.org/\n"),
                                      "databases.yml": collection("databases", entry("cnki", "https://cnki.example.org/"),
                                                                  entry(f"{name}-archive", f"https://archive.{name}.example.edu/"))})


@pytest.fixture(scope="module")
def consortium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("consortium")
    guides = write_guide(tmp / "guides", {"_site.yml": site("consortium", extra="consortium: true\n")})
    subscribe(guides, {name: member(tmp, name) for name in ("east", "west")}, MEMBERS_YML)
    result = mkdocs_build(make_project(tmp / "project", guides), tmp / "site")
    assert result.returncode == 0, result.stderr
    return tmp / "site"


def html(site_dir: Path, page: str) -> str:
    return (site_dir / page / "index.html").read_text(encoding="utf-8")


def article(page: str, entry_id: str) -> str:
    start = page.rindex("<article", 0, page.index(f'id="{entry_id}"'))
    return page[start:page.index("</article>", start)]


def test_a_shared_resource_is_listed_once_naming_both_members(consortium: Path) -> None:
    page = html(consortium, "en/databases")  # the English edition
    assert page.count('id="cnki"') == 1
    cnki = article(page, "cnki")
    assert 'data-member="east west"' in cnki
    assert (f'From: <a href="../members/#source-east">East guide</a> (updated {day("2026-11-28")}) · '
            'Also listed by: <a href="../members/#source-west">West guide</a>') in cnki
    zh = article(html(consortium, "databases"), "cnki")  # the Chinese edition, at the root
    assert ('来自：<a href="../members/#source-east"><span lang="en" class="os-other-lang">East guide</span> '
            f'<span class="os-lang-mark" title="英语">EN</span></a>（更新于 {day("2026-11-28")}） · 也收录于：') in zh  # English only: marked
    assert 'data-member="west"' in article(page, "west-archive")
    assert '<input type="checkbox" name="member" value="east"> East guide<span class="os-count"> (2)</span>' in page
    assert '<input type="checkbox" name="member" value="west"> West guide<span class="os-count"> (2)</span>' in page


def test_the_members_page_says_what_each_member_contributes(consortium: Path) -> None:
    page = html(consortium, "en/members")
    assert ">Members<" in page[page.index("<h1"):page.index("</h1>")]
    east = page[page.index('id="source-east"'):page.index('id="source-west"')]
    assert "East library" in east and '<a href="https://east.example.org/" rel="noopener">' in east
    assert "2 in all: 1 shared with other guides, 1 only here" in east
    assert "Guide updated" in east and "2026-11-28" in east
    assert "2 in all: 1 shared with other guides, 1 only here" in page[page.index('id="source-west"'):]


LIBRARY = {
    "_site.yml": site("mylib"),
    "databases.yml": collection("databases", entry("local-db", "https://db.mylib.example.edu/")),
    "_overlays.yml": """\
overlays:
  - id: cnki
    note: {zh: 本馆读者请先登录 WebVPN。, en: "At our library, sign in through WebVPN first."}
  - id: east-archive
    hide: true
""",
}


def test_a_library_guide_shows_its_sources_its_notes_and_no_hidden_entry(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "guides", LIBRARY)
    subscribe(guides, {"east": member(tmp_path, "east")}, MEMBERS_YML.split("  - id: west", maxsplit=1)[0])
    pages, diagnostics = render_site(guides)
    assert pages is not None, [d.format() for d in diagnostics]
    databases = pages.written["databases.md"]
    assert '<span lang="en" class="os-en">Sources</span>' in pages.written[MEMBERS].splitlines()[0]
    cnki = databases[databases.rindex("<article", 0, databases.index('<h3 id="cnki">')):]
    assert '<a href="../members/#source-east">East guide</a>' in cnki[:cnki.index("</article>")]
    assert "At our library, sign in through WebVPN first." in cnki[cnki.index('<div class="os-local-note"'):cnki.index("</article>")]
    local = databases[databases.rindex("<article", 0, databases.index('<h3 id="local-db">')):]
    assert '<span lang="en" class="os-en">From this library</span>' in local[:local.index("</article>")]
    assert all("east-archive" not in text for text in pages.written.values())


@pytest.fixture(scope="module")
def browsing(consortium: Path) -> Iterator[tuple[str, Any]]:
    from browser import browser, serve

    with serve(consortium) as base, browser() as chromium:
        yield base, chromium


@pytest.mark.browser
def test_search_finds_every_members_entries_and_narrows_to_one(browsing: tuple[str, Any]) -> None:
    from browser import keep_local, type_query, wait_until

    base, chromium = browsing
    page = chromium.new_page()
    outside = keep_local(page)
    page.goto(base)
    page.wait_for_load_state("networkidle")
    # the entries among the results (hand-written pages match too)
    found = """exp => {
      const list = document.querySelector('.md-search-result__list');
      const ids = [...list.querySelectorAll('a.md-search-result__link')].map(a => a.hash.slice(1)).filter(Boolean).sort().join(' ');
      return list.dataset.query === 'archive' && ids === exp;
    }"""
    type_query(page, "archive")
    wait_until(page, found, "east-archive west-archive")
    page.locator("select.os-search-member").select_option("West guide")
    wait_until(page, found, "west-archive")  # the pages, which no member lists, go too
    assert page.locator("a.md-search-result__link").count() == 1
    page.goto(base + "databases/?member=east")
    page.wait_for_load_state("networkidle")
    shown = page.eval_on_selector_all(".os-entry:not([hidden]) h3", "hs => hs.map(h => h.id)")
    assert shown == ["cnki", "east-archive"]
    assert outside == []
    page.close()
