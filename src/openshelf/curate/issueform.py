"""A filled GitHub issue form ("Suggest a resource") → the options of ``openshelf new``.

GitHub renders a submitted form as Markdown: one ``### Label`` heading per field, followed by the
answer (``_No response_`` when left empty).  Every label of our form ends with the option name in
square brackets, e.g. ``### 网址 · Address [url]``, so the mapping needs no table to keep in sync.
The dropdowns' options follow the same rule (``中文数据库 · Chinese databases [chinese-databases]``);
``generate`` rewrites them from the guide (``openshelf issueform``), keeping the rest of the form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, get_args

from openshelf.curate.roundtrip import dump_rt, load_rt
from openshelf.guide.models import ACCESS_LABELS, Access
from openshelf.untrusted import one_line

if TYPE_CHECKING:
    from openshelf.guide.load import Guide
    from openshelf.guide.models import Text

_HEADING = re.compile(r"^###\s+.*\[([a-z][a-z-]*)\]\s*$")
_OPTION_KEY = re.compile(r"\[([a-z0-9][a-z0-9-]*)\]$")
_EMPTY = {"_No response_", "None", ""}
DROPDOWNS = ("collection", "category", "access")
"""The form's fields whose answer is one option, labelled ``zh · en [key]``."""


def option(key: str, zh: str | None, en: str | None) -> str:
    """A dropdown option: its labels, then the key in brackets (what ``parse`` reads back)."""
    labels = " · ".join(text for text in (zh, en) if text)
    return f"{labels} [{key}]" if labels else key


def _text_option(key: str, text: Text) -> str:
    return option(key, text.zh, text.en)


def dropdown_options(guide: Guide, categories: Mapping[str, Text] | None = None) -> dict[str, list[str]]:
    """Field id → its options: collections and categories from the guide, access from the schema.

    ``categories``: those a new entry may use, when they are more than the guide's own (a guide's own entries may
    use the categories of the guides it subscribes to).
    """
    return {
        "collection": [_text_option(c.id, c.title) for c in guide.collections],
        "category": [_text_option(key, text) for key, text in (guide.site.categories if categories is None else categories).items()],
        "access": [option(key, *ACCESS_LABELS[key]) for key in get_args(Access)],
    }


def generate(form_text: str, guide: Guide, categories: Mapping[str, Text] | None = None) -> str:
    """The form's text with its dropdowns' options rewritten from ``guide`` (and ``categories``, see
    :func:`dropdown_options`); the rest kept as it is."""
    doc: Any = load_rt(form_text)
    options = dropdown_options(guide, categories)
    for item in doc.get("body") or []:
        if item.get("type") == "dropdown" and item.get("id") in options:
            item["attributes"]["options"] = options[item["id"]]
    return dump_rt(doc)


def option_key(answer: str) -> str:
    """The key of a chosen option (``中文数据库 · Chinese databases [chinese-databases]`` → the key); a bare key stays."""
    match = _OPTION_KEY.search(answer.strip())
    return match.group(1) if match else answer.strip()


def parse(body: str) -> dict[str, str | None]:
    """Option name → answer (None when empty).  Unknown text outside sections is ignored."""
    values: dict[str, str | None] = {}
    current: str | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            text = "\n".join(lines).strip()
            values[current] = None if text in _EMPTY else text

    for line in body.replace("\r\n", "\n").split("\n"):
        match = _HEADING.match(line.strip())
        if match:
            close()
            current, lines = match.group(1), []
        elif line.startswith("### "):
            close()
            current, lines = None, []
        elif current is not None:
            lines.append(line)
    close()
    for name in DROPDOWNS:
        answer = values.get(name)
        if answer is not None:
            values[name] = option_key(answer)
    return values


def labels(body: str) -> dict[str, str]:
    """Option name → its heading's label without the key (``网址 · Address``), to name a field as the suggester saw it."""
    found: dict[str, str] = {}
    for line in body.replace("\r\n", "\n").split("\n"):
        match = _HEADING.match(line.strip())
        if match:
            found[match.group(1)] = line.strip().removeprefix("###").strip().removesuffix(f"[{match.group(1)}]").strip()
    return found


#: Pieces of a message → what to tell a suggester in Chinese; the English message stays beside it.
ZH_HINTS = (
    ("missing", "必填，请补上"),
    ("must start with http:// or https://", "网址须以 http:// 或 https:// 开头"),
    ("must be an absolute http(s) address", "网址须是完整地址，不含空格和引号"),
    ("must be a real date written YYYY-MM-DD", "日期请写成 YYYY-MM-DD，例如 2020-03-01"),
    ("available_until is required when status is ended", "已结束的项目请填写结束日期"),
    ("available_until is before available_from", "结束日期早于开始日期"),
    ("must be a slug", "只能用小写英文字母、数字和连字符"),
    ("input should be", "请从下拉选项中选择"),
    ("is not defined in _site.yml", "这个分类不存在，请从下拉选项中选择"),
    ("no collection", "这个栏目不存在，请从下拉选项中选择"),
    ("same URL", "这个网址已在指南中"),
    ("already used", "编号已被占用"),
    ("needs text in at least one language", "中文或英文至少填一种"),
)


#: The longest message posted for one problem (an answer it quotes may be long).
MESSAGE_CHARS = 1_000


def issue_message(option: str, message: str, names: dict[str, str]) -> str:
    """One problem with a filled form, as the suggester reads it: the field's bilingual label, the
    message, and a Chinese hint where one is known; never an option or a usage line.  The message is kept on one
    line (:func:`openshelf.untrusted.one_line`): the workflow posts it inside a code fence, which an answer quoted
    with its newlines would close."""
    message = one_line(message, MESSAGE_CHARS)
    fields = [names.get(o.strip().removeprefix("--"), o.strip().removeprefix("--")) for o in option.split(" or ")]
    hint = next((zh for english, zh in ZH_HINTS if english in message), None)
    return f"issue form: error: {' / '.join(fields)}: {message}" + (f" · {hint}" if hint else "")
