"""Spreadsheets in: ``openshelf import`` (CSV); data out (``openshelf export``) is :mod:`openshelf.curate.export`.

The CSV columns are the entry's fields, text fields split by language (``title_zh``,
``title_en``); list fields hold their items separated by ``;`` (or ``；``; a cell without
semicolons may use commas).  ``export --format csv`` writes the same columns (plus
``collection``), so an exported file imports again unchanged.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
from collections.abc import Container, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from openshelf.curate.append import append_text, next_free_id, validate_candidate
from openshelf.curate.collection import how_to_create
from openshelf.curate.export import COLUMN_BY_NAME, COLUMNS, EXTRA_COLUMNS, FORMULA_STARTS
from openshelf.curate.new import entry_data, worded_tags
from openshelf.errors import GuideError
from openshelf.federation.assemble import Subscribed
from openshelf.guide import yamlsource
from openshelf.guide.diagnostics import Diagnostic, Location, Severity
from openshelf.guide.encoding import NotUtf8
from openshelf.guide.encoding import decode as decode_utf8
from openshelf.guide.load import MAX_FILE_BYTES, Guide, display_path, read_text
from openshelf.guide.messages import describe
from openshelf.guide.models import SITE_FILE, Entry
from openshelf.guide.urls import normalise_url


def _cell_in(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


# ---------------------------------------------------------------------------------------- import

class CsvProblem(GuideError):
    """The file as a whole cannot be read (encoding, header); nothing is imported.

    The message is complete, ``file:line: error: …``, as printed.
    """


def decode(raw: bytes, display: str) -> str:
    """UTF-8 with or without a byte-order mark; anything else is a clear error naming the encoding."""
    try:
        return decode_utf8(raw)
    except NotUtf8 as exc:
        raise CsvProblem(f"{display}:{exc.line}: error: {exc.message}; in Excel use 'Save As' → "
                         "'CSV UTF-8 (Comma delimited)' (另存为 → CSV UTF-8（逗号分隔）)") from None


@dataclass
class Row:
    number: int  # the spreadsheet's row number: the header is row 1
    line: int  # the line in the file where the row starts
    cells: dict[str, str]

    @property
    def label(self) -> str:
        """``CSV row 44 “开放获取期刊目录”``: the row as a curator finds it in the sheet."""
        title = self.cells.get("title_zh") or self.cells.get("title_en") or ""
        title = title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"
        return f"CSV row {self.number}" + (f" “{title}”" if title else "")


#: How much of a row's title its messages quote.
TITLE_CHARS = 40
#: At most this many row numbers or ranges in a message about several rows.
ROW_RANGES = 12


def row_ranges(numbers: list[int]) -> str:
    """``[2, 3, 4, 7]`` → ``2–4, 7``; past ROW_RANGES ranges, ``…`` ends the list."""
    ranges: list[list[int]] = []
    for n in sorted(numbers):
        if ranges and n == ranges[-1][1] + 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in ranges]
    return ", ".join(parts[:ROW_RANGES]) + (", …" if len(parts) > ROW_RANGES else "")


_CHINESE = re.compile(r"[\u3400-\u9fff]")


def tag_labels_block(worded: Mapping[str, str]) -> str:
    """YAML to paste under ``tags:`` in ``_site.yml`` so readers see the words a sheet gave as tags, not their slugs."""
    lines = []
    for slug, word in worded.items():
        lang = "zh" if _CHINESE.search(word) else "en"
        lines.append(f"  {slug}: {{{lang}: {json.dumps(word, ensure_ascii=False)}}}\n")
    return "".join(lines)


def categories_block(keys: list[str]) -> str:
    """YAML to paste under ``categories:`` in ``_site.yml`` for category keys that are not defined:
    valid as it stands (an English label made from the key), with the Chinese label left to write."""
    return "".join(f"  {key}: {{en: {key.replace('-', ' ').capitalize()}}}  # and zh: 中文名称\n" for key in keys)


@dataclass
class ImportPlan:
    """What an import would do: entries to add per collection, and every problem found."""

    display: str = ""
    added: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rows_of: dict[str, list[Row]] = field(default_factory=dict)
    #: every problem as found: (row, column, message, severity); ``diagnostics`` words them
    problems: list[tuple[Row, str, str, Severity]] = field(default_factory=list)
    bad_rows: int = 0
    duplicates: int = 0
    #: id → row, for rows that were planned and then dropped (rows relating to them are dropped too)
    dropped: dict[str, Row] = field(default_factory=dict)
    #: category keys the rows use that _site.yml does not define, in the order met
    undefined_categories: list[str] = field(default_factory=list)
    #: with --update: collection → (row, entry id, the fields that change) for entries already in the guide
    updated: dict[str, list[tuple[Row, str, dict[str, Any]]]] = field(default_factory=dict)
    unchanged: int = 0
    #: tags written as words (电子书, Open Access) → the slug each became, which _site.yml can label
    worded_tags: dict[str, str] = field(default_factory=dict)

    def problem(self, row: Row, column: str, message: str, severity: Severity = "error") -> None:
        """A problem with ``row`` (at its line in the CSV file), in ``column`` when one is to blame."""
        self.problems.append((row, column, message, severity))

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """The problems, sorted, at their rows' lines in the CSV file; the same problem in several
        rows (an undefined category in 87 rows) is one message that lists the rows."""
        groups: dict[tuple[str, str, Severity], list[Row]] = {}
        for row, column, message, severity in self.problems:
            groups.setdefault((column, message, severity), []).append(row)
        out = []
        for (column, message, severity), rows in groups.items():
            numbers = sorted({row.number for row in rows})
            where = rows[0].label if len(numbers) == 1 else f"CSV rows {row_ranges(numbers)} ({len(numbers)} rows)"
            where += f", column '{column}'" if column else ""
            out.append(Diagnostic(Location(self.display, min(row.line for row in rows), 1), f"{where}: {message}",
                                  field=column or None, severity=severity))
        return sorted(out, key=Diagnostic.sort_key)

    def add(self, collection: str, row: Row, data: dict[str, Any]) -> None:
        self.added.setdefault(collection, []).append(data)
        self.rows_of.setdefault(collection, []).append(row)

    def update(self, collection: str, row: Row, entry_id: str, changes: dict[str, Any]) -> None:
        self.updated.setdefault(collection, []).append((row, entry_id, changes))

    def planned(self, collection: str) -> list[Row]:
        """The rows that change ``collection``: its updated entries, then its new ones (as in its new file)."""
        return [row for row, _, _ in self.updated.get(collection, [])] + self.rows_of.get(collection, [])

    @property
    def collections(self) -> list[str]:
        return list(dict.fromkeys([*self.updated, *self.added]))

    def drop(self, row: Row, column: str, message: str) -> None:
        """Take a planned row out again, as a bad row (an entry it would update stays as it was)."""
        for collection, rows in self.rows_of.items():
            if row in rows:
                index = rows.index(row)
                self.dropped[self.added[collection][index]["id"]] = row
                del rows[index], self.added[collection][index]
        self.added = {c: items for c, items in self.added.items() if items}
        self.rows_of = {c: rows for c, rows in self.rows_of.items() if rows}
        self.updated = {c: kept for c, items in self.updated.items() if (kept := [u for u in items if u[0] is not row])}
        self.problem(row, column, message)
        self.bad_rows += 1

    def drop_orphans(self, known: Container[str]) -> None:
        """Drop each planned row whose ``related`` names an id that is neither in ``known`` nor planned,
        then the rows relating to those, until every planned row's related ids exist."""
        while True:
            planned = {data["id"] for items in self.added.values() for data in items}
            rows_data = [(row, data) for c, items in self.added.items() for row, data in zip(self.rows_of[c], items, strict=True)]
            rows_data += [(row, changes) for items in self.updated.values() for row, _, changes in items]
            orphans: list[tuple[Row, str]] = []
            for row, data in rows_data:
                related = data.get("related") or []
                unknown = [r for r in related if r not in known and r not in planned and r not in self.dropped]
                gone = [r for r in related if r in self.dropped]
                if unknown:
                    orphans.append((row, f"unknown entry id(s) {', '.join(repr(u) for u in unknown)}"))
                elif gone:
                    which = ", ".join(f"'{r}' ({self.dropped[r].label})" for r in gone)
                    orphans.append((row, f"skipped: it relates to {which}, which {'is' if len(gone) == 1 else 'are'} not imported"))
            if not orphans:
                return
            for row, message in orphans:
                self.drop(row, "related", message)


def read_rows(text: str, display: str, update: bool = False) -> Iterator[Row]:
    """The data rows of a CSV file; a header that lacks a required column is refused (with ``update``
    only ``id`` is required: the rows of entries in the guide need no more, new rows are checked one by one)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvProblem(f"{display}: error: the file is empty; the first row must name the columns ({', '.join(COLUMNS)})") from None
    columns = [h.strip().lower() for h in header]
    unknown = [c for c in columns if c and c not in COLUMNS and c not in EXTRA_COLUMNS]
    if unknown:
        raise CsvProblem(f"{display}:1: error: unknown column(s) {', '.join(repr(c) for c in unknown)}; "
                         f"the columns are: {', '.join(COLUMNS)}")
    seen = [c for c in columns if c]
    if len(set(seen)) != len(seen):
        twice = sorted({c for c in seen if seen.count(c) > 1})
        raise CsvProblem(f"{display}:1: error: column(s) {', '.join(repr(c) for c in twice)} appear more than once")
    for needed in ("id",) if update else ("url", "category", "access"):
        if needed not in columns:
            raise CsvProblem(f"{display}:1: error: the column '{needed}' is missing; the columns are: {', '.join(COLUMNS)}")
    for group in () if update else ("title", "description"):
        if f"{group}_zh" not in columns and f"{group}_en" not in columns:
            raise CsvProblem(f"{display}:1: error: a column '{group}_zh' or '{group}_en' is needed")
    number = 1
    line = reader.line_num + 1
    for record in reader:
        number += 1
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue  # blank rows are fine
        if len(record) > len(columns) and any(c.strip() for c in record[len(columns):]):
            yield Row(number, start, {"__extra__": "yes"})
            continue
        yield Row(number, start, {c: (record[i].strip() if i < len(record) else "") for i, c in enumerate(columns) if c})


def row_data(cells: Mapping[str, str], base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A row's cells as the entry's data: the columns are ``openshelf new``'s options written with
    ``_`` (``title_zh`` is ``--title-zh``); a formula-like cell loses the apostrophe export gave it.
    With ``base`` (for --update) an emptied cell empties its field and a column the sheet does not
    have leaves its field as it was (:func:`openshelf.curate.new.entry_data`)."""
    return entry_data({column.replace("_", "-"): _cell_in(value.strip()) for column, value in cells.items() if column in COLUMN_BY_NAME}, base)


def _column_of(loc: tuple[Any, ...]) -> str:
    """The column a validation error's location points at (``title`` without a language: both of its columns)."""
    name = "_".join(str(p) for p in loc if not isinstance(p, int))
    if not name or name in COLUMN_BY_NAME:
        return name
    if f"{name}_zh" in COLUMN_BY_NAME:
        return f"{name}_zh/{name}_en"
    return next((c for c in COLUMN_BY_NAME if c.startswith(f"{name}_")), name)


def plan_import(text: str, display: str, guide: Guide, default_collection: str | None, update: bool = False,
                offered: Container[str] = ()) -> ImportPlan:
    """Check every row against the schema and the guide; decide what to add, update and skip.

    Without ``update`` a row whose id is in the guide is skipped as a duplicate; with it, the
    entry takes the row's values for the columns the sheet has (its fields that change).  ``offered``: the
    categories the subscribed guides define, which a row may use as ``openshelf new`` and validate allow.
    """
    plan = ImportPlan(display)
    ids = {e.id: str(e.where("id")) for e in guide.entries}
    urls = {normalise_url(e.url): f"entry '{e.id}' ({e.where('url')})" for e in guide.entries if e.url is not None}
    collections = {c.id for c in guide.collections}
    updating: dict[str, Row] = {}  # entry id → the row that updates it
    problem = plan.problem

    for row in read_rows(text, display, update):
        if "__extra__" in row.cells:
            problem(row, "", "more cells than columns (a comma inside a cell needs the cell in double quotes)")
            plan.bad_rows += 1
            continue
        existing = guide.by_id.get(row.cells.get("id", "")) if update else None
        collection = row.cells.get("collection") or (existing.collection if existing else default_collection)
        if not collection:
            problem(row, "collection", "no collection: give --collection or fill the 'collection' column")
            plan.bad_rows += 1
            continue
        if collection not in collections:
            problem(row, "collection", f"no collection '{collection}' in the guide (known: {', '.join(sorted(collections))}); "
                                       + how_to_create(collection))
            plan.bad_rows += 1
            continue
        before = existing.model_dump() if existing else None
        data = row_data(row.cells, before)
        if data.get("tags"):
            data["tags"], worded = worded_tags(data["tags"], guide.site)
            plan.worded_tags.update(worded)
        if "id" not in data and data.get("title"):
            title = data["title"].get("en") or data["title"].get("zh") or ""
            data = {"id": next_free_id(title, data.get("url", ""), ids), **data}
        try:
            entry = Entry.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                problem(row, _column_of(tuple(error["loc"])), describe(error))
            plan.bad_rows += 1
            continue
        if entry.category not in guide.site.categories and entry.category not in offered:
            problem(row, "category", f"category '{entry.category}' is not defined in {SITE_FILE} "
                                     f"(known: {', '.join(guide.site.categories)})")
            if entry.category not in plan.undefined_categories:
                plan.undefined_categories.append(entry.category)
            plan.bad_rows += 1
            continue
        if existing is not None and before is not None:
            if collection != existing.collection:
                problem(row, "collection", f"entry '{entry.id}' is in collection '{existing.collection}' ({existing.where('id')}); "
                                           "--update does not move entries between collections")
                plan.bad_rows += 1
            elif entry.id in updating:
                problem(row, "id", f"skipped: {updating[entry.id].label} already updates entry '{entry.id}'", "warning")
                plan.duplicates += 1
            elif changes := {name: value for name, value in entry.model_dump().items() if value != before[name]}:
                updating[entry.id] = row
                plan.update(collection, row, entry.id, changes)  # a clashing url: the whole guide's check blames this row
            else:
                plan.unchanged += 1
            continue
        if entry.id in ids:
            problem(row, "id", f"skipped: id '{entry.id}' already exists at {ids[entry.id]}", "warning")
            plan.duplicates += 1
            continue
        key = normalise_url(entry.url) if entry.url is not None else None  # a how-to may have none
        if key in urls and not entry.shares_url_with:  # one that says it shares the url: the guide's check judges
            problem(row, "url", f"skipped: the same URL is already in the guide as {urls[key]}", "warning")
            plan.duplicates += 1
            continue
        ids[entry.id] = f"{display}:{row.line} ({row.label})"
        if key is not None:
            urls.setdefault(key, row.label)
        data["id"] = entry.id
        plan.add(collection, row, data)
    plan.drop_orphans(guide.by_id)  # related may name entries further down the file
    return plan


def settle(plan: ImportPlan, guide: Guide, files: Mapping[str, Path], guides: Path,
           subscribed: Subscribed | None = None) -> tuple[dict[Path, str], list[Diagnostic]]:
    """Apply the planned rows to their collection files (``files``: collection id → path) in memory
    and validate the whole guide with them.  A row whose entry the guide rejects is dropped and
    reported at its row in the CSV file (never at a line of a file that is not written), then the
    rows relating to it, until the rest validates.

    Returns the new text of each file to write, and the problems no row is to blame for (then the
    texts are empty: nothing may be written).  ``subscribed``: the guide's subscriptions as already read (each
    validation reuses them), or None to read them for each.
    """
    while plan.collections:
        texts: dict[Path, str] = {}
        entries: dict[str, tuple[list[int], dict[int, Row]]] = {}  # file as displayed → (each entry's first line, index → its row)
        for name in plan.collections:
            path = files[name]
            updates = [(entry_id, changes) for _, entry_id, changes in plan.updated.get(name, [])]
            text, indexes = append_text(read_text(path), plan.added.get(name, []), updates)
            data, positions = yamlsource.load(text)
            texts[path] = text
            starts = [positions.of(("entries", i))[0] for i in range(len(data["entries"]))]
            entries[display_path(path)] = (starts, dict(zip(indexes, plan.planned(name), strict=True)))
        errors = [d for d in validate_candidate(guides, texts, subscribed) if d.severity == "error"]
        if not errors:
            return texts, []
        blamed: list[tuple[Row, Diagnostic]] = []
        for d in errors:
            starts, rows = entries.get(d.location.path, ([], {}))
            row = rows.get(bisect.bisect_right(starts, d.location.line) - 1)
            if row is None:  # not about a row's entry: the line would be one of a file that is not written
                return {}, [replace(d, location=Location(d.location.path)) for d in errors]
            blamed.append((row, d))
        for row, d in blamed:
            # A policy breach reads the same for every row (grouped, by its column); other messages name the entry.
            column, message = (d.field or "", d.message) if d.code == "policy" else ("", (f"entry '{d.entry}': " if d.entry else "") + d.message)
            if any(row in plan.planned(name) for name in plan.collections):
                plan.drop(row, column, message)
            else:
                plan.problem(row, column, message)
        plan.drop_orphans(guide.by_id)
    return {}, []


def read_csv(path: Path) -> str:
    display = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvProblem(f"{display}: error: cannot read the file: {exc.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise CsvProblem(f"{display}: error: the file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}")
    return decode(raw, display)
