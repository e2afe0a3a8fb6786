"""Data out: ``openshelf export`` (JSON, CSV, YAML) and the site's downloads.

Reads a validated guide and writes nothing: it imports no part of the curators' write path
(``fmt``, ``append``, ``transfer``'s import side), so the site can use it.  The CSV has the
import columns (plus ``collection``), so an exported file imports again unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import yaml

from openshelf.guide.load import Guide
from openshelf.guide.models import Entry

#: The import columns, in order; every one is optional except what the schema requires.
COLUMNS = [
    "id", "title_zh", "title_en", "kind", "url", "description_zh", "description_en", "category", "tags", "access", "status",
    "available_from", "available_until", "provider_zh", "provider_en", "languages", "aliases", "related",
    "distinct_from", "last_verified", "verified_by", "evidence", "verification_note", "link_check", "archive_url",
]
#: ``collection`` is accepted too: export writes it, and a row's own collection wins over --collection.
EXTRA_COLUMNS = ["collection"]
EXPORT_COLUMNS = [*EXTRA_COLUMNS, *COLUMNS]


def entry_record(entry: Entry) -> dict[str, Any]:
    return entry.model_dump(mode="json")


def guide_record(guide: Guide) -> dict[str, Any]:
    """The whole guide as plain data: site title and categories, then each collection with its entries."""
    site = guide.site
    return {
        "format": "openshelf-guide",
        "version": 1,
        "site": {
            "title": site.title.model_dump(mode="json"),
            "description": site.description.model_dump(mode="json") if site.description else None,
            "categories": {key: label.model_dump(mode="json") for key, label in site.categories.items()},
        },
        "collections": [
            {
                "id": c.id,
                "title": c.title.model_dump(mode="json"),
                "description": c.description.model_dump(mode="json") if c.description else None,
                "order": c.order,
                "entries": [entry_record(e) for e in c.entries],
            }
            for c in guide.collections
        ],
    }


#: A cell starting with one of these is a formula to a spreadsheet (CSV injection): exported with
#: a leading apostrophe, which spreadsheets show as text and import takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell_out(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def entry_row(entry: Entry) -> dict[str, str]:
    """An entry as one CSV row (the import columns); formula-like cells are defused."""
    row: dict[str, str] = {}
    for column in COLUMNS:
        name, _, lang = column.rpartition("_") if column.endswith(("_zh", "_en")) else (column, "", "")
        value: Any = getattr(entry, name)
        if lang:
            value = getattr(value, lang) if value is not None else None
        if isinstance(value, list):
            value = "; ".join(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        row[column] = "" if value is None else _cell_out(str(value))
    return row


def export_json(guide: Guide) -> str:
    return json.dumps(guide_record(guide), ensure_ascii=False, indent=2) + "\n"


def export_yaml(guide: Guide) -> str:
    # libyaml's emitter when present: the same text, about 5x faster (seconds at 10,000 entries)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(guide_record(guide), Dumper=dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


def export_csv(guide: Guide) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for collection in guide.collections:
        for entry in collection.entries:
            writer.writerow({"collection": collection.id, **entry_row(entry)})
    return out.getvalue()


EXPORTERS = {"json": export_json, "csv": export_csv, "yaml": export_yaml}
