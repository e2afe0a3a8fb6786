"""Finished HTML that Markdown never parses: the entries of a collection page.

A collection page of 500 entries is mostly the entries' markup.  Written as Markdown (headings,
links, ``<article markdown>``), Python-Markdown spent most of a large build parsing it again;
so the renderer writes each category's entries as finished HTML (a *block*, its links already
relative to the page) and leaves a one-line marker in the page's Markdown (:func:`marker`).

* The MkDocs plugin puts each block in place of its marker in the page's HTML (:func:`fill`) and
  tells MkDocs the anchors the block holds, so links to ``databases.md#cnki`` still validate.
* ``openshelf build`` (an engine without plugins) writes the blocks into the Markdown it stages
  (:func:`inline`): a raw HTML block, which Python-Markdown passes through (and MkDocs reads its
  anchors from).

The text in a block is escaped or sanitised by the renderer like all curated text
(:mod:`openshelf.site.markup`).  Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from mkdocs.utils import get_relative_url

_MARKER = re.compile(r"<!-- openshelf-block ([^\s<>]+) -->")
_ID = re.compile(r'\sid="([^"]+)"')


def marker(key: str) -> str:
    """The line that stands in the page's Markdown for the block ``key`` (no spaces, no ``<`` or ``>``)."""
    if not key or _MARKER.fullmatch(f"<!-- openshelf-block {key} -->") is None:
        raise ValueError(f"not a block key: {key!r}")
    return f"<!-- openshelf-block {key} -->"


def fill(html: str, blocks: Mapping[str, str]) -> tuple[str, set[str]]:
    """``html`` with each marker replaced by its block; and the ids (anchors) the blocks put there.
    A marker without a block stays as it is: an HTML comment, which shows nothing."""
    anchors: set[str] = set()

    def one(match: re.Match[str]) -> str:
        block = blocks.get(match.group(1))
        if block is None:
            return match.group(0)
        anchors.update(_ID.findall(block))
        return block

    return _MARKER.sub(one, html), anchors


def inline(markdown: str, blocks: Mapping[str, str]) -> str:
    """The page's Markdown with each block written in place of its marker, as a raw HTML block."""
    return fill(markdown, blocks)[0]


def page_url(src_uri: str, use_directory_urls: bool = True) -> str:
    """A page's address relative to the site root, as MkDocs gives it (``databases.md`` → ``databases/``)."""
    stem = src_uri.removesuffix(".md")
    if not use_directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


def href(target: str, anchor: str, current: str, use_directory_urls: bool = True) -> str:
    """The link from page ``current`` to ``anchor`` on page ``target`` (source paths, ``tags.md``)."""
    if target == current:
        return f"#{anchor}"
    return f"{_relative(target, current, use_directory_urls)}#{anchor}"


@lru_cache(maxsize=1 << 12)  # every related entry, tag and member link of every entry: the same few pages
def _relative(target: str, current: str, use_directory_urls: bool) -> str:
    return get_relative_url(page_url(target, use_directory_urls), page_url(current, use_directory_urls))
