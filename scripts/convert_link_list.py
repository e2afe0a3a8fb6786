"""Convert a public JSON link list into OpenShelf's import CSV (guides/templates/resources.csv's columns).

    .venv/bin/python scripts/convert_link_list.py LIST.json [LIST.json ...] -o rows.csv
        [--source NAME] [--access free] [--category SLUG]

Reads two shapes found in the wild, and anything nested like them:

* awesome-coronavirus (github.com/soroushchehresa/awesome-coronavirus, ``data/*.json``): ``{"title",
  "list": [...]}`` whose list holds links ``{"title", "url", "description"}`` or sections
  ``{"category", "list": [links]}`` or ``{"category", "repositories": ["owner/name", ...]}``;
* COVID-19-Nav (github.com/wuhan2020/COVID-19-Nav, ``public/nav.json``): ``{"data": [{"title",
  "item": [{"title", "desc", "url", "image", "device"}]}]}``.

What it maps, and what it does not:

* title, url → ``title_zh`` or ``title_en`` (by script: text with Chinese characters is zh, any other (Korean, Spanish …) en), ``url``;
  description/desc → ``description_zh`` / ``description_en`` the same way.  A link the list gives no
  description (a bare GitHub repository) gets one saying where it was listed and that the list says no more.
* the file's title (or the top group's) → ``category``: a slug of it (pinyin for Chinese), or ``--category``
  for all; the script prints the ``categories:`` block to paste into ``_site.yml`` (labels in the
  language of the list; add the other language yourself).
* the section a link stands in (``Web Apps``, ``Twitter``) → ``tags``, as written: ``openshelf import``
  turns words into slugs and prints the ``tags:`` labels to paste.
* ``access`` is not in these lists: every row gets ``--access`` (default free: they list public web
  pages), which a curator should review.  ``languages`` is a guess: the script of the description
  (of the title when there is none).
* ``image``, ``device``, ``anchor`` and anything else are dropped; text is copied as the list has it
  (``&amp;`` in a url stays); ids are left empty for ``openshelf import`` to make from the title;
  nothing is marked verified.

Rows whose url is not http(s) are still written: ``openshelf import`` reports them by CSV row and title.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openshelf.curate.append import slugify
from openshelf.curate.export import COLUMNS as CSV_COLUMNS

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    description: str
    group: str  # the file's (or top group's) title: the category
    section: str  # the section inside it, if any: a tag


def language(text: str) -> str:
    """``zh`` for text with Chinese characters, else ``en``."""
    return "zh" if CJK.search(text) else "en"


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) else ""


def links(data: Any, group: str = "", section: str = "") -> Iterator[Link]:
    """Every link in a parsed list, with the group and section it stands in."""
    if isinstance(data, list):
        for item in data:
            yield from links(item, group, section)
        return
    if not isinstance(data, dict):
        return
    if "url" in data:
        yield Link(_text(data.get("title")), _text(data.get("url")), _text(data.get("description") or data.get("desc")), group, section)
        return
    name = _text(data.get("category") or data.get("title"))
    inner_group, inner_section = (group, name or section) if group else (name, section)
    for key in ("list", "item", "data"):
        if key in data:
            yield from links(data[key], inner_group, inner_section)
    for repository in data.get("repositories") or []:
        if isinstance(repository, str) and re.fullmatch(r"[\w.-]+/[\w.-]+", repository):
            yield Link(repository.split("/")[1], f"https://github.com/{repository}", "", inner_group, inner_section)


def row(link: Link, source: str, access: str, category: str | None) -> dict[str, str]:
    """One CSV row of the import template's columns."""
    where = " › ".join(p for p in (link.group, link.section) if p)
    description = link.description or (f"列于 {source} 的“{where}”，原列表没有说明。" if language(link.title) == "zh"
                                        else f"Listed under {where} in {source}; the list gives no description.")
    values = dict.fromkeys(CSV_COLUMNS, "")
    values[f"title_{language(link.title)}"] = link.title
    values[f"description_{language(description)}"] = description
    values.update(url=link.url, category=category or slugify(link.group) or "uncategorised", tags=link.section.replace(";", ","),
                  access=access, languages=language(link.description or link.title))
    return values


def categories_block(rows: list[dict[str, str]], groups: dict[str, str]) -> str:
    """The ``categories:`` YAML for ``_site.yml``, one line per category the rows use."""
    lines = ["categories:"]
    for slug in dict.fromkeys(r["category"] for r in rows):
        label = groups.get(slug, slug)
        lines.append(f"  {slug}: {{{language(label)}: {json.dumps(label, ensure_ascii=False)}}}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("lists", nargs="+", type=Path, help="JSON link lists")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the CSV to write (UTF-8)")
    parser.add_argument("--source", default="", help="the list's name for generated descriptions (default: the file name)")
    parser.add_argument("--access", default="free", choices=["free", "free-with-registration", "temporarily-free", "institutional", "paid"])
    parser.add_argument("--category", help="one category slug for every row (default: a slug of each file's title)")
    args = parser.parse_args(argv)
    rows: list[dict[str, str]] = []
    groups: dict[str, str] = {}
    for path in args.lists:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            print(f"{path}: cannot read it as JSON: {error}", file=sys.stderr)
            return 1
        found = list(links(data))
        for link in found:
            rows.append(row(link, args.source or path.name, args.access, args.category))
            groups.setdefault(rows[-1]["category"], link.group)
        print(f"{path}: {len(found)} links", file=sys.stderr)
    with args.output.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {args.output}; paste into guides/_site.yml unless defined there:", file=sys.stderr)
    print(categories_block(rows, groups), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
