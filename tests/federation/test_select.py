"""What a subscription takes from a source: collections, categories, tags, exclude."""

from __future__ import annotations

from pathlib import Path

from federated import collection, entry, export_of, site

from openshelf.federation.config import Source
from openshelf.federation.select import select


def _export(tmp_path: Path):  # type: ignore[no-untyped-def]
    return export_of(tmp_path / "shared", {
        "_site.yml": site("shared"),
        "databases.yml": collection("databases", entry("cnki", "https://cnki.example.org/", tags=("journals",)),
                                    entry("wanfang", "https://wanfang.example.org/", tags=("theses", "journals")),
                                    entry("pubmed", "https://pubmed.example.org/", tags=("medicine",))),
        "access.yml": collection("access", entry("carsi", "https://carsi.example.org/", category="access", tags=("journals",)),
                                 entry("webvpn", None, kind="how-to", category="access"), order=2),
    })


def _ids(tmp_path: Path, **filters: list[str]) -> list[str]:
    return [e.id for e in select(Source(id="shared", url="https://shared.example.org/o.json", **filters), _export(tmp_path))]  # type: ignore[arg-type]


def test_no_filter_takes_everything_in_order(tmp_path: Path) -> None:
    assert _ids(tmp_path) == ["cnki", "wanfang", "pubmed", "carsi", "webvpn"]


def test_each_filter(tmp_path: Path) -> None:
    assert _ids(tmp_path, collections=["access"]) == ["carsi", "webvpn"]
    assert _ids(tmp_path, categories=["access"]) == ["carsi", "webvpn"]
    assert _ids(tmp_path, tags=["journals", "medicine"]) == ["cnki", "wanfang", "pubmed", "carsi"]
    assert _ids(tmp_path, exclude=["wanfang", "webvpn"]) == ["cnki", "pubmed", "carsi"]


def test_filters_combine(tmp_path: Path) -> None:
    assert _ids(tmp_path, collections=["databases"], tags=["journals"], exclude=["cnki"]) == ["wanfang"]
    assert _ids(tmp_path, categories=["databases"], tags=["federated-login"]) == []
