"""The layout's promises: the tree is the pipeline the README draws, the site does not import the
curators' write path, and no module uses another module's private names."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from support import ROOT

PACKAGE = ROOT / "src" / "openshelf"
SITE = PACKAGE / "site"
STAGES = ("guide", "federation", "site", "curate", "links")
WRITE_PATH = ("openshelf.curate.fmt", "openshelf.curate.append", "openshelf.curate.transfer", "openshelf.curate.new",
              "ruamel.yaml")


def test_the_site_does_not_import_the_write_path() -> None:
    modules = sorted(f"openshelf.site.{p.stem}" for p in SITE.glob("*.py") if p.stem != "__init__")
    code = (f"import sys\nfor m in {modules!r}: __import__(m)\n"
            f"print(sorted(m for m in sys.modules if m.startswith({WRITE_PATH!r})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def private_uses(path: Path, shown_as: Path | None = None) -> list[str]:
    """``from openshelf… import _name`` and ``module._name`` where ``module`` came from openshelf."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = (shown_as or path).relative_to(PACKAGE)
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openshelf"):
            found += [f"{name}:{node.lineno}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
            modules |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name.startswith("openshelf")}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in modules):
            found.append(f"{name}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    assert [use for path in sorted(PACKAGE.rglob("*.py")) for use in private_uses(path)] == []


def test_private_uses_finds_both_kinds(tmp_path: Path) -> None:
    source = "from openshelf.guide.load import _parse\nfrom openshelf.curate import fmt\nfmt._push_tail()\nfmt.__doc__\n"
    (tmp_path / "sample.py").write_text(source, encoding="utf-8")
    found = private_uses(tmp_path / "sample.py", PACKAGE / "sample.py")
    assert found == ["sample.py:1: openshelf.guide.load._parse", "sample.py:3: fmt._push_tail"]


def readme_tree() -> dict[str, set[str]]:
    """The module names the README's design tree lists for each sub-package."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("```\nsrc/openshelf/"):]
    block = block[: block.index("\n```", 4)]
    tree: dict[str, set[str]] = {"": set()}
    current = ""
    for line in block.splitlines()[2:]:
        match = re.match(r"  (\w+)(\.py|/)\s+(.*)", line)
        if match and match.group(2) == ".py":
            tree[""].add(match.group(1))
            continue
        if match:
            current, rest = match.group(1), match.group(3)
        else:
            rest = line.strip()
        names = re.findall(r"[a-z_]+(?=,|;|$| \()", rest.split(";")[0])
        tree.setdefault(current, set()).update(names)
    return tree


def test_the_readme_tree_is_the_package() -> None:
    tree = readme_tree()
    assert set(tree) == {"", *STAGES}
    assert tree[""] == {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    for stage in STAGES:
        on_disk = {p.stem for p in (PACKAGE / stage).glob("*.py")} - {"__init__", "__main__"}
        assert tree[stage] == on_disk, stage
