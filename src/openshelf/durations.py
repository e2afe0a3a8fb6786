"""Durations on the command line (``links --max-age 7d``, ``stale --older-than 6mo``): one syntax, one meaning.

A number and a unit: ``s`` seconds, ``m`` minutes, ``h`` hours, ``d`` days, ``w`` weeks, ``mo``
months (30 days), ``y`` years (365 days).  ``m`` is always minutes, as in ``sleep`` and
``systemd``; months are ``mo``.
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS: dict[str, timedelta] = {
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "mo": timedelta(days=30),
    "y": timedelta(days=365),
}
SYNTAX = "a number and a unit: s, m (minutes), h, d, w, mo (months of 30 days) or y, e.g. 12h, 7d, 6mo"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mo|[smhdwy])?\s*$", re.IGNORECASE)


def parse_duration(text: str, default_unit: str | None = None) -> timedelta:
    """``45s``, ``30m``, ``12h``, ``7d``, ``2w``, ``6mo``, ``1y`` → timedelta; ValueError otherwise.

    A bare number is read in ``default_unit``; without one it is an error.
    """
    match = _DURATION.match(text)
    unit = (match.group(2) or default_unit or "").lower() if match else ""
    if not match or unit not in UNITS:
        raise ValueError(f"{text!r} is not a duration: write {SYNTAX}")
    return float(match.group(1)) * UNITS[unit]


def parse_days(text: str) -> int:
    """A whole number of days (a bare number counts days): ``180d``, ``26w``, ``6mo``, ``1y``, ``180``.

    A duration that is not whole days is refused; for ``6m`` (six minutes, almost certainly meant
    as six months) the message says so and suggests ``6mo``.
    """
    age = parse_duration(text, default_unit="d")
    days, rest = divmod(age, timedelta(days=1))
    if rest:
        found = _DURATION.match(text)
        assert found is not None, "parse_duration accepted it"
        number, unit = found.groups()
        hint = "write days (180d), weeks (26w), months (6mo) or years (1y)"
        if unit.lower() == "m":
            hint = f"m means minutes; for {number} months write {number}mo (or {round(float(number) * 30)}d)"
        raise ValueError(f"{text!r} is not a whole number of days: {hint}")
    return int(days)
