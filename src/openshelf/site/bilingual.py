"""Text in the languages of the page being rendered: the one place that decides how zh and en stand
on a page (``bi``), and the escaping each context needs (Markdown, inline HTML, plain text).

A page is rendered either for an edition (a site per language: its language, text the guide has
only in the other language marked with that language) or for the bilingual site (both side by
side, the language switch hides one); :func:`rendering` sets which, for everything rendered
inside it.  Below :mod:`render` and the page modules that render uses (emergency, handout,
counts), so all of them share it without importing each other.  Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from openshelf.guide.models import TEXT_LANGUAGES, Text
from openshelf.site import markup

#: The names of the languages on the bilingual page (each in its own language).
LANGUAGE_NAMES = {
    "zh": "中文", "en": "English", "ja": "日本語", "ko": "한국어", "fr": "Français", "de": "Deutsch",
    "es": "Español", "ru": "Русский", "pt": "Português", "ar": "العربية", "it": "Italiano",
}
#: The languages an edition can be written in: those of the guide's text fields (:class:`Text`).
EDITION_LANGUAGES = TEXT_LANGUAGES
#: The edition being rendered ("zh", "en"), or None for the bilingual page; set by :func:`rendering`,
#: read by :func:`bi`, :func:`plain` and :func:`text`, so every label renders in the edition's language.
_EDITION: ContextVar[str | None] = ContextVar("openshelf_edition", default=None)


def edition() -> str | None:
    """The language of the edition being rendered, or None on the bilingual page."""
    return _EDITION.get()


@contextmanager
def rendering(language: str | None) -> Iterator[None]:
    """Render in ``language`` (one of :data:`EDITION_LANGUAGES`) or, with None, both side by side."""
    if language is not None and language not in EDITION_LANGUAGES:
        raise ValueError(f"no edition in {language!r}: OpenShelf writes {', '.join(EDITION_LANGUAGES)}")
    token = _EDITION.set(language)
    try:
        yield
    finally:
        _EDITION.reset(token)


def language_name(code: str, language: str | None = None) -> str:
    """A language's name in an edition's language (``en`` → "English", 英语), its own on the bilingual page."""
    language = language or edition()
    if language is None:
        return LANGUAGE_NAMES.get(code, code)
    return _locale_name(code, language)


@lru_cache(maxsize=1024)
def _locale_name(code: str, language: str) -> str:
    """``code``'s name in ``language`` from CLDR (Babel); each pair looked up once, not once per entry."""
    try:
        return str(Locale.parse(language).languages.get(code, code))
    except (ValueError, UnknownLocaleError):
        return code


def marked(lang: str, html: str, block: bool = False, in_markdown: bool = True) -> str:
    """Text in another language than the edition's: its ``lang`` and a small visible marker (``ZH``).
    A ``block`` inside Markdown is kept from Python-Markdown with ``markdown="0"``; not in finished HTML."""
    title = markup.attr(language_name(lang))
    mark = f'<span class="os-lang-mark" title="{title}">{lang.upper()}</span>'
    if block:
        verbatim = ' markdown="0"' if in_markdown else ""
        return f'<div lang="{lang}" class="os-other-lang"{verbatim}>{mark}{html}</div>'
    return f'<span lang="{lang}" class="os-other-lang">{html}</span> {mark}'


def bi(zh: str | None, en: str | None) -> str:
    """Inline HTML for text in both languages (already escaped): in an edition its language (the
    other, marked, when it has none); on the bilingual page both, and the language switch hides one."""
    language = _EDITION.get()
    if language is not None:
        own, other, code = (zh, en, "en") if language == "zh" else (en, zh, "zh")
        return own or (marked(code, other) if other else "")
    if zh and en and zh != en:
        return f'<span lang="zh" class="os-zh">{zh}</span><span class="os-sep"> · </span><span lang="en" class="os-en">{en}</span>'
    return zh or en or ""


# Between the links of a line that may wrap (the tag index, the A-Z bar): a no-break space before the dot, so a wrapped
# line never starts with it.
RUN_SEPARATOR = "\u00a0· "


def listed(items: Iterable[str]) -> str:
    """Items in a run of text: joined with the enumeration comma in the Chinese edition (知网、CNKI), else ``, ``."""
    return ("、" if _EDITION.get() == "zh" else ", ").join(items)


def labelled(name: str, value: str) -> str:
    """A labelled value as HTML, ``<strong>name:</strong> value``; in the Chinese edition with its full-width colon (又名：…)."""
    return f"<strong>{name}：</strong>{value}" if _EDITION.get() == "zh" else f"<strong>{name}:</strong> {value}"


def colon() -> str:
    """What follows a label in running text: the full-width colon in the Chinese edition (来自：…), else ``: ``."""
    return "：" if _EDITION.get() == "zh" else ": "


def first_shown(value: Text) -> str:
    """The text the edition shows first, unescaped: its own language's, else the other's (the bilingual site: the
    English, as its entries sort)."""
    return (value.zh or value.en if _EDITION.get() == "zh" else value.en or value.zh) or ""


def aside(value: str) -> str:
    """``value`` in brackets after a name: full-width in the Chinese edition (中国知网（机构订阅）), else `` (…)``."""
    return f"（{value}）" if _EDITION.get() == "zh" else f" ({value})"


def inline_html(value: Text | None) -> str:
    """Curated text in both languages, escaped for inline HTML that Markdown leaves alone (badges, labels, summaries)."""
    if value is None:
        return ""
    return bi(markup.html_text(value.zh) if value.zh else None, markup.html_text(value.en) if value.en else None)


def day(iso: str) -> str:
    """A date (``2020-01-27``) as HTML that a narrow screen never breaks at its hyphens (``time`` is ``nowrap`` in the
    stylesheet)."""
    return f'<time datetime="{iso}">{iso}</time>'


def plain(zh: str, en: str) -> str:
    """Plain text for places that cannot hold markup (alt, titles, options): the edition's language, or both."""
    language = _EDITION.get()
    if language is not None:
        return (zh if language == "zh" else en) or zh or en
    return f"{zh} · {en}"


def text(value: Text | None) -> str:
    """Curated text in both languages, escaped for inline Markdown."""
    if value is None:
        return ""
    return bi(markup.text(value.zh) if value.zh else None, markup.text(value.en) if value.en else None)


#: The title of the link beside each heading (Python-Markdown's toc ``permalink_title``) in each edition's
#: language; the bilingual site keeps toc's own default, the English one.
PERMALINK_TITLES = {"zh": "永久链接", "en": "Permanent link"}
#: Material's footer credit, "Made with <a>Material for MkDocs</a>", in each edition's language: the text
#: before the link and after it (``overrides/partials/copyright.html``).
MADE_WITH = {"zh": ("本站使用", "构建"), "en": ("Made with", "")}
#: The footer's request to readers (``overrides/partials/copyright.html``), linked to where the guide is kept.
REPORT = ("发现错误或失效链接？请告诉我们", "Found a mistake or a dead link? Tell us")


def footer_report(repository: str | None) -> dict[str, str] | None:
    """The footer's link for readers to report a mistake, in the edition being rendered: to ``repository``'s issue
    forms on GitHub (the guide's "Suggest a resource" among them), else to ``repository`` itself; None without one."""
    if not repository:
        return None
    where = repository.rstrip("/")
    if urlsplit(where).hostname == "github.com":
        where += "/issues/new/choose"
    return {"text": bi(*REPORT), "link": where}


#: The "not found" page (``overrides/404.html``) in each edition's language: its heading and the link home.
NOT_FOUND = {"zh": ("404 - 页面不存在", "返回首页"), "en": ("404 - Not found", "Go to the home page")}


def permalink_title(language: str | None = None) -> str:
    """The heading links' title in ``language`` (default: the edition being rendered)."""
    return PERMALINK_TITLES[language or edition() or "en"]


#: Shown where a how-to's link would be when the guide gives no address (each library has its own).
LOCAL_ADDRESS = ("你所在图书馆的地址：请向本馆咨询", "Your library's address — ask your library")
