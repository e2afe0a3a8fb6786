"""``openshelf init DIR``: a new guide repository for another library, ready to build and test.

The files come from the templates in ``starter/`` (package data, so an installed wheel needs no
file of OpenShelf's own repository), filled in from :class:`Settings`: ``@@NAME@@`` marks a value.
``render`` is pure; ``create`` writes the tree beside ``DIR`` first and moves it into place only
once the new guide has loaded without a problem, so a failure leaves nothing half-made.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import shutil
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError

from openshelf.curate.append import slugify
from openshelf.curate.export import COLUMNS, entry_row
from openshelf.curate.fmt import format_text
from openshelf.curate.issueform import generate
from openshelf.curate.roundtrip import dump_rt, load_rt
from openshelf.fsutil import write_atomic
from openshelf.guide.load import load_guide
from openshelf.guide.models import SLUG, Entry, HttpUrl, Site
from openshelf.links.guard import AddressGuard
from openshelf.schemas import all_schema_files

STARTER = Path(__file__).parent / "starter"
#: The languages a guide's text can be written in (the fields of ``Text``).
LANGUAGES = ("zh", "en")
FORM = ".github/ISSUE_TEMPLATE/suggest-resource.yml"
SOURCES = "guides/_sources.yml"
CSV_TEMPLATE = "guides/templates/resources.csv"
#: Template file in ``starter/`` → where it goes in the new repository (no dot-files in package data).
TEMPLATES = {
    "Makefile": "Makefile",
    "mkdocs.yml": "mkdocs.yml",
    "gitignore": ".gitignore",
    "README.md": "README.md",
    "github/workflows/ci.yml": ".github/workflows/ci.yml",
    "github/workflows/suggest-resource.yml": ".github/workflows/suggest-resource.yml",
    "github/workflows/links-weekly.yml": ".github/workflows/links-weekly.yml",
    "github/workflows/links-pr.yml": ".github/workflows/links-pr.yml",
    "github/workflows/sources.yml": ".github/workflows/sources.yml",
    "github/dependabot.yml": ".github/dependabot.yml",
    "github/ISSUE_TEMPLATE/suggest-resource.yml": FORM,
}
#: The starter collection's categories: the shared emergency guide's keys, so subscribed entries land in the same ones.
CATEGORIES = {
    "document-delivery": {"zh": "文献传递", "en": "Document delivery"},
    "reference": {"zh": "参考咨询", "en": "Reference services"},
    "research-support": {"zh": "科研支持", "en": "Research support"},
    "learning": {"zh": "信息素养与在线学习", "en": "Information literacy and learning"},
    "notices": {"zh": "通知与推送", "en": "News and notices"},
}
#: The names of the tags the starter entries use (``starter/guides/services.yml``): a guide that names its tags, or
#: subscribes to one that does, is warned of a tag it leaves unnamed.
TAGS = {
    "document-delivery": {"zh": "文献传递", "en": "Document delivery"},
    "reference": {"zh": "参考咨询", "en": "Reference"},
    "research-support": {"zh": "科研支持", "en": "Research support"},
    "novelty-search": {"zh": "科技查新", "en": "Novelty search"},
    "theses": {"zh": "学位论文", "en": "Theses"},
    "information-literacy": {"zh": "信息素养", "en": "Information literacy"},
    "news": {"zh": "新闻与通知", "en": "News"},
}
_PLACEHOLDER = re.compile(r"@@([A-Z_]+)@@")
_URL: TypeAdapter[str] = TypeAdapter(HttpUrl)
#: MkDocs themes put site_name and site_description into the HTML unescaped (in <title> and in attributes).
_NOT_IN_NAMES = re.compile(r'[<>"\x00-\x1f\x7f\u2028\u2029]')


@dataclass(frozen=True)
class Settings:
    """What the new guide is: its id, name and publisher (language → text), languages, and so on."""

    id: str
    name: Mapping[str, str]
    languages: tuple[str, ...] = LANGUAGES
    publisher: Mapping[str, str] = field(default_factory=dict)
    url: str | None = None
    license: str | None = None
    subscribe: tuple[str, ...] = ()
    #: HOST[:PORT] each subscription may fetch from although private (``allow_hosts`` in ``_sources.yml``).
    allow_hosts: tuple[str, ...] = ()
    #: A subscribed address → the id its export gives its guide (known once fetched): the source's id.
    source_names: Mapping[str, str] = field(default_factory=dict)


def parse_languages(text: str) -> tuple[str, ...]:
    """``"zh,en"`` → ``("zh", "en")``; raises ValueError naming what is wrong."""
    codes = tuple(dict.fromkeys(code.strip().lower() for code in re.split(r"[,;\s]+", text) if code.strip()))
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown or not codes:
        raise ValueError(f"{', '.join(unknown) or 'none given'}: a guide is written in {' and/or '.join(LANGUAGES)} (e.g. zh,en)")
    return codes


def default_id(name: Mapping[str, str], publisher: Mapping[str, str]) -> str:
    """An id from the English name (or publisher); '' when both are Chinese only."""
    return slugify(name.get("en") or publisher.get("en") or "")


def problems(settings: Settings) -> list[str]:
    """What is wrong with ``settings``, one message per option (empty when they are fine)."""
    out = []
    if not re.match(SLUG, settings.id) or len(settings.id) > 64:
        out.append(f"--id: {settings.id!r} is not a slug: lowercase letters, digits and single hyphens, e.g. city-library")
    if not any(settings.name.get(lang) for lang in settings.languages):
        out.append(f"--name-{settings.languages[0]}: the guide needs a name in {' or '.join(settings.languages)}")
    for option, values in (("name", settings.name), ("publisher", settings.publisher)):
        for lang, value in values.items():
            if _NOT_IN_NAMES.search(value):
                out.append(f"--{option}-{lang}: {value!r} has a line break or one of < > \" (the name goes into the pages' "
                           "HTML as it is, through mkdocs.yml's site_name)")
    for option, url in [("--url", settings.url), *(("--subscribe", u) for u in settings.subscribe)]:
        if url is not None:
            try:
                _URL.validate_python(url)
            except ValidationError as exc:
                out.append(f"{option}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}")
    for host in settings.allow_hosts:
        try:
            AddressGuard.from_options([host])
        except ValueError as exc:
            out.append(f"--allow-host: {exc}: give HOST or HOST:PORT, e.g. 192.168.1.20:8000")
    if settings.allow_hosts and not settings.subscribe:
        out.append("--allow-host: only a subscription (--subscribe) fetches anything")
    if not out:  # what else the schema asks of the site settings (lengths, the licence)
        try:
            Site.model_validate(site_data(settings))
        except ValidationError as exc:
            out += [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return out


def _text(values: Mapping[str, str], languages: Sequence[str]) -> dict[str, str] | None:
    text = {lang: values[lang] for lang in LANGUAGES if lang in languages and values.get(lang)}
    return text or None


def _both(text: Mapping[str, str] | None) -> str:
    return " · ".join(dict.fromkeys(text.values())) if text else ""


def _names(text: Mapping[str, str] | None) -> tuple[str, str]:
    """A name for Chinese and one for English sentences (the other language's when one is missing); '' for none."""
    text = text or {}
    return text.get("zh") or text.get("en") or "", text.get("en") or text.get("zh") or ""


def site_data(settings: Settings) -> dict[str, Any]:
    """The new ``guides/_site.yml`` as data."""
    name = _text(settings.name, settings.languages) or {}
    publisher = _text(settings.publisher, settings.languages)
    zh, en = _names(publisher)
    description = {
        "zh": f"{zh}为读者整理的指南：图书馆的服务，以及推荐的学术资源。",
        "en": f"A guide for readers{' from ' + en if en else ''}: the library's services and the scholarly resources it recommends.",
    }
    data: dict[str, Any] = {"title": name, "description": _text(description, settings.languages), "id": settings.id}
    if publisher:
        data["publisher"] = publisher
    if settings.url:
        data["url"] = settings.url
    if settings.license:
        data["license"] = settings.license
    data["languages"] = list(settings.languages)
    data["categories"] = {key: _text(label, settings.languages) for key, label in CATEGORIES.items()}
    data["tags"] = {key: _text(label, settings.languages) for key, label in TAGS.items()}
    return data


def unique_id(base: str, taken: Collection[str]) -> str:
    """``base``, or ``base-2``, ``base-3`` … the first not in ``taken``, at most 64 characters (a valid id)."""
    source_id, n = base, 1
    while source_id in taken:
        n += 1
        suffix = f"-{n}"
        source_id = base[:64 - len(suffix)].rstrip("-") + suffix
    return source_id


def sources_data(settings: Settings) -> dict[str, Any] | None:
    """``guides/_sources.yml`` subscribing to each ``--subscribe`` address, or None for none.  Each source is named
    after the id the subscribed guide gives itself in its export (``source_names``), or, not fetched, after the
    address's host; made unique (``-2`` …) against the new guide's id and the sources before it."""
    sources: list[dict[str, Any]] = []
    for url in settings.subscribe:
        base = (slugify(settings.source_names.get(url, ""), 60) or slugify((urlsplit(url).hostname or "").replace(".", " "), 60)
                or "source")
        source: dict[str, Any] = {"id": unique_id(base, {s["id"] for s in sources} | {settings.id}), "url": url}
        if settings.allow_hosts:
            source["allow_hosts"] = list(settings.allow_hosts)
        sources.append(source)
    return {"sources": sources} if sources else None


def starter_collection(settings: Settings) -> str:
    """``guides/services.yml``: the starter services in the guide's languages, with the publisher as provider."""
    doc = load_rt((STARTER / "guides" / "services.yml").read_text(encoding="utf-8"))
    provider = _text(settings.publisher, settings.languages)
    for mapping in [doc, *doc["entries"]]:
        for key in ("title", "description"):
            for lang in LANGUAGES:
                if lang not in settings.languages:
                    del mapping[key][lang]
        if provider and mapping is not doc:
            mapping["provider"] = dict(provider)  # a copy each: one shared object would be written as a YAML anchor
    return format_text(dump_rt(doc), "collection")


def _yaml_file(data: Mapping[str, Any], schema: str) -> str:
    text = dump_rt(dict(data))
    return f"# yaml-language-server: $schema=_schema/{schema}.schema.json\n" + (format_text(text, "site") if schema == "site" else text)


def pinned_requirements(dist: str = "openshelf") -> list[str]:
    """``name==version`` of every distribution ``dist`` needs, as installed here, sorted; ``dist`` itself left out.

    Requirements are followed through the installed metadata, markers and extras evaluated for this
    environment, so a requirement that does not apply here (another platform's) is not pinned.
    """
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str]]] = [(dist, frozenset())]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if (key, extras) in seen:
            continue
        seen.add((key, extras))
        try:
            found = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if key != canonicalize_name(dist):
            pins[key] = f"{key}=={found.version}"
        for text in found.requires or []:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate({"extra": extra}) for extra in (extras or {""})):
                todo.append((req.name, frozenset(req.extras)))
    return [pins[k] for k in sorted(pins)]


def constraints_text(version: str, pins: Sequence[str]) -> str:
    return (f"# The versions of OpenShelf {version}'s dependencies that `openshelf init` ran with; `make`\n"
            "# installs exactly these (pip/uv --constraint), so every machine builds the same site.\n"
            + "".join(f"{pin}\n" for pin in pins))


def csv_template(entry: Entry) -> str:
    """The spreadsheet template ``openshelf import --help`` names: the import columns and ``entry`` as the example row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(entry_row(entry))
    return "\ufeff" + out.getvalue()  # a byte-order mark, so Excel opens it as UTF-8


def _fill(template: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def about_pages(languages: Sequence[str]) -> dict[str, str]:
    """The About page of each edition (a site per language): the main language's is ``docs/about.md``,
    the others' ``docs/about.<code>.md`` (mkdocs-static-i18n's suffixes, as :mod:`openshelf.site.editions` reads them)."""
    return {f"docs/about.{code}.md": "docs/about.md" if i == 0 else f"docs/about.{code}.md" for i, code in enumerate(languages)
            if (STARTER / "docs" / f"about.{code}.md").is_file()}


def _ui(zh: str, en: str, languages: Sequence[str]) -> str:
    return _both(_text({"zh": zh, "en": en}, languages))


def render(settings: Settings, version: str, pins: Sequence[str]) -> dict[str, str]:
    """Every file of the new repository but the issue form's choices (path → text); pure."""
    langs = settings.languages
    name = _text(settings.name, langs) or {}
    publisher = _text(settings.publisher, langs)
    site = site_data(settings)
    values = {
        "TITLE": _both(name),
        "VERSION": version,
        "UV_VERSION": "0.13.9",
        "SITE_NAME": json.dumps(_both(name), ensure_ascii=False),
        "SITE_DESCRIPTION": json.dumps(_both(site["description"]), ensure_ascii=False),
        "SITE_URL": json.dumps(settings.url or "http://127.0.0.1:8000/"),
        "LANGUAGE": langs[0],
        "SEARCH_LANGUAGES": json.dumps(list(langs)),
        "DARK_MODE": json.dumps(_ui("切换到深色模式", "Dark mode", langs), ensure_ascii=False),
        "LIGHT_MODE": json.dumps(_ui("切换到浅色模式", "Light mode", langs), ensure_ascii=False),
        "PUBLISHER_LINE": f"Maintained by {_both(publisher)}." if publisher else "",
    }
    files = {}
    for template, target in TEMPLATES.items():
        text = (STARTER / template).read_text(encoding="utf-8")
        files[target] = _fill(text, values)
    for template, target in about_pages(langs).items():
        files[target] = (STARTER / template).read_text(encoding="utf-8")
    files["constraints.txt"] = constraints_text(version, pins)
    files["guides/_site.yml"] = _yaml_file(site, "site")
    files["guides/services.yml"] = starter_collection(settings)
    sources = sources_data(settings)
    if sources:
        files[SOURCES] = _yaml_file(sources, "sources")
    schemas = all_schema_files()  # what `openshelf schema` writes
    files.update({f"guides/_schema/{file}": text for file, text in schemas.items()})
    return files


class NotEmpty(Exception):
    """``DIR`` exists and is not an empty folder."""


def refusal(root: Path) -> str | None:
    """Why ``root`` cannot take a new guide (it exists and is not an empty folder), or None."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        return f"{root} is {'not a folder' if not root.is_dir() else 'not empty'}: give a new or empty folder"
    return None


def create(root: Path, settings: Settings, version: str, pins: Sequence[str]) -> list[str]:
    """Write the new repository into ``root`` (absent or an empty folder); the paths written, sorted.

    Raises :class:`NotEmpty` when ``root`` holds anything (nothing is ever overwritten) and
    ``OSError`` when the files cannot be written (then nothing is left behind).
    """
    problem = refusal(root)
    if problem:
        raise NotEmpty(problem)
    files = render(settings, version, pins)
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = root.parent / f".{root.name}.init-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        for path, text in files.items():
            if path != SOURCES:  # written after the check: a subscription has no snapshot until `make sources`
                write_atomic(tmp / path, text)
        guide, diagnostics = load_guide(tmp / "guides")
        if guide is None or diagnostics:  # the templates are wrong: a bug in OpenShelf, not the user's
            raise RuntimeError("the new guide does not validate:\n" + "\n".join(d.format() for d in diagnostics))
        write_atomic(tmp / FORM, generate(files[FORM], guide))
        write_atomic(tmp / CSV_TEMPLATE, csv_template(guide.entries[0]))
        if SOURCES in files:
            write_atomic(tmp / SOURCES, files[SOURCES])
        if root.exists():  # an empty folder (perhaps the working directory): move the contents in
            for child in sorted(tmp.iterdir()):
                child.rename(root / child.name)
            tmp.rmdir()
        else:
            tmp.rename(root)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return sorted([*files, CSV_TEMPLATE])
