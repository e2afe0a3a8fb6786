"""What a page says about itself: its title and main heading, read from a bounded prefix of its HTML.

Used to spot a *soft 404*: a "page not found" page served with status 200.  Only the ``<title>``
and the first ``<h1>`` are judged, never the body text, so an article about 404 errors is not taken
for one.  A heading matches when one of its parts (split at ``| - – — : , ! ( )`` and their Chinese
forms), with the words in :data:`NOISE` and punctuation set aside, is one of :data:`NOT_FOUND_PHRASES`
(case-insensitive), or is nothing but "404": "404 Not Found", "Error 404 - Page not found",
"页面不存在 - 某大学", "抱歉，您访问的页面不存在！" match; "How to fix 404 Not Found errors" does not.
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass

#: "Not found" in the title or main heading (compared without case, spaces or punctuation).
NOT_FOUND_PHRASES = (
    "not found",
    "page not found",
    "file not found",
    "file or directory not found",
    "页面不存在",
    "您访问的页面不存在",
    "该页面不存在",
    "找不到页面",
    "页面未找到",
    "找不到文件或目录",
    "找不到网页",
)
#: Words set aside around a phrase: "404 Not Found", "Error 404: Page not found", "抱歉, 页面不存在".
NOISE = ("404", "error", "oops", "sorry", "http", "抱歉", "对不起", "错误")

_SEPARATORS = re.compile(r"[|\-–—:：,，!！()（）\[\]【】·•»«/_。.;；~～]+")
_SPACE = re.compile(r"\s+")
_NOISE = re.compile("|".join(map(re.escape, NOISE)))
_PHRASES = frozenset(_SPACE.sub("", p.casefold()) for p in NOT_FOUND_PHRASES)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
#: Labels pages use for what is really GB18030 (a superset): decoding as GB18030 loses nothing.
_GB = frozenset({"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "gb18030"})


@dataclass(frozen=True)
class Heads:
    """A page's ``<title>`` and first ``<h1>``, whitespace collapsed ('' when absent)."""

    title: str = ""
    h1: str = ""

    def key(self) -> tuple[str, str] | None:
        """What two pages must share to be taken for the same page (None: nothing to compare)."""
        if not self.title and not self.h1:
            return None
        return self.title.casefold(), self.h1.casefold()


# A linear reading of the prefix, not html.parser: on hostile markup that raised (AssertionError on '<![foo[')
# or took quadratic time (64 KiB of '<a ' took 23 s of CPU in the event loop). Every pattern here is linear:
# an unclosed comment, script or element runs to the end of the prefix, an attribute list is bounded, and a
# tag inside an element ends at the next '<' or '>'.
_HIDDEN = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_ELEMENT = {tag: re.compile(rf"<{tag}\b[^<>]{{0,2048}}>(.*?)(?:</{tag}\s*>|\Z)", re.IGNORECASE | re.DOTALL) for tag in ("title", "h1")}
_INNER_TAG = re.compile(r"<[^<>]*>")


def _element_text(text: str, tag: str) -> str:
    match = _ELEMENT[tag].search(text)
    if match is None:
        return ""
    return html.unescape(_INNER_TAG.sub("", match.group(1)))


#: A byte order mark decides the encoding, over the Content-Type's charset (as a browser reads a page).
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _charset(raw: bytes, declared: str | None) -> str:
    """A byte order mark's, else the response's charset, else a ``<meta charset>`` in the prefix, else UTF-8 (or
    GB18030 when that fails)."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    candidates = [declared] if declared else []
    match = _META_CHARSET.search(raw, 0, 4096)
    if match:
        candidates.append(match.group(1).decode("ascii").lower())
    for label in candidates:
        name = label.strip().lower()
        if name in _GB:
            return "gb18030"
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(raw) - 4:  # not merely a character cut at the end of the prefix
            return "gb18030"
    return "utf-8"


def decode_prefix(raw: bytes, charset: str | None = None) -> str:
    """A page's prefix as text: decoded with ``charset`` (the Content-Type's), else its ``<meta charset>``, else a sniff."""
    return raw.decode(_charset(raw, charset), errors="replace")


def read_heads(raw: bytes, charset: str | None = None) -> Heads:
    """The title and first ``<h1>`` of an HTML prefix, decoded with ``charset`` or a sniff."""
    text = _HIDDEN.sub(" ", decode_prefix(raw, charset))
    title, h1 = (_element_text(text, tag) for tag in ("title", "h1"))
    return Heads(_SPACE.sub(" ", title).strip(), _SPACE.sub(" ", h1).strip())


def says_not_found(text: str) -> bool:
    """Whether a title or heading says "not found" (see the module's docstring)."""
    for part in _SEPARATORS.split(text.casefold()):
        bare = _SPACE.sub("", part)
        if not bare:
            continue
        rest = _NOISE.sub("", bare)
        if rest in _PHRASES or (not rest and "404" in bare):
            return True
    return False


def not_found_claim(heads: Heads) -> str | None:
    """Where the page says "not found", as a note: "the page's title says 'Page not found'"; None if it does not."""
    for where, text in (("title", heads.title), ("main heading", heads.h1)):
        if text and says_not_found(text):
            return f"the page's {where} says {text[:80]!r}"
    return None
