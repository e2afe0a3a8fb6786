"""openshelf import / export: columns, row numbers, encodings, duplicates, and the round trip."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from openshelf.cli import main
from openshelf.curate.append import append_text
from openshelf.curate.export import COLUMN_LIST, COLUMNS, EXPORT_COLUMNS
from openshelf.curate.new import FIELDS
from openshelf.curate.roundtrip import dump_rt, load_rt
from openshelf.guide.load import load_guide
from openshelf.guide.models import Entry
from support import FIXTURE_GUIDE, NEAR_DUPLICATES, ROOT, SITE, write_guide

TEMPLATE = ROOT / "guides" / "templates" / "resources.csv"

DBS = """\
# yaml-language-server: $schema=_schema/collection.schema.json
id: dbs
title: {zh: 数据库, en: Databases}
entries:
  - id: cnki
    title: {zh: 中国知网, en: CNKI}
    url: https://www.cnki.net/
    description: {en: Chinese journals.}
    category: databases
    access: institutional   # through your library
"""
HEADER = "id,title_zh,title_en,url,description_zh,description_en,category,tags,access,aliases,related,last_verified\n"


@pytest.fixture
def guides(tmp_path: Path) -> Path:
    return write_guide(tmp_path / "guides", {"dbs.yml": DBS})


def import_(guides: Path, csv_path: Path, *args: str) -> object:
    return CliRunner().invoke(main, ["import", str(csv_path), "--guides", str(guides), *args])


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_import_appends_rows_in_canonical_form(guides: Path, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "new.csv", HEADER
                      + ",开放获取期刊目录,DOAJ,https://doaj.org/,开放获取期刊。,Open access journals.,databases,journals；open-access,free,"
                        "\"DOAJ, the directory\",cnki,2024-05-01\n"
                      + "arxiv,,arXiv,https://arxiv.org/,,Preprints.,databases,,free,,,\n")
    result = import_(guides, sheet, "--collection", "dbs")
    assert result.exit_code == 0, result.output
    assert "imported 2 entries" in result.stderr
    text = (guides / "dbs.yml").read_text(encoding="utf-8")
    assert "# through your library" in text
    assert """\
  - id: doaj
    title:
      zh: 开放获取期刊目录
      en: DOAJ
    url: https://doaj.org/
    description:
      zh: 开放获取期刊。
      en: Open access journals.
    category: databases
    tags: [journals, open-access]
    access: free
    last_verified: 2024-05-01
    related: [cnki]
    aliases: [DOAJ, the directory]
""" in text
    assert "  - id: arxiv\n" in text
    assert CliRunner().invoke(main, ["validate", str(guides)]).exit_code == 0
    assert CliRunner().invoke(main, ["fmt", "--check", str(guides)]).exit_code == 0


def test_import_gives_a_chinese_only_title_a_pinyin_id(guides: Path, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "zh.csv", HEADER
                      + ",疫情地图,,https://mp.weixin.qq.com/s/a,各地疫情。,,databases,,free,,,\n"
                      + ",疫情地图,,https://mp.weixin.qq.com/s/b,另一份。,,databases,,free,,,\n")
    result = import_(guides, sheet, "--collection", "dbs")
    assert result.exit_code == 0, result.output
    text = (guides / "dbs.yml").read_text(encoding="utf-8")
    assert "  - id: yi-qing-di-tu\n" in text and "  - id: yi-qing-di-tu-2\n" in text
    assert "mp-weixin" not in text


def test_bad_rows_are_reported_with_row_and_column_and_skipped(guides: Path, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "bad.csv", HEADER
                      + "ok,,OK,https://ok.example.org/,,Fine.,databases,,free,,,\n"
                      + "bad-url,,Bad,javascript:alert(1),,X.,databases,,free,,,\n"
                      + "bad-access,,Bad,https://b.example.org/,,X.,databases,,gratis,,,\n"
                      + "\n"
                      + "bad-date,,Bad,https://c.example.org/,,X.,databases,,free,,,2020-02-30\n"
                      + "bad-cat,,Bad,https://d.example.org/,,X.,nowhere,,free,,,\n"
                      + "no-title,,,https://e.example.org/,,X.,databases,,free,,,\n"
                      + "bad-rel,,Bad,https://f.example.org/,,X.,databases,,free,,nothing,\n")
    result = import_(guides, sheet, "--collection", "dbs")
    assert result.exit_code == 1
    err = result.stderr
    assert "bad.csv:3:1: error: CSV row 3 “Bad”, column 'url': url must start with http:// or https://" in err
    assert "CSV row 4 “Bad”, column 'access': input should be 'free'" in err and "not 'gratis'" in err
    assert "CSV row 6 “Bad”, column 'last_verified': must be a real date written YYYY-MM-DD, not '2020-02-30'" in err
    assert "CSV row 7 “Bad”, column 'category': category 'nowhere' is not defined" in err
    assert "CSV row 8, column 'title_zh/title_en'" in err
    assert "CSV row 9 “Bad”, column 'related': unknown entry id(s) 'nothing'" in err
    assert "imported 1 entry" in err and "6 bad row(s) skipped" in err
    assert "Traceback" not in result.output
    guide, _ = load_guide(guides)
    assert guide is not None and "ok" in guide.by_id and "bad-url" not in guide.by_id


def test_the_same_problem_in_many_rows_is_one_message_with_the_yaml_to_paste(guides: Path, tmp_path: Path) -> None:
    rows = [f",疫情{n},,https://x{n}.example.org/,简介。,,{'covid-data' if n % 4 else 'covid-apps'},,free,,,\n" for n in range(1, 88)]
    sheet = write_csv(tmp_path / "nav.csv", HEADER + "".join(rows))
    result = import_(guides, sheet, "--collection", "dbs")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    data = [line for line in lines if "category 'covid-data'" in line]
    assert len(data) == 1, lines[:5]
    assert data[0].endswith("nav.csv:2:1: error: CSV rows 2–4, 6–8, 10–12, 14–16, 18–20, 22–24, 26–28, 30–32, 34–36, 38–40, 42–44, "
                            "46–48, … (66 rows), column 'category': category 'covid-data' is not defined in _site.yml (known: databases, access)")
    apps = [line for line in lines if "category 'covid-apps'" in line]
    assert len(apps) == 1 and "CSV rows 5, 9, 13, " in apps[0] and "(21 rows)" in apps[0]
    block = "  covid-data: {en: Covid data}  # and zh: 中文名称\n  covid-apps: {en: Covid apps}  # and zh: 中文名称\n"
    assert "_site.yml: to define the missing categories, paste this under 'categories:' and write the labels readers see, " \
           "then import again:\n" + block + "imported 0 entries" in result.stderr
    site = guides / "_site.yml"
    site.write_text(site.read_text(encoding="utf-8") + block, encoding="utf-8")  # categories: is the file's last key
    again = import_(guides, sheet, "--collection", "dbs")
    assert again.exit_code == 0, again.output
    assert "imported 87 entries" in again.stderr


def test_rows_relating_to_a_skipped_row_are_skipped_too_and_the_rest_imported(guides: Path, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "rel.csv", HEADER
                      + "good,,Good,https://good.example.org/,,Fine.,databases,,free,,cnki,\n"
                      + "lost,,Lost,https://lost.example.org/,,X.,databases,,free,,nothing,\n"
                      + "via-lost,,Via,https://via.example.org/,,X.,databases,,free,,lost,\n"
                      + "via-via,,Via via,https://via-via.example.org/,,X.,databases,,free,,good; via-lost,\n"
                      + "also-good,,Also good,https://also.example.org/,,Fine.,databases,,free,,good,\n")
    result = import_(guides, sheet, "--collection", "dbs")
    err = result.stderr
    assert result.exit_code == 1, result.output
    assert "rel.csv:3:1: error: CSV row 3 “Lost”, column 'related': unknown entry id(s) 'nothing'" in err
    assert "rel.csv:4:1: error: CSV row 4 “Via”, column 'related': skipped: it relates to 'lost' (CSV row 3 “Lost”), which is not imported" in err
    assert ("rel.csv:5:1: error: CSV row 5 “Via via”, column 'related': skipped: it relates to 'via-lost' (CSV row 4 “Via”), "
            "which is not imported") in err
    assert "imported 2 entries" in err and "3 bad row(s) skipped" in err
    assert "nothing imported" not in err and "dbs.yml:" not in err
    guide, _ = load_guide(guides)
    assert guide is not None and sorted(guide.by_id) == ["also-good", "cnki", "good"]


def test_a_row_the_whole_guide_rejects_is_reported_at_its_row_and_the_rest_imported(guides: Path, tmp_path: Path) -> None:
    # Only the whole guide's checks see this one (an id that looks like a category heading's anchor).
    sheet = write_csv(tmp_path / "anchor.csv", HEADER
                      + "category-x,,Anchor,https://anchor.example.org/,,X.,databases,,free,,,\n"
                      + "fine,,Fine,https://fine.example.org/,,X.,databases,,free,,,\n"
                      + "leans,,Leans,https://leans.example.org/,,X.,databases,,free,,category-x,\n")
    result = import_(guides, sheet, "--collection", "dbs")
    err = result.stderr
    assert result.exit_code == 1, result.output
    assert "anchor.csv:2:1: error: CSV row 2 “Anchor”: entry 'category-x': id 'category-x' starts with 'category-'" in err
    assert "anchor.csv:4:1: error: CSV row 4 “Leans”, column 'related': skipped: it relates to 'category-x' (CSV row 2 “Anchor”)" in err
    assert "imported 1 entry" in err and "2 bad row(s) skipped" in err
    assert "nothing imported" not in err and "dbs.yml:" not in err
    guide, _ = load_guide(guides)
    assert guide is not None and sorted(guide.by_id) == ["cnki", "fine"]


def test_rows_breaking_the_site_policy_are_one_message_by_column_and_the_rest_imported(tmp_path: Path) -> None:
    site = SITE + "policy: {title_languages: [zh, en]}\n"
    guides = write_guide(tmp_path / "guides", {"_site.yml": site, "dbs.yml": DBS})
    sheet = write_csv(tmp_path / "nav.csv", HEADER
                      + ",同行程寻人,,https://a.example.org/,寻人。,,databases,,free,,,\n"
                      + ",确诊小区查询,,https://b.example.org/,查询。,,databases,,free,,,\n"
                      + ",万方数据,Wanfang Data,https://c.example.org/,数据库。,,databases,,free,,,\n")
    result = import_(guides, sheet, "--collection", "dbs")
    assert result.exit_code == 1, result.output
    policy = [line for line in result.stderr.splitlines() if "policy." in line]
    assert len(policy) == 1, policy
    assert policy[0].endswith(
        "nav.csv:2:1: error: CSV rows 2–3 (2 rows), column 'title': title has no en text; policy.title_languages in _site.yml requires zh, en")
    assert "imported 1 entry" in result.stderr and "2 bad row(s) skipped" in result.stderr


def test_duplicates_are_skipped_with_a_message(guides: Path, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "dup.csv", HEADER
                      + "cnki,,CNKI again,https://cnki.example.org/,,X.,databases,,free,,,\n"
                      + "cnki-mirror,,CNKI,HTTPS://WWW.CNKI.NET:443?utm_source=wechat,,X.,databases,,free,,,\n"
                      + "new-one,,New,https://new.example.org/,,X.,databases,,free,,,\n"
                      + "new-two,,New,https://new.example.org,,X.,databases,,free,,,\n")
    result = import_(guides, sheet, "--collection", "dbs")
    assert result.exit_code == 0, result.output
    assert "CSV row 2 “CNKI again”, column 'id': skipped: id 'cnki' already exists at" in result.stderr
    assert "CSV row 3 “CNKI”, column 'url': skipped: the same URL is already in the guide as entry 'cnki'" in result.stderr
    assert "CSV row 5 “New”, column 'url': skipped: the same URL is already in the guide as CSV row 4 “New”" in result.stderr
    assert "imported 1 entry" in result.stderr and "3 duplicate(s) skipped" in result.stderr


def test_gbk_file_is_refused_naming_the_encoding(guides: Path, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "excel.csv", HEADER + ",中国知网镜像,,https://x.example.org/,简介。,,databases,,free,,,\n", "gbk")
    result = import_(guides, sheet, "--collection", "dbs")
    assert result.exit_code == 1
    assert "excel.csv:2: error: the file is not UTF-8 (it looks like GBK/GB18030)" in result.stderr
    assert "CSV UTF-8" in result.stderr
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == DBS


def test_bom_and_crlf_are_fine(guides: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "excel.csv"
    sheet.write_bytes(b"\xef\xbb\xbf" + (HEADER + "x,,X,https://x.example.org/,,X.,databases,,free,,,\n").replace("\n", "\r\n").encode())
    result = import_(guides, sheet, "--collection", "dbs")
    assert result.exit_code == 0, result.output


def test_header_problems(guides: Path, tmp_path: Path) -> None:
    result = import_(guides, write_csv(tmp_path / "a.csv", "id,titel,url\n"), "--collection", "dbs")
    assert result.exit_code == 1 and "a.csv:1: error: unknown column(s) 'titel'" in result.stderr
    result = import_(guides, write_csv(tmp_path / "b.csv", "id,title_en,description_en,category,access\n"), "--collection", "dbs")
    assert result.exit_code == 1 and "the column 'url' is missing" in result.stderr
    result = import_(guides, write_csv(tmp_path / "c.csv", ""), "--collection", "dbs")
    assert result.exit_code == 1 and "the file is empty" in result.stderr
    result = import_(guides, write_csv(tmp_path / "d.csv", HEADER), "--collection", "nope")
    assert result.exit_code == 2


def test_dry_run_writes_nothing(guides: Path, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "new.csv", HEADER + "x,,X,https://x.example.org/,,X.,databases,,free,,,\n")
    result = import_(guides, sheet, "--collection", "dbs", "--dry-run")
    assert result.exit_code == 0 and "would import 1 entry" in result.stderr
    assert (guides / "dbs.yml").read_text(encoding="utf-8") == DBS


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_template_columns_and_example_come_from_the_default_guide() -> None:
    rows = _rows(TEMPLATE.read_text(encoding="utf-8-sig"))
    assert list(rows[0]) == COLUMNS and len(rows) == 1
    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None and rows[0]["id"] in guide.by_id  # a real entry, not an invented one
    assert guide.by_id[rows[0]["id"]].url == rows[0]["url"]


def test_template_round_trips_through_import_and_export(tmp_path: Path) -> None:
    """Acceptance: import of the shipped CSV template round-trips through export."""
    guides = tmp_path / "guides"
    shutil.copytree(ROOT / "guides", guides)
    template = _rows(TEMPLATE.read_text(encoding="utf-8-sig"))
    ids = {row["id"] for row in template}
    for path in guides.glob("*.yml"):  # the example rows are real entries: take them out first
        doc = load_rt(path.read_text(encoding="utf-8"))
        if isinstance(doc.get("entries"), list):
            doc["entries"] = type(doc["entries"])([e for e in doc["entries"] if e["id"] not in ids])
            path.write_text(dump_rt(doc), encoding="utf-8")
    collection = "databases"
    result = CliRunner().invoke(main, ["import", str(TEMPLATE), "--guides", str(guides), "--collection", collection])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out.csv"
    assert CliRunner().invoke(main, ["export", str(guides), "--format", "csv", "-o", str(out)]).exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    exported = [row for row in _rows(out.read_text(encoding="utf-8")) if row["id"] in ids]
    assert [{k: v for k, v in row.items() if k != "collection"} for row in exported] == template
    assert {row["collection"] for row in exported} == {collection}


def test_export_import_export_is_stable(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(FIXTURE_GUIDE, source)
    first = CliRunner().invoke(main, ["export", str(source), "--format", "csv"]).stdout
    assert list(_rows(first)[0]) == EXPORT_COLUMNS
    assert [(r["kind"], r["url"]) for r in _rows(first) if r["id"] == "webvpn"] == [("how-to", "")]
    target = write_guide(tmp_path / "dst", {
        "_site.yml": (FIXTURE_GUIDE / "_site.yml").read_text(encoding="utf-8"),
        **{p.name: _empty(p) for p in FIXTURE_GUIDE.glob("[!_]*.yml")},
    })
    sheet = write_csv(tmp_path / "all.csv", first)
    result = CliRunner().invoke(main, ["import", str(sheet), "--guides", str(target)])
    assert result.exit_code == 0, result.output
    second = CliRunner().invoke(main, ["export", str(target), "--format", "csv"]).stdout
    assert sorted(_rows(second), key=lambda r: r["id"]) == sorted(_rows(first), key=lambda r: r["id"])


def _through_a_sheet(tmp_path: Path, health: str) -> tuple[list[dict[str, str]], Path, str]:
    """Export a guide holding ``health.yml`` as CSV and import the sheet into an empty copy: the sheet's rows, the
    copy, import's output."""
    source = write_guide(tmp_path / "src", {"health.yml": health})
    sheet = write_csv(tmp_path / "all.csv", CliRunner().invoke(main, ["export", str(source), "--format", "csv"]).stdout)
    target = write_guide(tmp_path / "dst", {"health.yml": _empty(source / "health.yml")})
    result = CliRunner().invoke(main, ["import", str(sheet), "--guides", str(target)])
    assert result.exit_code == 0, result.output
    return _rows(sheet.read_text(encoding="utf-8")), target, result.output


def test_distinct_from_survives_export_and_import(tmp_path: Path) -> None:
    rows, target, output = _through_a_sheet(tmp_path, NEAR_DUPLICATES + "    distinct_from: [fever-hubei]\n")
    assert [row["distinct_from"] for row in rows] == ["", "fever-hubei"]
    assert "warning" not in output  # the pair stays checked
    guide, diagnostics = load_guide(target)
    assert guide is not None and diagnostics == []
    assert guide.by_id["fever-hunan"].distinct_from == ["fever-hubei"]
    assert "    distinct_from: [fever-hubei]\n" in (target / "health.yml").read_text(encoding="utf-8")


def test_a_best_bet_survives_export_and_import_as_true_or_empty(tmp_path: Path) -> None:
    rows, target, _ = _through_a_sheet(tmp_path, NEAR_DUPLICATES + "    best_bet: true\n")
    assert [row["best_bet"] for row in rows] == ["", "true"]
    guide, _ = load_guide(target)
    assert guide is not None and [e.best_bet for e in guide.entries] == [False, True]


def _empty(path: Path) -> str:
    doc = load_rt(path.read_text(encoding="utf-8"))
    doc["entries"].clear()
    return dump_rt(doc)


def test_export_json_and_yaml_hold_the_whole_guide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # both exports carry the same 'updated' time
    data = json.loads(CliRunner().invoke(main, ["export", str(FIXTURE_GUIDE), "--format", "json"]).stdout)
    assert data["format"] == "openshelf-guide"
    assert [c["id"] for c in data["collections"]] == ["databases", "access"]
    assert sum(len(c["entries"]) for c in data["collections"]) == 6
    webvpn = next(e for c in data["collections"] for e in c["entries"] if e["id"] == "webvpn")
    assert (webvpn["kind"], webvpn["url"]) == ("how-to", None)  # a how-to's address is each library's own
    assert data["version"] == "2.1" and data["guide"]["updated"] == "2026-09-21T14:13:20Z"
    assert "chinese-databases" in data["categories"]
    first = data["collections"][0]["entries"][0]
    assert set(first) >= {"id", "title", "url", "description", "access", "last_verified"}
    assert yaml.safe_load(CliRunner().invoke(main, ["export", str(FIXTURE_GUIDE), "--format", "yaml"]).stdout) == data


def test_export_usage() -> None:
    assert CliRunner().invoke(main, ["export", str(FIXTURE_GUIDE)]).exit_code == 2
    assert CliRunner().invoke(main, ["export", str(FIXTURE_GUIDE), "--format", "xml"]).exit_code == 2


def test_append_text_into_an_empty_list() -> None:
    text, indexes = append_text("id: dbs\ntitle: {en: D}\nentries: []\n", [{"id": "a", "title": {"en": "A"}}])
    assert text == "id: dbs\ntitle: {en: D}\nentries:\n  - id: a\n    title:\n      en: A\n" and indexes == [0]


def test_site_offers_the_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both ways of building (the MkDocs plugin, and `openshelf build`'s staging) ship the data files."""
    import subprocess
    import sys

    from support import make_project

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # reproducible: every build says the same 'updated' time
    config = make_project(tmp_path / "p", FIXTURE_GUIDE)
    site = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    monkeypatch.chdir(tmp_path)
    staged = CliRunner().invoke(main, ["build", "-f", str(config), "-d", "staged"])
    assert staged.exit_code == 0, staged.output
    expected = CliRunner().invoke(main, ["export", str(FIXTURE_GUIDE), "--format", "json", "--site-url", "http://127.0.0.1:8000/"]).stdout
    for root in (site, tmp_path / "staged"):
        data = root / "downloads"
        assert (data / "openshelf.json").read_text(encoding="utf-8") == expected
        assert (data / "openshelf.csv").read_bytes().startswith(b"\xef\xbb\xbf" + b"collection,id,")
        assert yaml.safe_load((data / "openshelf.yaml").read_text(encoding="utf-8")) == json.loads(expected)
        assert json.loads((data / "openshelf.schema.json").read_text(encoding="utf-8"))["$id"] == "guide-export.schema.json"
        # both paths build a site per language: the English edition's home page (/en/), and the Chinese one at the root
        assert "Download the data" in (root / "en" / "index.html").read_text(encoding="utf-8")
        assert 'href="downloads/openshelf.csv"' in (root / "index.html").read_text(encoding="utf-8")
        assert (root / "en" / "downloads" / "openshelf.json").read_text(encoding="utf-8") == expected  # the same data in every edition


def test_formula_like_cells_are_defused_and_round_trip(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "g", {"dbs.yml": DBS.replace("Chinese journals.", "=HYPERLINK(\"http://evil.example\")")})
    out = CliRunner().invoke(main, ["export", str(guides), "--format", "csv"]).stdout
    row = _rows(out)[0]
    assert row["description_en"] == "'=HYPERLINK(\"http://evil.example\")"
    target = write_guide(tmp_path / "t", {"dbs.yml": "id: dbs\ntitle: {en: D}\nentries: []\n"})
    assert CliRunner().invoke(main, ["import", str(write_csv(tmp_path / "x.csv", out)), "--guides", str(target)]).exit_code == 0
    guide, _ = load_guide(target)
    assert guide is not None and guide.by_id["cnki"].description.en == "=HYPERLINK(\"http://evil.example\")"


def test_collection_is_needed_somewhere(guides: Path, tmp_path: Path) -> None:
    result = import_(guides, write_csv(tmp_path / "a.csv", HEADER + "x,,X,https://x.example.org/,,X.,databases,,free,,,\n"))
    assert result.exit_code == 2 and "--collection" in result.stderr


@pytest.mark.parametrize(("encoding", "named"), [("gbk", "GBK/GB18030"), ("utf-16", "UTF-16"), ("latin-1", "a legacy encoding such as Windows-1252")])
def test_encodings_are_named(guides: Path, tmp_path: Path, encoding: str, named: str) -> None:
    title = "Café" if encoding == "latin-1" else "中國知網"
    sheet = write_csv(tmp_path / "x.csv", HEADER + f",,{title},https://x.example.org/,,X.,databases,,free,,,\n", encoding)
    result = import_(guides, sheet, "--collection", "dbs")
    assert result.exit_code == 1 and f"not UTF-8 (it looks like {named}" in result.stderr


def empty_copy(source: Path, target: Path) -> Path:
    """``source`` with every collection's entries taken out (title, description and order kept)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("_state", "templates"))
    for path in target.glob("[!_]*.yml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text[:text.index("\nentries:")] + "\nentries: []\n", encoding="utf-8")
    return target


def collections_of(guides: Path) -> dict[str, dict[str, object]]:
    guide, diagnostics = load_guide(guides)
    assert guide is not None, [d.format() for d in diagnostics]
    return {"site": guide.site.model_dump(), **{c.id: c.model_dump() for c in guide.collections}}


def test_export_then_import_update_into_an_empty_copy_reproduces_the_default_guide(tmp_path: Path) -> None:
    """Acceptance: every field of every entry survives the CSV (shares_url_with too), in every collection, in order."""
    sheet = tmp_path / "all.csv"
    assert CliRunner().invoke(main, ["export", str(ROOT / "guides"), "--format", "csv", "-o", str(sheet)]).exit_code == 0
    target = empty_copy(ROOT / "guides", tmp_path / "guides")
    result = CliRunner().invoke(main, ["import", "--update", str(sheet), "--guides", str(target)])
    assert result.exit_code == 0, result.output
    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    assert f"imported {len(guide.entries)} entries" in result.stderr and "0 duplicate(s) skipped; 0 bad row(s) skipped" in result.stderr
    assert collections_of(target) == collections_of(ROOT / "guides")


def test_every_field_of_the_model_is_a_column() -> None:
    fields = {column.path[0] for column in COLUMN_LIST}
    assert fields == set(Entry.model_fields)
    assert {option for option, _, _ in FIELDS} == {c.replace("_", "-") for c in COLUMNS}  # and an option of 'openshelf new'


def test_a_lone_list_item_with_a_comma_survives_export(tmp_path: Path) -> None:
    source = write_guide(tmp_path / "src", {"dbs.yml": DBS.replace("access: institutional", "aliases: ['Knowledge, China']\n    access: free")})
    sheet = write_csv(tmp_path / "all.csv", CliRunner().invoke(main, ["export", str(source), "--format", "csv"]).stdout)
    target = write_guide(tmp_path / "dst", {"dbs.yml": DBS.split("entries:", maxsplit=1)[0] + "entries: []\n"})
    assert CliRunner().invoke(main, ["import", str(sheet), "--guides", str(target)]).exit_code == 0
    guide, _ = load_guide(target)
    assert guide is not None and guide.by_id["cnki"].aliases == ["Knowledge, China"]


def test_import_update_applies_an_edited_sheet_in_place(tmp_path: Path) -> None:
    guides = shutil.copytree(FIXTURE_GUIDE, tmp_path / "guides")
    assert CliRunner().invoke(main, ["fmt", str(guides)]).exit_code == 0  # from the canonical form: only edits change lines
    sheet = tmp_path / "all.csv"
    assert CliRunner().invoke(main, ["export", str(guides), "--format", "csv", "-o", str(sheet)]).exit_code == 0
    rows = _rows(sheet.read_text(encoding="utf-8-sig"))
    before = {p.name: p.read_text(encoding="utf-8") for p in guides.glob("*.yml")}
    edited = {row["id"]: row for row in rows}
    target = next(r for r in rows if r["status"] == "active" and r["aliases"])["id"]
    edited[target].update(description_en="Edited.", status="ended", available_until="2020-06-30", aliases="")
    other = next(r for r in rows if r["id"] != target)["id"]
    edited[other]["title_en"] = "Renamed"
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]))
    writer.writeheader()
    writer.writerows(edited.values())
    sheet.write_text(out.getvalue(), encoding="utf-8")

    dry = CliRunner().invoke(main, ["import", "--update", "--dry-run", str(sheet), "--guides", str(guides)])
    assert dry.exit_code == 0, dry.output
    assert "+      en: Edited.\n" in dry.stdout and "+    status: ended\n" in dry.stdout and "+      en: Renamed\n" in dry.stdout
    assert f"would update 2 entries, {len(rows) - 2} unchanged" in dry.stderr
    assert {p.name: p.read_text(encoding="utf-8") for p in guides.glob("*.yml")} == before

    result = CliRunner().invoke(main, ["import", "--update", str(sheet), "--guides", str(guides)])
    assert result.exit_code == 0, result.output
    assert f"imported 0 entries; updated 2 entries, {len(rows) - 2} unchanged" in result.stderr
    guide, _ = load_guide(guides)
    assert guide is not None
    entry = guide.by_id[target]
    assert (entry.description.en, entry.status, str(entry.available_until), entry.aliases) == ("Edited.", "ended", "2020-06-30", [])
    assert guide.by_id[other].title.en == "Renamed"
    after = {p.name: p.read_text(encoding="utf-8") for p in guides.glob("*.yml")}
    lost = [line for name in before for line in before[name].splitlines() if line not in after[name].splitlines()]
    assert sorted(line.strip().split(":")[0] for line in lost) == ["aliases", "en", "en"], lost  # comments and the rest stay
    assert CliRunner().invoke(main, ["fmt", "--check", str(guides)]).exit_code == 0
    again = CliRunner().invoke(main, ["import", "--update", str(sheet), "--guides", str(guides)])
    assert f"updated 0 entries, {len(rows)} unchanged" in again.stderr


def test_import_update_reports_a_bad_edit_at_its_row_and_applies_the_rest(tmp_path: Path) -> None:
    guides = write_guide(tmp_path / "guides", {"dbs.yml": DBS + "  - id: arxiv\n    title: {en: arXiv}\n    url: https://arxiv.org/\n"
                                               "    description: {en: Preprints.}\n    category: databases\n    access: free\n"})
    sheet = write_csv(tmp_path / "edit.csv", "id,title_en,status,url\ncnki,CNKI,ended,https://www.cnki.net/\n"
                                             "arxiv,arXiv preprints,,https://arxiv.org/\nnew-one,New,,https://www.cnki.net/\n")
    result = CliRunner().invoke(main, ["import", "--update", str(sheet), "--guides", str(guides), "--collection", "dbs"])
    assert result.exit_code == 1
    assert "CSV row 2 “CNKI”: available_until is required when status is ended" in result.stderr
    assert "CSV row 4 “New”" in result.stderr  # a new row still needs the required columns
    assert "updated 1 entry, 0 unchanged" in result.stderr
    guide, _ = load_guide(guides)
    assert guide is not None and guide.by_id["arxiv"].title.en == "arXiv preprints" and guide.by_id["cnki"].status == "active"


def test_tags_written_as_words_become_slugs_with_labels_to_paste(guides: Path, tmp_path: Path) -> None:
    site = guides / "_site.yml"
    site.write_text(site.read_text(encoding="utf-8") + "tags:\n  ebooks: {zh: 电子书, en: E-books}\n", encoding="utf-8")
    sheet = write_csv(tmp_path / "words.csv",
                      HEADER + ",疫情地图,,https://map.example.cn/,地图。,,databases,电子书；地图；Open Access；maps,free,,,\n")
    result = import_(guides, sheet, "--collection", "dbs")
    assert result.exit_code == 0, result.output
    guide, _ = load_guide(guides)
    assert guide is not None and guide.by_id["yi-qing-di-tu"].tags == ["ebooks", "di-tu", "open-access", "maps"]
    block = '  di-tu: {zh: "地图"}\n  open-access: {en: "Open Access"}\n'
    assert "paste this under 'tags:' (a top-level key; add it if missing):\n" + block in result.stderr
    site.write_text(site.read_text(encoding="utf-8") + block, encoding="utf-8")
    guide, diagnostics = load_guide(guides)
    assert guide is not None, diagnostics
    assert guide.site.tags["di-tu"].zh == "地图"


def test_a_nested_field_round_trips_through_its_columns_and_update_can_clear_it(tmp_path: Path) -> None:
    status = "    service_status:\n      state: changed\n      note:\n        zh: 仅线上服务\n        en: Online only\n      since: 2020-02-01\n"
    source = write_guide(tmp_path / "src", {"dbs.yml": DBS + status})
    sheet = write_csv(tmp_path / "all.csv", CliRunner().invoke(main, ["export", str(source), "--format", "csv"]).stdout)
    row = _rows(sheet.read_text(encoding="utf-8"))[0]
    assert (row["service_status_state"], row["service_status_note_zh"], row["service_status_since"]) == ("changed", "仅线上服务", "2020-02-01")
    target = write_guide(tmp_path / "dst", {"dbs.yml": DBS.split("entries:", maxsplit=1)[0] + "entries: []\n"})
    assert CliRunner().invoke(main, ["import", "--update", str(sheet), "--guides", str(target)]).exit_code == 0
    assert collections_of(target) == collections_of(source)
    cleared = write_csv(tmp_path / "cleared.csv", "id,service_status_state,service_status_note_zh,service_status_note_en,service_status_since\n"
                                                  "cnki,,,,\n")
    result = CliRunner().invoke(main, ["import", "--update", str(cleared), "--guides", str(target)])
    assert result.exit_code == 0, result.output
    guide, _ = load_guide(target)
    assert guide is not None and guide.by_id["cnki"].service_status is None
    assert "service_status" not in (target / "dbs.yml").read_text(encoding="utf-8")
