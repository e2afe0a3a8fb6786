"""A strict Content-Security-Policy for every built page, as a ``<meta>`` tag.

The theme template (``overrides/main.html``) writes a fallback policy that already refuses
scripts, frames, plugins and forms from other hosts but must allow inline scripts, because
Material for MkDocs runs a few small inline scripts on every page (``__md_scope``, the palette
and tab helpers).  After the build, :func:`apply_to_site` replaces ``'unsafe-inline'`` in
``script-src`` with the SHA-256 hashes of exactly those inline scripts found in the built pages,
so no other inline script, ``on*=`` handler or ``javascript:`` URL can run even if one were
injected.  The union over all pages is used because Material's instant navigation swaps pages
without reloading the first page's policy.

What stays allowed, and why: ``style-src 'unsafe-inline'`` (Material and Python-Markdown's
tables write ``style=`` attributes; styles cannot run script) and ``img-src data:`` (Material's
inline SVG icons in CSS).  Pagefind compiles its WebAssembly inside its worker, which a
``<meta>`` policy does not govern.  A ``<meta>`` policy cannot set ``frame-ancestors``,
``report-uri`` or ``sandbox``; a host that can send headers should send the same policy as a
header with ``frame-ancestors 'none'`` added (and ``'wasm-unsafe-eval'`` in ``script-src``, since
the header then also covers Pagefind's worker).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

#: The policy without script hashes; ``{scripts}`` is replaced by the inline-script sources.
TEMPLATE = ("default-src 'self'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'")
#: What the template writes: inline scripts allowed, for a build that skips :func:`apply_to_site`
#: (``mkdocs serve``, whose live-reload script is inline).
FALLBACK = TEMPLATE.format(scripts="'unsafe-inline'")

_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


def inline_scripts(html: str) -> Iterable[str]:
    """The text of every inline script a browser would run (not ``src=``, not JSON data blocks)."""
    for match in _SCRIPT.finditer(html):
        attrs, body = match.groups()
        if re.search(r"\bsrc\s*=", attrs, re.IGNORECASE):
            continue
        kind = _TYPE.search(attrs)
        if (kind.group(1).lower() if kind else "") in _JS_TYPES:
            yield body


def source_of(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(scripts: Iterable[str]) -> str:
    hashes = sorted({source_of(s) for s in scripts})
    return TEMPLATE.format(scripts=" ".join(hashes)).replace("  ", " ")


def meta(content: str) -> str:
    return f'<meta http-equiv="Content-Security-Policy" content="{content}">'


def apply(html: str, content: str) -> str:
    """Put the policy into one page: replace the template's tag, or add one first thing in ``<head>``."""
    tag = meta(content)
    if _META.search(html):
        return _META.sub(lambda _: tag, html, count=1)
    charset = re.search(r"<meta charset=[^>]*>", html, re.IGNORECASE) or re.search(r"<head[^>]*>", html, re.IGNORECASE)
    if charset is None:
        return html
    return html[: charset.end()] + tag + html[charset.end():]


def apply_to_site(site_dir: Path) -> str:
    """Hash the inline scripts of every page in a built site and write the policy into each; returns it."""
    pages = sorted(site_dir.rglob("*.html"))
    texts = {page: page.read_text(encoding="utf-8") for page in pages}
    content = policy(s for text in texts.values() for s in inline_scripts(text))
    for page, text in texts.items():
        updated = apply(text, content)
        if updated != text:
            page.write_text(updated, encoding="utf-8")
    return content
