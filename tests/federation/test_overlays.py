"""guides/_overlays.yml: the model, loading with positions, and its JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openshelf.federation.overlays import load_overlays
from support import ROOT

OVERLAYS = """\
# yaml-language-server: $schema=_schema/overlays.schema.json
overlays:
  - id: cnki
    note: {zh: 本馆读者请先登录 WebVPN。, en: "At our library, sign in through WebVPN first."}
    access: institutional
    revision: 0123456789ab
  - id: webvpn
    url: https://vpn.mylib.example.edu/
  - id: wanfang
    hide: true
"""


@pytest.fixture
def guides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("guides").mkdir()
    return Path("guides")


def _write(guides: Path, text: str) -> None:
    (guides / "_overlays.yml").write_text(text, encoding="utf-8")


def test_overlays_load_with_the_place_of_each_value(guides: Path) -> None:
    _write(guides, OVERLAYS)
    placed, diagnostics = load_overlays(guides)
    assert diagnostics == []
    assert placed is not None
    assert [(p.overlay.id, str(p.where()), str(p.where("note"))) for p in placed] == [
        ("cnki", "guides/_overlays.yml:3:5", "guides/_overlays.yml:4:11"),
        ("webvpn", "guides/_overlays.yml:7:5", "guides/_overlays.yml:7:5"),
        ("wanfang", "guides/_overlays.yml:9:5", "guides/_overlays.yml:9:5"),
    ]
    cnki, webvpn, wanfang = (p.overlay for p in placed)
    assert cnki.note is not None and cnki.note.en == "At our library, sign in through WebVPN first."
    assert (cnki.access, cnki.revision, cnki.hide, cnki.tags) == ("institutional", "0123456789ab", False, None)
    assert (webvpn.url, wanfang.hide) == ("https://vpn.mylib.example.edu/", True)


def test_no_file_is_no_overlay(guides: Path) -> None:
    assert load_overlays(guides) == ([], [])


def test_errors_read_like_guide_file_errors(guides: Path) -> None:
    _write(guides, OVERLAYS.replace("access: institutional", "access: open").replace("hide: true", "hidden: true"))
    placed, diagnostics = load_overlays(guides)
    assert placed is not None and [p.overlay.id for p in placed] == ["webvpn"]  # the valid one, still checked by the merge
    assert [d.format() for d in diagnostics] == [
        "guides/_overlays.yml:5:13: error: overlays[0].access: input should be 'free', 'free-with-registration', 'temporarily-free', "
        "'institutional' or 'paid', not 'open'",
        "guides/_overlays.yml:10:5: error: unknown field 'overlays[2].hidden' (did you mean 'hide'?)",
    ]


def test_one_entry_overlaid_twice_is_an_error(guides: Path) -> None:
    _write(guides, OVERLAYS + "  - id: cnki\n    hide: true\n")
    placed, diagnostics = load_overlays(guides)
    assert placed is not None and [(p.overlay.id, p.index) for p in placed] == [("cnki", 0), ("webvpn", 1), ("wanfang", 2)]
    assert [d.format() for d in diagnostics] == [
        "guides/_overlays.yml:11:9: error: entry 'cnki': another overlay for entry 'cnki' is at guides/_overlays.yml:3:5: merge the two"]


def test_a_file_that_is_not_a_list_of_overlays_gives_none(guides: Path) -> None:
    _write(guides, "overlay:\n  - id: cnki\n")
    placed, diagnostics = load_overlays(guides)
    assert placed is None and [d.format() for d in diagnostics] == [
        "guides/_overlays.yml:1:1: error: unknown field 'overlay' (did you mean 'overlays'?)"]


def test_the_schema_file_describes_the_overlay_fields() -> None:
    schema = json.loads((ROOT / "guides" / "_schema" / "overlays.schema.json").read_text(encoding="utf-8"))
    assert schema["$id"] == "overlays.schema.json"
    overlay = schema["$defs"]["Overlay"]
    assert set(overlay["properties"]) == {"id", "note", "access", "category", "tags", "url", "distinct_from", "hide", "revision"}
    assert overlay["required"] == ["id"] and overlay["additionalProperties"] is False
