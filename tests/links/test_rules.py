"""guides/_links.yml: validation with file:line:col messages, host matching, exclusions."""

from __future__ import annotations

import pytest

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
        "guides/_links.yml:2:5: hosts.0.reason: Field required",
        "guides/_links.yml:3:12: hosts.0.reson: unknown key",
    ]


def test_bad_values():
    msgs = errors("transient_runs_before_broken: 0\nexclude:\n  - pattern: '('\n    reason: r\n"
                  "hosts:\n  - host: https://x.org/\n    reason: r\n    accept_status: [42]\n")
    assert any(m.startswith("guides/_links.yml:1:31: transient_runs_before_broken:") for m in msgs)
    assert any("exclude.0.pattern" in m and "regular expression" in m for m in msgs)
    assert any(m.startswith("guides/_links.yml:6:11: hosts.0.host:") for m in msgs)
    assert any("hosts.0.accept_status" in m and "42" in m for m in msgs)


def test_strict_types():
    assert any("valid integer" in m for m in errors("transient_runs_before_broken: '3'\n"))
    assert any("valid boolean" in m for m in errors("hosts:\n  - host: a.org\n    reason: r\n    unreachable_from_ci: 'yes'\n"))


def test_yaml_syntax_error_has_a_position():
    (msg,) = errors("hosts: [\n")
    assert msg.startswith("guides/_links.yml:2:1: invalid YAML")


def test_duplicate_keys_are_rejected():
    (msg,) = errors("accept_status: [403]\naccept_status: [404]\n")
    assert msg == "guides/_links.yml:2:1: accept_status: duplicate key"


def test_top_level_must_be_a_mapping():
    (msg,) = errors("- a\n- b\n")
    assert "must be a mapping" in msg


def test_unreadable_file(tmp_path):
    path = tmp_path / "_links.yml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(path)
