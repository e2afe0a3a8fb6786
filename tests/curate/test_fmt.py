"""openshelf fmt: the canonical form, comments kept, invalid files refused, --check."""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.cli import main
from openshelf.curate.fmt import FormatError, first_difference, format_text
from openshelf.curate.transfer import CsvProblem
from openshelf.errors import GuideError
from support import ROOT, write_guide

MESSY = """\
# yaml-language-server: $schema=_schema/collection.schema.json
# Curated by the reference desk.
title: {en: "Databases", zh: 数据库}
entries:
  - url: "https://www.cnki.net/"   # checked by phone
    id: cnki
    # the Chinese name first
    title:
        en: CNKI
        zh: "中国知网"
    access: institutional
    description: {en: 'Chinese journals.'}
    category: databases
    last_verified: "2024-05-01"
    tags:
      - journals
      - "chinese"

  # ---- open access
  - id: doaj
    title: {en: DOAJ}
    url: https://doaj.org/
    description: {zh: "开放获取期刊目录：免费。", en: "Directory of Open Access Journals: free."}
    category: databases
    access: free
id: dbs
order: "3"
# the end
"""

CANONICAL = """\
# yaml-language-server: $schema=_schema/collection.schema.json
# Curated by the reference desk.
id: dbs
title: {zh: 数据库, en: Databases}
order: 3
entries:
  - id: cnki
    # the Chinese name first
    title:
      zh: 中国知网
      en: CNKI
    url: https://www.cnki.net/     # checked by phone
    description: {en: Chinese journals.}
    category: databases
    tags: [journals, chinese]
    access: institutional
    last_verified: 2024-05-01

  # ---- open access
  - id: doaj
    title: {en: DOAJ}
    url: https://doaj.org/
    description: {zh: 开放获取期刊目录：免费。, en: 'Directory of Open Access Journals: free.'}
    category: databases
    access: free
# the end
"""


def test_canonical_form() -> None:
    assert format_text(MESSY, "collection") == CANONICAL


def test_the_canonical_form_keeps_every_comment() -> None:
    def comments(text: str) -> list[str]:
        return sorted(line.partition("#")[2].strip() for line in text.splitlines() if "#" in line)

    assert len(comments(MESSY)) == 6 and comments(CANONICAL) == comments(MESSY)


def test_formatting_is_idempotent() -> None:
    assert format_text(CANONICAL, "collection") == CANONICAL


def test_fmt_rewrites_and_keeps_comments(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "guides", {"dbs.yml": MESSY})
    result = CliRunner().invoke(main, ["fmt", str(guides)])
    assert result.exit_code == 0, result.output
    text = (guides / "dbs.yml").read_text(encoding="utf-8")
    assert text == CANONICAL
    assert not list(guides.glob(".*.tmp"))  # written through a temporary file
    assert CliRunner().invoke(main, ["validate", str(guides)]).exit_code == 0


@pytest.mark.parametrize(("original", "formatted", "where", "how"), [
    ("id: x\ntitle: {en: X}   \n", "id: x\ntitle: {en: X}\n", 2, "spaces at the end of this line"),
    ("id: x\r\ntitle: {en: X}\r\n", "id: x\ntitle: {en: X}\n", 1, "Windows line endings (CRLF)"),
    ("\ufeffid: x\n", "id: x\n", 1, "byte-order mark"),
    ("id: x\nsince: '2020-03-01'\n", "id: x\nsince: 2020-03-01\n", 2, "write it as 'since: 2020-03-01'"),
    ("title: {en: X, zh: 甲}\nid: x\n", "id: x\ntitle: {zh: 甲, en: X}\n", 1, "write it as 'id: x'"),
])
def test_fmt_check_says_where_and_what_would_change(original: str, formatted: str, where: int, how: str) -> None:
    """CI's `fmt --check` names the first line that would change and how: a curator in the web editor cannot run fmt,
    and cannot see trailing spaces or a byte-order mark."""
    line, said = first_difference(original, formatted)
    assert line == where and how in said, (line, said)


def test_fmt_check_lists_files_and_changes_nothing(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "guides", {"dbs.yml": MESSY})
    result = CliRunner().invoke(main, ["fmt", "--check", str(guides)])
    assert result.exit_code == 1
    assert re.search(r"dbs\.yml:\d+:1: would be reformatted: ", result.stdout), result.stdout
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == MESSY
    CliRunner().invoke(main, ["fmt", str(guides)])
    again = CliRunner().invoke(main, ["fmt", "--check", str(guides)])
    assert again.exit_code == 0, again.output


def test_fmt_refuses_an_invalid_file(tmp_path: Path) -> None:
    bad = MESSY.replace("https://doaj.org/", "doaj.org")
    guides = write_guide(tmp_path / "guides", {"dbs.yml": bad})
    result = CliRunner().invoke(main, ["fmt", str(guides)])
    assert result.exit_code == 1
    assert "entry 'doaj': url must start with http:// or https://" in result.stderr
    assert "not formatted" in result.stderr
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == bad


def test_fmt_refuses_broken_yaml(tmp_path: Path) -> None:
    bad = "id: dbs\ntitle: {en: D\nentries: []\n"
    guides = write_guide(tmp_path / "guides", {"dbs.yml": bad})
    result = CliRunner().invoke(main, ["fmt", str(guides / "dbs.yml")])
    assert result.exit_code == 1
    assert "dbs.yml:" in result.stderr and "Traceback" not in result.output
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == bad


def test_fmt_drops_bom_and_crlf(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "guides", {})
    (guides / "dbs.yml").write_bytes(b"\xef\xbb\xbf" + CANONICAL.replace("\n", "\r\n").encode())
    assert CliRunner().invoke(main, ["fmt", "--check", str(guides)]).exit_code == 1
    assert CliRunner().invoke(main, ["fmt", str(guides)]).exit_code == 0
    assert (guides / "dbs.yml").read_bytes() == CANONICAL.encode()


def test_site_settings_keep_category_order(tmp_path: Path) -> None:
    site = "categories:\n  zeta: {en: Z, zh: 甲}\n  alpha: {zh: 乙, en: A}\ntitle: {en: T}\n"
    assert format_text(site, "site") == "title: {en: T}\ncategories:\n  zeta: {zh: 甲, en: Z}\n  alpha: {zh: 乙, en: A}\n"


def test_default_guide_is_formatted(tmp_path: Path) -> None:
    guides = tmp_path / "guides"
    shutil.copytree(ROOT / "guides", guides)
    result = CliRunner().invoke(main, ["fmt", "--check", str(guides)])
    assert result.exit_code == 0, result.output


TRICKY = '''\
id: dbs
title: {en: "null", zh: "yes"}
description:
  en: |
    Line one.
    Line two: with colon.
  zh: >-
    折叠
    文本
entries:
  - id: a
    title: {en: "*star", zh: "#hash"}
    url: "https://x.example.org/?a=1&b=2#frag"
    description: {en: "@at `tick` 'single' \\"double\\" trailing: ", zh: "- dash"}
    category: &cat databases
    access: free
    aliases: ["a, b", "c: d", "[x]", "no", "~", "2020-01-01", "1.5"]
    available_from: '2020-01-01'
  - id: b
    title: {en: B}
    url: https://b.example.org/
    description: {en: "multi
      line plain"}
    category: *cat
    access: free
'''


def test_tricky_values_survive_unchanged() -> None:
    from openshelf.curate.fmt import same_values

    out = format_text(TRICKY, "collection")
    assert same_values(TRICKY, out)
    assert format_text(out, "collection") == out
    assert "    available_from: 2020-01-01\n" in out  # dates unquoted
    assert "  en: |\n    Line one.\n" in out  # block scalars kept
    assert "title: {zh: '#hash', en: '*star'}" in out  # quoted only where YAML needs it
    assert "    url: https://x.example.org/?a=1&b=2#frag\n" in out


@pytest.mark.parametrize("error", [FormatError("formatting would change a value"), CsvProblem("x.csv:1: error: empty")])
def test_curate_problems_are_guide_errors(error: GuideError) -> None:
    @contextlib.contextmanager
    def around() -> Iterator[None]:
        yield

    with pytest.raises(GuideError) as info, around():
        raise error
    info.value.add_note("note")
    assert info.value.message == str(error) and info.value.__notes__ == ["note"]
