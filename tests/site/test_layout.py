"""The site stage's boundaries: it does not import the curators' write path, and no site module
uses another module's private names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from support import ROOT

SITE = ROOT / "src" / "openshelf" / "site"
WRITE_PATH = ("openshelf.curate.fmt", "openshelf.curate.append", "openshelf.curate.transfer", "openshelf.curate.new",
              "ruamel.yaml")


def test_the_site_does_not_import_the_write_path() -> None:
    modules = sorted(f"openshelf.site.{p.stem}" for p in SITE.glob("*.py") if p.stem != "__init__")
    code = (f"import sys\nfor m in {modules!r}: __import__(m)\n"
            f"print(sorted(m for m in sys.modules if m.startswith({WRITE_PATH!r})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def private_uses(path: Path) -> list[str]:
    """``from openshelf… import _name`` and ``module._name`` where ``module`` came from openshelf."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openshelf"):
            found += [f"{path.name}:{node.lineno}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
            modules |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name.startswith("openshelf")}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in modules):
            found.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_site_module_uses_another_modules_private_names() -> None:
    assert [use for path in sorted(SITE.glob("*.py")) for use in private_uses(path)] == []
