"""JSON Schema files for the federation's formats, generated from their models: the export
(interchange) format other guides read, and the subscription and overlay files a guide's curators edit."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from pydantic import BaseModel

from openshelf.federation import config, exchange, overlays


def _file_schema(name: str, model: type[BaseModel]) -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": name, **model.model_json_schema()}


#: File name in ``guides/_schema/`` → the function that makes its schema.
SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "guide-export.schema.json": exchange.json_schema,
    "sources.schema.json": partial(_file_schema, "sources.schema.json", config.SourcesFile),
    "overlays.schema.json": partial(_file_schema, "overlays.schema.json", overlays.OverlaysFile),
}


def schema_files() -> dict[str, str]:
    """File name → JSON text."""
    return {name: json.dumps(make(), ensure_ascii=False, indent=2) + "\n" for name, make in SCHEMAS.items()}
