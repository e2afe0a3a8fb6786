"""JSON Schema files for the federation's formats, generated from their models: the export
(interchange) format other guides read, and the subscription and overlay files a guide's curators edit."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from openshelf.federation import config, exchange, overlays
from openshelf.guide.schema import model_schema, schema_text

#: File name in ``guides/_schema/`` → the function that makes its schema.
SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "guide-export.schema.json": exchange.json_schema,
    "sources.schema.json": partial(model_schema, "sources.schema.json", config.SourcesFile),
    "overlays.schema.json": partial(model_schema, "overlays.schema.json", overlays.OverlaysFile),
}


def schema_files() -> dict[str, str]:
    """File name → JSON text."""
    return {name: schema_text(make()) for name, make in SCHEMAS.items()}
