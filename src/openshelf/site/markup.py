"""Make curated text safe to place in generated Markdown.

Curated text must never put live HTML, script or attributes into the site.  Plain text
(titles, names) is escaped completely; descriptions keep a small, safe Markdown subset:
emphasis, code, lists and links to http, https or mailto.  Raw HTML becomes visible text,
``{: ...}`` attribute lists are not honoured and images are not loaded.
"""

from __future__ import annotations

import html
import re

# Characters Python-Markdown un-escapes after a backslash.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|])")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_LINK_TARGET = re.compile(r"\]\(\s*(?:&lt;)?\s*([^\s)]*)")
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*(\S+).*$", re.MULTILINE)
_BLOCK_START = re.compile(r"^(\s*)(#|=+\s*$|-{3,}\s*$|\*{3,}\s*$)", re.MULTILINE)


def text(value: str) -> str:
    """Escape plain text for any inline Markdown context (headings, list items, link text)."""
    value = " ".join(value.split())
    return _INLINE_SPECIAL.sub(r"\\\1", html.escape(value, quote=False))


def attr(value: str) -> str:
    """Escape a value for an HTML attribute in generated inline HTML."""
    return html.escape(value, quote=True)


def safe_url(url: str) -> bool:
    return url.lower().startswith(_SAFE_SCHEMES) and not any(c in url for c in "\"'<>` \n\t")


def markdown(value: str) -> str:
    """Sanitise a curated Markdown description (see the module docstring)."""
    value = html.escape(value.replace("\r\n", "\n").strip(), quote=False)
    value = value.replace("{", "\\{").replace("}", "\\}").replace("![", "\\![")
    value = _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), value)
    value = _REF_DEF.sub(lambda m: m.group(0) if safe_url(html.unescape(m.group(2))) else "\\" + m.group(0).lstrip(), value)

    def link(match: re.Match[str]) -> str:
        # Every inline link has the form "](target": an unsafe target loses its link syntax.
        if safe_url(html.unescape(match.group(1))):
            return match.group(0)
        return "\\" + match.group(0)

    return _LINK_TARGET.sub(link, value)
