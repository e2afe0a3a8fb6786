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
import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TextIO, get_args, get_origin
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from openshelf.federation.exchange import build_time, dump_json, export_record
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


def shared_address(site_url: str | None) -> str | None:
    """The site's address as other libraries may use it: None for a loopback one (``http://127.0.0.1:8000/``, a local
    build's default), which would send a subscriber's readers to their own machine; pure."""
    if not site_url:
        return None
    host = (urlsplit(site_url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return None
    try:
        return None if ipaddress.ip_address(host).is_loopback else site_url
    except ValueError:  # a name
        return site_url


def export_document(guide: Guide, links: Mapping[str, Any] | None, site_url: str | None) -> dict[str, Any]:
    """The export document that the JSON and YAML exports write (:func:`openshelf.federation.exchange.export_record`),
    stamped with the build's time; a loopback site address is left out (:func:`shared_address`)."""
    return export_record(guide, links, shared_address(site_url), build_time())


def write_json(guide: Guide, links: Mapping[str, Any] | None, site_url: str | None, out: TextIO) -> None:
    """The interchange format (:mod:`openshelf.federation.exchange`), as other guides subscribe to it,
    written to ``out`` piece by piece, stamped with the build's time."""
    dump_json(export_document(guide, links, site_url), out)


def write_yaml(guide: Guide, links: Mapping[str, Any] | None, site_url: str | None, out: TextIO) -> None:
    """The same document as the JSON export, in YAML, streamed to ``out`` (:func:`yaml_dump`)."""
    yaml_dump(export_document(guide, links, site_url), out)


def write_csv(guide: Guide, links: Mapping[str, Any] | None, site_url: str | None, out: TextIO) -> None:
    """One row per entry in the import columns (link health and provenance are not part of it)."""
    writer = csv.DictWriter(out, EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for collection in guide.collections:
        for entry in collection.entries:
            writer.writerow({"collection": collection.id, **entry_row(entry)})


class Writer(Protocol):
    def __call__(self, guide: Guide, links: Mapping[str, Any] | None, site_url: str | None, out: TextIO, /) -> None: ...


#: Format → the function that writes the export in it to a text stream, as it is made.
WRITERS: dict[str, Writer] = {"json": write_json, "csv": write_csv, "yaml": write_yaml}


def export_text(kind: str, guide: Guide, links: Mapping[str, Any] | None = None, site_url: str | None = None) -> str:
    """The export in ``kind`` (a key of :data:`WRITERS`) as one text."""
    out = io.StringIO()
    WRITERS[kind](guide, links, site_url, out)
    return out.getvalue()


_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
_PLAIN = (True, False)  # ``resolve``'s question for a plain (unquoted) scalar
# A block mapping's and a block sequence's events: the same for every one, so made once (the emitter never changes an event)
_MAP_START, _MAP_END = yaml.MappingStartEvent(None, _MAP, True, flow_style=False), yaml.MappingEndEvent()
_SEQ_START, _SEQ_END = yaml.SequenceStartEvent(None, _SEQ, True, flow_style=False), yaml.SequenceEndEvent()


def yaml_dump(data: Any, out: TextIO) -> None:
    """``yaml.safe_dump(data, out, allow_unicode=True, sort_keys=False, width=1_000_000)``, the same text,
    streamed: events go to the emitter as the walk makes them, so no node tree of the whole
    document is ever held (at 10,000 entries the tree took 280 MB).

    Dicts, lists and strings (most of an export) are turned into events here, as PyYAML's safe
    representer and serializer would; every other value goes through the representer as
    ``yaml.dump`` sends it (:class:`_ValueEmitter`).  No anchors or aliases are written: an export is a tree, never a graph
    with shared parts.  libyaml's emitter is used when PyYAML has it (the same text, faster).
    """
    dumper_class = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    dumper = dumper_class(out, allow_unicode=True, sort_keys=False, width=1_000_000, default_flow_style=False)
    with paused():  # a million short-lived acyclic objects (events, scalar nodes): nothing to collect
        dumper.emit(yaml.StreamStartEvent())
        dumper.emit(yaml.DocumentStartEvent(explicit=False))
        _ValueEmitter(dumper).value(data)
        dumper.emit(yaml.DocumentEndEvent(explicit=False))
        dumper.emit(yaml.StreamEndEvent())


class _ValueEmitter:
    """Emits the events ``yaml.dump`` emits for a value (block style, keys in their order).

    A string is the safe representer's ``str`` scalar, marked implicit when a reader would take it
    back as a string unquoted (the emitter quotes it otherwise: ``"on"``, ``"123"``).  Events are
    never changed by the emitter, so the event of a short string or another scalar that recurs
    (field names, enumerated values, numbers, ``null``) is made once and sent again.
    """

    REUSED = 4096  # at most this many scalars' events are kept for reuse
    SHORT = 64  # strings up to this long are kept

    def __init__(self, dumper: Any) -> None:
        self.dumper = dumper
        self.emit = dumper.emit
        self.made: dict[tuple[type, Any], yaml.Event] = {}

    def value(self, data: Any) -> None:
        kind = type(data)
        if kind is dict:
            self.emit(_MAP_START)
            for key, item in data.items():
                self.value(key)
                self.value(item)
            self.emit(_MAP_END)
        elif kind is list:
            self.emit(_SEQ_START)
            for item in data:
                self.value(item)
            self.emit(_SEQ_END)
        elif kind is str or kind is int or kind is bool or data is None:
            event = self.made.get((kind, data))
            if event is None:
                event = self._scalar(data)
                if len(self.made) < self.REUSED and (kind is not str or len(data) <= self.SHORT):
                    self.made[kind, data] = event
            self.emit(event)
        else:
            for event in _node_events(self.dumper, self.dumper.represent_data(data)):
                self.emit(event)

    def _scalar(self, data: Any) -> yaml.Event:
        if type(data) is str:
            return yaml.ScalarEvent(None, _STR, (self.dumper.resolve(yaml.ScalarNode, data, _PLAIN) == _STR, True), data)
        (event,) = _node_events(self.dumper, self.dumper.represent_data(data))
        return event


def _node_events(dumper: Any, node: yaml.Node) -> Iterator[yaml.Event]:
    """A represented node's events, as PyYAML's serializer makes them (without anchors)."""
    if isinstance(node, yaml.ScalarNode):
        implicit = (node.tag == dumper.resolve(yaml.ScalarNode, node.value, (True, False)),
                    node.tag == dumper.resolve(yaml.ScalarNode, node.value, (False, True)))
        yield yaml.ScalarEvent(None, node.tag, implicit, node.value, style=node.style)
    elif isinstance(node, yaml.SequenceNode):
        yield yaml.SequenceStartEvent(None, node.tag, node.tag == dumper.resolve(yaml.SequenceNode, node.value, True),
                                      flow_style=node.flow_style)
        for item in node.value:
            yield from _node_events(dumper, item)
        yield yaml.SequenceEndEvent()
    else:
        assert isinstance(node, yaml.MappingNode)
        yield yaml.MappingStartEvent(None, node.tag, node.tag == dumper.resolve(yaml.MappingNode, node.value, True),
                                     flow_style=node.flow_style)
        for key, value in node.value:
            yield from _node_events(dumper, key)
            yield from _node_events(dumper, value)
        yield yaml.MappingEndEvent()


class DocumentWriter(Protocol):
    def __call__(self, document: Mapping[str, Any], out: TextIO, /) -> None: ...


#: The formats written from the export document (:func:`export_document`), so that one document serves
#: them all: format → the function that writes a document in it to a text stream.
DOCUMENT_WRITERS: dict[str, DocumentWriter] = {"json": dump_json, "yaml": yaml_dump}
