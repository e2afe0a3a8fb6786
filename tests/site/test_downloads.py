"""The site's data downloads: written file by file as they are made, the same bytes as the texts, and
never half a file."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from openshelf.curate import export
from openshelf.federation.exchange import json_schema
from openshelf.guide.load import load_guide
from openshelf.site import downloads
from support import FIXTURE_GUIDE


def _guide() -> Any:
    guide, diagnostics = load_guide(FIXTURE_GUIDE)
    assert guide is not None, diagnostics
    return guide


def test_streamed_downloads_are_the_texts_in_every_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # the same 'updated' time in both
    guide = _guide()
    texts = {path: ("\ufeff" if kind == "csv" else "") + export.export_text(kind, guide, None, "https://example.org/guide/")
             for kind, path in downloads.PATHS.items()}
    texts[downloads.SCHEMA] = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    folders = [tmp_path / "site", tmp_path / "site" / "en"]
    downloads.write(guide, None, "https://example.org/guide/", list(texts), folders)
    for folder in folders:
        for path, text in texts.items():
            assert (folder / path).read_bytes() == text.encode("utf-8"), (folder, path)
    assert (folders[0] / downloads.PATHS["csv"]).read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    assert not list(tmp_path.rglob("*.tmp"))
    ordinary = tmp_path / "ordinary.txt"
    ordinary.write_text("x", encoding="utf-8")
    modes = {stat.S_IMODE((folder / path).stat().st_mode) for folder in folders for path in texts}
    assert modes == {stat.S_IMODE(ordinary.stat().st_mode)}  # a web server reads them as it reads the pages


def test_a_failed_download_leaves_no_half_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    guide = _guide()
    yaml_path = downloads.PATHS["yaml"]
    (tmp_path / yaml_path).parent.mkdir(parents=True)
    (tmp_path / yaml_path).write_text("the previous build's\n", encoding="utf-8")

    def failing(document: Any, out: Any) -> None:
        out.write("format: openshelf-guide\n")
        raise OSError("disk full")

    monkeypatch.setitem(export.DOCUMENT_WRITERS, "yaml", failing)
    with pytest.raises(OSError, match="disk full"):
        downloads.write(guide, None, None, [yaml_path], [tmp_path])
    assert (tmp_path / yaml_path).read_text(encoding="utf-8") == "the previous build's\n"
    assert not list(tmp_path.rglob("*.tmp"))
