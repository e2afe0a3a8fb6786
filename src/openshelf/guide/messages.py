"""The one converter from pydantic's validation errors to OpenShelf's messages.

pydantic says "String should match pattern '^[a-z0-9]+(?:-[a-z0-9]+)*$'"; a curator needs "must be
a slug: lowercase letters, digits and hyphens".  :func:`describe` words one error; the guide loader
(:func:`guide_diagnostics`, with file:line:column), ``openshelf import`` (by row and column) and
``openshelf new`` (by option) all use it, so one mistake reads the same everywhere.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from openshelf.guide.diagnostics import Diagnostic, Location
from openshelf.guide.models import LANGUAGE_PATTERN, Text
from openshelf.guide.yamlsource import Positions, field_name


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def describe(error: ErrorDetails) -> str:
    """One error in OpenShelf's words, without the field's name in front."""
    kind, message, value = error["type"], error["msg"], error.get("input")
    if kind in ("value_error", "assertion_error"):
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "missing":
        return f"missing required field '{field_name(tuple(error['loc'])[-1:])}'"
    hints = {
        "string_pattern_mismatch": "must be a slug: lowercase letters, digits and hyphens (like 'open-access')",
        "date_from_datetime_parsing": f"must be a real date written YYYY-MM-DD, not {value!r}",
        "date_parsing": f"must be a real date written YYYY-MM-DD, not {value!r}",
        "date_type": "must be a date written YYYY-MM-DD",
        "int_parsing": f"must be a whole number, not {value!r}",
        "model_type": "must be a mapping of fields (for text: zh and/or en)",
        "dict_type": "must be a mapping of keys to values",
        "string_type": "must be text, not a list or mapping",
    }
    if kind == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == LANGUAGE_PATTERN:
        return f"must be a language code (ISO 639-1, like zh, en or fr), not {value!r}"
    if kind == "string_pattern_mismatch" and isinstance(value, str) and any(c in value for c in "，、；"):
        return f"{hints[kind]}, not {value!r}: separate list items with an ASCII comma ','"
    if kind == "string_pattern_mismatch" and isinstance(value, str) and not value.isascii():
        return f"{hints[kind]}, not {value!r}: write the key _site.yml gives it (its label is what readers see)"
    if kind == "list_type":
        text = "must be a list"
        if isinstance(value, str):
            items = ", ".join(p.strip() for p in value.replace("，", ",").split(",") if p.strip())
            text += f", written [{items}] or one item per line starting with '- '"
        elif value is None:  # `entries:` with nothing after it
            text += f", not empty: write '{field_name(tuple(error['loc'])[-1:])}: []' for an empty list"
        return text
    if kind == "literal_error":
        return f"{_lower_first(message)}, not {value!r}"
    return hints.get(kind, _lower_first(message))


def with_field(name: str, error: ErrorDetails) -> str:
    """``name: message``, unless the message already starts with the field's name (``url must start with …``)."""
    text = describe(error)
    if error["type"] in ("value_error", "assertion_error") and (not name or text.startswith(name.rsplit(".", maxsplit=1)[-1])):
        return text
    return f"{name}: {text}" if name else text


def guide_diagnostics(exc: ValidationError, model: type[BaseModel], data: Any, positions: Positions, display: str) -> list[Diagnostic]:
    """Each error of validating ``data`` (one guide file, read from ``display``) as a diagnostic at
    the position of the value, naming the entry and the field."""
    return [_diagnostic(error, model, data, positions, display) for error in exc.errors(include_url=False)]


def _diagnostic(error: ErrorDetails, model: type[BaseModel], data: Any, positions: Positions, display: str) -> Diagnostic:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    entry_id: str | None = None
    inner = loc
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        item = data["entries"][loc[1]] if isinstance(data.get("entries"), list) else None
        entry_id = item["id"] if isinstance(item, dict) and isinstance(item.get("id"), str) else f"#{loc[1] + 1}"
        inner = loc[2:]
    name = field_name(inner)
    if error["type"] == "missing":
        line, col = positions.of(loc[:-1])
        message = f"missing required field '{name}'"
    elif error["type"] == "extra_forbidden":
        line, col = positions.of(loc, key=True)
        message = f"unknown field '{name}'" + (_comma_in_braces(loc, data, error) or _suggest(loc[-1], model, loc))
    else:
        line, col = positions.of(loc)
        message = with_field(name, error)
    return Diagnostic(Location(display, line, col), message, entry=entry_id, field=name or None)


def _suggest(key: str | int, model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    fields = _fields_at(model, loc[:-1])
    close = difflib.get_close_matches(str(key), fields, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f"; allowed fields: {', '.join(fields)}" if fields else ""


def _comma_in_braces(loc: tuple[str | int, ...], data: Any, error: ErrorDetails) -> str | None:
    """Why a "field" with a space in its name and no value is there: in ``{zh: …, en: One, two.}`` YAML ends the
    text at the comma and reads ``two.`` as a key of its own.  The hint names the text it cut and shows it quoted."""
    key = loc[-1]
    if not isinstance(key, str) or error.get("input") is not None or not any(c.isspace() for c in key):
        return None
    parent = data
    for part in loc[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return None
    keys = list(parent) if isinstance(parent, dict) else []
    before = keys[keys.index(key) - 1] if key in keys and keys.index(key) > 0 else None
    if before not in Text.model_fields or not isinstance(parent[before], str):  # a curated text's language: zh, en
        return None
    return (f": a comma inside {{ }} ended the text of '{before}' there; put that text in quotes, as "
            f"{before}: \"{parent[before]}, {key}\"")


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
