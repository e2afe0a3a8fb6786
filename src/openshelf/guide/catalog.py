"""Load a guide: find the files, parse, validate against the models, then check across files.

``load_guide`` is the one entry point shared by ``openshelf validate``, ``openshelf build``,
the MkDocs plugin and the link checker, so all of them report the same diagnostics.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, ValidationError

from openshelf.guide import yamlsource
from openshelf.guide.diagnostics import Diagnostic, Location, has_errors
from openshelf.guide.models import RESERVED_PAGES, Collection, Entry, Limits, Site

M = TypeVar("M", bound=BaseModel)
SITE_FILE = "_site.yml"
MAX_FILE_BYTES = Limits().max_file_bytes  # commands that read one file outside a guide (fmt, import) use the default


@dataclass
class Guide:
    """A validated guide: the site settings and its collections, in navigation order."""

    site: Site
    collections: list[Collection]

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
class _Source:
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
            site = path / SITE_FILE
            if site.is_file():
                files.append(site)
            files += sorted(p for p in path.glob("*.y*ml") if not p.name.startswith("_") and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Diagnostic(Location(display_path(path)), "no such file or folder", code="missing-file"))
    return files, problems


def read_text(path: Path, display: str, limit: int = MAX_FILE_BYTES) -> str:
    """Read a guide file as UTF-8; a byte-order mark and Windows line endings are fine."""
    size = path.stat().st_size
    if size > limit:
        raise yamlsource.YamlProblem(f"the file is {size:,} bytes; the limit is {limit:,} "
                                     f"(limits.max_file_bytes in {SITE_FILE}); split it into several collections", 1, 1)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = f" (it looks like {guess_encoding(raw)})"
        raise yamlsource.YamlProblem(f"the file is not UTF-8{hint}: save it as UTF-8", line, 1) from None
    return text.replace("\r\n", "\n")


def guess_encoding(raw: bytes) -> str:
    """A plausible name for bytes that are not UTF-8, for the error message."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw.count(b"\x00") > len(raw) // 4:
        return "UTF-16"
    for codec, label in (("gb18030", "GBK/GB18030"), ("big5", "Big5")):
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            continue
        return label
    return "a legacy encoding such as Windows-1252"


def load_guide(*paths: Path) -> tuple[Guide | None, list[Diagnostic]]:
    """Load and validate guide files or folders.  The guide is None when there is any error."""
    files, diagnostics = guide_files(paths or (Path("guides"),))
    site_files = [f for f in files if f.name == SITE_FILE]
    if not site_files:  # a lone collection file: use the settings beside it
        for f in files:
            if (f.parent / SITE_FILE).is_file():
                site_files.append(f.parent / SITE_FILE)
                break
    site: Site | None = None
    if site_files:
        source = _parse(site_files[0], diagnostics, Limits())
        if source is not None:
            site = _validate(source, Site, diagnostics)
    else:
        where = display_path(files[0].parent / SITE_FILE) if files else "guides/_site.yml"
        diagnostics.append(Diagnostic(Location(where), "the site settings file is missing", code="missing-file"))

    limits = site.limits if site is not None else Limits()
    collections: list[Collection] = []
    total = 0
    unvalidated: set[str] = set()
    for path in files:
        if path.name == SITE_FILE:
            continue
        source = _parse(path, diagnostics, limits)
        if source is None:
            continue
        entries = source.data.get("entries")
        total += len(entries) if isinstance(entries, list) else 0
        if total > limits.max_entries:
            line, col = source.positions.of(("entries",))
            diagnostics.append(Diagnostic(Location(source.display, line, col),
                                          f"the guide has more than {limits.max_entries:,} entries "
                                          f"(limits.max_entries in {SITE_FILE})", field="entries", code="limit"))
            continue
        collection = _validate(source, Collection, diagnostics)
        if collection is None:  # its entries' ids still count, so that 'related' does not report them missing
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

    diagnostics += list(cross_checks(site, collections, unvalidated))
    diagnostics.sort(key=Diagnostic.sort_key)
    if site is None or has_errors(diagnostics):
        return None, diagnostics
    collections.sort(key=lambda c: (c.order, c.id))
    return Guide(site, collections), diagnostics


def _parse(path: Path, diagnostics: list[Diagnostic], limits: Limits | None = None) -> _Source | None:
    limits = limits or Limits()
    source = _Source(path, display_path(path))
    text = ""
    try:
        text = read_text(path, source.display, limits.max_file_bytes)
        source.data, source.positions = yamlsource.load(
            text, yamlsource.Limits(max_depth=limits.max_depth, max_nodes=limits.max_nodes, max_value_chars=limits.max_value_chars))
    except yamlsource.YamlProblem as problem:
        diagnostics.append(Diagnostic(Location(source.display, problem.line, problem.column), problem.message,
                                      entry=_entry_around(text, problem.line), code="yaml"))
        return None
    except OSError as exc:
        diagnostics.append(Diagnostic(Location(source.display), f"cannot read the file: {exc.strerror}", code="io"))
        return None
    if not isinstance(source.data, dict):
        kind = "empty" if source.data is None else f"a {_kind(source.data)}"
        expected = "site settings (title, categories)" if path.name == SITE_FILE else "a collection (id, title, entries)"
        diagnostics.append(Diagnostic(Location(source.display, 1, 1),
                                      f"the file is {kind}; it must be a mapping with {expected}", code="type"))
        return None
    return source


_ENTRY_START = re.compile(r"""^\s*-\s+id:\s*["']?([A-Za-z0-9][\w.-]*)""")


def _entry_around(text: str, line: int) -> str | None:
    """For a file that cannot be parsed: the id of the entry whose lines hold ``line``, if it is clear."""
    lines = text.splitlines()[:line]
    for current in reversed(lines):
        found = _ENTRY_START.match(current)
        if found:
            return found.group(1)
        if current.startswith(("---", "...")):  # a document marker
            return None
        if current[:1] not in ("", " ", "-", "#", "\t", "\u3000", "\u00a0"):  # a top-level key: not inside an entry
            return None
    return None


def _kind(value: Any) -> str:
    return {list: "list", str: "single value"}.get(type(value), type(value).__name__)


def _validate(source: _Source, model: type[M], diagnostics: list[Diagnostic]) -> M | None:
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            diagnostics.append(_diagnostic(source, model, error))
        return None


def _attach_positions(collection: Collection, source: _Source) -> None:
    for index, entry in enumerate(collection.entries):
        entry._collection = collection.id
        entry._path = source.display
        entry._positions = _EntryPositions(source.positions, ("entries", index))


class _EntryPositions(dict):  # type: ignore[type-arg]
    """An entry's field positions (``"url"``, ``"related[2]"``, ``""`` for the entry), looked up when asked."""

    def __init__(self, positions: yamlsource.Positions, base: tuple[str | int, ...]) -> None:
        super().__init__()
        self._source = positions
        self._base = base

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        path: tuple[str | int, ...] = self._base
        if name:
            key, _, index = name.partition("[")
            path = (*path, key, int(index.rstrip("]"))) if index else (*path, key)
            if path not in self._source.values:
                return default
        return self._source.of(path)


def _field_name(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _diagnostic(source: _Source, model: type[BaseModel], error: Any) -> Diagnostic:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind: str = error["type"]
    entry_id: str | None = None
    inner = loc
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        item = source.data["entries"][loc[1]] if isinstance(source.data.get("entries"), list) else None
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            entry_id = item["id"]
        else:
            entry_id = f"#{loc[1] + 1}"
        inner = loc[2:]
    name = _field_name(inner)
    message = error["msg"]
    if kind == "missing":
        line, col = source.positions.of(loc[:-1])
        message = f"missing required field '{name}'"
    elif kind == "extra_forbidden":
        line, col = source.positions.of(loc, key=True)
        message = f"unknown field '{name}'" + _suggest(loc[-1], model, loc)
    else:
        line, col = source.positions.of(loc)
        message = _reword(kind, message, name, error.get("input"))
    return Diagnostic(Location(source.display, line, col), message, entry=entry_id, field=name or None)


def _reword(kind: str, message: str, name: str, value: Any) -> str:
    if kind in ("value_error", "assertion_error"):
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return message if not name or message.startswith(name.split(".")[-1]) else f"{name}: {message}"
    hints = {
        "string_pattern_mismatch": "must be a slug: lowercase letters, digits and hyphens (like 'open-access')",
        "date_from_datetime_parsing": f"must be a real date written YYYY-MM-DD, not {value!r}",
        "date_parsing": f"must be a real date written YYYY-MM-DD, not {value!r}",
        "date_type": "must be a date written YYYY-MM-DD",
        "int_parsing": f"must be a whole number, not {value!r}",
        "model_type": "must be a mapping of fields (for text: zh and/or en)",
        "dict_type": "must be a mapping of keys to values",
        "string_type": "must be text, not a list or mapping",
        "string_too_long": message[0].lower() + message[1:],
    }
    if kind == "string_pattern_mismatch" and isinstance(value, str) and any(c in value for c in "，、；"):
        return f"{name}: {hints[kind]}, not {value!r}: separate list items with an ASCII comma ','"
    if kind == "list_type":
        text = "must be a list"
        if isinstance(value, str):
            items = ", ".join(p.strip() for p in value.replace("，", ",").split(",") if p.strip())
            text += f", written [{items}] or one item per line starting with '- '"
        return f"{name}: {text}"
    if kind == "literal_error":
        return f"{name}: {message[0].lower()}{message[1:]}, not {value!r}"
    text = hints.get(kind, message[0].lower() + message[1:])
    return f"{name}: {text}" if name else text


def _suggest(key: str | int, model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    fields = _fields_at(model, loc[:-1])
    close = difflib.get_close_matches(str(key), fields, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f"; allowed fields: {', '.join(fields)}" if fields else ""


def _fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return []
        current = _model_in(info.annotation)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


#: Anchors the collection pages give their category headings; an entry id may not look like one.
RESERVED_ANCHOR_PREFIX = "category-"


def cross_checks(site: Site | None, collections: list[Collection], elsewhere: frozenset[str] | set[str] = frozenset()) -> Iterator[Diagnostic]:
    """Checks that need more than one entry: unique ids, known categories, known related ids."""
    first: dict[str, Entry] = {}
    for collection in collections:
        for entry in collection.entries:
            if entry.id in first:
                other = first[entry.id].where("id")
                yield Diagnostic(entry.where("id"), f"id '{entry.id}' is already used at {other}", entry=entry.id, field="id", code="duplicate-id")
            else:
                first[entry.id] = entry
    for collection in collections:
        for entry in collection.entries:
            if entry.id.startswith(RESERVED_ANCHOR_PREFIX):
                yield Diagnostic(entry.where("id"), f"id '{entry.id}' starts with '{RESERVED_ANCHOR_PREFIX}', which the page uses "
                                 "for its category headings (#category-<key>): choose another id", entry=entry.id, field="id")
            if site is not None and entry.category not in site.categories:
                known = ", ".join(site.categories)
                yield Diagnostic(entry.where("category"), f"category '{entry.category}' is not defined in {SITE_FILE} (known: {known})",
                                 entry=entry.id, field="category", code="unknown-category")
            if entry.shares_url_with and entry.shares_url_with not in first and entry.shares_url_with not in elsewhere:
                yield Diagnostic(entry.where("shares_url_with"), f"shares_url_with: unknown entry id '{entry.shares_url_with}'",
                                 entry=entry.id, field="shares_url_with", code="unknown-id")
            for i, target in enumerate(entry.related):
                if target == entry.id:
                    yield Diagnostic(entry.where(f"related[{i}]"), "related names the entry itself", entry=entry.id, field="related")
                elif target not in first and target not in elsewhere:
                    where = entry.where(f"related[{i}]")
                    close = difflib.get_close_matches(target, list(first), n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    yield Diagnostic(where, f"related: unknown entry id '{target}'{hint}",
                                     entry=entry.id, field="related", code="unknown-id")
    yield from duplicates(collections)


#: Query parameters that only track where a click came from; they never change the resource.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
    "spm", "isappinstalled", "share_token", "from_source",
})
_WECHAT_FROM = frozenset({"singlemessage", "groupmessage", "timeline"})


def normalise_url(url: str) -> str:
    """The form in which two URLs of the same resource compare equal.

    Scheme and host case, http vs https, default ports, IDN hosts (Unicode or punycode), a
    trailing slash, the fragment, the order of query parameters and tracking parameters
    (``utm_*``, ``fbclid``, ``spm``, WeChat's ``from=singlemessage`` …) are ignored; the path's
    case is kept, because servers often distinguish it.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").rstrip(".").lower()
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    if port not in (None, 80, 443):
        host += f":{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
                   and not (k == "from" and v in _WECHAT_FROM)) if parts.query else []
    path = parts.path
    if "%" in path or not path.isascii():
        path = quote(unquote(path), safe="/:@!$&'()*+,;=~")
    path = path.rstrip("/")
    scheme = parts.scheme.lower()
    return urlunsplit(("https" if scheme in ("http", "https") else scheme, host, path, urlencode(query), ""))


def _title_key(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


_DIGITS = re.compile(r"\d+")
NEAR_TITLE_RATIO = 0.9


def _near(a: str, b: str, masked_a: str, masked_b: str) -> bool:
    """Titles that differ by a letter or two; titles that differ only in numbers are different things."""
    if abs(len(a) - len(b)) * 19 > len(a) + len(b) or masked_a == masked_b:
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= NEAR_TITLE_RATIO and matcher.ratio() >= NEAR_TITLE_RATIO


def duplicates(collections: list[Collection]) -> Iterator[Diagnostic]:
    """The same URL in two entries is an error; the same or nearly the same title is a warning.

    Each message is on the later entry (in file order) and names the earlier one.  Near-duplicate
    titles are looked for among neighbours in sorted order (from the front and from the back), so
    a 20,000-entry guide is checked in a fraction of a second instead of comparing every pair.
    """
    entries = [e for c in collections for e in c.entries]
    order = {id(e): i for i, e in enumerate(entries)}
    same_url: set[tuple[int, int]] = set()
    seen: dict[str, Entry] = {}
    by_entry_id = {e.id: e for e in entries}
    for entry in entries:
        key = normalise_url(entry.url)
        first = seen.setdefault(key, entry)
        if first is not entry:
            same_url.add((id(first), id(entry)))
            if entry.shares_url_with == first.id or first.shares_url_with == entry.id:
                continue
            how = "the same URL" if first.url == entry.url else f"the same URL once normalised ({first.url})"
            yield Diagnostic(entry.where("url"), f"url: {how} as entry '{first.id}' at {first.where('url')}: the same "
                             "resource entered twice? Merge the entries or give each its own address (if both are "
                             f"really reached from this one page, add 'shares_url_with: {first.id}')",
                             entry=entry.id, field="url", code="duplicate-url")
        if entry.shares_url_with and (other := by_entry_id.get(entry.shares_url_with)) is not None \
                and normalise_url(other.url) != key:
            yield Diagnostic(entry.where("shares_url_with"), f"shares_url_with: entry '{other.id}' has another url "
                             f"({other.url}); remove shares_url_with", entry=entry.id, field="shares_url_with", code="invalid")
    pairs: set[tuple[int, int]] = set()
    for lang in ("zh", "en"):
        titles = [(key, _DIGITS.sub("#", key), e) for e in entries if (t := getattr(e.title, lang)) for key in (_title_key(t),)]
        exact: dict[str, Entry] = {}
        for key, _, entry in titles:
            first = exact.setdefault(key, entry)
            if first is not entry:
                pairs.add((id(first), id(entry)))
        for flip in (False, True):
            ranked = sorted(titles, key=lambda t: t[0][::-1] if flip else t[0])
            for i, (key, masked, entry) in enumerate(ranked):
                for other_key, other_masked, other in ranked[i + 1:i + 3]:
                    if other_key != key and _near(key, other_key, masked, other_masked):
                        a, b = sorted((entry, other), key=lambda e: order[id(e)])
                        pairs.add((id(a), id(b)))
    by_id = {id(e): e for e in entries}
    for a_id, b_id in sorted(pairs - same_url, key=lambda p: order[p[1]]):
        first, entry = by_id[a_id], by_id[b_id]
        if first.id == entry.id:  # already an error: the id is used twice
            continue
        same = first.title.zh == entry.title.zh and first.title.en == entry.title.en
        yield Diagnostic(entry.where("title"), f"title: {'the same' if same else 'nearly the same'} title as entry "
                         f"'{first.id}' at {first.where('title')} ({first.title.both()}): the same resource entered twice?",
                         entry=entry.id, field="title", severity="warning", code="duplicate-title")
