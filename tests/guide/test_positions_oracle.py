"""The loader's values and positions against an independent reader: PyYAML's own composer.

``yamlsource`` builds values and positions from libyaml's events with a builder of its own, tuned for speed
(positions packed, looked up lazily); the composer builds a node for every key and value, each with its start
mark.  On the default guide, the test fixtures and generated guides as the benchmarks write them, every value,
every position (``positions.find``, ``positions.keys``, ``positions.of``) and every entry field's
``Entry.where`` must be the composer's.  (Aliases are left out: the composer cannot tell an alias's place from
its anchor's; test_yamlsource.py pins them.)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from openshelf.guide import yamlsource
from openshelf.guide.diagnostics import Location
from openshelf.guide.load import display_path, load_guide, read_text
from openshelf.guide.models import Entry
from support import FIXTURE_GUIDE, ROOT

_NULL = "tag:yaml.org,2002:null"
Expected = dict[tuple[str | int, ...], tuple[tuple[int, int], tuple[int, int] | None]]


def _composed(text: str) -> tuple[Any, Expected]:
    """The values (every scalar a string, a null None) and, by path, (value mark, key mark) as the composer sees them."""
    marks: Expected = {}

    def walk(node: yaml.Node, path: tuple[str | int, ...], key: yaml.Node | None) -> Any:
        marks[path] = ((node.start_mark.line + 1, node.start_mark.column + 1),
                       None if key is None else (key.start_mark.line + 1, key.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return {k.value: walk(v, (*path, k.value), k) for k, v in node.value}
        if isinstance(node, yaml.SequenceNode):
            return [walk(v, (*path, i), None) for i, v in enumerate(node.value)]
        return None if node.tag == _NULL else node.value

    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    return (None if root is None else walk(root, (), None)), marks


def _links_guide(folder: Path, n: int) -> Path:
    """A one-file guide the way scripts/bench_links.py writes one."""
    folder.mkdir(parents=True)
    (folder / "_site.yml").write_text("title: {en: Bench}\ncategories:\n  bench: {en: Bench}\n")
    lines = ["id: bench", "title: {en: Bench}", "entries:"]
    for i in range(n):
        lines += [f"  - id: e{i}", f"    title: {{en: Entry {i}}}", f"    url: http://127.0.0.1:8000/good/{i}",
                  "    description: {en: x}", "    category: bench", "    access: free"]
    (folder / "bench.yml").write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture(scope="module")
def guides(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_build
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    generated = tmp_path_factory.mktemp("generated") / "guides"
    bench_build.generate(generated, 400)
    return [ROOT / "guides", FIXTURE_GUIDE, generated, _links_guide(tmp_path_factory.mktemp("links") / "guides", 300)]


def test_values_and_positions_are_the_composers(guides: list[Path]) -> None:
    files = [f for folder in guides for f in sorted(folder.glob("*.yml"))]
    assert len(files) > 25
    for file in files:
        text = read_text(file)
        value, positions = yamlsource.load(text)
        expected_value, marks = _composed(text)
        assert value == expected_value, file
        for path, (mark, key_mark) in marks.items():
            assert positions.find(path) == mark, (file, path)
            assert positions.values[path] == mark, (file, path)
            assert positions.of(path) == mark, (file, path)
            assert positions.of(path, key=True) == (key_mark or mark), (file, path)
            if key_mark is None:
                assert path not in positions.keys, (file, path)
            else:
                assert positions.keys[path] == key_mark, (file, path)
            for missing in ((*path, "no-such-key"), (*path, 10**6)):
                assert positions.find(missing) is None
                assert positions.of(missing) == mark


def test_every_entry_field_is_where_the_composer_puts_it(guides: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    checked = 0
    for folder in guides:
        guide, diagnostics = load_guide(folder)
        assert guide is not None, [d.format() for d in diagnostics]
        for collection in guide.collections:
            path = folder / f"{collection.id}.yml"
            _, marks = _composed(read_text(path))
            display = display_path(path)
            for index, entry in enumerate(collection.entries):
                base = ("entries", index)
                assert entry.where() == Location(display, *marks[base][0])
                for name in Entry.model_fields:
                    mark = marks.get((*base, name), marks[base])[0]
                    assert entry.where(name) == Location(display, *mark), (display, entry.id, name)
                    value = getattr(entry, name)
                    for i in range(len(value) + 1 if isinstance(value, list) else 0):
                        mark = marks.get((*base, name, i), marks[base])[0]
                        assert entry.where(f"{name}[{i}]") == Location(display, *mark), (display, entry.id, name, i)
                checked += 1
    assert checked > 700
