"""YAML text → plain Python values plus a position for every key and value.

Safe by construction: only mappings, sequences and scalars come out.  Every scalar stays a
string (YAML 1.1's ``no`` does not become ``False``, ``2020-03-01`` does not become a date),
except an empty or ``null``/``~`` plain scalar, which is ``None``.  The models decide what a
string means, so ``order: 3`` still becomes an int there.  Duplicate keys are errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # libyaml parses several times faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]
_NULL_TAG = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class YamlProblem(Exception):
    """A YAML document that cannot be read; line and column are 1-based (0 when unknown)."""

    message: str
    line: int = 0
    column: int = 0


@dataclass
class Positions:
    """Where each value (and each mapping key) starts, by its path from the document root."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        while path:
            if path in table:
                return table[path]
            if key and path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile input (alias bombs, deep nesting) from hanging a run."""

    max_depth: int = 64
    max_nodes: int = 5_000_000


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load(text: str, limits: Limits = Limits()) -> tuple[Any, Positions]:
    """Parse one YAML document into (value, positions).  Raises :class:`YamlProblem`."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.context}, {exc.problem}"
        raise YamlProblem(_explain(problem, text, where[0]), *where) from None
    except yaml.YAMLError as exc:  # e.g. a reader error on control characters
        raise YamlProblem(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlProblem(f"the YAML nests too deeply (more than {limits.max_depth} levels)") from None
    positions = Positions()
    if root is None:
        return None, positions
    builder = _Builder(positions, limits)
    return builder.build(root, ()), positions


def _explain(problem: str, text: str, line: int) -> str:
    """Add a hint for the mistakes curators make most often."""
    lines = text.splitlines()
    if 0 < line <= len(lines) and "\t" in lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]:
        return f"{problem} (a tab is used for indentation: YAML needs spaces)"
    if "found character '\\t'" in problem:
        return f"{problem} (a tab is used for indentation: YAML needs spaces)"
    return problem


class _Builder:
    def __init__(self, positions: Positions, limits: Limits) -> None:
        self.positions = positions
        self.limits = limits
        self.count = 0
        self.active: set[int] = set()

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.count += 1
        if self.count > self.limits.max_nodes:
            line, col = _mark(node)
            raise YamlProblem(
                f"the document expands to more than {self.limits.max_nodes:,} values "
                "(anchors and aliases multiply it); write the values out instead",
                line,
                col,
            )
        if len(path) > self.limits.max_depth:
            line, col = _mark(node)
            raise YamlProblem(f"the YAML nests too deeply (more than {self.limits.max_depth} levels)", line, col)
        self.positions.values[path] = _mark(node)
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _NULL_TAG:
                return None
            return node.value
        if id(node) in self.active:
            line, col = _mark(node)
            raise YamlProblem("an alias refers to a value that contains it (a recursive alias)", line, col)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                line, col = _mark(key_node)
                raise YamlProblem("merge keys ('<<') are not supported: write the fields out", line, col)
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _mark(key_node)
                raise YamlProblem("a mapping key must be a plain name, not a list or mapping", line, col)
            key = key_node.value
            if key in result:
                line, col = _mark(key_node)
                first = self.positions.keys[(*path, key)]
                raise YamlProblem(f"duplicate key '{key}' (first defined at line {first[0]})", line, col)
            self.positions.keys[(*path, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result
