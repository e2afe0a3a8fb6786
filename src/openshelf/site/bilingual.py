"""Text in both languages, as the pages write it: the one place that decides how zh and en stand
side by side (``bi``), and the escaping each context needs (Markdown, inline HTML, plain text).

Below :mod:`render` and the page modules that render uses (emergency, handout), so all of them
share it without importing each other.  Pure.
"""

from __future__ import annotations

from openshelf.guide.models import Text
from openshelf.site import markup


def bi(zh: str | None, en: str | None) -> str:
    """Inline HTML for text in both languages (already escaped); the language switch hides one."""
    if zh and en and zh != en:
        return f'<span lang="zh" class="os-zh">{zh}</span><span class="os-sep"> · </span><span lang="en" class="os-en">{en}</span>'
    return zh or en or ""


def inline_html(value: Text | None) -> str:
    """Curated text in both languages, escaped for inline HTML that Markdown leaves alone (badges, labels, summaries)."""
    if value is None:
        return ""
    return bi(markup.html_text(value.zh) if value.zh else None, markup.html_text(value.en) if value.en else None)


def plain(zh: str, en: str) -> str:
    """Both languages as plain text, for places that cannot hold markup (alt, titles, options)."""
    return f"{zh} · {en}"


def text(value: Text | None) -> str:
    """Curated text in both languages, escaped for inline Markdown."""
    if value is None:
        return ""
    return bi(markup.text(value.zh) if value.zh else None, markup.text(value.en) if value.en else None)


#: Shown where a how-to's link would be when the guide gives no address (each library has its own).
LOCAL_ADDRESS = ("你所在图书馆的地址：请向本馆咨询", "Your library's address — ask your library")
