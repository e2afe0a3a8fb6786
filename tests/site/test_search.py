"""Search records, the Pagefind step of both build paths, and scripts/bench_build.py as a smoke test."""

from __future__ import annotations

import subprocess
import sys
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
    assert search.entry_pages(records) == {f"{c.id}.md" for c in guide.collections if c.entries}


def test_plain_text_from_curated_markdown() -> None:
    from openshelf.site.markup import plain_text

    assert plain_text("See [the help](https://example.org/) and *this*.") == "See the help and this."
    assert plain_text("- a [ref][r] in `snake_case`\n\n  [r]: https://a.org/") == "a ref in snake_case"


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
    assert "openshelf / plain = time" in result.stdout
