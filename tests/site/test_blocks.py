"""Finished HTML blocks: markers in a page's Markdown, filled after Markdown, and the links between pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openshelf.site import blocks
from support import FIXTURE_GUIDE, make_project, mkdocs_build


def test_fill_puts_each_block_in_place_of_its_marker_and_names_its_anchors() -> None:
    html = f"<h2>A</h2>\n{blocks.marker('dbs/a')}\n<h2>B</h2>\n{blocks.marker('dbs/b')}\n{blocks.marker('dbs/none')}"
    filled, anchors = blocks.fill(html, {"dbs/a": '<article id="letter-c"><h3 id="cnki">CNKI</h3></article>', "dbs/b": '<h3 id="pubmed">P</h3>'})
    assert filled == ('<h2>A</h2>\n<article id="letter-c"><h3 id="cnki">CNKI</h3></article>\n<h2>B</h2>\n<h3 id="pubmed">P</h3>\n'
                      "<!-- openshelf-block dbs/none -->")  # a marker without a block: a comment, nothing shown
    assert anchors == {"letter-c", "cnki", "pubmed"}
    assert blocks.inline(f"# T\n\n{blocks.marker('x')}\n", {"x": "<p>x</p>"}) == "# T\n\n<p>x</p>\n"


@pytest.mark.parametrize("key", ["", "a b", "a>b", "<x"])
def test_a_marker_key_cannot_end_the_comment(key: str) -> None:
    with pytest.raises(ValueError, match="not a block key"):
        blocks.marker(key)


@pytest.mark.parametrize(("src", "directory", "url"), [
    ("databases.md", True, "databases/"), ("index.md", True, ""), ("print/access.md", True, "print/access/"),
    ("print/index.md", True, "print/"), ("databases.md", False, "databases.html"), ("index.md", False, "index.html"),
])
def test_page_urls_are_mkdocs_own(src: str, directory: bool, url: str) -> None:
    from mkdocs.structure.files import File

    assert blocks.page_url(src, directory) == url == File(src, "docs", "site", directory).url.removeprefix("./")


def test_links_between_pages() -> None:
    assert blocks.href("databases.md", "cnki", "databases.md") == "#cnki"
    assert blocks.href("access.md", "carsi", "databases.md") == "../access/#carsi"
    assert blocks.href("tags.md", "tag-x", "databases.md", use_directory_urls=False) == "tags.html#tag-x"


def _hrefs(html: str) -> list[str]:
    return re.findall(r'<a href="(\.\./[a-z-]+/#[a-z0-9-]+|[a-z-]+\.html#[a-z0-9-]+)"', html)


@pytest.mark.parametrize("directory", [True, False])
def test_entry_links_lead_to_their_anchor_in_the_built_site(tmp_path: Path, directory: bool) -> None:
    """The entries are written after Markdown: every link in them between pages reaches a page that has the anchor."""
    result = mkdocs_build(make_project(tmp_path / "proj", FIXTURE_GUIDE, use_directory_urls=directory), tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = tmp_path / "site" / ("databases/index.html" if directory else "databases.html")
    html = page.read_text(encoding="utf-8")
    assert "openshelf-block" not in html and '<h3 id="cnki">' in html
    links = _hrefs(html)
    assert any("carsi" in link for link in links) and any("tag-journals" in link for link in links)
    for link in links:
        path, _, anchor = link.partition("#")
        target = (page.parent / path / ("index.html" if directory else "")).resolve()
        assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), link


def test_mkdocs_still_checks_links_to_entries_from_hand_written_pages(tmp_path: Path) -> None:
    """MkDocs learns the anchors the entries hold: a link to one validates, a link to none is reported (strict)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    about = docs / "about.md"
    about.write_text("# About\n\nSee [CNKI](databases.md#cnki) and [CARSI](access.md#carsi).\n", encoding="utf-8")
    config = make_project(tmp_path / "proj", FIXTURE_GUIDE, docs_dir=str(docs))
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    about.write_text("# About\n\nSee [CNKI](databases.md#cnki) and [gone](databases.md#no-such-entry).\n", encoding="utf-8")
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode != 0
    assert "does not contain an anchor '#no-such-entry'" in result.stderr and "'#cnki'" not in result.stderr
