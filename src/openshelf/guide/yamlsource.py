"""YAML text → plain Python values plus a position for every key and value.

Safe by construction: only mappings, sequences and scalars come out.  Every scalar stays a
string (YAML 1.1's ``no`` does not become ``False``, ``2020-03-01`` does not become a date),
except an empty or ``null``/``~`` plain scalar, which is ``None``.  The models decide what a
string means, so ``order: 3`` still becomes an int there.  Duplicate keys are errors.

The values are built from libyaml's event stream by a small iterative builder, not by PyYAML's
composer: the composer recurses in C (about 30,000 nested ``[`` overflow the C stack and kill
the process) and libyaml's scanner slows down quadratically with nesting depth.  Streaming
events lets the builder stop at the first value that is nested too deeply, too long, or that
aliases multiply beyond the node limit, after reading only a little past it; and it is faster,
because positions are kept in a compact tree and turned into paths only when asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

try:  # libyaml parses several times faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as _Loader

    _COUNTS_BYTES = True  # libyaml's marks count bytes of the UTF-8 text
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    # the stubs declare CSafeLoader unconditionally, so mypy sees two different classes under one name
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    _COUNTS_BYTES = False  # the pure-Python reader counts characters

from openshelf.errors import GuideError

Path = tuple[str | int, ...]
Mark = tuple[int, int]
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TEXT_KEYS = frozenset({"zh", "en"})  # the keys of curated text (title, description, notes)
_CUT = re.compile(r"\s+#\S")  # a comment right after a value, '#' then not a space: "#3", "#tag"
_CUT_ANYWHERE = re.compile(r"#(?<=\s#)\S")  # where _CUT would match, found fast (the search looks for '#' first)
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")


class YamlProblem(GuideError):
    """A YAML document that cannot be read; line and column are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class _TooDeep(YamlProblem):
    """Nesting beyond ``Limits.max_depth`` (kept apart so a parser's own cap can be mapped to it)."""


#: The positions of a mapping or sequence: ``(mark, children, key marks)`` for a mapping (each dict by key), ``(mark,
#: children)`` for a sequence (a tuple).  A child is such a node or, for a scalar, its mark; a mark is packed into an
#: int (:func:`_packed`) and made a 1-based :data:`Mark` when it is looked up.  Tuples, dicts of ints and ints only:
#: the cyclic garbage collector stops looking at a finished tree (a guide keeps its trees for ``Entry.where``).
_Node = tuple[int, dict[str, Any], dict[str, int]] | tuple[int, tuple[Any, ...]]


class _Table:
    """``positions.values[path]`` / ``positions.keys[path]``: a read-only view by path."""

    def __init__(self, owner: Positions, key: bool) -> None:
        self._owner = owner
        self._key = key

    def __getitem__(self, path: Path) -> Mark:
        found = self._owner._lookup(path)
        mark = None if found is None else found[1] if self._key else found[0]
        if mark is None:
            raise KeyError(path)
        return mark

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, tuple):
            return False
        try:
            self[path]
        except (KeyError, TypeError):
            return False
        return True


class Positions:
    """Where each value (and each mapping key) starts, by its path from the document root."""

    def __init__(self, root: _Node | int | None = None) -> None:
        self._root: Any = root
        self.values = _Table(self, key=False)
        self.keys = _Table(self, key=True)
        #: Where a plain zh/en value was cut short by what YAML read as a comment (``room #3``), and the text cut off.
        self.comments: list[tuple[Mark, str]] = []

    def _lookup(self, path: Path) -> tuple[Mark, Mark | None] | None:
        node = self._root
        if node is None:
            return None
        key_mark: int | None = None
        for part in path:
            if not isinstance(node, tuple):
                return None
            items = node[1]
            if isinstance(items, dict):
                if not isinstance(part, str) or part not in items:
                    return None
                key_mark, node = node[2][part], items[part]
            else:
                if not isinstance(part, int) or not 0 <= part < len(items):
                    return None
                key_mark, node = None, items[part]
        return _one_based(node[0] if isinstance(node, tuple) else node), None if key_mark is None else _one_based(key_mark)

    def find(self, path: Path) -> Mark | None:
        """Where the value at exactly ``path`` starts; None when there is none (as ``path in positions.values``)."""
        found = self._lookup(path)
        return None if found is None else found[0]

    def of(self, path: Path, *, key: bool = False) -> Mark:
        """The position of ``path``, or of its nearest ancestor that has one."""
        while path:
            found = self._lookup(path)
            if found is not None:
                return found[1] if key and found[1] is not None else found[0]
            path = path[:-1]
        found = self._lookup(())
        return found[0] if found else (1, 1)


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile input (alias bombs, deep nesting, huge values) from hanging a run."""

    max_depth: int = 64
    """Nesting levels of mappings and lists (a guide needs five)."""
    max_nodes: int = 2_000_000
    """Values in one file after aliases are expanded (a 20,000-entry guide has about 400,000)."""
    max_value_chars: int = 100_000
    """Characters in one value (the schema caps text fields at 10,000 anyway)."""


def field_name(path: Path) -> str:
    """``("entries", 3, "description", "en")`` → ``entries[3].description.en``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load(text: str, limits: Limits = Limits()) -> tuple[Any, Positions]:
    """Parse one YAML document into (value, positions).  Raises :class:`YamlProblem`."""
    builder = _Builder(limits, text)
    try:
        loader = _Loader(text)
        try:
            root = builder.run(_events(loader))
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            _raise_if_too_deep(text[: _offset(text, mark.line, mark.column)], limits)
        where = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            start = exc.context_mark
            since = f" (from line {start.line + 1})" if start and mark and start.line != mark.line else ""
            problem = f"{exc.context}{since}, {exc.problem}"
        lines = [where[0]] + ([exc.context_mark.line + 1] if exc.context_mark else [])
        colon = _full_width_colon(text, lines)
        if colon:
            raise YamlProblem(f"{problem} (a full-width colon '：' here: YAML needs an ASCII ':' followed by a space)",
                              *colon) from None
        if exc.context == "while scanning a simple key" and exc.context_mark is not None:
            # A field name without its ':' is read as text running on to the next line, where libyaml stops: the
            # mistake is on the line it began (and so is the entry it belongs to).
            start = exc.context_mark
            raise YamlProblem(_missing_colon(text, start.line + 1), start.line + 1, start.column + 1) from None
        if "mapping values are not allowed" in problem and _ran_on(text, *where):
            # this line's own "field:" is where libyaml stopped: the line before ran on into it without its ':'
            before = text.splitlines()[where[0] - 2]
            raise YamlProblem("this line has no ':' after its field name: write 'field: value' (mapping values are not "
                              "allowed in this context)", where[0] - 1, len(before) - len(before.lstrip()) + 1) from None
        if "mapping values are not allowed" in problem and (above := _indented_past(text, *where)) is not None:
            # this line's "field:" ran on from the value above it: it starts further right than that field
            raise YamlProblem(f"this line starts further right than the field '{above}' above it: the fields of one entry "
                              "must start in the same column (check the indentation; if the line continues the value above, "
                              f"{_QUOTE}) (mapping values are not allowed in this context)",
                              where[0], _indent(text.splitlines()[where[0] - 1]) + 1) from None
        raise YamlProblem(_explain(problem, text, where[0]), *where) from None
    except yaml.reader.ReaderError as exc:  # a control character pasted into the text
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore") if _COUNTS_BYTES else text[: exc.position]
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise YamlProblem(f"the file contains the control character U+{code:04X}, which YAML does not allow: "
                          "delete it (it often comes with text pasted from another program)", line, column) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}") from None
    return root


def _offset(text: str, line: int, column: int) -> int:
    """The character offset of a 0-based (line, column) mark."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return len(text)
    return start + column


def _raise_if_too_deep(prefix: str, limits: Limits) -> None:
    """Our own depth limit, if the text before a parser error already breaks it.

    The scanner reads ahead over a run of opening brackets before it yields their events, so a
    parser with a nesting cap of its own (libyaml 0.2.6 in PyYAML 6.0.4 stops at 1,000 levels)
    fails before the builder sees level 65.  Replaying the text up to the parser's error shows
    the builder every level the parser accepted: if one of them is too deep, that is the problem
    to report, in our words and at our position, whatever the parser's version says.
    """
    try:
        loader = _Loader(prefix)
        try:
            _Builder(limits).run(_events(loader))
        finally:
            loader.dispose()
    except _TooDeep:
        raise
    except (YamlProblem, yaml.YAMLError):
        return


def _full_width_colon(text: str, numbers: list[int]) -> tuple[int, int] | None:
    """Where a key is followed by '：' instead of ': ' (typed with a Chinese input method)."""
    lines = text.splitlines()
    for number in numbers:
        line = lines[number - 1] if 0 < number <= len(lines) else ""
        key, colon, _ = line.partition("：")
        if colon and ": " not in key and not key.rstrip().endswith(":"):
            return number, len(key) + 1
    return None


def _missing_colon(text: str, line: int) -> str:
    """What to say about a line whose field name has no ':' after it."""
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    for space, name in (("\u3000", "a full-width space"), ("\xa0", "a no-break space")):
        if f":{space}" in here:
            return (f"{name} after ':' on this line: YAML needs an ASCII space after the colon "
                    "(could not find expected ':')")
    return "this line has no ':' after its field name: write 'field: value' (could not find expected ':')"


def _ran_on(text: str, line: int, column: int) -> bool:
    """Whether a "mapping values are not allowed" at (line, column) is this line's own first ':' after a line
    with none (a field name whose colon was forgotten: ``- id cnki``)."""
    lines = text.splitlines()
    if not 1 < line <= len(lines) or column - 1 != lines[line - 1].find(":"):
        return False
    before = lines[line - 2].strip()
    return bool(before) and ":" not in before and not before.startswith("#")


_FIELD_LINE = re.compile(r"^( *)(?:- +)?([A-Za-z_][\w-]*):[ ]+[^\s\"'|>\[{&*!#]")
_KEY_ONLY = re.compile(r"^ *[A-Za-z_][\w-]*:(?: |$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _indented_past(text: str, line: int, column: int) -> str | None:
    """For a "mapping values are not allowed" at (line, column), this line's own first ':': the field above it, when
    that field holds a plain value and this line (a ``field:`` of its own) starts further right than it (``- id: x``
    then ``     title:``: YAML reads the line as more of the value above).  None otherwise."""
    lines = text.splitlines()
    if not 1 < line <= len(lines) or column - 1 != lines[line - 1].find(":") or not _KEY_ONLY.match(lines[line - 1]):
        return None
    above = _FIELD_LINE.match(lines[line - 2])
    if above is None:
        return None
    key_column = lines[line - 2].find(above.group(2), len(above.group(1)))
    return above.group(2) if _indent(lines[line - 1]) > key_column else None


def _explain(problem: str, text: str, line: int) -> str:
    """Add a hint for the mistakes curators make most often."""
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in here[: len(here) - len(here.lstrip())]:
        return f"{problem} (a tab is used for indentation: YAML needs spaces)"
    if "found character '\\t'" in problem:
        return f"{problem} (a tab is used for indentation: YAML needs spaces)"
    value = here.partition(": ")[2].lstrip()
    if value[:1] in ("[", "{") and "did not find expected key" in problem:
        return (f"{problem} (a value that begins with '{value[0]}' is read as a list or mapping: "
                "put the whole value in quotes, \"like this\")")
    for clue, hint in _HINTS:
        if clue in problem:
            return f"{problem} ({hint})"
    return problem


_QUOTE = "put the whole value in quotes, \"like this\""
_HINTS = (
    ("quoted scalar", "a quote is opened but not closed"),
    ("while scanning an alias", f"a value that begins with '*' (like **Free**) is read as a YAML alias: {_QUOTE}"),
    ("while scanning an anchor", f"a value that begins with '&' is read as a YAML anchor: {_QUOTE}"),
    ("mapping values are not allowed", f"a value holds ': ' (like 'Note: login needed'): {_QUOTE}"),
    ("did not find expected ',' or '}'", f"a value inside {{…}} holds ': ' or ',': {_QUOTE}"),
    ("did not find expected ',' or ']'", f"an item inside […] holds ': ' or ',': {_QUOTE}"),
    ("did not find expected key", "check the indentation: the fields of one entry must start in the same column"),
    ("did not find expected '-' indicator", "check the indentation: the items of one list must start in the same column"),
    ("cannot start any token", "put the value in quotes"),
)


def _packed(mark: yaml.Mark) -> int:
    """A parser's mark (0-based ``line`` and ``column``) as one int: a position tree holds one per key and value, and
    an int is smaller than a tuple and never looked at by the cyclic garbage collector."""
    return mark.line << 32 | mark.column


def _one_based(packed: int) -> Mark:
    """A packed mark (:func:`_packed`) as a 1-based (line, column)."""
    return (packed >> 32) + 1, (packed & 0xFFFF_FFFF) + 1


def _events(loader: Any) -> Iterator[yaml.Event]:
    """The loader's events up to the end of the stream (``get_event`` gives None after it), without a generator."""
    return iter(loader.get_event, None)


class _Builder:
    """Values and position trees from the event stream, with an explicit stack (no recursion)."""

    def __init__(self, limits: Limits, text: str = "") -> None:
        self.limits = limits
        self.text = text
        self.lines: list[str] | None = None  # the text's lines, split when first needed
        self.comments: list[tuple[Mark, str]] = []  # see cut_by_comment
        self.may_cut = _CUT_ANYWHERE.search(text) is not None  # whether a comment may cut a value in the text at all
        # One frame per open collection: [value, its mark, pending key, the key's mark, anchor, count at start,
        # the children's positions, whether it is a mapping, the key marks (a mapping's)]
        self.stack: list[list[Any]] = []
        self.anchors: dict[str, tuple[Any, Any, int]] = {}
        self.open_anchors: set[str] = set()

    def fail(self, message: str, mark: int) -> YamlProblem:
        return YamlProblem(message, *_one_based(mark))

    def path(self) -> Path:
        parts: list[str | int] = []
        for frame in self.stack:
            if isinstance(frame[0], dict):
                if frame[2] is not None:
                    parts.append(frame[2])
            else:
                parts.append(len(frame[0]))
        return tuple(parts)

    def cut_by_comment(self, event: ScalarEvent, mark: int) -> None:
        """Note where a sentence (a plain zh/en value) ends at a ' #' not followed by a space: YAML reads the rest of
        the line as a comment, so "Ask for room #3 at the desk." keeps only "Ask for room"."""
        end = event.end_mark
        assert end is not None, "PyYAML's parsers mark every event"
        if self.lines is None:
            self.lines = self.text.splitlines()
        line = self.lines[end.line] if end.line < len(self.lines) else ""
        rest = line[end.column:]
        if _CUT.match(rest):
            self.comments.append((_one_based(mark), rest.strip()))

    def too_many(self, mark: int) -> YamlProblem:
        return self.fail(f"the document expands to more than {self.limits.max_nodes:,} values "
                         "(anchors and aliases multiply it); write the values out instead", mark)

    def bad_key(self, key: str, mark: int) -> YamlProblem:
        """The problem with a mapping key that starts with an invisible character or is already in the mapping."""
        if key[:1].isspace() or key[:1] in _INVISIBLE:
            return self.fail(f"the key '{key.strip()}' starts with an invisible character U+{ord(key[0]):04X} (a full-width or "
                             "non-breaking space, often pasted from a chat or web page): indent with ordinary spaces", mark)
        first = self.stack[-1][8][key]
        where = field_name(self.path())
        inside = f" in {where}" if where else ""
        return self.fail(f"duplicate key '{key}'{inside} (first defined at line {_one_based(first)[0]})", mark)

    def run(self, events: Iterator[yaml.Event]) -> tuple[Any, Positions]:
        # The hot loop of every load (a 10,000-entry guide is 450,000 events): the open collection's frame and the
        # counts live in local variables, events are told apart by their exact class, and each position is packed
        # into an int (:func:`_packed`), made a 1-based tuple only when it is asked for.
        limits = self.limits
        max_nodes, max_depth, max_chars = limits.max_nodes, limits.max_depth, limits.max_value_chars
        stack = self.stack
        anchors = self.anchors
        open_anchors = self.open_anchors
        may_cut = self.may_cut
        count = 0
        documents = 0
        root: Any = None
        root_pos: Any = None
        top: list[Any] = []  # the innermost open collection's frame (stack[-1]); empty at the top level
        in_map = False  # whether that collection is a mapping
        value: Any  # the finished value of this event: a scalar (str or None), a closed collection or an alias's value
        event: Any  # told apart by its exact class below, which mypy does not narrow on
        for event in events:
            cls = event.__class__
            if cls is ScalarEvent:
                start = event.start_mark
                mark = start.line << 32 | start.column
                count += 1
                if count > max_nodes:
                    raise self.too_many(mark)
                value = event.value
                if len(value) > max_chars:
                    where = field_name(self.path())
                    raise self.fail(f"{where + ': ' if where else ''}the value is {len(value):,} characters long; "
                                    f"the limit is {max_chars:,}", mark)
                if in_map and top[2] is None:  # a mapping key
                    if (value == "<<" and event.implicit[0]) or event.tag == _MERGE_TAG:
                        raise self.fail("merge keys ('<<') are not supported: write the fields out", mark)
                    first = value[:1]
                    if first.isspace() or first in _INVISIBLE or value in top[0]:
                        raise self.bad_key(value, mark)
                    top[2] = value
                    top[3] = mark
                    continue
                tag = event.tag
                if tag == _NULL_TAG or (tag is None and len(value) < 5 and value in _NULLS and event.implicit[0]):
                    value = None
                elif may_cut and in_map and top[2] in _TEXT_KEYS and not event.style and " " in value:
                    self.cut_by_comment(event, mark)
                pos: Any = mark
                if event.anchor is not None:
                    anchors[event.anchor] = (value, mark, 1)
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                value = frame[0]
                pos = (frame[1], frame[6], frame[8]) if frame[7] else (frame[1], tuple(frame[6]))
                if frame[4] is not None:
                    open_anchors.discard(frame[4])
                    anchors[frame[4]] = (value, pos, count - frame[5] + 1)
                if stack:
                    top = stack[-1]
                    in_map = top[7]
                else:
                    top = []
                    in_map = False
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                start = event.start_mark
                mark = start.line << 32 | start.column
                if in_map and top[2] is None:
                    raise self.fail("a mapping key must be a plain name, not a list or mapping", mark)
                count += 1
                if count > max_nodes:
                    raise self.too_many(mark)
                if len(stack) >= max_depth:
                    parts = self.path()
                    where = field_name(parts[:4]) + ("…" if len(parts) > 4 else "")
                    raise _TooDeep(f"{where + ': ' if where else ''}the YAML nests too deeply (more than {max_depth} levels)",
                                   *_one_based(mark))
                in_map = cls is MappingStartEvent
                anchor = event.anchor
                if anchor is not None:
                    open_anchors.add(anchor)
                top = [{} if in_map else [], mark, None, None, anchor, count, {} if in_map else [], in_map, {}]
                stack.append(top)
                continue
            elif cls is AliasEvent:
                start = event.start_mark
                mark = start.line << 32 | start.column
                name = event.anchor
                if name in open_anchors:
                    raise self.fail("an alias refers to a value that contains it (a recursive alias)", mark)
                if name not in anchors:
                    raise self.fail(f"found undefined alias '{name}' (an alias *{name} needs an anchor &{name} before it)", mark)
                value, pos, size = anchors[name]
                # The value as a whole is where the alias is; what is inside, where the anchor wrote it.
                pos = (mark, *pos[1:]) if isinstance(pos, tuple) else mark
                count += size
                if count > max_nodes:
                    raise self.too_many(mark)
                if in_map and top[2] is None:
                    if not isinstance(value, str):
                        raise self.fail("a mapping key must be a plain name, not a list or mapping", mark)
                    first = value[:1]
                    if first.isspace() or first in _INVISIBLE or value in top[0]:
                        raise self.bad_key(value, mark)
                    top[2] = value
                    top[3] = mark
                    continue
            elif cls is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.fail("expected a single document in the stream, but found another document (a line '---' "
                                    "starts a second document here: delete it, one file is one document)",
                                    _packed(event.start_mark))
                continue
            else:  # stream start/end, document end
                continue
            # A finished value: put it into the open collection, or it is the root.
            if in_map:
                key = top[2]
                top[0][key] = value
                top[6][key] = pos
                top[8][key] = top[3]
                top[2] = None
            elif top:
                top[0].append(value)
                top[6].append(pos)
            else:
                root, root_pos = value, pos
        positions = Positions(root_pos)
        positions.comments = self.comments
        return root, positions
