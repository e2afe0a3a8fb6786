"""Make curated text safe to place in generated Markdown.

Curated text must never put live HTML, script or attributes into the site.  Plain text
(titles, names) is escaped completely.  Descriptions keep a small Markdown subset (emphasis,
code, lists, quotes, links to http, https or mailto) and are turned into HTML here, by
markdown-it-py with raw HTML off, images made links and a link validator, and the result is then
cleaned by nh3 (Ammonia) against an allow-list of tags, attributes and URL schemes.  The page
renderer places that HTML in a ``markdown="0"`` block, so no construct of Python-Markdown's own
(``{: attr }`` lists, reference definitions at any nesting, entities) applies to curated text.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# Characters Python-Markdown un-escapes after a backslash.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|])")
_SAFE_URL = re.compile(r"(?:https?://|mailto:)[^\"'<>`\s]*\Z", re.IGNORECASE)
#: What a rendered description may contain; anything else is removed by nh3.
TAGS = {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a", "s", "table", "thead", "tbody",
        "tr", "th", "td"}
ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
SCHEMES = {"http", "https", "mailto"}
#: Texts remembered by :func:`html_text`, :func:`markdown` and :func:`plain_text`: each edition of a site,
#: the one-line summaries and the search records render the same texts again (pure functions of the text).
CACHED = 1 << 16


def text(value: str) -> str:
    """Escape plain text for any inline Markdown context (headings, list items, link text)."""
    value = " ".join(value.split())
    return _INLINE_SPECIAL.sub(r"\\\1", html.escape(value, quote=False))


def attr(value: str) -> str:
    """Escape a value for an HTML attribute in generated inline HTML."""
    return html.escape(value, quote=True)


@lru_cache(maxsize=CACHED)  # titles, names and labels recur on every page that lists an entry
def html_text(value: str) -> str:
    """Escape plain text for generated inline HTML that Markdown leaves as it is (badges, form labels):
    entities only, so no backslash shows; braces too, so attr_list reads no ``{: onclick=… }`` there."""
    return html.escape(" ".join(value.split()), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def safe_url(url: str) -> bool:
    """Whether ``url`` may be a link target: http, https or mailto, with nothing that ends an attribute."""
    return _SAFE_URL.match(url) is not None


def _unlink_unsafe(state: StateCore) -> None:
    """Links (inline, reference at any nesting, autolinks) whose target is not safe become their text.

    Validating here rather than in ``validateLink`` keeps a bad reference definition a definition,
    so it does not swallow the definitions after it as paragraph text.
    """
    for block in state.tokens:
        if not block.children:
            continue
        kept, unlinked = [], False
        for token in block.children:
            if token.type == "link_open" and not safe_url(str(token.attrGet("href") or "")):
                unlinked = True
            elif token.type == "link_close" and unlinked:
                unlinked = False
            else:
                kept.append(token)
        block.children = kept


def _images_as_links(state: StateCore) -> None:
    """An image (``![alt](src)``) becomes a link to it, its text the alt text: the site loads nothing from other hosts,
    and with the image rule off the text showed a stray "!" before a link."""
    for block in state.tokens:
        if not block.children:
            continue
        out: list[Token] = []
        for token in block.children:
            if token.type != "image":
                out.append(token)
                continue
            alt = "".join(t.content for t in token.children or ()) or token.content or str(token.attrGet("src") or "")
            out += [Token("link_open", "a", 1, attrs={"href": str(token.attrGet("src") or "")}),
                    Token("text", "", 0, content=alt), Token("link_close", "a", -1)]
        block.children = out


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable(["heading", "lheading", "hr"])  # no headings in the page's outline
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # judged by _unlink_unsafe
    md.core.ruler.push("openshelf_images_as_links", _images_as_links)  # loads nothing
    md.core.ruler.push("openshelf_unlink_unsafe", _unlink_unsafe)
    return md


_MD = _parser()


@lru_cache(maxsize=CACHED)
def _converted(value: str) -> tuple[str, str]:
    """A curated Markdown text as clean HTML and as plain text, from one parse (the slow part): the search, the
    one-line summaries and the pages of each edition read the same texts, in both forms."""
    tokens = _MD.parse(value.replace("\r\n", "\n").strip())
    blocks = [token.children or [] for token in tokens if token.type == "inline"]
    plain = "\n".join("".join(" " if t.type == "softbreak" else t.content for t in children
                               if t.type in ("text", "code_inline", "softbreak")) for children in blocks).strip()
    rendered = _MD.renderer.render(tokens, _MD.options, {})
    clean = nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel=None).strip()
    # Inside a ``markdown`` parent, md_in_html turns even ``markdown="0"`` HTML into elements, and
    # attr_list then honours a ``{: onclick=… }`` at the end of their text: braces become references.
    return clean.replace("{", "&#123;").replace("}", "&#125;"), plain


def markdown(value: str) -> str:
    """A curated Markdown description as clean HTML (see the module docstring)."""
    return _converted(value)[0]


def plain_text(value: str) -> str:
    """A curated Markdown description as plain text (link texts kept, marks and targets dropped)."""
    return _converted(value)[1]
