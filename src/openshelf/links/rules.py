"""Host and entry rules for the link checker, from ``guides/_links.yml``.

Example::

    transient_runs_before_broken: 3        # a transient failure counts as broken after N runs
    accept_status: []                      # codes that count as ok everywhere
    hosts:
      - host: mp.weixin.qq.com             # exact host; "*.example.org" = the domain and its subdomains
        soft_404: ["该内容已被发布者删除", "已停止访问该网页"]
        reason: deleted WeChat articles answer 200 with a notice
      - host: "*.example.edu.cn"
        unreachable_from_ci: true          # timeouts / refusals become 'blocked', never 'broken'
        reason: stalls traffic from CI runners abroad
      - host: www.example.org
        accept_status: [403]
        reason: answers 403 to every robot
    exclude:
      - pattern: "^https://webvpn\\\\."        # a Python regular expression, searched in the URL
        reason: WebVPN portals need a login

Loaded with PyYAML's safe loader and validated with pydantic (unknown keys are
errors); every problem is reported as ``file:line:col: field: message``. Both are imported
only when there is a file to read: the checker itself uses plain dataclasses.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_RULES_FILE = "_links.yml"


class RulesError(Exception):
    """The rules file cannot be used; ``messages`` are ready-to-print lines."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


# The rules as the checker uses them: plain frozen dataclasses, so that a run without a rules
# file imports neither PyYAML nor pydantic. A file is validated by the pydantic models in
# _models() (imported only then) and converted to these.


@dataclass(frozen=True)
class HostRule:
    host: str
    reason: str
    soft_404: tuple[str, ...] = ()
    accept_status: tuple[int, ...] = ()
    unreachable_from_ci: bool = False
    skip: bool = False
    timeout: float | None = None

    def matches(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        if self.host.startswith("*."):
            base = self.host[2:]
            return host == base or host.endswith("." + base)
        return host == self.host


@dataclass(frozen=True)
class ExcludeRule:
    pattern: str
    reason: str


@dataclass(frozen=True)
class LinkRules:
    transient_runs_before_broken: int = 3
    accept_status: tuple[int, ...] = ()
    hosts: tuple[HostRule, ...] = ()
    exclude: tuple[ExcludeRule, ...] = ()

    def host_rule(self, host: str) -> HostRule | None:
        """The most specific rule for a host (an exact rule beats a wildcard)."""
        if not self.hosts:
            return None
        host = host.lower().rstrip(".")
        exact = [r for r in self.hosts if r.host == host]
        if exact:
            return exact[0]
        wild = [r for r in self.hosts if r.host.startswith("*.") and r.matches(host)]
        return max(wild, key=lambda r: len(r.host)) if wild else None

    def excluded(self, url: str) -> ExcludeRule | None:
        for rule in self.exclude:
            if re.search(rule.pattern, url):
                return rule
        return None

    def accepted(self, host: str, status: int) -> bool:
        if status in self.accept_status:
            return True
        rule = self.host_rule(host)
        return rule is not None and status in rule.accept_status


@functools.cache
def _models() -> Any:
    """The pydantic models that validate a rules file (strict, unknown keys are errors)."""
    from pydantic import BaseModel, ConfigDict, Field, field_validator

    class _Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    class HostRuleModel(_Strict):
        host: str = Field(min_length=1)
        reason: str = Field(min_length=1)
        soft_404: tuple[str, ...] = ()
        accept_status: tuple[int, ...] = ()
        unreachable_from_ci: bool = False
        skip: bool = False
        timeout: float | None = Field(default=None, gt=0)

        @field_validator("host")
        @classmethod
        def _host(cls, value: str) -> str:
            value = value.strip().lower().rstrip(".")
            bare = value[2:] if value.startswith("*.") else value
            if not bare or "/" in bare or "*" in bare or ":" in bare:
                raise ValueError("a host name such as 'example.org' or '*.example.org' (no scheme, path or port)")
            return value

        @field_validator("accept_status")
        @classmethod
        def _codes(cls, value: tuple[int, ...]) -> tuple[int, ...]:
            for code in value:
                if not 100 <= code <= 999:
                    raise ValueError(f"{code} is not an HTTP status code")
            return value

    class ExcludeRuleModel(_Strict):
        pattern: str = Field(min_length=1)
        reason: str = Field(min_length=1)

        @field_validator("pattern")
        @classmethod
        def _regex(cls, value: str) -> str:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
            return value

    class LinkRulesModel(_Strict):
        transient_runs_before_broken: int = Field(default=3, ge=1)
        accept_status: tuple[int, ...] = ()
        hosts: tuple[HostRuleModel, ...] = ()
        exclude: tuple[ExcludeRuleModel, ...] = ()

    return LinkRulesModel


def _from_model(model: Any) -> LinkRules:
    return LinkRules(
        transient_runs_before_broken=model.transient_runs_before_broken,
        accept_status=model.accept_status,
        hosts=tuple(HostRule(**h.model_dump()) for h in model.hosts),
        exclude=tuple(ExcludeRule(**e.model_dump()) for e in model.exclude),
    )


# --- YAML with positions ----------------------------------------------------


@dataclass
class _Pos:
    line: int
    column: int
    children: dict[Any, _Pos]


@functools.cache
def _loader() -> Any:
    """A safe loader that keeps dates as strings and rejects duplicate keys (PyYAML imported here)."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return _Loader


def _positions(node: Any) -> _Pos:
    import yaml

    pos = _Pos(node.start_mark.line + 1, node.start_mark.column + 1, {})
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            pos.children[key.value] = _positions(value)
            pos.children[key.value].key_mark = (key.start_mark.line + 1, key.start_mark.column + 1)  # type: ignore[attr-defined]
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            pos.children[i] = _positions(value)
    return pos


def _duplicate_keys(node: Any, path: str, out: list[str], file: str) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            if key.value in seen:
                out.append(f"{file}:{key.start_mark.line + 1}:{key.start_mark.column + 1}: {path}{key.value}: duplicate key")
            seen.add(key.value)
            _duplicate_keys(value, f"{path}{key.value}.", out, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _duplicate_keys(value, f"{path}{i}.", out, file)


def _locate(tree: _Pos, loc: tuple[Any, ...]) -> tuple[int, int]:
    pos = tree
    for part in loc:
        child = pos.children.get(part)
        if child is None:
            break
        pos = child
    return pos.line, pos.column


def parse_rules(text: str, file: str = DEFAULT_RULES_FILE) -> LinkRules:
    """Parse and validate rules text; raise :class:`RulesError` with positioned messages."""
    import yaml
    from pydantic import ValidationError

    loader = _loader()
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        problem = getattr(exc, "problem", None) or str(exc)
        raise RulesError([f"{where}: invalid YAML: {problem}"]) from None
    if node is None:
        return LinkRules()
    dupes: list[str] = []
    _duplicate_keys(node, "", dupes, file)
    if dupes:
        raise RulesError(dupes)
    data = loader(text).get_single_data()
    if not isinstance(data, dict):
        raise RulesError([f"{file}:{node.start_mark.line + 1}:1: the rules file must be a mapping"])
    tree = _positions(node)
    try:
        model = _models().model_validate(_tuples(data))
    except ValidationError as exc:
        messages = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line, col = _locate(tree, loc)
            field = ".".join(str(p) for p in loc) or "(top)"
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            messages.append(f"{file}:{line}:{col}: {field}: {msg}")
        raise RulesError(messages) from None
    return _from_model(model)


def _tuples(value: Any) -> Any:
    """Lists -> tuples so strict pydantic accepts them for tuple fields."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def load_rules(path: Path) -> LinkRules:
    """Rules from a file; a missing file means the defaults."""
    if not path.exists():
        return LinkRules()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError([f"{path}: cannot read: {exc}"]) from None
    return parse_rules(text, str(path))
