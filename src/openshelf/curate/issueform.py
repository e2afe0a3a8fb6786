"""A filled GitHub issue form ("Suggest a resource") → the options of ``openshelf new``.

GitHub renders a submitted form as Markdown: one ``### Label`` heading per field, followed by the
answer (``_No response_`` when left empty).  Every label of our form ends with the option name in
square brackets, e.g. ``### 网址 · Address [url]``, so the mapping needs no table to keep in sync.
"""

from __future__ import annotations

import re

_HEADING = re.compile(r"^###\s+.*\[([a-z][a-z-]*)\]\s*$")
_EMPTY = {"_No response_", "None", ""}


def parse(body: str) -> dict[str, str | None]:
    """Option name → answer (None when empty).  Unknown text outside sections is ignored."""
    values: dict[str, str | None] = {}
    current: str | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            text = "\n".join(lines).strip()
            values[current] = None if text in _EMPTY else text

    for line in body.replace("\r\n", "\n").split("\n"):
        match = _HEADING.match(line.strip())
        if match:
            close()
            current, lines = match.group(1), []
        elif line.startswith("### "):
            close()
            current, lines = None, []
        elif current is not None:
            lines.append(line)
    close()
    return values
