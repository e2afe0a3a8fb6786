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


def _guide_or_exit(guides: Path) -> catalog.Guide:
    guide, diagnostics = catalog.load_guide(guides)
    _report(diagnostics)
    if guide is None:
        click.echo("the guide has errors; fix them first ('openshelf validate' lists them)", err=True)
        sys.exit(1)
    return guide


def _collection_file(guide: catalog.Guide, guides: Path, name: str) -> Path:
    known = [c.id for c in guide.collections]
    if name not in known:
        raise click.BadParameter(f"no collection '{name}' in {catalog.display_path(guides)} (known: {', '.join(known)})",
                                 param_hint="'--collection'")
    for candidate in (guides / f"{name}.yml", guides / f"{name}.yaml"):
        if candidate.is_file():
            return candidate
    raise click.BadParameter(f"cannot find the file of collection '{name}'", param_hint="'--collection'")


def _new_options(func):  # type: ignore[no-untyped-def]
    from openshelf.new import FIELDS

    for option, _, help_text in reversed(FIELDS):
        func = click.option(f"--{option}", default=None, metavar="TEXT", help=help_text)(func)
    return func


@click.command("new")
@click.option("--collection", required=True, help="The collection to add to (its file is guides/<NAME>.yml).")
@_new_options
@click.option("--guides", "guides", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("guides"),
              show_default=True, help="The guide folder.")
@click.option("--no-input", is_flag=True, help="Never prompt: a missing required field is a usage error (exit 2).")
@click.option("--dry-run", is_flag=True, help="Print the new file's entry instead of writing it.")
def new_command(collection: str, guides: Path, no_input: bool, dry_run: bool, **values: str | None) -> None:
    """Add one entry to a collection, from flags or, in a terminal, by asking.

    \b
    Required: a title (--title-zh and/or --title-en), --url, a description (--description-zh
    and/or --description-en), --category and --access; in a terminal OpenShelf asks for the ones
    not given.  The id defaults to one made from the title (cnki, cnki-2, ...).  The entry is
    appended in canonical form, the whole guide is validated, and the file is only replaced when
    it is valid.  Exit 0 added, 1 the guide would be invalid, 2 usage error (a missing or wrong value).
    """
    from openshelf import new as n
    from openshelf.append import append_entries, next_free_id

    guide = _guide_or_exit(guides)
    path = _collection_file(guide, guides, collection)
    options = {k.replace("_", "-"): v for k, v in values.items()}
    data = n.entry_data(options)
    missing = n.missing_required(data)
    if missing and not no_input and n.interactive():
        _ask(data, list(guide.site.categories))
        missing = n.missing_required(data)
    if missing:
        raise click.UsageError(f"missing {', '.join(missing)} (run it in a terminal without --no-input to be asked)")
    if "id" in data:
        if data["id"] in guide.by_id:
            raise click.BadParameter(f"id '{data['id']}' is already used at {guide.by_id[data['id']].where('id')}", param_hint="'--id'")
    else:
        title = data["title"].get("en") or data["title"].get("zh") or ""
        data = {"id": next_free_id(title, data["url"], guide.by_id), **data}
    data.setdefault("status", "active")
    data.setdefault("last_verified", None)
    problems = n.schema_problems(data)
    if problems:
        raise click.UsageError("; ".join(problems))
    result = append_entries(path, [data], guides, write=not dry_run)
    _report(result.diagnostics)
    if not result.ok:
        click.echo(f"{catalog.display_path(path)}: not changed: the guide would have the errors above", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(result.text, nl=False)
        click.echo(f"would add entry '{data['id']}' at {catalog.display_path(path)}:{result.lines[0]} (dry run: nothing written)", err=True)
        return
    click.echo(f"added entry '{data['id']}' at {catalog.display_path(path)}:{result.lines[0]}", err=True)


def _ask(data: dict, categories: list[str]) -> None:  # type: ignore[type-arg]
    from openshelf.new import ACCESS_CHOICES, schema_problems

    while not data.get("title"):
        zh = click.prompt("标题（中文）· Title in Chinese", default="", show_default=False).strip()
        en = click.prompt("Title in English（英文标题）", default="", show_default=False).strip()
        text = {k: v for k, v in (("zh", zh), ("en", en)) if v}
        if text:
            data["title"] = text
        else:
            click.echo("a title in at least one language is needed", err=True)
    while not data.get("url"):
        url = click.prompt("网址 · URL (https://...)").strip()
        problems = [p for p in schema_problems({"url": url}) if p.startswith("--url")]
        if problems:
            click.echo(problems[0].removeprefix("--url: "), err=True)
        else:
            data["url"] = url
    while not data.get("description"):
        zh = click.prompt("简介（中文）· Description in Chinese", default="", show_default=False).strip()
        en = click.prompt("Description in English（英文简介）", default="", show_default=False).strip()
        text = {k: v for k, v in (("zh", zh), ("en", en)) if v}
        if text:
            data["description"] = text
        else:
            click.echo("a description in at least one language is needed", err=True)
    if not data.get("category"):
        data["category"] = click.prompt("分类 · Category", type=click.Choice(categories))
    if not data.get("access"):
        data["access"] = click.prompt("获取方式 · Access", type=click.Choice(ACCESS_CHOICES))


COMMANDS.append(new_command)
