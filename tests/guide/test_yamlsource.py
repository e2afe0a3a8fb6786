from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from openshelf.errors import GuideError
from openshelf.guide.yamlsource import Limits, YamlProblem, load


def test_scalars_stay_text_and_empty_is_none() -> None:
    value, _ = load("a: no\nb: 2020-03-01\nc:\nd: '12'\ne: 1.50\nf: ~\ng: yes\n")
    assert value == {"a": "no", "b": "2020-03-01", "c": None, "d": "12", "e": "1.50", "f": None, "g": "yes"}


def test_positions_are_one_based_for_keys_and_values() -> None:
    _, pos = load("entries:\n  - id: cnki\n    url: x\n")
    assert pos.values[("entries", 0, "url")] == (3, 10)
    assert pos.keys[("entries", 0, "url")] == (3, 5)
    assert pos.of(("entries", 0, "missing")) == (2, 5)  # nearest ancestor
    assert pos.find(("entries", 0, "url")) == (3, 10)
    assert pos.find(("entries", 0, "missing")) is None  # exactly this path, no ancestor
    assert pos.find(("entries", 1)) is None


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


def test_nesting_far_beyond_the_c_stack_stops_at_the_limit() -> None:
    # PyYAML's composer would overflow the C stack (and kill the process) at about 30,000 levels.
    with pytest.raises(YamlProblem) as info:
        load("a: " + "[" * 200_000 + "]" * 200_000 + "\n")
    assert (info.value.message, info.value.line, info.value.column) == ("a[0][0][0]…: the YAML nests too deeply (more than 64 levels)", 1, 67)


def test_a_long_value_names_its_path() -> None:
    with pytest.raises(YamlProblem) as info:
        load("entries:\n  - description:\n      en: " + "x" * 101 + "\n", Limits(max_value_chars=100))
    assert (info.value.message, info.value.line) == ("entries[0].description.en: the value is 101 characters long; the limit is 100", 3)


def test_aliases_count_toward_the_node_limit_without_expanding() -> None:
    with pytest.raises(YamlProblem, match="expands to more than 50 values"):
        load("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a]\n", Limits(max_nodes=50))


def test_undefined_alias_and_second_document() -> None:
    with pytest.raises(YamlProblem, match=r"found undefined alias 'nope'") as info:
        load("a: 1\nb: *nope\n")
    assert info.value.line == 2
    with pytest.raises(YamlProblem, match="expected a single document") as info:
        load("a: 1\n---\nb: 2\n")
    assert info.value.line == 2


def test_an_alias_gives_the_anchored_value_and_an_alias_key_works() -> None:
    value, pos = load("k: &k name\nlist: &l [x, y]\ncopy: *l\n*k : z\nempty:\nquoted: ''\nnull_tag: !!null x\n")
    assert value == {"k": "name", "list": ["x", "y"], "copy": ["x", "y"], "name": "z", "empty": None, "quoted": "", "null_tag": None}
    assert pos.values[("copy",)] == (3, 7)  # the alias itself
    assert pos.values[("copy", 1)] == (2, 14)  # inside it: where the anchored value is written
    assert ("copy", 2) not in pos.values and pos.of(("copy", 2)) == (3, 7)


def test_the_parser_limits_default_to_the_schema_limits() -> None:
    from openshelf.guide import models

    schema = models.Limits()
    for name in ("max_depth", "max_nodes", "max_value_chars"):
        assert getattr(Limits(), name) == getattr(schema, name), name


@pytest.mark.parametrize(("text", "message", "where"), [
    ("a: 'open\n", "a quote is opened but not closed", (2, 1)),
    ("a: [[[[1]]]]\n", "nests too deeply", (1, 6)),  # the depth limit's own subclass
])
def test_problem_is_an_ordinary_exception(text: str, message: str, where: tuple[int, int]) -> None:
    """It passes through a @contextmanager (which sets __traceback__) and takes notes."""

    @contextlib.contextmanager
    def around() -> Iterator[None]:
        yield

    with pytest.raises(YamlProblem) as info, around():
        load(text, Limits(max_depth=3))
    info.value.add_note("while reading guides/x.yml")
    assert isinstance(info.value, GuideError) and info.value.exit_code == 1
    assert message in info.value.message and str(info.value) == info.value.message
    assert (info.value.line, info.value.column) == where
    assert info.value.__notes__ == ["while reading guides/x.yml"]

