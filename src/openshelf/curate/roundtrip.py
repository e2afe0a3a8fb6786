"""ruamel.yaml round trips: the canonical layout, and the comments that ruamel keeps in odd places.

ruamel.yaml is the one Python YAML library that keeps comments.  ``openshelf fmt`` (reordering
keys) and ``openshelf new``/``import`` (appending entries) both read and write through here.
"""

from __future__ import annotations

import copy
import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken


def yaml_rt() -> YAML:
    """A round-trip YAML instance set up for the canonical layout."""
    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 1_000_000  # never fold long descriptions
    y.preserve_quotes = False
    y.allow_unicode = True
    return y


def load_rt(text: str) -> Any:
    """A guide file's text as ruamel's round-trip document (comments and styles kept)."""
    return yaml_rt().load(text)


def dump_rt(doc: Any) -> str:
    """A round-trip document as text in the canonical layout, ending in one newline."""
    out = io.StringIO()
    yaml_rt().dump(doc, out)
    text = out.getvalue()
    return text.rstrip("\n") + "\n"


def _tail_slot(container: Any, key: Any) -> tuple[list[Any], int]:
    """Where ruamel keeps the comments on the lines after ``container[key]``'s value.

    After a scalar or a flow collection they are the tail of the key's own comment slot; after a
    block collection, the tail of its deepest last item.
    """
    value = container[key]
    if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
        return _tail_slot(value, next(reversed(value)))
    if isinstance(value, CommentedSeq) and value and not value.fa.flow_style():
        last = len(value) - 1
        if isinstance(value[last], (CommentedMap, CommentedSeq)) and value[last]:
            return _tail_slot(value, last)
        return value.ca.items.setdefault(last, [None, None, None, None]), 0
    slot = container.ca.items.setdefault(key, [None, None, None, None])
    while len(slot) < 3:
        slot.append(None)
    return slot, 2


def pop_tail(container: Any, key: Any) -> tuple[str, Any]:
    """Remove and return the own-line comments after ``container[key]`` (and a token to copy)."""
    slot, index = _tail_slot(container, key)
    token = slot[index]
    if token is None or not isinstance(getattr(token, "value", None), str):
        return "", None
    value: str = token.value
    eol, newline, own = value.partition("\n")
    if not newline or not own:
        return "", token
    if eol.strip():
        token.value = eol + "\n"
    else:
        slot[index] = None
    return own, token


def push_tail(container: Any, key: Any, own: str, template: Any = None) -> None:
    """Add the own-line comments ``own`` (as :func:`pop_tail` returned them) after ``container[key]``.

    ``template`` is a comment token to copy when there is none yet (a new blank-line token when None).
    """
    slot, index = _tail_slot(container, key)
    token = slot[index]
    if token is None:
        token = copy.copy(template) if template is not None else CommentToken("\n", CommentMark(0), None)
        token.value = "\n"
        slot[index] = token
    token.value = token.value + own


def blank_line_after(seq: CommentedSeq, index: int) -> None:
    """A blank line after ``seq[index]`` (between two entries)."""
    push_tail(seq, index, "\n")
