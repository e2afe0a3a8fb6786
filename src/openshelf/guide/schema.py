"""JSON Schema for guide files, generated from the models (editors use it for completion)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from openshelf.guide.models import SCHEMAS

SCHEMA_DIR = Path("guides/_schema")


def model_schema(file_name: str, model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema document of a file read as ``model``, named ``file_name`` (every schema file is made so)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": file_name, **model.model_json_schema()}


def schema_text(schema: dict[str, Any]) -> str:
    """A schema as the files hold it: indented JSON, UTF-8 characters as they are."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def json_schema(name: str) -> dict[str, Any]:
    return model_schema(f"{name}.schema.json", SCHEMAS[name])


def schema_files() -> dict[str, str]:
    """File name → JSON text, for every schema."""
    return {f"{name}.schema.json": schema_text(json_schema(name)) for name in SCHEMAS}


def field_reference() -> str:
    """A Markdown page describing every field of the guide files, generated from the models."""
    from openshelf.guide.models import ACCESS_LABELS, Collection, Entry, Site

    lines = ["# 字段说明 · Field reference", "",
             "Generated from the schema (`src/openshelf/guide/models.py`); editors get the same text from",
             "`guides/_schema/*.schema.json`.", ""]
    for title, model in (("Entry · 条目 (`entries:` in `guides/<collection>.yml`)", Entry),
                         ("Collection · 栏目 (`guides/<collection>.yml`)", Collection),
                         ("Site settings · 站点设置 (`guides/_site.yml`)", Site)):
        lines += [f"## {title}", "", "| field | required | description |", "| --- | --- | --- |"]
        for name, info in model.model_fields.items():
            required = "yes" if info.is_required() else ""
            lines.append(f"| `{name}` | {required} | {(info.description or '').replace('|', '/')} |")
        lines.append("")
    lines += ["## access", "", "| value | 中文 | English |", "| --- | --- | --- |"]
    lines += [f"| `{key}` | {zh} | {en} |" for key, (zh, en) in ACCESS_LABELS.items()]
    return "\n".join(lines) + "\n"
