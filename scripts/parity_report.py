"""Print every entry's Chinese and English text side by side, for a person to read (not a machine translation).

    .venv/bin/python scripts/parity_report.py [GUIDES] [--only-differing-numbers] [--id ID ...]

For each entry: its id and file:line, then title, description and provider in zh and in en, one
above the other, and the amounts, dates and sizes each language names (the same extraction the
content tests use), flagged when they differ.  A reviewer reads the pairs and fixes what does not
say the same thing; the content test only catches numbers.  Exit 0, or 1 when the guide is invalid.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from openshelf.guide.load import load_guide  # noqa: E402
from openshelf.guide.models import Entry  # noqa: E402
from openshelf.guide.parity import numbers  # noqa: E402

WIDTH = 100


def _block(label: str, value: str | None) -> list[str]:
    body = textwrap.wrap(value, WIDTH - 8) if value else ["(missing)"]
    return [f"  {label:<5} {body[0]}", *(f"        {line}" for line in body[1:])]


def report(entry: Entry) -> tuple[list[str], bool]:
    """The side-by-side text of one entry, and whether the two languages name different numbers."""
    zh_numbers = numbers(entry.description.zh or "", english=False)
    en_numbers = numbers(entry.description.en or "", english=True)
    differ = zh_numbers != en_numbers
    lines = [f"{'!! ' if differ else ''}{entry.id}  ({entry.where()})"]
    for field in ("title", "description", "provider"):
        value = getattr(entry, field)
        if value is None:
            continue
        lines += [f" {field}:", *_block("zh", value.zh), *_block("en", value.en)]
    lines.append(f" numbers: zh {sorted(zh_numbers)} · en {sorted(en_numbers)}" + ("   <-- differ" if differ else ""))
    return lines, differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("guides", nargs="?", type=Path, default=ROOT / "guides")
    parser.add_argument("--only-differing-numbers", action="store_true", help="List only the entries whose zh and en name different numbers.")
    parser.add_argument("--id", action="append", default=[], help="Only this entry (repeatable).")
    args = parser.parse_args(argv)
    guide, diagnostics = load_guide(args.guides)
    if guide is None:
        print("\n".join(d.format() for d in diagnostics), file=sys.stderr)
        return 1
    shown = differing = 0
    for entry in guide.entries:
        if args.id and entry.id not in args.id:
            continue
        lines, differ = report(entry)
        differing += differ
        if args.only_differing_numbers and not differ:
            continue
        shown += 1
        print("\n".join(lines), end="\n\n")
    print(f"{shown} entr{'y' if shown == 1 else 'ies'} shown; {differing} name different numbers in zh and en", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
