"""``openshelf new``: one entry from flags or prompts, appended to a collection and validated."""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import ValidationError
from pydantic_core import PydanticUndefined

from openshelf.curate.export import COLUMN_BY_NAME, COLUMN_LIST
from openshelf.guide.messages import describe
from openshelf.guide.models import SLUG, Access, Entry, Kind, LinkCheck, Site, Status

#: Short help for the options; a field without one here is helped by its description in the model.
_HELP: dict[str, str] = {
    "id": "Entry id (default: made from the title, unique).",
    "kind": "|".join(get_args(Kind)) + " (how-to: a generic access method whose address each library supplies; --url optional).",
    "url": "The address readers open (http:// or https://); optional for --kind how-to.",
    "shares_url_with": "The id of the entry with the same url, reached from the same page.",
    "category": "A category key from _site.yml.",
    "tags": "Tags, separated by ';' or ',': slugs or words (a label in _site.yml gives its slug; other words become slugs, pinyin for Chinese).",
    "access": "|".join(get_args(Access)),
    "status": "|".join(get_args(Status)),
    "available_from": "First day of a temporary program (YYYY-MM-DD).",
    "available_until": "Last day of a temporary program (YYYY-MM-DD).",
    "languages": "Language codes, e.g. 'zh;en'.",
    "aliases": "Other names readers may search for, separated by ';'.",
    "related": "Ids of related entries, separated by ';' or ','.",
    "distinct_from": "Ids of entries checked to be different despite a near-identical title, separated by ';' or ','.",
    "last_verified": "The date you confirmed the entry (YYYY-MM-DD); 'openshelf verify' records a check later.",
    "verified_by": "Who made that check (needs --last-verified).",
    "evidence": "The http(s) address(es) of the page(s) the check looked at, separated by ';'.",
    "verification_note": "What the evidence stated, for the next person who checks.",
    "link_check": "|".join(get_args(LinkCheck)),
    "archive_url": "An archived copy shown when the link is broken.",
}
_LANGUAGES = {"zh": "Chinese", "en": "English"}


def _fields() -> list[tuple[str, tuple[str, ...], str]]:
    """One option per import column (two for a text field, one per language; one per field of a nested model), in the model's order."""
    fields: list[tuple[str, tuple[str, ...], str]] = []
    for column in COLUMN_LIST:
        *outer, leaf = column.path
        if outer and leaf in _LANGUAGES:  # a text field's language
            help_text = f"{' '.join(outer).replace('_', ' ').capitalize()} in {_LANGUAGES[leaf]}."
        else:
            help_text = _HELP.get(column.name) or (column.info.description or column.name).split(". ")[0]
        fields.append((column.name.replace("_", "-"), column.path, help_text))
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


def worded_tags(items: list[str], site: Site) -> tuple[list[str], dict[str, str]]:
    """:func:`tag_slugs`, the one rule of ``new --tags``, ``new --from-issue`` and ``import``; and each new slug a word
    became that ``_site.yml`` does not name → that word, for the ``tags:`` labels to paste (an item that gives no slug,
    ``мир``, stays as written, for the schema to refuse by name)."""
    slugs = tag_slugs(items, site)
    worded = {slug: written for written, slug in zip(items, slugs, strict=True)
              if written != slug and slug not in site.tags and re.match(SLUG, slug)}
    return slugs, worded


def split_list(value: str) -> list[str]:
    """``a; b`` / ``a；b`` / ``a, b`` / ``a，b`` / ``a、b`` → ``[a, b]``; semicolons win, so names with commas survive."""
    parts = re.split(r"[;；]", value) if re.search(r"[;；]", value) else re.split(r"[,，、]", value)
    return [p.strip() for p in parts if p.strip()]


def entry_data(values: Mapping[str, str | None], base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Option values (by option name) → the entry's data, empty values left out.

    With ``base`` (an existing entry's values, for ``import --update``): ``base`` with each option
    in ``values`` applied, so an empty value empties its field (or gives it its default) and an
    option ``values`` does not name leaves its field as it was.
    """
    data: dict[str, Any] = copy.deepcopy(dict(base)) if base is not None else {}
    for option, path, _ in FIELDS:
        if option not in values:
            continue
        raw = values[option]
        value = str(raw).strip() if raw is not None else ""
        if not value and base is None:
            continue
        column = COLUMN_BY_NAME[option.replace("-", "_")]
        if column.is_list:
            items = split_list(value)
            leaf: Any = language_codes(items) if path[-1] == "languages" else items
        elif value:
            leaf = value
        else:
            default = column.info.get_default(call_default_factory=True)
            leaf = None if default is PydanticUndefined else default
        target = data
        for name in path[:-1]:
            inner = target.get(name)
            target[name] = dict(inner) if isinstance(inner, Mapping) else {}
            target = target[name]
        target[path[-1]] = leaf
    return {key: _pruned(value) for key, value in data.items()}


def _pruned(value: Any) -> Any:
    """A nested mapping left with nothing in it (a text without zh or en) is no value at all."""
    if isinstance(value, Mapping):
        inner = {k: _pruned(v) for k, v in value.items()}
        return inner if any(v is not None for v in inner.values()) else None
    return value


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
            # an item of a list (--tags "a, 电子书"): name the item, so that each message says which
            item = next((p for p in error["loc"] if isinstance(p, int)), None)
            value = error.get("input")
            if item is not None and isinstance(value, str):
                message = f"'{value}' {message}"
            line = f"--{option}: {message}" if option else message
            if line not in out:
                out.append(line)
        return out
    return []


def interactive() -> bool:
    """Whether to ask for missing fields: only when a person is at the terminal."""
    return sys.stdin.isatty()
