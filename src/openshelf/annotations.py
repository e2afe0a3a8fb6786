"""GitHub Actions workflow annotations (``::error file=…,line=…::message``), escaped as GitHub reads them.

GitHub's runner unescapes a command's message (its *data*) and its properties (``file``, ``line``,
``col``, ``title`` …) differently: in the data ``%``, CR and LF are escaped; in a property also
``:`` and ``,``, which otherwise end the property or the property list.  Used by ``openshelf
validate --format github`` and ``openshelf links --format github``.
"""

from __future__ import annotations

from typing import Literal

Level = Literal["error", "warning", "notice"]


def escape_data(text: str) -> str:
    """A workflow command's message: ``%`` → ``%25``, CR → ``%0D``, LF → ``%0A``."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as the message, and also ``:`` → ``%3A``, ``,`` → ``%2C``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: Level, message: str, *, file: str | None = None, line: int | None = None,
               col: int | None = None, title: str | None = None) -> str:
    """One ``::level props::message`` line; properties that are None (or a 0 line/column) are left out."""
    props = [(name, value) for name, value in (("file", file), ("line", line), ("col", col), ("title", title))
             if value not in (None, "", 0)]
    head = f"::{level}"
    if props:
        head += " " + ",".join(f"{name}={escape_property(str(value))}" for name, value in props)
    return f"{head}::{escape_data(message)}"
