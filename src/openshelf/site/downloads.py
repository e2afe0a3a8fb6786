"""The whole guide as data files in the site (``downloads/``), so other libraries reuse it instead
of copying by hand: the same JSON, CSV and YAML as ``openshelf export``, and the JSON Schema of
the interchange format that other guides subscribe to."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openshelf.curate.export import DOCUMENT_WRITERS, WRITERS, export_document
from openshelf.federation.exchange import json_schema
from openshelf.fsutil import atomic_writer
from openshelf.guide.load import Guide

#: Format → path in the site.
PATHS = {"json": "downloads/openshelf.json", "csv": "downloads/openshelf.csv", "yaml": "downloads/openshelf.yaml"}
SCHEMA = "downloads/openshelf.schema.json"


def write(guide: Guide, links: Mapping[str, Any] | None, site_url: str | None, paths: Iterable[str], folders: Sequence[Path]) -> None:
    """Write the download files ``paths`` (of :data:`PATHS` and :data:`SCHEMA`) into each of ``folders``: the
    exports as ``openshelf export`` writes them (the CSV with a byte-order mark, so that Excel reads it as
    UTF-8), one file at a time, each streamed into the first folder's copy as it is made (a 10,000-entry
    guide's texts are never held in memory), then copied into the others.  The JSON and the YAML are
    written from one export document, made once.  Atomic per file."""
    kinds = {path: kind for kind, path in PATHS.items()}
    document: dict[str, Any] | None = None
    for path in paths:
        first = folders[0] / path
        with atomic_writer(first) as out:
            if path == SCHEMA:
                out.write(_schema_text())
            elif kinds[path] in DOCUMENT_WRITERS:
                if document is None:
                    document = export_document(guide, links, site_url)
                DOCUMENT_WRITERS[kinds[path]](document, out)
            else:
                if kinds[path] == "csv":
                    out.write("\ufeff")
                WRITERS[kinds[path]](guide, links, site_url, out)
        for folder in folders[1:]:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(first, folder / path)


def _schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
