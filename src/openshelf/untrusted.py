"""Untrusted text (curated, subscribed, or a fetched page's title) in what OpenShelf writes for GitHub: issue
bodies, pull-request descriptions, change lists.  Pure.

On one line, with control, zero-width and direction-override characters shown as escapes; and in a Markdown
code span, where nothing is formatting, a link, an image or an @-mention.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def one_line(text: str, limit: int) -> str:
    """``text`` on one line: control, zero-width and direction-override characters shown as ``\\x1b``-style
    escapes, shortened to ``limit`` characters."""
    text = _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def code_span(text: str, limit: int) -> str:
    """``text`` (made :func:`one_line`) as a Markdown code span, fenced with more backticks than it holds."""
    text = one_line(text, limit)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"
