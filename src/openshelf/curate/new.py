"""``openshelf new``: one entry from flags or prompts, appended to a collection and validated."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import ValidationError

from openshelf.guide.messages import describe
from openshelf.guide.models import LIST_FIELDS, SLUG, TEXT_FIELDS, Access, Entry, Kind, LinkCheck, Site, Status

#: Short help for the options; a field without one here is helped by its description in the model.
_HELP: dict[str, str] = {
    "id": "Entry id (default: made from the title, unique).",
    "kind": "|".join(get_args(Kind)) + " (how-to: a generic access method whose address each library supplies; --url optional).",
    "url": "The address readers open (http:// or https://); optional for --kind how-to.",
    "shares_url_with": "The id of the entry with the same url, reached from the same page.",
    "category": "A category key from _site.yml.",
    "tags": "Tags, separated by ';' or ','.",
    "access": "|".join(get_args(Access)),
    "status": "|".join(get_args(Status)),
    "available_from": "First day of a temporary program (YYYY-MM-DD).",
    "available_until": "Last day of a temporary program (YYYY-MM-DD).",
    "languages": "Language codes, e.g. 'zh;en'.",
    "aliases": "Other names readers may search for, separated by ';'.",
    "related": "Ids of related entries, separated by ';' or ','.",
    "distinct_from": "Ids of entries checked to be different despite a near-identical title, separated by ';' or ','.",
    "last_verified": "The date you confirmed the entry (YYYY-MM-DD).",
    "link_check": "|".join(get_args(LinkCheck)),
    "archive_url": "An archived copy shown when the link is broken.",
}
_LANGUAGES = {"zh": "Chinese", "en": "English"}


def _fields() -> list[tuple[str, tuple[str, ...], str]]:
    """One option per field of the model (two for a text field, one per language), in its order."""
    fields: list[tuple[str, tuple[str, ...], str]] = []
    for name, info in Entry.model_fields.items():
        option = name.replace("_", "-")
        if name in TEXT_FIELDS:
            label = name.replace("_", " ").capitalize()
            fields += [(f"{option}-{lang}", (name, lang), f"{label} in {language}.") for lang, language in _LANGUAGES.items()]
        else:
            fields.append((option, (name,), _HELP.get(name) or (info.description or name).split(". ")[0]))
    return fields


#: (option name, entry path, help).  Text fields have a zh and an en option.
FIELDS = _fields()
ACCESS_CHOICES = list(get_args(Access))


#: Language names as people write them → the codes ``languages`` holds (a code stays as it is).
LANGUAGE_WORDS = {
    **dict.fromkeys(("中文", "汉语", "漢語", "华文", "简体中文", "繁体中文", "chinese"), "zh"),
    **dict.fromkeys(("英文", "英语", "英語", "english"), "en"),
    **dict.fromkeys(("日文", "日语", "日本語", "japanese"), "ja"),
    **dict.fromkeys(("韩文", "韩语", "朝鲜语", "한국어", "korean"), "ko"),
    **dict.fromkeys(("法文", "法语", "français", "french"), "fr"),
    **dict.fromkeys(("德文", "德语", "deutsch", "german"), "de"),
    **dict.fromkeys(("西班牙文", "西班牙语", "español", "spanish"), "es"),
    **dict.fromkeys(("俄文", "俄语", "русский", "russian"), "ru"),
}


def language_codes(items: list[str]) -> list[str]:
    """``[中文, English, ja]`` → ``[zh, en, ja]``."""
    return [LANGUAGE_WORDS.get(item.casefold(), item) for item in items]


def tag_slugs(items: list[str], site: Site) -> list[str]:
    """Tags as people write them (``电子书``, ``E-books``, ``ebooks``) → the guide's tag slugs: a slug
    stays; a label from ``_site.yml``'s ``tags`` gives its slug; anything else becomes a slug (pinyin for Chinese)."""
    from openshelf.curate.append import slugify

    by_label = {label.casefold(): slug for slug, text in site.tags.items() for label in (text.zh, text.en) if label}
    return [item if re.match(SLUG, item) else by_label.get(item.casefold()) or slugify(item, 64) or item for item in items]


def split_list(value: str) -> list[str]:
    """``a; b`` / ``a；b`` / ``a, b`` / ``a，b`` / ``a、b`` → ``[a, b]``; semicolons win, so names with commas survive."""
    parts = re.split(r"[;；]", value) if re.search(r"[;；]", value) else re.split(r"[,，、]", value)
    return [p.strip() for p in parts if p.strip()]


def entry_data(values: Mapping[str, str | None]) -> dict[str, Any]:
    """Option values (by option name) → the entry's data, empty values left out."""
    data: dict[str, Any] = {}
    for option, path, _ in FIELDS:
        value = values.get(option)
        if value is None or not str(value).strip():
            continue
        value = str(value).strip()
        if path[0] == "languages":
            data[path[0]] = language_codes(split_list(value))
        elif path[0] in LIST_FIELDS:
            data[path[0]] = split_list(value)
        elif len(path) == 2:
            data.setdefault(path[0], {})[path[1]] = value
        else:
            data[path[0]] = value
    return data


def missing_required(data: Mapping[str, Any]) -> list[str]:
    """The options a curator still has to give: a title, the URL (unless a how-to), a description, category, access."""
    missing = []
    if not data.get("title"):
        missing.append("--title-zh or --title-en")
    if not data.get("url") and data.get("kind") != "how-to":
        missing.append("--url")
    if not data.get("description"):
        missing.append("--description-zh or --description-en")
    if not data.get("category"):
        missing.append("--category")
    if not data.get("access"):
        missing.append("--access")
    return missing


_OPTION_OF = {".".join(path): option for option, path, _ in FIELDS}


def schema_problems(data: Mapping[str, Any]) -> list[str]:
    """What the schema says about one entry, as ``--option: message`` lines."""
    try:
        Entry.model_validate(data)
    except ValidationError as exc:
        out = []
        for error in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in error["loc"] if not isinstance(p, int))
            option = _OPTION_OF.get(loc) or _OPTION_OF.get(loc.split(".")[0]) or (loc.split(".")[0].replace("_", "-") if loc else "")
            message = describe(error)
            out.append(f"--{option}: {message}" if option else message)
        return out
    return []


def interactive() -> bool:
    """Whether to ask for missing fields: only when a person is at the terminal."""
    return sys.stdin.isatty()
