"""``openshelf fmt``: rewrite guide files into one canonical form, keeping every comment.

The canonical form: top-level keys in the order of the models (``id, title, description,
order, entries`` for a collection), entry keys in the order of :class:`~openshelf.guide.models.Entry`'s
fields, text maps ``zh`` before ``en``, two-space indentation with ``  - id:`` list items,
quotes only where YAML needs them, dates unquoted, lists of plain values in flow style
(``[a, b]``) except ``evidence`` (URLs, one a line: see ``BLOCK_LISTS``),
no line wrapping.  Comments (including the ``# yaml-language-server`` schema line)
and blank lines stay with the lines they annotate.

ruamel.yaml does the round trip (see :mod:`openshelf.curate.roundtrip`).  A file is formatted only when it
parses and validates on its own, and the result is checked to hold exactly the same values as the original
before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from openshelf.curate.roundtrip import dump_rt, load_rt, pop_tail, push_tail
from openshelf.errors import GuideError
from openshelf.guide import yamlsource
from openshelf.guide.diagnostics import Diagnostic, Location
from openshelf.guide.encoding import decode
from openshelf.guide.load import display_path, parse_file, validate_source
from openshelf.guide.models import (
    SITE_FILE,
    Announcement,
    Collection,
    Entry,
    Site,
    Text,
)

Kind = Literal["site", "collection"]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Fields that hold a date (written unquoted): of entries and of the announcement.
_DATE_FIELDS = {name for model in (Entry, Announcement) for name, info in model.model_fields.items()
                if dt.date in (info.annotation, *get_args(info.annotation))}


def kind_of(path: Path) -> Kind:
    """Whether a guide file holds the site settings or a collection (by its name)."""
    return "site" if path.name == SITE_FILE else "collection"


def _order(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


TEXT_ORDER = _order(Text)
ENTRY_ORDER = _order(Entry)


def _reorder(mapping: CommentedMap, order: list[str], transform: Any = None) -> None:
    """Put ``mapping``'s keys in ``order`` (unknown keys last, as they were), moving comments along.

    ruamel stores comments on their own lines as the tail of the value *before* them; they
    belong to the key after them, so they follow that key to its new place.  ``transform`` runs
    on the mapping while no comment tails are attached (to change a list's style).
    """
    keys = list(mapping)
    if not keys:
        return
    rank = {k: i for i, k in enumerate(order)}
    new = sorted(keys, key=lambda k: (rank.get(k, len(order)), keys.index(k)))
    tails: list[tuple[Any, str, Any]] = []  # (the key the comments precede or None for the end, text, token)
    for i, key in enumerate(keys):
        own, token = pop_tail(mapping, key)
        if own:
            tails.append((keys[i + 1] if i + 1 < len(keys) else None, own, token))
    if transform is not None:
        transform(mapping)
    for key in new:
        mapping.move_to_end(key)
    for target, own, token in tails:
        if target is None:
            holder = new[-1]
        elif new.index(target) == 0:
            holder = keys[keys.index(target) - 1]  # nowhere better: it stays where it was
        else:
            holder = new[new.index(target) - 1]
        push_tail(mapping, holder, own, token)


def _is_plain_list(value: Any) -> bool:
    """A list of plain values with no comments inside: written in flow style, ``[a, b]``."""
    return (isinstance(value, CommentedSeq) and all(not isinstance(v, (dict, list)) for v in value)
            and not any(any(slot) for slot in value.ca.items.values()))


def normalise_value(key: str, value: Any) -> Any:
    """A date field's ``"2024-05-01"`` as a date (written unquoted); any other value as it is."""
    if key in _DATE_FIELDS and isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def _text(mapping: Any, order: list[str] = TEXT_ORDER) -> None:
    if isinstance(mapping, CommentedMap):
        _reorder(mapping, order)
        for key in list(mapping):
            mapping[key] = normalise_value(key, mapping[key])


#: Lists written one item a line even when plain: URLs hold ``:`` and ``?``, which YAML 1.1 parsers
#: (PyYAML, libyaml) do not accept inside ``[...]`` although YAML 1.2 does.
BLOCK_LISTS = frozenset({"evidence"})


def _flow_lists(entry: CommentedMap) -> None:
    for key, value in entry.items():
        if key in BLOCK_LISTS and isinstance(value, CommentedSeq):
            value.fa.set_block_style()
        elif _is_plain_list(value):
            value.fa.set_flow_style()


def canonical_entry(entry: CommentedMap) -> None:
    for key in list(entry):
        value = normalise_value(key, entry[key])
        if isinstance(value, CommentedMap):
            _text(value)
        if value is not entry[key]:
            entry[key] = value
    _reorder(entry, ENTRY_ORDER, _flow_lists)


def canonicalize(doc: Any, kind: Kind) -> None:
    """Bring a round-trip document (a collection or the site settings) into canonical form, in place."""
    if not isinstance(doc, CommentedMap):
        return
    if kind == "site":
        _reorder(doc, _order(Site))
        for key in ("title", "description"):
            _text(doc.get(key))
        _text(doc.get("announcement"), _order(Announcement))
        if isinstance(doc.get("categories"), CommentedMap):  # their order is the page order: kept
            for label in doc["categories"].values():
                _text(label)
        return
    _reorder(doc, _order(Collection))
    for key in ("title", "description"):
        _text(doc.get(key))
    if isinstance(doc.get("order"), str) and doc["order"].strip().lstrip("-").isdigit():
        doc["order"] = int(doc["order"])
    entries = doc.get("entries")
    if isinstance(entries, CommentedSeq):
        for entry in entries:
            if isinstance(entry, CommentedMap):
                canonical_entry(entry)


def format_text(text: str, kind: Kind) -> str:
    """The canonical form of a guide file's text (which must already be valid YAML)."""
    doc = load_rt(text)
    canonicalize(doc, kind)
    return dump_rt(doc)


class FormatError(GuideError):
    """The formatter would change a value; nothing is written."""


def same_values(before: str, after: str) -> bool:
    """Whether two texts hold the same data (key order aside), as the validator reads it."""
    old: object = yamlsource.load(before)[0]
    new: object = yamlsource.load(after)[0]
    return old == new


@dataclass
class Result:
    path: Path
    original: str = ""
    formatted: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.formatted is not None and self.formatted != self.original


def first_difference(original: str, formatted: str) -> tuple[int, str]:
    """Where ``original`` first differs from its formatted text and how, for a curator who cannot run ``openshelf
    fmt`` (the web editor): a line number of ``original`` and what to change there; pure."""
    if original.startswith("\ufeff"):
        return 1, "the file starts with an invisible byte-order mark (BOM): save it as UTF-8 without BOM"
    old_lines, new_lines = original.split("\n"), formatted.split("\n")
    for number, (old, new) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if old == new:
            continue
        if old.endswith("\r"):
            return number, "Windows line endings (CRLF): save the file with Unix line endings (LF)"
        if old.rstrip() == new:
            return number, "spaces at the end of this line: delete them"
        if old.strip() and old.strip() in (line.strip() for line in new_lines[number:]):
            return number, ("this line moves: fields go in the schema's order (id, title, url, description, category, "
                            f"tags, access, …) and zh before en; here the formatted file has {new.strip()!r}")
        return number, f"write it as {new.strip()!r}"
    return min(len(old_lines), len(new_lines)), "the end of the file changes (blank lines)"


def check_file(path: Path) -> tuple[Any, list[Diagnostic]]:
    """Parse and validate one guide file on its own (no checks across files)."""
    diagnostics: list[Diagnostic] = []
    source = parse_file(path, diagnostics)
    if source is None:
        return None, diagnostics
    model = validate_source(source, Site if kind_of(path) == "site" else Collection, diagnostics)
    return model, diagnostics


def format_file(path: Path) -> Result:
    """Format one file in memory; the result says whether it would change (nothing is written)."""
    result = Result(path)
    model, result.diagnostics = check_file(path)
    if model is None:
        return result
    display = display_path(path)
    try:
        raw = path.read_bytes()
        result.original = decode(raw)
        text = result.original.replace("\r\n", "\n")
        formatted = format_text(text, kind_of(path))
        if not same_values(text, formatted):
            raise FormatError("formatting would change a value")
    except (YAMLError, GuideError) as exc:
        message = exc.message if isinstance(exc, GuideError) else str(exc).splitlines()[0]
        result.diagnostics.append(Diagnostic(Location(display), f"cannot format this file safely: {message}", code="format"))
        return result
    result.formatted = formatted
    if raw.startswith(b"\xef\xbb\xbf"):
        result.original = "\ufeff" + result.original  # a BOM is dropped by formatting: a change
    return result
