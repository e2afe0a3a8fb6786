"""The whole guide as data files in the site (``downloads/``), so other libraries reuse it instead
of copying by hand: the same JSON, CSV and YAML as ``openshelf export``."""

from __future__ import annotations

from openshelf.curate.export import EXPORTERS
from openshelf.guide.load import Guide

#: Format → path in the site.
PATHS = {"json": "downloads/openshelf.json", "csv": "downloads/openshelf.csv", "yaml": "downloads/openshelf.yaml"}


def files(guide: Guide) -> dict[str, str]:
    """The site's download files (path in the site → content); the CSV starts with a byte-order
    mark so that Excel reads it as UTF-8."""
    return {path: ("\ufeff" if kind == "csv" else "") + EXPORTERS[kind](guide) for kind, path in PATHS.items()}
