"""guides/_links.yml: validation with file:line:col messages, host matching, exclusions."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.cli import main
from openshelf.links.rules import LinkRules, RulesError, load_rules, parse_rules

GOOD = """\
transient_runs_before_broken: 2
accept_status: [999]
hosts:
  - host: mp.weixin.qq.com
    soft_404: ["该内容已被发布者删除", "已停止访问该网页"]
    reason: deleted WeChat articles answer 200 with a notice
  - host: "*.example.edu.cn"
    unreachable_from_ci: true
    reason: stalls traffic from abroad
  - host: lib.example.edu.cn
    accept_status: [403]
    reason: answers 403 to robots
exclude:
  - pattern: "^https://webvpn\\\\."
    reason: WebVPN portals need a login
"""


def test_good_rules():
    rules = parse_rules(GOOD)
    assert rules.transient_runs_before_broken == 2
    assert rules.host_rule("mp.weixin.qq.com").soft_404 == ("该内容已被发布者删除", "已停止访问该网页")  # type: ignore[union-attr]
    assert rules.host_rule("a.example.edu.cn").unreachable_from_ci  # type: ignore[union-attr]
    assert rules.host_rule("example.edu.cn").unreachable_from_ci  # type: ignore[union-attr]
    assert rules.host_rule("lib.example.edu.cn").accept_status == (403,)  # type: ignore[union-attr]
    assert rules.host_rule("other.org") is None
    assert rules.accepted("lib.example.edu.cn", 403) and rules.accepted("any.org", 999)
    assert not rules.accepted("any.org", 403)
    assert rules.excluded("https://webvpn.example.edu.cn/x") is not None
    assert rules.excluded("https://example.org/") is None


def test_missing_file_means_defaults(tmp_path):
    assert load_rules(tmp_path / "_links.yml") == LinkRules()


def test_empty_file_means_defaults():
    assert parse_rules("") == LinkRules()


def errors(text: str) -> list[str]:
    with pytest.raises(RulesError) as info:
        parse_rules(text, "guides/_links.yml")
    return info.value.messages


def test_errors_name_file_line_and_field():
    text = "hosts:\n  - host: example.org\n    reson: typo\n"
    assert errors(text) == [
        "guides/_links.yml:2:5: error: missing required field 'hosts[0].reason'",
        "guides/_links.yml:3:5: error: unknown field 'hosts[0].reson' (did you mean 'reason'?)",
    ]


def test_bad_values():
    msgs = errors("transient_runs_before_broken: 0\nexclude:\n  - pattern: '('\n    reason: r\n"
                  "hosts:\n  - host: https://x.org/\n    reason: r\n    accept_status: [42]\n")
    assert any(m.startswith("guides/_links.yml:1:31: error: transient_runs_before_broken:") for m in msgs)
    assert any("exclude[0].pattern" in m and "regular expression" in m for m in msgs)
    assert any(m.startswith("guides/_links.yml:6:11: error: hosts[0].host:") for m in msgs)
    assert any("hosts[0].accept_status" in m and "42" in m for m in msgs)


def test_wrong_types():
    """Values are read as text by the guide's loader; what cannot be converted is an error."""
    assert errors("transient_runs_before_broken: three\n") == [
        "guides/_links.yml:1:31: error: transient_runs_before_broken: must be a whole number, not 'three'"]
    (msg,) = errors("hosts:\n  - host: a.org\n    reason: r\n    unreachable_from_ci: perhaps\n")
    assert msg.startswith("guides/_links.yml:4:26: error: hosts[0].unreachable_from_ci: input should be a valid boolean")
    assert parse_rules("transient_runs_before_broken: 5\naccept_status: [403]\n") == LinkRules(
        transient_runs_before_broken=5, accept_status=(403,))


def test_yaml_syntax_error_has_a_position():
    (msg,) = errors("hosts: [\n")
    assert msg.startswith("guides/_links.yml:2:1: error: ") and "flow" in msg


def test_duplicate_keys_are_rejected():
    (msg,) = errors("accept_status: [403]\naccept_status: [404]\n")
    assert msg == "guides/_links.yml:2:1: error: duplicate key 'accept_status' (first defined at line 1)"


def test_top_level_must_be_a_mapping():
    (msg,) = errors("- a\n- b\n")
    assert msg == "guides/_links.yml:1:1: error: the rules file must be a mapping of settings"


BOMB = "".join(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9 if n else ['"lol"'] * 9) + "]\n" for n in range(10))


def test_alias_bomb_stops_at_the_node_limit():
    (msg,) = errors(BOMB)
    assert msg.startswith("guides/_links.yml:") and "expands to more than 2,000,000 values" in msg


def test_unreadable_file(tmp_path):
    path = tmp_path / "_links.yml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(RulesError) as info:
        load_rules(path)
    assert info.value.messages == [f"{path}:1:1: error: cannot read: the file is not UTF-8: save it as UTF-8"]


# --- the commands ---------------------------------------------------------------

SITE = "title: {en: Test guide}\ncategories:\n  db: {en: Databases}\n"
GUIDE = ("id: things\ntitle: {en: Things}\nentries:\n  - id: local\n    title: {en: Local}\n"
         "    url: http://127.0.0.1:9/\n    description: {en: x}\n    category: db\n    access: free\n")


def guide_with_rules(root: Path, rules: str) -> Path:
    guides = root / "guides"
    guides.mkdir()
    (guides / "_site.yml").write_text(SITE)
    (guides / "things.yml").write_text(GUIDE)
    (guides / "_links.yml").write_text(rules)
    return guides


def test_links_stops_an_alias_bomb_in_the_rules_quickly(tmp_path):
    """Before: PyYAML's composer built the graph and walking it spun at full CPU until killed."""
    guide_with_rules(tmp_path, "transient_runs_before_broken: 3\n" + BOMB)
    proc = subprocess.run([sys.executable, "-m", "openshelf", "links", "--no-state"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2, proc.stderr
    assert re.search(r"^guides/_links\.yml:\d+:\d+: error: the document expands to more than 2,000,000 values", proc.stderr, re.MULTILINE)
    assert "Error: invalid link rules" in proc.stderr and "Traceback" not in proc.stderr


def test_validate_checks_the_rules_with_the_guide(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    guide_with_rules(tmp_path, BOMB)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 1
    assert re.search(r"^guides/_links\.yml:\d+:\d+: error: the document expands to more than 2,000,000 values",
                     result.stderr, re.MULTILINE)
    assert "1 error(s), 0 warning(s)" in result.stderr


def test_validate_reports_rules_and_guide_problems_in_one_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    guides = guide_with_rules(tmp_path, "hosts:\n  - host: a.org\n    reson: typo\n")
    (guides / "things.yml").write_text(GUIDE.replace("access: free", "access: sometimes"))
    text = CliRunner().invoke(main, ["validate", "guides"])
    assert text.exit_code == 1
    assert "guides/_links.yml:2:5: error: missing required field 'hosts[0].reason'" in text.stderr
    assert "guides/_links.yml:3:5: error: unknown field 'hosts[0].reson' (did you mean 'reason'?)" in text.stderr
    assert "guides/things.yml:9:" in text.stderr and "3 error(s)" in text.stderr
    github = CliRunner().invoke(main, ["validate", "--format", "github", "guides"])
    assert "::error file=guides/_links.yml,line=2,col=5::missing required field 'hosts[0].reason'" in github.stdout
    alone = CliRunner().invoke(main, ["validate", "guides/_links.yml"])
    assert alone.exit_code == 1 and "guides/things.yml" not in alone.stderr and "2 error(s)" in alone.stderr


def test_validate_accepts_good_rules(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    guide_with_rules(tmp_path, GOOD)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "ok: 1 collection, 1 entry" in result.stderr


def test_the_rules_file_has_a_schema_for_editors() -> None:
    """guides/_links.yml names its JSON Schema, written by `openshelf schema` from the model (unknown keys refused)."""
    import json

    from openshelf.links.rules import SCHEMA_FILE, schema_files

    root = Path(__file__).resolve().parents[2]
    assert (root / "guides" / "_links.yml").read_text(encoding="utf-8").startswith(f"# yaml-language-server: $schema=_schema/{SCHEMA_FILE}\n")
    schema = json.loads(schema_files()[SCHEMA_FILE])
    assert (root / "guides" / "_schema" / SCHEMA_FILE).read_text(encoding="utf-8") == schema_files()[SCHEMA_FILE]
    assert set(schema["properties"]) == {"transient_runs_before_broken", "accept_status", "hosts", "exclude"}
    assert schema["additionalProperties"] is False and schema["$defs"]["HostRule"]["additionalProperties"] is False
    assert all(p.get("description") for p in schema["$defs"]["HostRule"]["properties"].values())
