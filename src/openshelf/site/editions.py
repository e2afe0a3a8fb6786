"""A site per language: which editions a guide has, where each lives, and what changes in MkDocs'
configuration from one edition to the next.

The languages of ``guides/_site.yml`` (``languages:``) are the editions, in order; the first is
the main edition, built at the site's root, and every other one is built under ``/<code>/``
(``/en/databases/#cnki``), the layout of mkdocs-static-i18n.  Each edition is a complete MkDocs
build: Material's interface in its language (``theme.language``), its own navigation, sitemap and
search index.  Hand-written pages follow mkdocs-static-i18n's suffix convention: ``about.zh.md``
is ``about.md`` in the Chinese edition; ``about.md`` is the page of every edition that has none.
Pure, except :func:`localize_docs`, which reads nothing but builds MkDocs ``File`` objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from openshelf.guide.models import Site
from openshelf.site import markup
from openshelf.site.bilingual import EDITION_LANGUAGES, MADE_WITH, NOT_FOUND, PERMALINK_TITLES, language_name

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files

#: Material's language codes for the editions (``theme.language``).
THEME_LANGUAGES = {"zh": "zh", "en": "en"}
#: Open Graph locales of the editions.
LOCALES = {"zh": "zh_CN", "en": "en_US"}
_SUFFIXED = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2,3})\.md$")


def languages(site: Site) -> list[str]:
    """The guide's editions, main first (validation allows only :data:`EDITION_LANGUAGES`, those of the text fields)."""
    return list(site.languages)


def folder(language: str, editions: Sequence[str]) -> str:
    """Where an edition lives, relative to the site's root: "" for the main one, ``en/`` for the others."""
    return "" if language == editions[0] else f"{language}/"


def alternates(editions: Sequence[str], page_url: str, site_url: str | None) -> list[dict[str, str]]:
    """The page in every edition, for Material's language selector (``extra.alternate``) and its
    ``hreflang`` links: ``lang``, ``name`` (in its own language), ``locale`` (Open Graph's) and
    ``link``, an absolute path from ``site_url``'s path (MkDocs' ``url`` filter leaves those alone:
    one edition's relative link cannot climb out of the other's root)."""
    base = urlsplit(site_url or "/").path.rstrip("/") + "/"
    return [{"lang": code, "name": language_name(code, code), "locale": LOCALES[code],
             "link": base + folder(code, editions) + ("" if page_url in (".", "./") else page_url)} for code in editions]


def template_values(editions: Sequence[str], language: str, root_url: str | None) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """What the template (``overrides/main.html``) needs to place a page of the ``language`` edition
    among the others, the same on both build paths: ``config.extra.openshelf``'s ``locale``,
    ``main_edition``, ``made_with`` (the footer's credit to Material, in the edition's language), ``not_found``
    (the 404 page's heading and link home) and, in the main edition, ``not_found_elsewhere`` (the same in each other
    edition's language, with its root: the main edition's 404 page is served for a missing address in any edition),
    ``root`` (from this edition's root to the site's, for the service worker) and
    ``edition_roots`` (each edition's root; the template adds the page's address), and Material's
    language selector (``config.extra.alternate``), whose ``hreflang`` links name each edition's
    root: its script looks for a ``sitemap.xml`` beside each, and there is one per edition."""
    where = folder(language, editions)
    ours: dict[str, Any] = {"locale": LOCALES[language], "main_edition": not where, "made_with": list(MADE_WITH[language]),
                            "not_found": list(NOT_FOUND[language])}
    if where:
        ours["root"] = "../" * where.count("/")
    if len(editions) < 2:
        return ours, []
    roots = alternates(editions, ".", root_url)
    ours["edition_roots"] = roots
    if not where:  # the main edition's 404 page is the one a host (GitHub Pages) serves for every missing address
        ours["not_found_elsewhere"] = [{"lang": r["lang"], "link": r["link"], "heading": NOT_FOUND[r["lang"]][0],
                                        "home": NOT_FOUND[r["lang"]][1]} for r in roots if r["lang"] != language]
    return ours, [{"name": a["name"], "link": a["link"], "lang": a["lang"]} for a in roots]


def _one_language(value: str, language: str) -> str:
    """``中文 · English`` (the bilingual convention of mkdocs.yml's labels) → the edition's part."""
    parts = [p.strip() for p in value.split(" · ")]
    if len(parts) != 2:
        return value
    han = [bool(re.search(r"[\u4e00-\u9fff]", p)) for p in parts]
    if han[0] == han[1]:
        return value
    zh, en = (parts[0], parts[1]) if han[0] else (parts[1], parts[0])
    return zh if language == "zh" else en


def names(site: Site) -> dict[str, dict[str, str]]:
    """The site's title and description per language (``titles``, ``descriptions``), for :func:`settings`;
    escaped, as Material writes ``site_name`` into its pages as it is."""
    return {"titles": {k: markup.attr(v) for k, v in (("zh", site.title.zh), ("en", site.title.en)) if v},
            "descriptions": {k: markup.attr(v) for k, v in (("zh", site.description and site.description.zh),
                                                            ("en", site.description and site.description.en)) if v}}


def settings(config: MkDocsConfig, extra: Mapping[str, Any], language: str, site_url: str | None, site_dir: str) -> dict[str, Any]:
    """The configuration values of an edition: where it is written and published, Material's
    language, the site's name and description from the guide (``extra``: :func:`names`), the
    palette toggles' labels."""
    name = toc_name(config.markdown_extensions)
    own = (config.mdx_configs.get(name) or {}).get("permalink_title") if name else None
    return values_for(config.theme.get("palette"), config.site_name, config.site_description, extra, language, site_url, site_dir,
                      own if isinstance(own, str) else None)


def toc_name(extensions: Sequence[Any]) -> str | None:
    """The name the toc extension (the links beside headings) goes by in ``markdown_extensions``, if listed."""
    names = [item if isinstance(item, str) else next(iter(item), None) for item in extensions]
    return next((name for name in names if name in ("toc", "markdown.extensions.toc")), None)


def own_permalink_title(extensions: Sequence[Any]) -> str | None:
    """The toc extension's ``permalink_title`` as ``markdown_extensions`` (written as in ``mkdocs.yml``) sets it, if it does."""
    for item in extensions:
        if isinstance(item, Mapping) and toc_name([item]) is not None:
            options = next(iter(item.values()))
            title = options.get("permalink_title") if isinstance(options, Mapping) else None
            return title if isinstance(title, str) else None
    return None


def with_permalink_title(extensions: Sequence[Any], title: str) -> list[Any]:
    """``markdown_extensions`` (as in ``mkdocs.yml``) with toc's ``permalink_title`` set to ``title``."""
    out: list[Any] = []
    for item in extensions:
        name = toc_name([item])
        if name is None:
            out.append(item)
        else:
            options = next(iter(item.values())) if isinstance(item, Mapping) else None
            out.append({name: {**(options if isinstance(options, Mapping) else {}), "permalink_title": title}})
    return out


def values_for(palette: Any, site_name: str, site_description: str | None, extra: Mapping[str, Any], language: str,
               site_url: str | None, site_dir: str, permalink_title: str | None = None) -> dict[str, Any]:
    """:func:`settings` from the values as ``mkdocs.yml`` writes them (``openshelf build`` stages a plain mapping);
    ``permalink_title``: the site's own, which every edition keeps (else the edition's language's)."""
    if isinstance(palette, list):
        palette = [{**p, "toggle": {**p["toggle"], "name": _one_language(str(p["toggle"].get("name", "")), language)}}
                   if isinstance(p, Mapping) and isinstance(p.get("toggle"), Mapping) else p for p in palette]
    # escaped, as the guide's names are (names()): mkdocs.yml's own where the guide has none
    title = extra.get("titles", {}).get(language) or markup.attr(site_name)
    description = extra.get("descriptions", {}).get(language) or (markup.attr(site_description) if site_description else site_description)
    return {"site_dir": site_dir, "site_url": site_url, "site_name": title,
            "site_description": description, "palette": palette, "language": THEME_LANGUAGES[language],
            "permalink_title": permalink_title or PERMALINK_TITLES[language]}


def apply(config: MkDocsConfig, values: Mapping[str, Any]) -> dict[str, Any]:
    """Set an edition's values (:func:`settings`) on ``config``; returns the values they replaced."""
    old: dict[str, Any] = {}
    for key, value in values.items():
        if key == "permalink_title":  # toc's option: the title of the link beside each heading
            name = toc_name(config.markdown_extensions)
            if name is None:
                continue
            options = config.mdx_configs.setdefault(name, {})
            old[key] = options.get(key)
            if value is None:
                options.pop(key, None)
            else:
                options[key] = value
        elif key in ("palette", "language"):
            old[key] = config.theme.get(key)
            if value is not None:
                config.theme[key] = value
        else:
            old[key] = config[key]
            config[key] = value
    return old


def unlocalized(src_uri: str) -> str:
    """A hand-written page's name in every edition: ``about.en.md`` → ``about.md``."""
    match = _SUFFIXED.match(src_uri)
    return f"{match['stem']}.md" if match and match["lang"] in EDITION_LANGUAGES else src_uri


def localized(names: list[str], language: str | None) -> dict[str, str]:
    """Which hand-written page stands for which in one edition (``language`` None: the bilingual
    site): name in the site → file name in ``docs/``.  ``about.zh.md`` is ``about.md`` in the
    Chinese edition, where it replaces ``about.md`` (which stays for the editions that have no
    page of their own); other editions' pages are left out, and all of them on the bilingual site."""
    out = {name: name for name in names if unlocalized(name) == name}
    for name in names:
        if name != unlocalized(name) and name == f"{unlocalized(name).removesuffix('.md')}.{language}.md":
            out[unlocalized(name)] = name
    return out


def localize_folder(docs: Path, language: str | None) -> None:
    """:func:`localized` applied to a staged copy of ``docs/`` (``openshelf build``)."""
    names = [p.relative_to(docs).as_posix() for p in docs.rglob("*.md")]
    keep = localized(names, language)
    for name in names:
        if name not in keep.values():
            (docs / name).unlink()
    for name, source in keep.items():
        if name != source:
            (docs / source).replace(docs / name)


def localize_docs(files: Files, config: MkDocsConfig, language: str | None) -> None:
    """:func:`localized` applied to the files of a MkDocs build."""
    from mkdocs.structure.files import File

    pages = {f.src_uri: f for f in files.documentation_pages()}
    keep = localized(list(pages), language)
    for src_uri, file in pages.items():
        if src_uri not in keep.values() or unlocalized(src_uri) != src_uri:
            files.remove(file)
    for name, source in keep.items():
        if name != source:
            files.append(File.generated(config, name, abs_src_path=str(pages[source].abs_src_path), inclusion=pages[source].inclusion))
