"""Host and entry rules for the link checker, from ``guides/_links.yml``.

Example::

    transient_runs_before_broken: 3        # a transient failure counts as broken after N runs
    accept_status: []                      # codes that count as ok everywhere
    hosts:
      - host: mp.weixin.qq.com             # exact host; "*.example.org" = the domain and its subdomains
        soft_404: ["该内容已被发布者删除", "已停止访问该网页"]   # [] = no guessing on this host
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

Read with the guide's own bounded YAML loader (:func:`openshelf.guide.yamlsource.load`: no alias
bomb, deep nesting or huge value can hang a run) and validated with pydantic (unknown keys are
errors); every problem names ``file:line:column`` and the field.  ``openshelf validate`` reports
the same problems as ``openshelf links``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from openshelf.errors import ConfigProblems
from openshelf.guide import yamlsource
from openshelf.guide.diagnostics import Diagnostic, Location
from openshelf.guide.messages import guide_diagnostics
from openshelf.guide.schema import model_schema, schema_text

DEFAULT_RULES_FILE = "_links.yml"
#: A rules file larger than this is refused unread (a real one is a few kilobytes).
MAX_RULES_BYTES = 1_000_000


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HostRule(_Rule):
    host: str = Field(min_length=1, description="An exact host (www.example.org), or '*.example.org' for the domain and its subdomains.")
    reason: str = Field(min_length=1, description="Why the rule is there, for the next curator.")
    #: Phrases in a 200 page that mean "gone" (then they alone decide, as definite ``broken``);
    #: ``[]`` turns the checker's own soft-404 guessing off for this host; unset: it guesses.
    soft_404: tuple[str, ...] | None = Field(None, description=(
        "Phrases in a page answered 200 that mean it is gone (they alone decide: broken); [] turns the guessing off for this host."))
    accept_status: tuple[int, ...] = Field((), description="Status codes that count as OK on this host (e.g. [403] for one that refuses robots).")
    unreachable_from_ci: bool = Field(False, description="Timeouts and refusals from this host are 'blocked', never 'broken'.")
    skip: bool = Field(False, description="Never fetch this host's URLs (reported skipped).")
    timeout: float | None = Field(default=None, gt=0, description="Seconds for one request to this host, instead of --timeout.")

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

    def matches(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        if self.host.startswith("*."):
            base = self.host[2:]
            return host == base or host.endswith("." + base)
        return host == self.host


class ExcludeRule(_Rule):
    pattern: str = Field(min_length=1, description="A Python regular expression, searched in each URL: a URL it matches is not fetched.")
    reason: str = Field(min_length=1, description="Why these URLs are left out.")

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class LinkRules(_Rule):
    """``guides/_links.yml``: the link checker's rules for hosts and URLs."""

    transient_runs_before_broken: int = Field(default=3, ge=1, description="A transient failure counts as broken after this many runs in a row.")
    accept_status: tuple[int, ...] = Field((), description="Status codes that count as OK everywhere.")
    hosts: tuple[HostRule, ...] = Field((), description="Rules for hosts; the most specific one applies.")
    exclude: tuple[ExcludeRule, ...] = Field((), description="URLs never fetched (reported skipped).")

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


class RulesError(ConfigProblems):
    """The rules file cannot be used (exit 2); ``messages`` are its problems, ``file:line:column: error: field: message``
    (as ``openshelf validate`` prints them)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("invalid link rules", messages)
        self.messages = messages


def _problem(file: str, line: int, column: int, message: str, field: str | None = None) -> Diagnostic:
    return Diagnostic(Location(file, line, column), f"{field}: {message}" if field else message, field=field,
                      code="invalid-link-rules")


def check_rules(text: str, file: str = DEFAULT_RULES_FILE) -> tuple[LinkRules | None, list[Diagnostic]]:
    """Parse and validate rules text: (the rules, []) or (None, every problem with its position)."""
    try:
        data, positions = yamlsource.load(text)
    except yamlsource.YamlProblem as exc:
        return None, [_problem(file, exc.line, exc.column, exc.message)]
    if data is None:
        return LinkRules(), []
    if not isinstance(data, dict):
        return None, [_problem(file, *positions.of(()), "the rules file must be a mapping of settings")]
    try:
        return LinkRules.model_validate(data), []
    except ValidationError as exc:  # worded and placed by the guide's one converter
        return None, [replace(d, code="invalid-link-rules") for d in guide_diagnostics(exc, LinkRules, data, positions, file)]


def check_rules_file(path: Path) -> tuple[LinkRules | None, list[Diagnostic]]:
    """:func:`check_rules` on a file; a missing file means the defaults."""
    file = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_RULES_BYTES + 1)
    except FileNotFoundError:
        return LinkRules(), []
    except OSError as exc:
        return None, [_problem(file, 0, 0, f"cannot read: {exc.strerror or exc}")]
    if len(raw) > MAX_RULES_BYTES:
        return None, [_problem(file, 1, 1, f"the file is larger than {MAX_RULES_BYTES:,} bytes; a rules file needs a few kilobytes")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [_problem(file, raw[: exc.start].count(b"\n") + 1, 1, "cannot read: the file is not UTF-8: save it as UTF-8")]
    return check_rules(text.replace("\r\n", "\n"), file)


def _raise_or_return(found: tuple[LinkRules | None, list[Diagnostic]]) -> LinkRules:
    rules, problems = found
    if rules is None:
        raise RulesError([d.format() for d in problems])  # worded as validate prints them
    return rules


def parse_rules(text: str, file: str = DEFAULT_RULES_FILE) -> LinkRules:
    """Parse and validate rules text; :class:`RulesError` with positioned messages."""
    return _raise_or_return(check_rules(text, file))


def load_rules(path: Path) -> LinkRules:
    """Rules from a file (a missing file means the defaults); :class:`RulesError` with positioned messages."""
    return _raise_or_return(check_rules_file(path))


#: The JSON Schema of ``guides/_links.yml`` (``openshelf schema`` writes it into ``guides/_schema/``).
SCHEMA_FILE = "links.schema.json"


def schema_files() -> dict[str, str]:
    """File name → JSON text of the rules file's schema, generated from :class:`LinkRules`."""
    return {SCHEMA_FILE: schema_text(model_schema(SCHEMA_FILE, LinkRules))}
