"""Data out: ``openshelf export`` (JSON, CSV, YAML) and the site's downloads.

JSON and YAML are the interchange format other guides subscribe to
(:mod:`openshelf.federation.exchange`, versioned); the CSV is the spreadsheet of the import columns.

Reads a validated guide and writes nothing: it imports no part of the curators' write path
(``fmt``, ``append``, ``transfer``'s import side), so the site can use it.  The CSV has the
import columns (plus ``collection``), so an exported file imports again unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from openshelf.federation.exchange import build_time, export_record
from openshelf.gcpolicy import paused
from openshelf.guide.load import Guide
from openshelf.guide.models import Entry


@dataclass(frozen=True)
class Column:
    """One CSV column: a leaf of an entry (``url``; ``title`` → ``title_zh``, ``title_en``; a nested
    model's fields, ``service_status`` → ``service_status_state`` …)."""

    name: str
    path: tuple[str, ...]  # the field, then the nested fields down to the value
    info: FieldInfo  # the leaf's field: its default, description and type
    is_list: bool


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (``Text``, ``ServiceStatus | None``), or None for a plain value."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _columns(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[Column]:
    columns: list[Column] = []
    for name, info in model.model_fields.items():
        path = (*prefix, name)
        inner = _model_in(info.annotation)
        if inner is not None:
            columns += _columns(inner, path)
        else:
            columns.append(Column("_".join(path), path, info, get_origin(info.annotation) is list))
    return columns


#: Every import column, from the model: a field added to ``Entry`` is a column (and an option of
#: ``openshelf new``) at once.  Every one is optional except what the schema requires.
COLUMN_LIST = _columns(Entry)
COLUMN_BY_NAME = {c.name: c for c in COLUMN_LIST}
#: The import columns, in order.
COLUMNS = [c.name for c in COLUMN_LIST]
#: ``collection`` is accepted too: export writes it, and a row's own collection wins over --collection.
EXTRA_COLUMNS = ["collection"]
EXPORT_COLUMNS = [*EXTRA_COLUMNS, *COLUMNS]


#: A cell starting with one of these is a formula to a spreadsheet (CSV injection): exported with
#: a leading apostrophe, which spreadsheets show as text and import takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell_out(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def list_cell(items: list[str]) -> str:
    """A list as one cell that import splits back into the same items: ``a; b``, and a lone item
    holding a comma ends in ``;`` (a cell without semicolons is split at commas)."""
    cell = "; ".join(items)
    return cell + ";" if len(items) == 1 and any(c in cell for c in ",，、") else cell


def entry_row(entry: Entry) -> dict[str, str]:
    """An entry as one CSV row (the import columns); formula-like cells are defused."""
    row: dict[str, str] = {}
    for column in COLUMN_LIST:
        value: Any = entry
        for name in column.path:
            value = getattr(value, name) if value is not None else None
        if isinstance(value, list):
            value = list_cell(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, bool):  # a flag (best_bet): "true", or empty for the default, as a spreadsheet reads best
            value = "true" if value else None
        row[column.name] = "" if value is None else _cell_out(str(value))
    return row


def export_json(guide: Guide, links: Mapping[str, Any] | None = None, site_url: str | None = None) -> str:
    """The interchange format (:mod:`openshelf.federation.exchange`), as other guides subscribe to it."""
    return json.dumps(export_record(guide, links, site_url, build_time()), ensure_ascii=False, indent=2) + "\n"


def export_yaml(guide: Guide, links: Mapping[str, Any] | None = None, site_url: str | None = None) -> str:
    """The same document as the JSON export, in YAML."""
    # libyaml's emitter when present: the same text, about 5x faster (seconds at 10,000 entries)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    record = export_record(guide, links, site_url, build_time())
    with paused():  # the representer's node tree: a million objects and no cycle at 10,000 entries
        return yaml.dump(record, Dumper=dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


def export_csv(guide: Guide, links: Mapping[str, Any] | None = None, site_url: str | None = None) -> str:
    """One row per entry in the import columns (link health and provenance are not part of it)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for collection in guide.collections:
        for entry in collection.entries:
            writer.writerow({"collection": collection.id, **entry_row(entry)})
    return out.getvalue()


class Exporter(Protocol):
    def __call__(self, guide: Guide, links: Mapping[str, Any] | None = ..., site_url: str | None = ..., /) -> str: ...


EXPORTERS: dict[str, Exporter] = {"json": export_json, "csv": export_csv, "yaml": export_yaml}
