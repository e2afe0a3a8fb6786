"""zh/en parity: the amounts, years, days and months one language's text names, comparable with the other's.

Used by the default guide's content tests (the numbers of both descriptions must match) and by
``scripts/parity_report.py``, which prints both texts side by side for a person to read.  Pure.
"""

from __future__ import annotations

import re

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
_SCALE = {"万": 1e4, "亿": 1e8, "million": 1e6, "billion": 1e9}


def numbers(text: str, english: bool) -> set[float]:
    """The amounts, years, days and months ``text`` names.

    Numbers glued to a word (COVID-19, SARS-CoV-2) are names, not amounts; 万/亿 and
    million/billion are multiplied out; English month names next to a number count as 1-12.
    """
    unit = r"\s*(million|billion)?" if english else r"\s*(?:多)?\s*(万|亿)?"
    found = {
        round(float(m.group(1).replace(",", "")) * _SCALE.get(m.group(2) or "", 1), 2)
        for m in re.finditer(r"(?<![\w.,-])(\d[\d,]*(?:\.\d+)?)" + unit, text)
    }
    if english:
        months = "|".join(MONTHS)
        for m in re.finditer(rf"(?i)(?<=\d )({months})\b|\b({months})(?= \d)", text):
            found.add(float(MONTHS.index((m.group(1) or m.group(2)).lower()) + 1))
    return found
