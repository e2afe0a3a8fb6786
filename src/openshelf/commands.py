"""The curators' commands: ``fmt``, ``new``, ``import``, ``export`` and ``stale``.

Exit codes as everywhere: 0 success, 1 problems found (in the guide or the input), 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from openshelf import catalog
from openshelf.diagnostics import Diagnostic
from openshelf.fsutil import write_atomic


def _report(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        click.echo(d.format(), err=True)


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; list the files that would change and exit 1 if any would.")
def fmt_command(paths: tuple[Path, ...], check: bool) -> None:
    """Rewrite guide files (default: guides/) into the canonical form, keeping comments.

    \b
    The canonical form: keys in the schema's order (id, title, url, description, category, ...),
    zh before en, two-space indentation, quotes only where needed, dates unquoted.  A file that
    does not parse or validate is not touched: its errors are listed and the exit code is 1.
    With --check nothing is written; exit 1 when a file would change (CI runs this).
    """
    from openshelf.fmt import format_file

    files, problems = catalog.guide_files(paths or (Path("guides"),))
    _report(problems)
    failed = bool(problems)
    changed = 0
    for path in files:
        result = format_file(path)
        if result.formatted is None:
            _report(result.diagnostics)
            click.echo(f"{catalog.display_path(path)}: not formatted: fix the errors above first", err=True)
            failed = True
            continue
        if not result.changed:
            continue
        changed += 1
        if check:
            click.echo(f"{catalog.display_path(path)}: would be reformatted")
        else:
            write_atomic(path, result.formatted)
            click.echo(f"reformatted {catalog.display_path(path)}", err=True)
    total = len(files)
    if check:
        verdict = f"{changed} of {total} file(s) would be reformatted; run 'openshelf fmt'" if changed else f"{total} file(s) already formatted"
    else:
        verdict = f"{changed} of {total} file(s) reformatted"
    click.echo(verdict, err=True)
    if failed or (check and changed):
        sys.exit(1)


COMMANDS = [fmt_command]
