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


# The reference's own words: (Chinese, English). Its field descriptions come from the models and are English.
_REFERENCE_WORDS = {
    "title": ("字段说明", "Field reference"),
    "intro": ("由数据结构（`src/openshelf/guide/models.py`）生成，说明为英文；编辑器从 `guides/_schema/*.schema.json` 得到同样的说明。",
              "Generated from the schema (`src/openshelf/guide/models.py`); editors get the same text from\n"
              "`guides/_schema/*.schema.json`."),
    "entry": ("条目（`guides/<栏目>.yml` 的 `entries:`）", "Entry (`entries:` in `guides/<collection>.yml`)"),
    "collection": ("栏目（`guides/<栏目>.yml`）", "Collection (`guides/<collection>.yml`)"),
    "site": ("站点设置（`guides/_site.yml`）", "Site settings (`guides/_site.yml`)"),
    "columns": ("| 字段 | 必填 | 说明（英文，由数据结构生成） |", "| field | required | description |"),
    "yes": ("是", "yes"),
    "values": ("| 取值 | 中文 | 英文 |", "| value | 中文 | English |"),
}
# The bilingual page (no edition) as it always read: both names in a heading, the rest in English.
_BILINGUAL_HEADINGS = {"title": "字段说明 · Field reference",
                       "entry": "Entry · 条目 (`entries:` in `guides/<collection>.yml`)",
                       "collection": "Collection · 栏目 (`guides/<collection>.yml`)",
                       "site": "Site settings · 站点设置 (`guides/_site.yml`)"}


def field_reference(language: str | None = None) -> str:
    """A Markdown page describing every field of the guide files, generated from the models: its own words in
    ``language`` ("zh" or "en", an edition's), or with None the bilingual page (headings in both languages)."""
    from openshelf.guide.models import ACCESS_LABELS, Collection, Entry, Site

    def say(key: str) -> str:
        if language is None and key in _BILINGUAL_HEADINGS:
            return _BILINGUAL_HEADINGS[key]
        zh, en = _REFERENCE_WORDS[key]
        return zh if language == "zh" else en

    lines = [f"# {say('title')}", "", say("intro"), ""]
    for key, model in (("entry", Entry), ("collection", Collection), ("site", Site)):
        lines += [f"## {say(key)}", "", say("columns"), "| --- | --- | --- |"]
        for name, info in model.model_fields.items():
            required = say("yes") if info.is_required() else ""
            lines.append(f"| `{name}` | {required} | {(info.description or '').replace('|', '/')} |")
        lines.append("")
    lines += ["## access", "", say("values"), "| --- | --- | --- |"]
    lines += [f"| `{key}` | {zh} | {en} |" for key, (zh, en) in ACCESS_LABELS.items()]
    return "\n".join(lines) + "\n"
