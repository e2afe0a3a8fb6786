"""The export's text: the YAML and JSON streamed as they are written are the very text PyYAML's and
json's one-shot dumps make, for awkward values and for the whole default guide."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from openshelf.cli import main
from openshelf.curate.export import shared_address, yaml_dump
from openshelf.federation.exchange import export_json, export_record
from openshelf.guide.load import load_guide
from support import ROOT, write_guide

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)

#: Values YAML must quote, fold or tag, in the nestings an export has.
AWKWARD: dict[str, Any] = {
    "plain": "CNKI 中国知网",
    "look like other types": ["yes", "no", "on", "null", "~", "1.0", "0x1F", "2020-01-23", "1e3", "", " leading", "trailing "],
    "punctuation": ["a: b", "#not a comment", "- dash", "[x]", "{y}", "*star", "&amp", "!bang", "%pct", "@at", "`tick`", "'q'", '"dq"'],
    "lines": "first line\nsecond line\n",
    "long": "很长的描述。" * 400,
    "emoji and escapes": "📚 \t tab \x07 bell \u2028 separator",
    "numbers": [0, -1, 1.5, float("inf"), True, False, None],
    "empty": {"map": {}, "list": [], "text": ""},
    "nested": [{"id": "a", "tags": ["x", "y"], "links": [[1, 2], []]}, [{"deep": {"deeper": [None]}}]],
    "on": "a key YAML 1.1 reads as a boolean",
    "123": "a key that looks like a number",
}


def yaml_text(data: Any) -> str:
    """What :func:`yaml_dump` streams, as one text."""
    out = io.StringIO()
    yaml_dump(data, out)
    return out.getvalue()


def _one_shot(data: Any) -> str:
    """What the export wrote before it streamed (libyaml's emitter where PyYAML has it, as the export uses)."""
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True, sort_keys=False, width=1_000_000)


def test_streamed_yaml_is_the_text_yaml_dump_makes() -> None:
    assert yaml_text(AWKWARD) == _one_shot(AWKWARD)
    assert yaml.safe_load(yaml_text(AWKWARD)) == AWKWARD


def test_recurring_scalars_are_written_each_time_as_yaml_dump_writes_them() -> None:
    # field names, enumerated values, numbers, null and booleans recur (their events are made once and
    # sent again); more distinct short strings than are kept, and long ones, are made each time
    rows = [{"id": f"e{i}", "access": "free", "on": "on", "n": i % 3, "ok": i % 2 == 0, "none": None,
             "long": "x" * 100, "float": 1.5, "yes": "yes" if i % 2 else "no"} for i in range(5000)]
    assert yaml_text(rows) == _one_shot(rows)
    assert yaml.load(yaml_text(rows), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == rows


def test_streamed_yaml_of_a_bare_value_or_an_empty_document() -> None:
    for data in ("text", 3, None, {}, [], [{}]):
        assert yaml_text(data) == _one_shot(data)


def test_the_default_guides_export_streams_to_the_same_yaml_and_json() -> None:
    guide, diagnostics = load_guide(ROOT / "guides")
    assert guide is not None, diagnostics
    record = export_record(guide, now=NOW)
    assert yaml_text(record) == _one_shot(record)
    assert export_json(guide, now=NOW) == json.dumps(record, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize(("given", "shared"), [
    ("http://127.0.0.1:8000/", None), ("http://localhost:8000/", None), ("http://[::1]/", None), ("http://127.0.0.2/", None),
    ("https://guide.example-library.org/", "https://guide.example-library.org/"), (None, None),
])
def test_a_local_builds_address_is_not_shared(given: str | None, shared: str | None) -> None:
    """A guide built without SITE_URL has the local preview's address: published in its export, every subscriber's
    Members page linked its readers to their own machine."""
    assert shared_address(given) == shared


def test_an_export_of_one_entry_says_entry(tmp_path: Path) -> None:
    """`openshelf export -o FILE` said 'wrote 1 entries to FILE'."""
    one = ("id: dbs\ntitle: {en: D}\nentries:\n  - id: a\n    title: {en: A}\n    url: https://a.example.org/\n"
           "    description: {en: D}\n    category: databases\n    access: free\n")
    guides = write_guide(tmp_path / "guides", {"dbs.yml": one})
    result = CliRunner().invoke(main, ["export", str(guides), "--format", "json", "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 0, result.output
    assert f"wrote 1 entry to {tmp_path / 'out.json'}" in result.stderr
