"""The whole guide as data files in the site (``downloads/``), so other libraries reuse it instead
of copying by hand: the same JSON, CSV and YAML as ``openshelf export``, and the JSON Schema of
the interchange format that other guides subscribe to."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from openshelf.curate.export import EXPORTERS
from openshelf.federation.exchange import json_schema
from openshelf.guide.load import Guide

#: Format → path in the site.
PATHS = {"json": "downloads/openshelf.json", "csv": "downloads/openshelf.csv", "yaml": "downloads/openshelf.yaml"}
SCHEMA = "downloads/openshelf.schema.json"


def files(guide: Guide, links: Mapping[str, Any] | None = None, site_url: str | None = None) -> dict[str, str]:
    """The site's download files (path in the site → content); the CSV starts with a byte-order
    mark so that Excel reads it as UTF-8."""
    out = {path: ("\ufeff" if kind == "csv" else "") + EXPORTERS[kind](guide, links, site_url) for kind, path in PATHS.items()}
    out[SCHEMA] = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    return out
