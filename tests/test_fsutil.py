"""Atomic writes: the whole text or nothing, with the permissions an ordinary write gives."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from openshelf.fsutil import atomic_writer, write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_permissions_of_an_ordinary_write(tmp_path: Path) -> None:
    ordinary = tmp_path / "ordinary.txt"
    ordinary.write_text("x", encoding="utf-8")
    write_atomic(tmp_path / "atomic.txt", "x")
    with atomic_writer(tmp_path / "streamed.txt") as out:
        out.write("x")
    assert _mode(tmp_path / "atomic.txt") == _mode(ordinary) == _mode(tmp_path / "streamed.txt")
    assert _mode(ordinary) & stat.S_IROTH  # readable by a web server under the usual umask


def test_a_rewritten_file_keeps_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "guide.yml"
    path.write_text("old\n", encoding="utf-8")
    os.chmod(path, 0o640)
    write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n" and _mode(path) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_writer(path) as out:
        out.write("half")
        raise RuntimeError("interrupted")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
