"""openshelf collection add: a new collection file, validated, never replacing one; the hints that lead to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from openshelf.cli import main
from support import write_guide

DBS = """\
id: dbs
title: {zh: 数据库, en: Databases}
order: 3
entries: []
"""


@pytest.fixture
def guides(tmp_path: Path) -> Path:
    return write_guide(tmp_path / "guides", {"dbs.yml": DBS})


def add(guides: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["collection", "add", *args, "--guides", str(guides)])


def test_add_writes_an_empty_collection_in_canonical_form(guides: Path) -> None:
    result = add(guides, "covid-nav", "--title-zh", "新冠导航", "--title-en", "COVID-19 navigation", "--description-en", "Links.")
    assert result.exit_code == 0, result.output
    assert "created " in result.stderr and "openshelf import FILE.csv --collection covid-nav" in result.stderr
    assert (guides / "covid-nav.yml").read_text(encoding="utf-8") == """\
# yaml-language-server: $schema=_schema/collection.schema.json
id: covid-nav
title:
  zh: 新冠导航
  en: COVID-19 navigation
description:
  en: Links.
order: 4
entries: []
"""
    assert CliRunner().invoke(main, ["validate", str(guides)]).exit_code == 0
    assert CliRunner().invoke(main, ["fmt", "--check", str(guides)]).exit_code == 0
    new = CliRunner().invoke(main, ["new", "--guides", str(guides), "--collection", "covid-nav", "--title-en", "A", "--url",
                                    "https://a.example.org/", "--description-en", "D.", "--category", "databases", "--access", "free",
                                    "--no-input"])
    assert new.exit_code == 0, new.output


@pytest.mark.parametrize(("args", "message"), [
    (["dbs", "--title-en", "Again"], "already exists; it is not replaced"),
    (["tags", "--title-en", "Tags"], "'tags' is the name of a page OpenShelf makes"),
    (["Covid_Nav", "--title-en", "X"], "'Covid_Nav' is not a valid id"),
    (["covid-nav"], "give a title: --title-zh and/or --title-en"),
])
def test_add_refuses_usage_errors_and_writes_nothing(guides: Path, args: list[str], message: str) -> None:
    before = sorted(p.name for p in guides.iterdir())
    result = add(guides, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert sorted(p.name for p in guides.iterdir()) == before
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == DBS


def test_add_refuses_a_yaml_file_of_the_same_name(guides: Path) -> None:
    (guides / "maps.yaml").write_text("id: maps\ntitle: {en: Maps}\nentries: []\n", encoding="utf-8")
    result = add(guides, "maps", "--title-en", "Maps")
    assert result.exit_code == 2 and "maps.yaml already exists" in result.stderr
    assert not (guides / "maps.yml").exists()


def test_add_needs_a_valid_guide(guides: Path) -> None:
    (guides / "dbs.yml").write_text(DBS.replace("entries: []", "entries:"), encoding="utf-8")
    result = add(guides, "covid-nav", "--title-en", "X")
    assert result.exit_code == 1
    assert "write 'entries: []' for an empty list" in result.stderr
    assert not (guides / "covid-nav.yml").exists()


def test_a_missing_collection_says_how_to_create_it(guides: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "rows.csv"
    sheet.write_text("title_en,url,description_en,category,access,collection\nA,https://a.example.org/,D.,databases,free,maps\n",
                     encoding="utf-8")
    for args in (["--collection", "maps"], []):
        result = CliRunner().invoke(main, ["import", str(sheet), "--guides", str(guides), *args])
        assert result.exit_code in (1, 2), result.output
        assert "no collection 'maps'" in result.stderr
        assert "create it with: openshelf collection add maps --title-zh 标题 --title-en Title" in result.stderr
    result = CliRunner().invoke(main, ["new", "--guides", str(guides), "--collection", "maps", "--no-input"])
    assert result.exit_code == 2 and "openshelf collection add maps" in result.stderr
