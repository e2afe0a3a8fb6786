"""openshelf.wording: a count and its noun in the right number."""

from __future__ import annotations

from openshelf.wording import counted


def test_one_takes_the_singular_every_other_count_the_plural() -> None:
    assert counted(1, "entry", "entries") == "1 entry"
    assert [counted(n, "entry", "entries") for n in (0, 2, 11)] == ["0 entries", "2 entries", "11 entries"]
    assert (counted(1, "URL"), counted(0, "URL"), counted(3, "state file")) == ("1 URL", "0 URLs", "3 state files")
