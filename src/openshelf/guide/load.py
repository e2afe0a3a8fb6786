"""Load a guide: find the files, read and parse each, validate it against the models, then check across files.

``load_guide`` is the one entry point shared by ``openshelf validate``, ``openshelf build``,
the MkDocs plugin and the link checker, so all of them report the same diagnostics.
``parse_file`` and ``validate_source`` are the same steps for one file on its own (``openshelf fmt``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from openshelf.guide import yamlsource
from openshelf.guide.checks import cross_checks
from openshelf.guide.diagnostics import Diagnostic, Location, has_errors
from openshelf.guide.encoding import NotUtf8, decode
from openshelf.guide.messages import guide_diagnostics
from openshelf.guide.models import (
    RESERVED_PAGES,
    SITE_FILE,
    Collection,
    Entry,
    Limits,
    Site,
    Text,
)
from openshelf.guide.provenance import Origin, SourceInfo

__all__ = ["MAX_FILE_BYTES", "SITE_FILE", "Guide", "Source", "display_path", "guide_files", "load_guide",
           "parse_file", "read_text", "validate_source"]

M = TypeVar("M", bound=BaseModel)
MAX_FILE_BYTES = Limits().max_file_bytes  # commands that read one file outside a guide (fmt, import) use the default


@dataclass
class Guide:
    """A validated guide: the site settings and its collections, in navigation order."""

    site: Site
    collections: list[Collection]
    #: Filled in when the guide subscribes to others (the federation stage): entry id → where it comes
    #: from, entry id → this library's local note, and the subscribed guides.  Empty for a guide of its own.
    origins: dict[str, Origin] = field(default_factory=dict)
    notes: dict[str, Text] = field(default_factory=dict)
    sources: list[SourceInfo] = field(default_factory=list)

    @cached_property
    def entries(self) -> list[Entry]:
        return [e for c in self.collections for e in c.entries]

    @cached_property
    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    @cached_property
    def referenced_by(self) -> dict[str, list[Entry]]:
        """For each entry id, the entries whose ``related`` names it (the reverse links)."""
        back: dict[str, list[Entry]] = {}
        for entry in self.entries:
            for target in entry.related:
                back.setdefault(target, []).append(entry)
        return back

    def collection(self, collection_id: str) -> Collection:
        return next(c for c in self.collections if c.id == collection_id)


@dataclass
class Source:
    """One parsed guide file: its plain values and where each one is."""

    path: Path
    display: str
    data: Any = None
    positions: yamlsource.Positions = field(default_factory=yamlsource.Positions)


def display_path(path: Path) -> str:
    """The path as curators see it: relative to the working directory when below it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def guide_files(paths: Iterable[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """Expand folders into their guide files (``_site.yml`` and ``*.yml`` not starting with ``_``)."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            inside = path.resolve()
            for file in [path / SITE_FILE, *sorted(p for p in path.glob("*.y*ml") if not p.name.startswith("_"))]:
                if (problem := _not_a_guide_file(file, inside)) is not None:
                    problems.append(Diagnostic(Location(display_path(file)), problem, code="missing-file"))
                elif file.is_file():
                    files.append(file)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Diagnostic(Location(display_path(path)), "no such file or folder", code="missing-file"))
    return files, problems


def _not_a_guide_file(file: Path, folder: Path) -> str | None:
    """Why a file in a guide folder cannot be one of its files (None: it can, or it is not there at all).

    A symbolic link is followed only within the folder: one to a missing file would make a collection vanish without
    a word, and one out of it would read a file nobody meant to publish (a pull request could add ``x.yml`` linking
    to a runner's secrets).  Something else with a guide file's name (a folder) is named too.
    """
    if file.is_symlink():
        target = file.resolve()
        if not target.exists():
            return f"a symbolic link to {target}, which does not exist: restore the file or delete the link"
        if not target.is_relative_to(folder):
            return f"a symbolic link to {target}, outside the guide folder: guide files are read from the folder itself"
    if file.exists() and not file.is_file():
        return "not a file: a guide file must be a YAML file"
    return None


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """Read a guide file as UTF-8; a byte-order mark and Windows line endings are fine.

    Raises :class:`~openshelf.guide.yamlsource.YamlProblem` for a file over ``limit`` bytes or not in UTF-8.
    """
    size = path.stat().st_size
    if size > limit:
        raise yamlsource.YamlProblem(f"the file is {size:,} bytes; the limit is {limit:,} "
                                     f"(limits.max_file_bytes in {SITE_FILE}); split it into several collections", 1, 1)
    try:
        text = decode(path.read_bytes())
    except NotUtf8 as exc:
        raise yamlsource.YamlProblem(f"{exc.message}: save it as UTF-8", exc.line, 1) from None
    return text.replace("\r\n", "\n")


def load_guide(*paths: Path, known_ids: Iterable[str] = (), warnings: bool = True,
               known_categories: Iterable[str] = ()) -> tuple[Guide | None, list[Diagnostic]]:
    """Load and validate guide files or folders.  The guide is None when there is any error.

    ``known_ids`` are entries found elsewhere (the guides this one subscribes to): ``related`` and
    the other id lists may name them; ``known_categories``, the categories those guides define, which an entry
    may use as well as the site's own.  ``warnings=False`` skips the checks that can only warn (see
    :func:`~openshelf.guide.checks.cross_checks`): the same errors, fewer warnings.
    """
    files, diagnostics = guide_files(paths or (Path("guides"),))
    site_files = [f for f in files if f.name == SITE_FILE]
    # Only the whole guide, with nothing it subscribes to, shows whether a service or resource kind has an entry.
    whole = bool(site_files) and not known_ids
    if not site_files:  # a lone collection file: use the settings beside it
        for f in files:
            if (f.parent / SITE_FILE).is_file():
                site_files.append(f.parent / SITE_FILE)
                break
    site: Site | None = None
    if site_files:
        source = parse_file(site_files[0], diagnostics, Limits())
        if source is not None:
            site = validate_source(source, Site, diagnostics)
            if site is not None:
                site.locate(source.display, source.positions)
    else:
        folder = files[0].parent if files else next((p for p in paths if p.is_dir()), Path("guides"))
        where = display_path(folder / SITE_FILE)  # the folder that was asked for, whatever its name
        diagnostics.append(Diagnostic(Location(where), "the site settings file is missing", code="missing-file"))

    limits = site.limits if site is not None else Limits()
    collections: list[Collection] = []
    total = 0
    unvalidated: set[str] = set(known_ids)
    unreadable = False  # a file that does not parse: its ids are unknown
    checked: list[Collection] = []  # what the checks across entries see, in file order: each collection, and of a file
    # that does not validate as a whole, the entries that do (only for errors: its warnings wait, as its build does)
    failed: set[str] = set()
    incomplete = False  # a file that does not parse or validate: whether a service or kind has an entry is unknown
    for path in files:
        if path.name == SITE_FILE:
            continue
        source = parse_file(path, diagnostics, limits)
        if source is None:
            incomplete = True
            ids = _ids_in_text(path)  # the ids its lines give, so that 'related' elsewhere is still checked
            if ids is None:
                unreadable = True
            else:
                unvalidated |= ids
            continue
        entries = source.data.get("entries")
        total += len(entries) if isinstance(entries, list) else 0
        if total > limits.max_entries:
            line, col = source.positions.of(("entries",))
            diagnostics.append(Diagnostic(Location(source.display, line, col),
                                          f"the guide has more than {limits.max_entries:,} entries "
                                          f"(limits.max_entries in {SITE_FILE})", field="entries", code="limit"))
            incomplete = True
            continue
        collection = validate_source(source, Collection, diagnostics)
        if collection is None:  # its entries' ids still count, so that 'related' does not report them missing
            incomplete = True
            checked += _valid_entries(source, path)  # and those entries that are valid are still checked against the others
            failed.add(source.display)
            unvalidated |= {e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)} \
                if isinstance(entries, list) else set()
            continue
        _attach_positions(collection, source)
        if collection.id != path.stem:
            line, col = source.positions.of(("id",))
            diagnostics.append(Diagnostic(Location(source.display, line, col),
                                          f"collection id '{collection.id}' must match the file name '{path.stem}'",
                                          field="id"))
        if collection.id in RESERVED_PAGES:
            line, col = source.positions.of(("id",))
            diagnostics.append(Diagnostic(Location(source.display, line, col),
                                          f"collection id '{collection.id}' is a page name the site uses; rename the file and id",
                                          field="id"))
        collections.append(collection)
        checked.append(collection)

    # While a file cannot be read at all, an id another entry names may well be in it: "unknown id" would be a
    # follow-on error, so those wait until the file reads (the file's own error stops the load anyway). A file
    # that is text but not valid YAML gives its ids by its lines (_ids_in_text).
    # Likewise "no entry of this kind" while a file's entries are not read: they may well be in it.
    crossed = [d for d in cross_checks(site, checked, unvalidated, coverage=whole and not incomplete, warnings=warnings,
                                       categories_elsewhere=tuple(known_categories))
               if not (d.severity == "warning" and d.location.path in failed)]
    diagnostics += [d for d in crossed if not (unreadable and d.code == "unknown-id")]
    diagnostics.sort(key=Diagnostic.sort_key)
    if site is None or has_errors(diagnostics):
        return None, diagnostics
    collections.sort(key=lambda c: (c.order, c.id))
    return Guide(site, collections), diagnostics


def parse_file(path: Path, diagnostics: list[Diagnostic], limits: Limits | None = None) -> Source | None:
    """Read and parse one guide file; its problems are added to ``diagnostics`` and the result is None.

    A file that parses must be a mapping (site settings or a collection); it is not validated yet.
    """
    limits = limits or Limits()
    source = Source(path, display_path(path))
    text = ""
    try:
        text = read_text(path, limits.max_file_bytes)
        source.data, source.positions = yamlsource.load(
            text, yamlsource.Limits(max_depth=limits.max_depth, max_nodes=limits.max_nodes, max_value_chars=limits.max_value_chars))
    except yamlsource.YamlProblem as problem:
        diagnostics.append(Diagnostic(Location(source.display, problem.line, problem.column), problem.message,
                                      entry=_entry_around(text, problem.line), code="yaml"))
        return None
    except OSError as exc:
        diagnostics.append(Diagnostic(Location(source.display), f"cannot read the file: {exc.strerror}", code="io"))
        return None
    for (line, column), cut in source.positions.comments:
        diagnostics.append(Diagnostic(Location(source.display, line, column),
                                      f"the text after ' #' is read as a comment and left out ({cut!r}): put the whole "
                                      "value in quotes to keep it, \"like this\"", entry=_entry_around(text, line),
                                      severity="warning", code="cut-by-comment"))
    if not isinstance(source.data, dict):
        kind = "empty" if source.data is None else f"a {_kind(source.data)}"
        expected = "site settings (title, categories)" if path.name == SITE_FILE else "a collection (id, title, entries)"
        diagnostics.append(Diagnostic(Location(source.display, 1, 1),
                                      f"the file is {kind}; it must be a mapping with {expected}", code="type"))
        return None
    return source


def validate_source(source: Source, model: type[M], diagnostics: list[Diagnostic]) -> M | None:
    """``source``'s values as ``model``; each validation error is added to ``diagnostics`` and the result is None."""
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        diagnostics += guide_diagnostics(exc, model, source.data, source.positions, source.display)
        return None


_ITEM_START = re.compile(r"^( *)-(?: |$)")
_ODD_INDENT = ("\t", "\u3000", "\u00a0")
# An entry's id line: "- id: x", "id: x" inside it, and also "- id x" with its colon forgotten (that may be the mistake).
_ID_LINE = re.compile(r"""^ *(?:- +)?id(?: *: *| +)["']?([A-Za-z0-9][\w.-]*)""")


def _entry_around(text: str, line: int) -> str | None:
    """For a file that cannot be parsed: the id of the entry whose lines hold ``line``, if it is clear.

    The nearest list item above ``line`` whose lines reach it and hold an id (on its dash line, or as one of its own
    fields, wherever among them): an entry that begins with another field, or whose ``id`` lost its colon, is still
    named, and an item without an id (a tag in a list) leads to the item around it."""
    lines = text.splitlines()
    for start in range(min(line, len(lines)) - 1, -1, -1):
        current = lines[start]
        if current.startswith(("---", "...")) or current[:1] not in ("", " ", "-", "#", *_ODD_INDENT):
            return None  # a document marker or a top-level key: not inside an entry
        item = _ITEM_START.match(current)
        if item is None:
            continue
        indent = len(item.group(1))
        end = start + 1  # the item's lines: up to the next one at its dash's indentation or less
        while end < len(lines) and (not lines[end].strip() or lines[end][:1] in _ODD_INDENT
                                    or len(lines[end]) - len(lines[end].lstrip(" ")) > indent):
            end += 1  # (a line indented with a tab or a full-width space may be the mistake itself: it stays inside)
        if end < line:
            continue  # an item that ended before the line (an earlier entry, or a list inside one)
        for own in lines[start:end]:
            depth = len(own) - len(own.lstrip(" "))
            found = _ID_LINE.match(own)
            if found and (own is current or depth == indent + 2):
                return found.group(1)
    return None


def _ids_in_text(path: Path) -> set[str] | None:
    """The entry ids a file that does not parse gives on its lines (``- id: cnki``, ``id: cnki``, and ``- id cnki``
    with its colon forgotten), or None when it cannot be read as UTF-8 text at all."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return {found.group(1) for line in text.splitlines() if (found := _ID_LINE.match(line))}


_KINDS: dict[type[object], str] = {list: "list", str: "single value"}


def _kind(value: object) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def _valid_entries(source: Source, path: Path) -> list[Collection]:
    """A collection file that does not validate as a whole: its entries that validate on their own, located, as a
    collection for the checks across entries (so that one mistake does not hide another's 'unknown id'); never built."""
    items = source.data.get("entries")
    valid: list[tuple[int, Entry]] = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        try:
            valid.append((index, Entry.model_validate(item)))
        except ValidationError:  # reported already, with the whole file's errors
            continue
    if not valid:
        return []
    collection_id = source.data["id"] if isinstance(source.data.get("id"), str) else path.stem
    for index, entry in valid:
        entry.locate(collection_id, source.display, _EntryPositions(source.positions, ("entries", index)))
    return [Collection.model_construct(id=collection_id, title=Text.model_construct(), entries=[entry for _, entry in valid])]


def _attach_positions(collection: Collection, source: Source) -> None:
    for index, entry in enumerate(collection.entries):
        entry.locate(collection.id, source.display, _EntryPositions(source.positions, ("entries", index)))


class _EntryPositions:
    """An entry's field positions (``"url"``, ``"related[2]"``, ``""`` for the entry), looked up when asked
    (a :class:`~openshelf.guide.models.FieldPositions`)."""

    def __init__(self, positions: yamlsource.Positions, base: tuple[str | int, ...]) -> None:
        self._source = positions
        self._base = base

    def get(self, name: str, default: tuple[int, int], /) -> tuple[int, int]:
        if not name:
            return self._source.of(self._base)
        key, _, index = name.partition("[")
        found = self._source.find((*self._base, key, int(index.rstrip("]"))) if index else (*self._base, key))
        return default if found is None else found
