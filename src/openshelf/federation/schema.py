"""JSON Schema files for the federation's formats, generated from their models: the export
(interchange) format other guides read, and the subscription files a guide's curators edit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from openshelf.federation import config, exchange


def _sources_schema() -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "sources.schema.json",
            **config.SourcesFile.model_json_schema()}

#: File name in ``guides/_schema/`` → the function that makes its schema.
SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "guide-export.schema.json": exchange.json_schema,
    "sources.schema.json": _sources_schema,
}


def schema_files() -> dict[str, str]:
    """File name → JSON text."""
    return {name: json.dumps(make(), ensure_ascii=False, indent=2) + "\n" for name, make in SCHEMAS.items()}
