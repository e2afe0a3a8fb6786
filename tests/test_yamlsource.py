from __future__ import annotations

import pytest

from openshelf.yamlsource import Limits, YamlProblem, load


def test_scalars_stay_text_and_empty_is_none() -> None:
    value, _ = load("a: no\nb: 2020-03-01\nc:\nd: '12'\ne: 1.50\nf: ~\ng: yes\n")
    assert value == {"a": "no", "b": "2020-03-01", "c": None, "d": "12", "e": "1.50", "f": None, "g": "yes"}


def test_positions_are_one_based_for_keys_and_values() -> None:
    _, pos = load("entries:\n  - id: cnki\n    url: x\n")
    assert pos.values[("entries", 0, "url")] == (3, 10)
    assert pos.keys[("entries", 0, "url")] == (3, 5)
    assert pos.of(("entries", 0, "missing")) == (2, 5)  # nearest ancestor


def test_duplicate_key_is_an_error_with_both_lines() -> None:
    with pytest.raises(YamlProblem) as info:
        load("id: a\ntitle: x\nid: b\n")
    assert (info.value.message, info.value.line, info.value.column) == ("duplicate key 'id' (first defined at line 1)", 3, 1)


def test_tab_indentation_gets_a_hint() -> None:
    with pytest.raises(YamlProblem) as info:
        load("a:\n\t- b\n")
    assert "YAML needs spaces" in info.value.message
    assert info.value.line == 2


def test_alias_bomb_is_bounded() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    with pytest.raises(YamlProblem) as info:
        load(bomb, Limits(max_nodes=100_000))
    assert "expands to more than 100,000 values" in info.value.message


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlProblem, match="recursive alias"):
        load("a: &a [1, *a]\n")


def test_deep_nesting_is_refused() -> None:
    with pytest.raises(YamlProblem, match="nests too deeply"):
        load("a: " + "[" * 80 + "]" * 80 + "\n", Limits(max_depth=64))


def test_merge_keys_are_refused() -> None:
    with pytest.raises(YamlProblem, match="merge keys"):
        load("base: &b {x: 1}\nother:\n  <<: *b\n")
