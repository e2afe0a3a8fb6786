"""``openshelf new``: one entry from flags or prompts, appended to a collection and validated."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import ValidationError

from openshelf.guide.messages import describe
from openshelf.guide.models import LIST_FIELDS, Access, Entry, Kind, LinkCheck, Status

#: (option name, entry path, help).  Text fields have a zh and an en option.
FIELDS: list[tuple[str, tuple[str, ...], str]] = [
    ("id", ("id",), "Entry id (default: made from the title, unique)."),
    ("title-zh", ("title", "zh"), "Title in Chinese."),
    ("title-en", ("title", "en"), "Title in English."),
    ("kind", ("kind",), "|".join(get_args(Kind)) + " (how-to: a generic access method whose address each library supplies; --url optional)."),
    ("url", ("url",), "The address readers open (http:// or https://); optional for --kind how-to."),
    ("description-zh", ("description", "zh"), "Description in Chinese."),
    ("description-en", ("description", "en"), "Description in English."),
    ("category", ("category",), "A category key from _site.yml."),
    ("tags", ("tags",), "Tags, separated by ';' or ','."),
    ("access", ("access",), "|".join(get_args(Access))),
    ("status", ("status",), "|".join(get_args(Status))),
    ("available-from", ("available_from",), "First day of a temporary program (YYYY-MM-DD)."),
    ("available-until", ("available_until",), "Last day of a temporary program (YYYY-MM-DD)."),
    ("provider-zh", ("provider", "zh"), "Provider in Chinese."),
    ("provider-en", ("provider", "en"), "Provider in English."),
    ("languages", ("languages",), "Language codes, e.g. 'zh;en'."),
    ("aliases", ("aliases",), "Other names readers may search for, separated by ';'."),
    ("related", ("related",), "Ids of related entries, separated by ';' or ','."),
    ("distinct-from", ("distinct_from",), "Ids of entries checked to be different despite a near-identical title, separated by ';' or ','."),
    ("last-verified", ("last_verified",), "The date you confirmed the entry (YYYY-MM-DD); 'openshelf verify' records a check later."),
    ("verified-by", ("verified_by",), "Who made that check (needs --last-verified)."),
    ("evidence", ("evidence",), "The http(s) address(es) of the page(s) the check looked at, separated by ';'."),
    ("verification-note", ("verification_note",), "What the evidence stated, for the next person who checks."),
    ("link-check", ("link_check",), "|".join(get_args(LinkCheck))),
    ("archive-url", ("archive_url",), "An archived copy shown when the link is broken."),
]
ACCESS_CHOICES = list(get_args(Access))


def split_list(value: str) -> list[str]:
    """``a; b`` / ``a；b`` / ``a, b`` / ``a，b`` → ``[a, b]``; semicolons win, so names with commas survive."""
    parts = re.split(r"[;；]", value) if re.search(r"[;；]", value) else re.split(r"[,，]", value)
    return [p.strip() for p in parts if p.strip()]


def entry_data(values: Mapping[str, str | None]) -> dict[str, Any]:
    """Option values (by option name) → the entry's data, empty values left out."""
    data: dict[str, Any] = {}
    for option, path, _ in FIELDS:
        value = values.get(option)
        if value is None or not str(value).strip():
            continue
        value = str(value).strip()
        if path[0] in LIST_FIELDS:
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
