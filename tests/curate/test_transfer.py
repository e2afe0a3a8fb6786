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
from openshelf.curate.export import COLUMNS, EXPORT_COLUMNS
from openshelf.curate.roundtrip import dump_rt, load_rt
from openshelf.guide.load import load_guide
from support import FIXTURE_GUIDE, NEAR_DUPLICATES, ROOT, write_guide

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
    assert "bad.csv:3:1: error: row 3, column 'url': url must start with http:// or https://" in err
    assert "row 4, column 'access': input should be 'free'" in err and "not 'gratis'" in err
    assert "row 6, column 'last_verified': must be a real date written YYYY-MM-DD, not '2020-02-30'" in err
    assert "row 7, column 'category': category 'nowhere' is not defined" in err
    assert "row 8, column 'title_zh/title_en'" in err
    assert "row 9, column 'related': unknown entry id(s) 'nothing'" in err
    assert "imported 1 entry" in err and "6 bad row(s) skipped" in err
    assert "Traceback" not in result.output
    guide, _ = load_guide(guides)
    assert guide is not None and "ok" in guide.by_id and "bad-url" not in guide.by_id


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
    assert "rel.csv:3:1: error: row 3, column 'related': unknown entry id(s) 'nothing'" in err
    assert "rel.csv:4:1: error: row 4, column 'related': skipped: it relates to 'lost' (row 3), which is not imported" in err
    assert "rel.csv:5:1: error: row 5, column 'related': skipped: it relates to 'via-lost' (row 4), which is not imported" in err
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
    assert "anchor.csv:2:1: error: row 2: entry 'category-x': id 'category-x' starts with 'category-'" in err
    assert "anchor.csv:4:1: error: row 4, column 'related': skipped: it relates to 'category-x' (row 2)" in err
    assert "imported 1 entry" in err and "2 bad row(s) skipped" in err
    assert "nothing imported" not in err and "dbs.yml:" not in err
    guide, _ = load_guide(guides)
    assert guide is not None and sorted(guide.by_id) == ["cnki", "fine"]


def test_duplicates_are_skipped_with_a_message(guides: Path, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "dup.csv", HEADER
                      + "cnki,,CNKI again,https://cnki.example.org/,,X.,databases,,free,,,\n"
                      + "cnki-mirror,,CNKI,HTTPS://WWW.CNKI.NET:443?utm_source=wechat,,X.,databases,,free,,,\n"
                      + "new-one,,New,https://new.example.org/,,X.,databases,,free,,,\n"
                      + "new-two,,New,https://new.example.org,,X.,databases,,free,,,\n")
    result = import_(guides, sheet, "--collection", "dbs")
    assert result.exit_code == 0, result.output
    assert "row 2, column 'id': skipped: id 'cnki' already exists at" in result.stderr
    assert "row 3, column 'url': skipped: the same URL is already in the guide as entry 'cnki'" in result.stderr
    assert "row 5, column 'url': skipped: the same URL is already in the guide as row 4" in result.stderr
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


def test_distinct_from_survives_export_and_import(tmp_path: Path) -> None:
    checked = NEAR_DUPLICATES + "    distinct_from: [fever-hubei]\n"
    source = write_guide(tmp_path / "src", {"health.yml": checked})
    sheet = write_csv(tmp_path / "all.csv", CliRunner().invoke(main, ["export", str(source), "--format", "csv"]).stdout)
    assert [row["distinct_from"] for row in _rows(sheet.read_text(encoding="utf-8"))] == ["", "fever-hubei"]
    target = write_guide(tmp_path / "dst", {"health.yml": _empty(source / "health.yml")})
    result = CliRunner().invoke(main, ["import", str(sheet), "--guides", str(target)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output  # the pair stays checked
    guide, diagnostics = load_guide(target)
    assert guide is not None and diagnostics == []
    assert guide.by_id["fever-hunan"].distinct_from == ["fever-hubei"]
    assert "    distinct_from: [fever-hubei]\n" in (target / "health.yml").read_text(encoding="utf-8")


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
    assert data["version"] == "2.0" and data["guide"]["updated"] == "2026-09-21T14:13:20Z"
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
        # the plugin's English edition (/en/), the staged bilingual site's only home page
        home = (root / ("en/index.html" if root == site else "index.html")).read_text(encoding="utf-8")
        assert "Download the data" in home and 'href="downloads/openshelf.csv"' in (root / "index.html").read_text(encoding="utf-8")


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
