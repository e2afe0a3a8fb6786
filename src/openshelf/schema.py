"""JSON Schema for guide files, generated from the models (editors use it for completion)."""

from __future__ import annotations

import json
from pathlib import Path

from openshelf.models import SCHEMAS

SCHEMA_DIR = Path("guides/_schema")


def json_schema(name: str) -> dict[str, object]:
    model = SCHEMAS[name]
    schema = model.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{name}.schema.json", **schema}


def schema_files() -> dict[str, str]:
    """File name → JSON text, for every schema."""
    return {f"{name}.schema.json": json.dumps(json_schema(name), ensure_ascii=False, indent=2) + "\n" for name in SCHEMAS}
