"""The About page's counts: per collection, per category, per resource kind (categories and tags), per service (tags),
filled in where the marker is."""

from __future__ import annotations

from pathlib import Path

from openshelf.guide.load import load_guide
from openshelf.site.counts import EXTRA_KEY, MARKER, counts_markdown, fill
from openshelf.site.pipeline import render_site
from support import write_guide

SITE = """\
title: {en: T}
categories:
  databases: {zh: 数据库, en: Databases}
  other: {en: Other}
services:
  document-delivery: {zh: 文献传递, en: Document delivery}
  remote-interview: {en: 'Remote <b>interview</b> rooms'}
resource_kinds:
  all-databases: {zh: 数据库, en: Databases, categories: [databases]}
  delivered: {en: Delivered, tags: [document-delivery]}
  wechat-accounts: {zh: 微信公众号, en: WeChat official accounts}
"""


def entry(id_: str, extra: str = "") -> str:
    return f"  - {{id: {id_}, title: {{en: T {id_}}}, url: 'https://{id_}.org/', description: {{en: D}}, category: databases, access: free{extra}}}\n"


DBS = "id: dbs\ntitle: {en: Databases}\nentries:\n" + "".join([
    entry("a", ", tags: [document-delivery]"),
    entry("b", ", tags: [document-delivery], last_verified: 2026-11-01, evidence: ['https://b.org/about']"),
    entry("c", ", last_verified: 2026-11-01"),  # checked, but without evidence: not counted as checked
    entry("d", ", status: ended, available_until: 2020-06-30"),
])


def guides(tmp_path: Path) -> Path:
    return write_guide(tmp_path / "g", {"_site.yml": SITE, "dbs.yml": DBS})


def test_counts_per_collection_category_and_service(tmp_path: Path) -> None:
    guide, diagnostics = load_guide(guides(tmp_path))
    assert guide is not None, diagnostics
    tables = counts_markdown(guide)
    assert "| [Databases](dbs.md) | 4 | 1 | 1 |" in tables
    assert '<span lang="en" class="os-en">Total</span>** | **4** | **1** | **1** |' in tables
    assert "| Other | 0 |" in tables  # an empty category shows, so a curator sees the gap
    assert "Document delivery</span> | 2 | [T a](dbs.md#a), [T b](dbs.md#b) |" in tables
    assert "| Remote &lt;b&gt;interview&lt;/b&gt; rooms | 0 |  |" in tables  # curated labels are escaped


def test_counts_per_resource_kind_by_category_and_by_tag(tmp_path: Path) -> None:
    guide, _ = load_guide(guides(tmp_path))
    assert guide is not None
    tables = counts_markdown(guide)
    kinds = tables[tables.index("{ #counts-kinds }"):tables.index("{ #counts-services }")]
    assert "Databases</span> | 4 | [T a](dbs.md#a), [T b](dbs.md#b), [T c](dbs.md#c) |" in kinds  # by category, the first three named
    assert "| Delivered | 2 | [T a](dbs.md#a), [T b](dbs.md#b) |" in kinds  # by one of the kind's tags
    assert "WeChat official accounts</span> | 0 |  |" in kinds  # a kind with no entry shows, so a curator sees the gap


def test_no_services_no_service_table(tmp_path: Path) -> None:
    root = write_guide(tmp_path / "g", {"dbs.yml": DBS})
    guide, _ = load_guide(root)
    assert guide is not None
    assert "By library service" not in counts_markdown(guide)
    assert "By kind of resource" not in counts_markdown(guide)


def test_fill_replaces_the_marker_only() -> None:
    assert fill(f"# About\n\n{MARKER}\n\nmore", "TABLES") == "# About\n\nTABLES\n\nmore"
    assert fill("# About\n", "TABLES") == "# About\n"
    assert fill(f"# About\n{MARKER}\n", None) == f"# About\n{MARKER}\n"


def test_the_site_pipeline_carries_the_counts(tmp_path: Path) -> None:
    pages, diagnostics = render_site(guides(tmp_path))
    assert pages is not None, diagnostics
    assert "| [Databases](dbs.md) | 4 | 1 | 1 |" in str(pages.extra[EXTRA_KEY])


def test_a_check_against_a_report_is_not_counted_as_verified(tmp_path: Path) -> None:
    reported = entry("e", ", last_verified: 2026-11-01, evidence: ['https://news.example.net/e'], evidence_kind: report")
    copied = entry("f", ", last_verified: 2026-11-01, evidence: ['https://web.archive.org/web/2020/https://f.org/'], evidence_kind: copy")
    root = write_guide(tmp_path / "g", {"_site.yml": SITE, "dbs.yml": "id: dbs\ntitle: {en: Databases}\nentries:\n" + reported + copied})
    guide, diagnostics = load_guide(root)
    assert guide is not None, diagnostics
    assert "| [Databases](dbs.md) | 2 | 1 | 0 |" in counts_markdown(guide)  # the copy counts, the report does not
