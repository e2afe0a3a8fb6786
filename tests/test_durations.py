"""One duration syntax for every command: m is minutes, mo is months (30 days)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openshelf.durations import parse_days, parse_duration


@pytest.mark.parametrize(("text", "expected"), [
    ("45s", timedelta(seconds=45)), ("30m", timedelta(minutes=30)), ("12h", timedelta(hours=12)),
    ("1.5h", timedelta(minutes=90)), ("7d", timedelta(days=7)), ("2w", timedelta(weeks=2)),
    ("6mo", timedelta(days=180)), ("1y", timedelta(days=365)), (" 7D ", timedelta(days=7)),
])
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["soon", "7", "7x", "-1d", "d", "7 days"])
def test_not_a_duration(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration: write a number and a unit"):
        parse_duration(text)


def test_parse_days() -> None:
    assert [parse_days(t) for t in ("180d", "180", "26w", "6mo", "1y", "24h")] == [180, 180, 182, 180, 365, 1]
    with pytest.raises(ValueError, match="m means minutes; for 6 months write 6mo"):
        parse_days("6m")
    with pytest.raises(ValueError, match="'36h' is not a whole number of days"):
        parse_days("36h")
