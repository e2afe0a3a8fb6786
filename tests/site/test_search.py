"""Search records, the Pagefind step of both build paths, and scripts/bench_build.py as a smoke test."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from openshelf.guide.load import load_guide
from openshelf.site import pagefind, search
from support import FIXTURE_GUIDE, ROOT, bundle_ok, make_project, mkdocs_build


@pytest.fixture(scope="module")
def guide():  # type: ignore[no-untyped-def]
    g, diagnostics = load_guide(FIXTURE_GUIDE)
    assert g is not None, diagnostics
    return g


def test_one_record_per_entry_pointing_at_its_anchor(guide) -> None:  # type: ignore[no-untyped-def]
    records = search.entry_records(guide)
    assert len(records) == len(guide.entries)
    cnki = next(r for r in records if r.url.endswith("#cnki"))
    assert cnki.url == "databases.md#cnki"
    entry = guide.by_id["cnki"]
    assert cnki.meta["title"] == entry.title.both()
    for alias in entry.aliases:  # aliases stay searchable
        assert alias in cnki.content or alias in cnki.meta["title"]
    assert entry.description.zh[:10] in cnki.content
    # its parts apart, so an excerpt shows where one ends: "… · 知网 · …", not "…Infrastructure知网"
    assert "China National Knowledge Infrastructure · 知网 · " in cnki.content
    assert search.entry_pages(records) == {f"{c.id}.md" for c in guide.collections if c.entries}


def test_the_collection_is_a_filter_not_searchable_text(guide) -> None:  # type: ignore[no-untyped-def]
    """A collection's title in every record made its words find the whole collection ("resources")."""
    collection = guide.collections[0]
    record = search.entry_record(guide, collection.entries[0])
    assert record.filters == {"collection": collection.title.both()}
    assert list(record.meta) == ["title"]  # Pagefind 1.5 searches every meta field
    for title in (collection.title.zh, collection.title.en):
        assert title not in record.content


def test_chinese_is_indexed_character_by_character() -> None:
    assert pagefind.index_text("新冠疫情 COVID-19 数据库，古登堡") == "新\u200b冠\u200b疫\u200b情 COVID-19 数\u200b据\u200b库，古\u200b登\u200b堡"
    assert pagefind.index_text("PubMed 𠀀𠀁") == "PubMed 𠀀\u200b𠀁"
    assert pagefind.index_text("中国知网 CNKI", "en") == "中 国 知 网 CNKI"  # the English edition: Pagefind parts its words at spaces


def test_search_js_splits_the_same_characters_as_the_index() -> None:
    """The query side (assets/search.js) and the index side (pagefind.index_text) use one class of Chinese characters."""
    script = (pagefind.PACKAGE / "assets" / "search.js").read_text(encoding="utf-8")
    assert f"var HAN = /[{pagefind.js_han_class()}]/gu;" in script


def test_the_index_holds_characters_and_filters(tmp_path: Path) -> None:
    """Pagefind's fragment: Chinese one word per character; the title is the only meta; address and collection are filters."""
    record = search.Record("databases.md#gutenberg", "古登堡计划 public domain", {"title": "古登堡计划 Project Gutenberg"},
                           {"collection": "免费学术资源 Free academic resources"})
    (tmp_path / "site").mkdir()
    pagefind.index_site(tmp_path / "site", [record], [], {"databases.md": "databases/"})
    [fragment] = (tmp_path / "site" / "pagefind" / "fragment").iterdir()
    data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
    assert data["meta"] == {"title": "古登堡计划 Project Gutenberg"}
    assert data["filters"] == {"href": ["databases/#gutenberg"], "collection": ["免费学术资源 Free academic resources"]}
    assert data["content"].startswith("古\u200b登\u200b堡\u200b计\u200b划")
    assert "免费学术资源" not in data["content"].replace("\u200b", "")


def test_words_are_counted_as_pagefind_indexes_them() -> None:
    assert pagefind.word_count("新冠疫情 COVID-19 数据库") == 7 + 2  # each Chinese character; COVID, 19
    assert pagefind.word_count("Project Gutenberg, 60,000 free e-books") == 7
    assert pagefind.word_count("") == 0


@pytest.mark.parametrize(("words", "budget", "first", "parts"), [
    ([], 10, 0, [range(0)]),  # no records: one run, for the pages
    ([3, 3, 3], 10, 0, [range(3)]),
    ([4, 4, 4], 10, 0, [range(2), range(2, 3)]),
    ([4, 4, 4], 10, 5, [range(1), range(1, 3)]),  # the pages count in the first run
    ([20, 1, 20], 10, 0, [range(1), range(1, 2), range(2, 3)]),  # a record over the budget goes alone
    ([1, 1], 10, 50, [range(1), range(1, 2)]),  # pages over the budget: the first run still takes one record
    ([1, 1], 0, 0, [range(1), range(1, 2)]),  # no budget at all (search_part_words: 0): a record a run
])
def test_records_are_parted_by_words(words: list[int], budget: int, first: int, parts: list[range]) -> None:
    assert pagefind.parts_of(words, budget, first) == parts


def test_a_large_index_is_written_in_parts(tmp_path: Path) -> None:
    """Past the words one run may index, further runs write the bundle's parts; the bundle lists them."""
    records = [search.Record(f"databases.md#e{i}", f"条目{i} entry number {i}", {"title": f"E{i}"}) for i in range(7)]
    site = tmp_path / "site"
    site.mkdir()
    counts = pagefind.index_site(site, records, [], {"databases.md": "databases/"}, words_per_run=14)
    bundle = site / "pagefind"
    assert counts == {"records": 7, "pages": 0, "parts": 4}
    assert json.loads((bundle / pagefind.PARTS_FILE).read_text()) == {"parts": ["part-2/", "part-3/", "part-4/"]}
    hrefs = []
    for folder in (bundle, bundle / "part-2", bundle / "part-3", bundle / "part-4"):
        assert list(folder.glob("*.pf_meta")) and (folder / "pagefind-entry.json").is_file()
        for fragment in (folder / "fragment").iterdir():
            hrefs += json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))["filters"]["href"]
    assert sorted(hrefs) == sorted(f"databases/#e{i}" for i in range(7))  # every record once, in one part
    assert (bundle / "pagefind.js").is_file()
    assert not list((bundle / "part-2").glob("*.js")) and not list((bundle / "part-2").glob("wasm.*"))  # the first part's script searches them
    pagefind.index_site(site, records[:1], [], {"databases.md": "databases/"}, words_per_run=14)  # a smaller guide: one part again
    assert json.loads((bundle / pagefind.PARTS_FILE).read_text()) == {"parts": []} and not (bundle / "part-2").exists()


def _hrefs(bundle: Path) -> list[str]:
    """The address of every record (its ``href`` filter) and page (its URL) in a bundle and its parts."""
    found = []
    for fragment in [*bundle.glob("fragment/*"), *bundle.glob("part-*/fragment/*")]:
        data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
        found += data["filters"].get("href") or [data["url"]]
    return sorted(found)


def test_the_records_are_indexed_ahead_of_the_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Indexing.start runs every part of the records but the last in the pool, before any page exists; finish adds the
    built pages and the last part, and the bundle is the one index_site makes all at once; discard leaves no scratch folder."""
    from concurrent.futures import ThreadPoolExecutor

    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(pagefind, "scratch_parent", lambda size: None)  # the stub pages there too, not in /dev/shm

    records = [search.Record(f"databases.md#e{i}", f"条目{i} entry number {i}", {"title": f"E{i}"}) for i in range(7)]
    site = tmp_path / "site"
    indexing = pagefind.Indexing(records, {"databases.md": "databases/"}, words_per_run=20)
    with ThreadPoolExecutor(max_workers=1) as pool:
        indexing.start(pool)
    assert not site.exists()  # the three parts ahead were made with no site at all
    made = sorted(p.name for scratch in (tmp_path / "tmp").iterdir() for p in scratch.iterdir())
    assert made == [pagefind.STUBS] * 4 + ["part-2", "part-3", "part-4"]  # each part's stub pages, and the parts made ahead
    site.mkdir()
    (site / "about.html").write_text('<article class="md-content__inner"><p>关于</p></article>', encoding="utf-8")
    counts = indexing.finish(site, ["about.html"], {"databases.md": "databases/", "about.md": "about/"})
    assert counts == {"records": 7, "pages": 1, "parts": 4}
    bundle = site / "pagefind"
    assert json.loads((bundle / pagefind.PARTS_FILE).read_text()) == {"parts": ["part-2/", "part-3/", "part-4/"]}
    assert _hrefs(bundle) == sorted(["/about.html", *(f"databases/#e{i}" for i in range(7))])  # every record once, and the page
    assert not list((bundle / "part-2").glob("*.js")) and (bundle / "pagefind.js").is_file()
    indexing.discard()
    assert not list((tmp_path / "tmp").iterdir())


FAILS_FIRST = """#!/bin/sh
# A Pagefind that fails on its first run (after a moment, so that the other parts are queued by then), as real on the others.
echo run >> '{log}'
if [ "$(wc -l < '{log}')" -eq 1 ]; then
  sleep 0.5
  echo "Error: the first part went wrong" >&2
  exit 3
fi
exec '{real}' "$@"
"""


def test_a_part_that_fails_cancels_the_parts_queued_behind_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first part of an edition fails: its other parts, queued, are cancelled at once and their stub pages removed,
    not run one after another until finish reports the failure; finish says what Pagefind said, as before."""
    import stat
    from concurrent.futures import ThreadPoolExecutor

    from pagefind.service import get_executable

    log = tmp_path / "runs.log"
    fake = tmp_path / "pagefind"
    fake.write_text(FAILS_FIRST.format(log=log, real=get_executable()), encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(pagefind, "scratch_parent", lambda size: None)  # the stub pages there too, not in /dev/shm

    records = [search.Record(f"databases.md#e{i}", f"条目{i} entry number {i}", {"title": f"E{i}"}) for i in range(7)]
    indexing = pagefind.Indexing(records, {"databases.md": "databases/"}, words_per_run=20)  # 4 parts, 3 of them ahead
    with ThreadPoolExecutor(max_workers=1) as pool:
        indexing.start(pool)
    assert log.read_text(encoding="utf-8").splitlines() == ["run"]  # the failed part's run alone
    left = [p.name for scratch in (tmp_path / "tmp").iterdir() for p in scratch.iterdir()]
    assert left == []  # no stub page and no part made ahead is left
    (tmp_path / "site").mkdir()
    with pytest.raises(pagefind.SearchIndexError, match=r"^Pagefind failed \(exit 3\): Error: the first part went wrong$"):
        indexing.finish(tmp_path / "site", [], {"databases.md": "databases/"})
    indexing.discard()
    assert not list((tmp_path / "tmp").iterdir())


def test_records_indexed_ahead_at_an_address_the_build_changed_are_indexed_again(tmp_path: Path) -> None:
    """The address of an entry page is guessed before the build; when the build's differs (use_directory_urls off, a plugin),
    the records are indexed again, so no result leads to a page that does not exist."""
    records = [search.Record(f"databases.md#e{i}", f"entry number {i}", {"title": f"E{i}"}) for i in range(5)]
    indexing = pagefind.Indexing(records, {"databases.md": "databases/"}, "en", words_per_run=8)
    indexing.run_ahead()
    (tmp_path / "site").mkdir()
    indexing.finish(tmp_path / "site", [], {"databases.md": "databases.html"})
    assert _hrefs(tmp_path / "site" / "pagefind") == [f"databases.html#e{i}" for i in range(5)]


def test_pages_that_fill_a_run_leave_the_last_records_to_another(tmp_path: Path) -> None:
    """The last run holds the pages and the records' last part, unless together they are over the words a run may index:
    then the pages run alone and the records go into a part of their own."""
    records = [search.Record(f"databases.md#e{i}", f"entry number {i}", {"title": f"E{i}"}) for i in range(2)]
    site = tmp_path / "site"
    site.mkdir()
    (site / "about.html").write_text('<html><body><article class="md-content__inner"><p>' + "word " * 40 + "</p></article></body></html>",
                                     encoding="utf-8")
    counts = pagefind.index_site(site, records, ["about.html"], {"databases.md": "databases/"}, "en", words_per_run=10)
    assert counts == {"records": 2, "pages": 1, "parts": 2}
    assert _hrefs(site / "pagefind") == ["/about.html", "databases/#e0", "databases/#e1"]


def test_plain_text_from_curated_markdown() -> None:
    from openshelf.site.markup import plain_text

    assert plain_text("See [the help](https://example.org/) and *this*.") == "See the help and this."
    assert plain_text("- a [ref][r] in `snake_case`\n\n  [r]: https://a.org/") == "a ref in snake_case"


def test_plain_text_and_html_read_a_description_alike() -> None:
    # both come from one parse: text indented by the YAML's folding is a paragraph in each, not code
    from openshelf.site.markup import markdown, plain_text

    text = "    Free *full text* during the closure.\n"
    assert markdown(text) == "<p>Free <em>full text</em> during the closure.</p>"
    assert plain_text(text) == "Free full text during the closure."


@pytest.mark.parametrize(("meta", "expected"), [
    ({"search": {"exclude": True}}, True), ({"search": {"exclude": False}}, False), ({}, False), (None, False), ({"search": "x"}, False),
])
def test_excluded(meta: object, expected: bool) -> None:
    assert search.excluded(meta) is expected  # type: ignore[arg-type]


def test_mkdocs_build_writes_the_pagefind_bundle(tmp_path: Path) -> None:
    config = make_project(tmp_path, FIXTURE_GUIDE)
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    bundle_ok(tmp_path / "site")


def test_material_search_stays_available(tmp_path: Path) -> None:
    config = make_project(tmp_path, FIXTURE_GUIDE)
    text = config.read_text(encoding="utf-8").replace("guides_dir:", "search: material\n    guides_dir:")
    config.write_text(text, encoding="utf-8")
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "search" / "search_index.json").is_file()
    assert not (tmp_path / "site" / "pagefind").exists()
    assert 'name="search"' in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_pagefind_failure_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "missing-pagefind"))
    (tmp_path / "site").mkdir()
    with pytest.raises(pagefind.SearchIndexError):
        pagefind.index_site(tmp_path / "site", [search.Record("a.md#x", "text", {"title": "X"})], [], {"a.md": "a/"})


def test_bench_build_runs_small() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_build.py"), "--sizes", "40", "--no-browser"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "openshelf (both editions) / hand = time" in result.stdout
    assert "rendered (main edition's Markdown, no plugin, no Pagefind) / hand = time" in result.stdout
    assert re.search(r"\| 40 \| hand \| [\d.]+ s", result.stdout), result.stdout


def test_bench_hand_pages_are_what_a_librarian_writes(tmp_path: Path) -> None:
    """The bench's baseline: one page per collection, per entry a heading, the link and the description in each language."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_build
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    bench_build.generate(tmp_path / "guides", 45)
    nav = bench_build.hand_written(tmp_path / "guides", tmp_path / "docs")
    pages = sorted(p.name for p in (tmp_path / "docs").iterdir())
    assert pages == [*(f"c{i:02d}.md" for i in range(1, 21)), "index.md"]
    c01 = (tmp_path / "docs" / "c01.md").read_text(encoding="utf-8")
    assert c01.startswith("# 栏目 1 · Collection 1\n")
    assert c01.count("\n### ") == 3  # 45 entries over 20 pages: 3 on the first
    assert c01.count("\n<https://") == 3
    assert "本条目编号 0，" in c01
    assert "Entry 0, provided by" in c01
    assert "<details" not in c01
    assert nav == ["index.md", *(f"c{i:02d}.md" for i in range(1, 21))]


def test_the_stub_pages_go_to_memory_when_it_has_room(tmp_path: Path) -> None:
    """A tmpfs (``/dev/shm``) takes the 10,000 stub pages when there is room; else the system's temporary folder."""
    from openshelf.site.search import Record

    size = pagefind.scratch_bytes([Record(url=f"dbs.md#e{i}", content="x" * 100) for i in range(10)])
    assert size > 10 * 100
    missing, roomy = tmp_path / "missing", tmp_path / "shm"
    roomy.mkdir()
    assert pagefind.scratch_parent(size, [missing, roomy]) == str(roomy)
    assert pagefind.scratch_parent(size, [missing]) is None
    assert pagefind.scratch_parent(shutil.disk_usage(roomy).free, [roomy]) is None  # no room for twice that: not there


def test_an_ended_programs_result_says_it_ended(guide) -> None:  # type: ignore[no-untyped-def]
    """A search result never looks like an available resource: "知网" put "中国知网 2020 年疫情期间免费服务" first with
    nothing to say the program had ended."""
    ended = next(e for e in guide.entries if e.status == "ended")
    titles = {language: search.entry_record(guide, ended, language=language).meta["title"] for language in ("zh", "en", None)}
    assert titles["zh"].endswith("（已结束）") and titles["en"].endswith(" (ended)") and titles[None].endswith(" (已结束 · ended)")
    active = next(e for e in guide.entries if e.status == "active")
    assert "ended" not in search.entry_record(guide, active, language="en").meta["title"]
