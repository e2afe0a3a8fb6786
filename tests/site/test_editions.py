"""A site per language: one ``mkdocs build`` writes an edition per language of ``_site.yml``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openshelf.guide.load import load_guide
from openshelf.site import editions
from support import FIXTURE_GUIDE, make_project, mkdocs_build, with_plugin_options, write_guide

HAN = re.compile(r"[\u4e00-\u9fff]")


def html_lang(page: Path) -> str:
    match = re.search(r'<html lang="([^"]+)"', page.read_text(encoding="utf-8"))
    assert match, page
    return match[1]


def hreflang(page: Path) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" href="([^"]+)" hreflang="([^"]+)">', page.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("editions")
    result = mkdocs_build(make_project(where / "proj", FIXTURE_GUIDE), where / "site")
    assert result.returncode == 0, result.stderr
    return where / "site"


def test_one_build_writes_each_edition_with_its_language(site: Path) -> None:
    for page in ("index.html", "databases/index.html", "about/index.html"):
        assert html_lang(site / page) == "zh", page
        assert html_lang(site / "en" / page) == "en", page
    assert 'placeholder="Search"' in (site / "en" / "databases" / "index.html").read_text(encoding="utf-8")
    assert 'placeholder="搜索"' in (site / "databases" / "index.html").read_text(encoding="utf-8")
    # the English about page is docs/about.md; the Chinese edition's is docs/about.zh.md
    assert 'id="about-this-guide">About this guide<' in (site / "en" / "about" / "index.html").read_text(encoding="utf-8")
    about = (site / "about" / "index.html").read_text(encoding="utf-8")
    assert ">关于本指南<" in about and "About this guide" not in about
    assert not (site / "about.zh").exists() and not (site / "en" / "about.zh").exists()


def test_each_page_links_to_itself_in_every_edition(site: Path) -> None:
    for page in (site / "databases" / "index.html", site / "en" / "databases" / "index.html"):
        # Material's selector and hreflang links: each edition's root (its script reads the sitemap.xml there)
        links = {lang: href for href, lang in hreflang(page).items()}
        assert links == {"zh": "/", "en": "/en/"}, page
        text = page.read_text(encoding="utf-8")
        assert 'class="md-select__link"' in text
        # this page in each edition, for the switch (assets/openshelf.js)
        assert re.findall(r'<meta name="openshelf-alternate" content="([^"]+)">', text) == ["zh /databases/", "en /en/databases/"]
    for edition in (site, site / "en"):
        assert (edition / "sitemap.xml").is_file()
    assert 'name="openshelf-choose-edition"' in (site / "index.html").read_text(encoding="utf-8")  # only on the main home page
    assert 'name="openshelf-choose-edition"' not in (site / "en" / "index.html").read_text(encoding="utf-8")
    assert 'name="openshelf-choose-edition"' not in (site / "databases" / "index.html").read_text(encoding="utf-8")


def test_each_edition_has_its_own_search_index(site: Path) -> None:
    zh = sorted(p.name for p in (site / "pagefind" / "index").iterdir())
    en = sorted(p.name for p in (site / "en" / "pagefind" / "index").iterdir())
    assert zh and en and zh != en
    assert list((site / "pagefind").glob("pagefind.zh_*.pf_meta")) and not list((site / "pagefind").glob("pagefind.en_*"))
    assert list((site / "en" / "pagefind").glob("pagefind.en_*.pf_meta")) and not list((site / "en" / "pagefind").glob("pagefind.zh_*"))


def test_the_english_edition_names_the_site_in_english(site: Path) -> None:
    page = (site / "en" / "databases" / "index.html").read_text(encoding="utf-8")
    assert "<title>Academic resources - Test guide</title>" in page
    palette = re.findall(r'aria-label="([^"]*)"\s+type="radio"', page)
    assert palette and not any(HAN.search(label) for label in palette), palette


def heading_link_titles(page: Path) -> set[str]:
    return set(re.findall(r'<a class="headerlink" href="#[^"]*" title="([^"]*)">', page.read_text(encoding="utf-8")))


def test_the_links_beside_headings_are_titled_in_the_editions_language(site: Path) -> None:
    """Entries' headings and hand-written headings alike: 永久链接 in the Chinese edition, "Permanent link" in the English one."""
    for page in ("databases/index.html", "about/index.html"):
        assert heading_link_titles(site / page) == {"永久链接"}, page
        assert heading_link_titles(site / "en" / page) == {"Permanent link"}, page


def footer_credit(page: Path) -> str:
    found = re.search(r'<div class="md-copyright">(.*?)</div>', page.read_text(encoding="utf-8"), re.S)
    assert found is not None, page
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_footer_credits_material_in_the_editions_language(site: Path) -> None:
    assert footer_credit(site / "databases/index.html") == "本站使用 Material for MkDocs 构建"
    assert footer_credit(site / "en/databases/index.html") == "Made with Material for MkDocs"


def test_the_not_found_page_speaks_the_editions_language_and_leads_home(site: Path) -> None:
    for page, heading, home in (("404.html", "404 - 页面不存在", "返回首页"), ("en/404.html", "404 - Not found", "Go to the home page")):
        text = (site / page).read_text(encoding="utf-8")
        assert f"<h1>{heading}</h1>" in text and re.search(rf'<a href="[^"]*">{home}</a>', text), page


def test_a_sites_own_heading_link_title_stays_in_every_edition() -> None:
    from mkdocs.config.defaults import MkDocsConfig

    written = [{"toc": {"permalink": True, "permalink_title": "Link here"}}, "tables"]
    assert editions.own_permalink_title(written) == "Link here"
    assert editions.own_permalink_title(["toc", "tables"]) is None
    assert editions.with_permalink_title(["tables", "toc"], "永久链接") == ["tables", {"toc": {"permalink_title": "永久链接"}}]
    assert editions.with_permalink_title(written, "Link here") == written
    config = MkDocsConfig()
    config.load_dict({"site_name": "S", "markdown_extensions": written})
    assert config.validate() == ([], [])
    values = editions.settings(config, {}, "zh", None, "site")
    assert values["permalink_title"] == "Link here"  # the site's own wins over the edition's language
    old = editions.apply(config, {"permalink_title": "永久链接"})
    assert config.mdx_configs["toc"]["permalink_title"] == "永久链接"
    editions.apply(config, old)
    assert config.mdx_configs["toc"] == {"permalink": True, "permalink_title": "Link here"}


def test_one_worker_serves_every_edition(site: Path) -> None:
    assert (site / "sw.js").is_file() and not (site / "en" / "sw.js").exists()
    assert '<meta name="openshelf-root" content="../../">' in (site / "en" / "databases" / "index.html").read_text(encoding="utf-8")


def test_a_guide_in_one_language_builds_one_edition_without_a_switch(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "g", {"_site.yml": "title: {zh: 测试}\nlanguages: [zh]\ncategories:\n  databases: {zh: 数据库}\n",
                                          "dbs.yml": "id: dbs\ntitle: {zh: 数据库}\nentries:\n  - id: a\n    title: {zh: 甲}\n"
                                                     "    url: https://a.example.org/\n    category: databases\n    access: free\n"
                                                     "    description: {zh: 一个数据库。}\n"})
    result = mkdocs_build(make_project(tmp_path / "proj", guides), tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = tmp_path / "site" / "dbs" / "index.html"
    assert html_lang(page) == "zh" and not (tmp_path / "site" / "en").exists()
    assert hreflang(page) == {} and "md-select__link" not in page.read_text(encoding="utf-8")


def test_a_language_without_text_fields_is_a_validation_error(tmp_path: Path) -> None:
    """`languages: [en, fr]` passed validate, then stopped the build: the guide's text fields hold zh and en only."""
    guides = write_guide(tmp_path / "g", {"_site.yml": "title: {en: Test}\nlanguages: [en, fr]\ncategories:\n  databases: {en: Databases}\n"})
    _, diagnostics = load_guide(guides)
    assert [d.message for d in diagnostics] == ["languages: 'fr': a guide is written in zh and en (the languages its text fields "
                                                "hold, and of the site's editions); an entry's own 'languages' may name any"]
    result = mkdocs_build(make_project(tmp_path / "proj", guides), tmp_path / "site")
    assert result.returncode != 0 and "a guide is written in zh and en" in result.stderr and "Traceback" not in result.stderr


def test_editions_false_builds_the_bilingual_site(tmp_path: Path) -> None:
    config = with_plugin_options(make_project(tmp_path / "proj", FIXTURE_GUIDE), editions=False)
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "databases" / "index.html").read_text(encoding="utf-8")
    assert not (tmp_path / "site" / "en").exists() and 'class="os-zh"' in page and 'class="os-en"' in page
    assert "md-select__link" not in page
    assert footer_credit(tmp_path / "site" / "databases" / "index.html") == "Made with Material for MkDocs"  # Material's own


def test_hand_written_pages_per_edition(tmp_path: Path) -> None:
    names = ["about.md", "about.zh.md", "notes.en.md", "plain.md", "v1.2.md"]
    assert editions.localized(names, "zh") == {"about.md": "about.zh.md", "plain.md": "plain.md", "v1.2.md": "v1.2.md"}
    assert editions.localized(names, "en") == {"about.md": "about.md", "notes.md": "notes.en.md", "plain.md": "plain.md", "v1.2.md": "v1.2.md"}
    assert editions.localized(names, None) == {"about.md": "about.md", "plain.md": "plain.md", "v1.2.md": "v1.2.md"}
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in names:
        (docs / name).write_text(name, encoding="utf-8")
    editions.localize_folder(docs, "zh")
    assert {p.name: p.read_text(encoding="utf-8") for p in docs.iterdir()} == {
        "about.md": "about.zh.md", "plain.md": "plain.md", "v1.2.md": "v1.2.md"}



def test_the_about_page_says_where_to_report_a_mistake_in_plain_words(site: Path) -> None:
    """The Chinese About page asked readers for an "issue 或 pull request", words a librarian does not use."""
    zh, en = ((site / page).read_text(encoding="utf-8") for page in ("about/index.html", "en/about/index.html"))
    assert "在 GitHub 上的项目页面提交问题或修改建议" in zh and "on the guide's project page on GitHub" in en
    for page in (zh, en):
        assert "issue" not in page.casefold() and "pull request" not in page.casefold()
