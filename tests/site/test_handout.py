"""The print handout of a collection: the list with addresses and a QR code, one or two A4 pages
when Chromium prints it to PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openshelf.guide.load import load_guide
from openshelf.site.handout import breakable, short_address
from support import OWN_COLLECTIONS, ROOT, make_project, mkdocs_build


@pytest.mark.parametrize(("url", "short"), [
    ("https://pubmed.ncbi.nlm.nih.gov/", "pubmed.ncbi.nlm.nih.gov"),
    ("https://www.cnki.net/", "cnki.net"),
    ("http://example.org/a/b/?q=1", "example.org/a/b/?q=1"),
    ("https://example.org/path/", "example.org/path"),
])
def test_short_address(url: str, short: str) -> None:
    assert short_address(url) == short


def test_a_long_address_may_break_only_between_its_parts() -> None:
    assert breakable("who.int/emergencies/diseases/novel-coronavirus-2019") == (
        "who.int/<wbr>emergencies/<wbr>diseases/<wbr>novel-coronavirus-2019")
    assert breakable("example.org/a?x=<1>&y=2#top") == "example.org/<wbr>a<wbr>?x=&lt;1&gt;<wbr>&amp;y=2<wbr>#top"
    assert breakable("cnki.net") == "cnki.net"


# Where the browser wrapped an address inside a word (".../coronavir|us"): a line that ends neither at a <wbr>
# (between text nodes) nor after a hyphen. Each such place is given as the text around it, "coronavir|us".
_BROKEN_INSIDE = """list => [...list.querySelectorAll('a')].flatMap(a => [...a.childNodes].flatMap(node => {
    if (node.nodeType !== Node.TEXT_NODE) return [];
    const text = node.textContent, top = i => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return Math.round(range.getBoundingClientRect().top);
    };
    const found = [];
    for (let i = 1; i < text.length; i++)
        if (top(i) !== top(i - 1) && text[i - 1] !== '-') found.push(text.slice(0, i) + '|' + text.slice(i));
    return found;
}))"""


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.browser
def test_the_largest_collection_prints_on_one_or_two_a4_pages(tmp_path: Path) -> None:
    from browser import browser, serve

    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    # This repository's largest collection (whose text the checks below name); a fork's own may be longer.
    largest = max((c for c in guide.collections if c.id in OWN_COLLECTIONS), key=lambda c: len(c.entries))
    site = tmp_path / "site"
    result = mkdocs_build(make_project(tmp_path / "p", ROOT / "guides"), site)
    assert result.returncode == 0, result.stderr
    collection_html = (site / largest.id / "index.html").read_text(encoding="utf-8")
    assert f'href="../print/{largest.id}/"' in collection_html
    pdfs = {}
    with serve(site) as base, browser() as chromium:
        for edition in ("en/", ""):  # the English edition's (its names are the longer), then the Chinese one's
            page = chromium.new_page()
            page.goto(f"{base}{edition}print/{largest.id}/")
            items = page.locator(".os-handout-list li")
            assert items.count() == len(largest.entries)
            page.set_viewport_size({"width": 390, "height": 844})  # on a phone's screen
            assert page.locator(".os-handout-list").evaluate(_BROKEN_INSIDE) == []
            page.set_viewport_size({"width": 1280, "height": 800})
            qr = page.locator("img.os-handout-qr")
            assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR code loads"
            page.emulate_media(media="print")
            assert not page.locator(".md-header").is_visible() and not page.locator(".os-announcement").is_visible()
            first = items.first.inner_text()
            assert "." in first, first  # a name followed by its address
            listed = page.locator(".os-handout-list").inner_text()
            assert "\\" not in listed and ("(PMC)" in listed or not edition), "curated text shows as written, without Markdown escapes"
            pdfs[edition] = page.pdf(format="A4", print_background=True)
            (tmp_path / f"handout-{edition.strip('/') or 'zh'}.pdf").write_bytes(pdfs[edition])
            page.close()
    for edition, pdf in pdfs.items():
        assert pdf.startswith(b"%PDF")
        assert 1 <= _pdf_pages(pdf) <= 2, (edition, _pdf_pages(pdf))


def test_the_handout_is_named_in_the_editions_language(tmp_path: Path) -> None:
    """Its title (browser tab, header) is the collection's name in the edition's language, not its file's name."""
    from openshelf.site.render import render

    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    databases = next(c for c in guide.collections if c.id == "databases")
    for language, name in (("zh", databases.title.zh), ("en", databases.title.en)):
        page = render(guide, language=language).markdown["print/databases.md"]
        assert page.split("---\n", 2)[2].lstrip().startswith(f"# {name}\n"), language  # MkDocs' page title: the first heading
    site = tmp_path / "site"
    result = mkdocs_build(make_project(tmp_path / "p", ROOT / "guides"), site)
    assert result.returncode == 0, result.stderr
    for edition, name in (("", databases.title.zh), ("en", databases.title.en)):
        html = (site / edition / "print" / "databases" / "index.html").read_text(encoding="utf-8")
        assert re.search(rf"<title>{re.escape(name)} - ", html), edition


def test_each_handout_line_says_how_readers_get_in() -> None:
    """A sheet of "free academic resources" listed subscription databases as plainly as free ones."""
    from openshelf.site.render import render

    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    databases = next(c for c in guide.collections if c.id == "databases")
    for language, label in (("zh", "（机构订阅）"), ("en", " (Institutional subscription)")):
        blocks = render(guide, language=language).blocks
        listed = blocks[f"handout:{databases.id}"]
        institutional = next(e for e in databases.entries if e.access == "institutional")
        name = institutional.title.zh if language == "zh" else institutional.title.en
        assert f"<strong>{name}</strong>{label}" in listed, (language, name)
