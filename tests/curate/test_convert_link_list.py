"""scripts/convert_link_list.py: public JSON link lists → the import CSV, then ``openshelf import``.

The fixtures are excerpts of awesome-coronavirus and COVID-19-Nav (tests/fixtures/link-lists/README.md).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.cli import main
from openshelf.curate.export import COLUMNS
from openshelf.guide.load import load_guide
from support import ROOT, SITE, write_guide

LISTS = ROOT / "tests" / "fixtures" / "link-lists"
sys.path.insert(0, str(ROOT / "scripts"))
try:
    import convert_link_list
finally:
    sys.path.pop(0)


def convert(tmp_path: Path, capsys: pytest.CaptureFixture[str], *names: str) -> tuple[list[dict[str, str]], str]:
    out = tmp_path / "rows.csv"
    assert convert_link_list.main([*(str(LISTS / n) for n in names), "-o", str(out), "--source", "the list"]) == 0
    with out.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS  # the import template's columns, in order
        return list(reader), capsys.readouterr().err


def test_awesome_coronavirus_sections_become_category_and_tags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows, err = convert(tmp_path, capsys, "awesome-coronavirus-applications.json", "awesome-coronavirus-open-source-projects.json")
    assert [(r["title_en"], r["url"], r["category"], r["tags"]) for r in rows] == [
        ("coronatracker.com", "https://www.coronatracker.com", "applications", "Web Apps"),
        ("coronavirus.app", "https://coronavirus.app", "applications", "Web Apps"),
        ("코로나맵100m", "https://play.google.com/store/apps/details?id=com.tina3d.corona100m&amp;hl=en_US", "applications", "Android Apps"),
        ("~~CoronaVirus Tracker 2019-nCoV~~", "https://play.google.com/store/apps/details?id=com.agmostudio.coronatracker&hl=en", "applications",
         "Android Apps"),
        ("coronavirus-tracker", "https://github.com/ExpDev07/coronavirus-tracker", "open-source-projects", "API"),
        ("coronavirus-tracker-api", "https://github.com/ExpDev07/coronavirus-tracker-api", "open-source-projects", "API"),
    ]
    assert rows[0]["description_en"].startswith("CORONATRACKER.com is a community-based project")
    # A bare repository: the description says where it was listed, and that the list says no more.
    assert rows[4]["description_en"] == "Listed under Open Source Projects › API in the list; the list gives no description."
    assert {r["access"] for r in rows} == {"free"} and {r["id"] for r in rows} == {""} and {r["title_zh"] for r in rows} == {""}
    assert 'categories:\n  applications: {en: "Applications"}\n  open-source-projects: {en: "Open Source Projects"}' in err


def test_covid_19_nav_chinese_text_goes_to_the_zh_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows, err = convert(tmp_path, capsys, "covid-19-nav.json")
    assert [(r["title_zh"], r["description_zh"], r["category"], r["languages"]) for r in rows[:2]] == [
        ("同行程寻人", "夸克浏览器出品，患者通行程紧急寻人", "xin-xi-cha-xun", "zh"),
        ("指定接待湖北游客酒店", "全国指定接待湖北游客酒店信息", "xin-xi-cha-xun", "zh"),
    ]
    assert {r["title_en"] for r in rows} == {""} and rows[2]["category"] == "yuan-e-ming-dan"
    assert 'xin-xi-cha-xun: {zh: "信息查询"}' in err and 'yuan-e-ming-dan: {zh: "援鄂名单"}' in err
    assert "image.werty.cn" not in (tmp_path / "rows.csv").read_text(encoding="utf-8")  # images are dropped


def test_converted_lists_import_into_new_collections(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows, err = convert(tmp_path, capsys, "covid-19-nav.json", "awesome-coronavirus-applications.json")
    block = err.split("categories:\n", 1)[1]
    guides = write_guide(tmp_path / "guides", {"_site.yml": SITE + block})
    runner = CliRunner()
    assert runner.invoke(main, ["collection", "add", "nav", "--title-zh", "导航", "--guides", str(guides)]).exit_code == 0
    result = runner.invoke(main, ["import", str(tmp_path / "rows.csv"), "--collection", "nav", "--guides", str(guides)])
    assert result.exit_code == 0, result.output
    assert f"imported {len(rows)} entries" in result.stderr
    guide, diagnostics = load_guide(guides)
    assert guide is not None, [d.format() for d in diagnostics]
    assert guide.by_id["zhi-ding-jie-dai-hu-bei-you-ke-jiu-dian"].title.zh == "指定接待湖北游客酒店"  # a pinyin id for a Chinese title
    assert guide.by_id["coronatracker-com"].tags == ["web-apps"]
