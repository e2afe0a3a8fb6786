"""The curators' commands: ``fmt``, ``new``, ``import``, ``export``, ``stale``, ``verify`` and ``issueform``.

Exit codes as everywhere: 0 success, 1 problems found (in the guide or the input), 2 usage error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from openshelf.fsutil import write_atomic
from openshelf.guide.diagnostics import Diagnostic
from openshelf.guide.load import Guide, display_path, guide_files, load_guide

if TYPE_CHECKING:
    from openshelf.curate.append import Appended


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
    from openshelf.curate.fmt import format_file

    files, problems = guide_files(paths or (Path("guides"),))
    _report(problems)
    failed = bool(problems)
    changed = 0
    for path in files:
        result = format_file(path)
        if result.formatted is None:
            _report(result.diagnostics)
            click.echo(f"{display_path(path)}: not formatted: fix the errors above first", err=True)
            failed = True
            continue
        if not result.changed:
            continue
        changed += 1
        if check:
            click.echo(f"{display_path(path)}: would be reformatted")
        else:
            write_atomic(path, result.formatted)
            click.echo(f"reformatted {display_path(path)}", err=True)
    total = len(files)
    if check:
        verdict = f"{changed} of {total} file(s) would be reformatted; run 'openshelf fmt'" if changed else f"{total} file(s) already formatted"
    else:
        verdict = f"{changed} of {total} file(s) reformatted"
    click.echo(verdict, err=True)
    if failed or (check and changed):
        sys.exit(1)


COMMANDS = [fmt_command]


def _guide_or_exit(*guides: Path) -> Guide:
    guide, diagnostics = load_guide(*guides)
    _report(diagnostics)
    if guide is None:
        click.echo("the guide has errors; fix them first ('openshelf validate' lists them)", err=True)
        sys.exit(1)
    return guide


def _collection_file(guide: Guide, guides: Path, name: str) -> Path:
    known = [c.id for c in guide.collections]
    if name not in known:
        raise click.BadParameter(f"no collection '{name}' in {display_path(guides)} (known: {', '.join(known)})",
                                 param_hint="'--collection'")
    for candidate in (guides / f"{name}.yml", guides / f"{name}.yaml"):
        if candidate.is_file():
            return candidate
    raise click.BadParameter(f"cannot find the file of collection '{name}'", param_hint="'--collection'")


_Command = TypeVar("_Command", bound=Callable[..., Any])


def _new_options(func: _Command) -> _Command:
    from openshelf.curate.new import FIELDS

    for option, _, help_text in reversed(FIELDS):
        func = click.option(f"--{option}", default=None, metavar="TEXT", help=help_text)(func)
    return func


@click.command("new")
@click.option("--collection", default=None, help="The collection to add to (its file is guides/<NAME>.yml); required unless the issue form names it.")
@_new_options
@click.option("--guides", "guides", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("guides"),
              show_default=True, help="The guide folder.")
@click.option("--no-input", is_flag=True, help="Never prompt: a missing required field is a usage error (exit 2).")
@click.option("--dry-run", is_flag=True, help="Print the new file's entry instead of writing it.")
@click.option("--from-issue", "from_issue", type=click.File("r", encoding="utf-8"), default=None, metavar="FILE",
              help="Take the fields from a filled 'Suggest a resource' issue form (its Markdown body; - for stdin).")
def new_command(collection: str | None, guides: Path, no_input: bool, dry_run: bool, from_issue: Any, **values: str | None) -> None:
    """Add one entry to a collection, from flags or, in a terminal, by asking.

    \b
    Required: a title (--title-zh and/or --title-en), --url, a description (--description-zh
    and/or --description-en), --category and --access; in a terminal OpenShelf asks for the ones
    not given.  The id defaults to one made from the title (cnki, cnki-2, ...).  The entry is
    appended in canonical form, the whole guide is validated, and the file is only replaced when
    it is valid.  Exit 0 added, 1 the guide would be invalid, 2 usage error (a missing or wrong value).
    """
    from openshelf.curate import new as n
    from openshelf.curate.append import append_entries, next_free_id

    options = {k.replace("_", "-"): v for k, v in values.items()}
    if from_issue is not None:
        from openshelf.curate.issueform import parse

        answers = parse(from_issue.read())
        collection = collection or answers.pop("collection", None)
        options = {**{k: v for k, v in answers.items() if k in options}, **{k: v for k, v in options.items() if v is not None}}
    if not collection:
        raise click.UsageError("missing --collection")
    guide = _guide_or_exit(guides)
    path = _collection_file(guide, guides, collection)
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
        data = {"id": next_free_id(title, data.get("url", ""), guide.by_id), **data}
    data.setdefault("status", "active")
    data.setdefault("last_verified", None)
    problems = n.schema_problems(data)
    if problems:
        raise click.UsageError("; ".join(problems))
    result = append_entries(path, [data], guides, write=not dry_run)
    _finish(result, dry_run, f"add entry '{data['id']}'", f"added entry '{data['id']}'")


def _finish(result: Appended, dry_run: bool, would: str, done: str) -> None:
    """Report a write to one collection file: its errors (exit 1), the dry run's text, or what was done."""
    _report(result.diagnostics)
    where = f"{display_path(result.path)}:{result.lines[0]}" if result.lines else display_path(result.path)
    if not result.ok:
        click.echo(f"{display_path(result.path)}: not changed: the guide would have the errors above", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(result.text, nl=False)
        click.echo(f"would {would} at {where} (dry run: nothing written)", err=True)
        return
    click.echo(f"{done} at {where}", err=True)


def _ask_text(data: dict[str, Any], field: str, zh_prompt: str, en_prompt: str) -> None:
    """Ask for a text field in both languages until at least one is given."""
    while not data.get(field):
        answers = {"zh": click.prompt(zh_prompt, default="", show_default=False).strip(),
                   "en": click.prompt(en_prompt, default="", show_default=False).strip()}
        text = {lang: value for lang, value in answers.items() if value}
        if text:
            data[field] = text
        else:
            click.echo(f"a {field} in at least one language is needed", err=True)


def _ask(data: dict[str, Any], categories: list[str]) -> None:
    from openshelf.curate.new import ACCESS_CHOICES, schema_problems

    _ask_text(data, "title", "标题（中文）· Title in Chinese", "Title in English（英文标题）")
    while not data.get("url") and data.get("kind") != "how-to":
        url = click.prompt("网址 · URL (https://...)").strip()
        problems = [p for p in schema_problems({"url": url}) if p.startswith("--url")]
        if problems:
            click.echo(problems[0].removeprefix("--url: "), err=True)
        else:
            data["url"] = url
    _ask_text(data, "description", "简介（中文）· Description in Chinese", "Description in English（英文简介）")
    if not data.get("category"):
        data["category"] = click.prompt("分类 · Category", type=click.Choice(categories))
    if not data.get("access"):
        data["access"] = click.prompt("获取方式 · Access", type=click.Choice(ACCESS_CHOICES))


COMMANDS.append(new_command)


@click.command("import")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--collection", default=None, help="The collection to add the rows to (a 'collection' column, when filled, wins).")
@click.option("--guides", "guides", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("guides"),
              show_default=True, help="The guide folder.")
@click.option("--dry-run", is_flag=True, help="Check every row and report, but write nothing.")
def import_command(csv_file: Path, collection: str | None, guides: Path, dry_run: bool) -> None:
    """Add the rows of a spreadsheet (CSV, UTF-8) to a collection.

    \b
    Columns (the first row names them; any order; only a title, url, a description, category
    and access are required):
      id, title_zh, title_en, url, description_zh, description_en, category, tags, access,
      status, available_from, available_until, provider_zh, provider_en, languages, aliases,
      related, distinct_from, last_verified, verified_by, evidence, verification_note,
      link_check, archive_url   (and optionally collection)
    List cells (tags, languages, aliases, related, distinct_from, evidence) separate items with ';' (or '；'; a cell
    without semicolons may use commas).  Dates are YYYY-MM-DD.  An empty id is made from the
    title.  A template: guides/templates/resources.csv.

    \b
    Bad rows are reported with their row number (the header is row 1) and column, and skipped,
    and so are the rows whose related ids name a skipped row; rows whose id or URL is already in
    the guide are skipped as duplicates.  The rest are appended in canonical form and the whole
    guide is validated before any file is replaced.
    Exit 0 when every row was imported or skipped as a duplicate, 1 when a row was bad or the
    file cannot be read, 2 usage error.
    """
    from openshelf.curate.transfer import CsvProblem, plan_import, read_csv, settle

    guide = _guide_or_exit(guides)
    if collection is not None:
        _collection_file(guide, guides, collection)
    display = display_path(csv_file)
    try:
        text = read_csv(csv_file)
        if collection is None and "collection" not in text.partition("\n")[0].lower():
            raise click.UsageError("give --collection NAME (the file has no 'collection' column)")
        plan = plan_import(text, display, guide, collection)
    except CsvProblem as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    files = {name: _collection_file(guide, guides, name) for name in plan.added}
    texts, problems = settle(plan, guide, files, guides)
    _report(sorted(plan.diagnostics, key=Diagnostic.sort_key))
    if problems:
        _report(problems)
        click.echo("nothing imported: the guide would have the errors above", err=True)
        sys.exit(1)
    added = sum(len(items) for items in plan.added.values())
    for path, new_text in texts.items():
        if not dry_run:
            write_atomic(path, new_text)
    where = ", ".join(f"{len(items)} into {display_path(files[name])}" for name, items in plan.added.items())
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {added} entr{'y' if added == 1 else 'ies'}{' (' + where + ')' if where else ''}; "
               f"{plan.duplicates} duplicate(s) skipped; {plan.bad_rows} bad row(s) skipped"
               + (" (dry run: nothing written)" if dry_run else ""), err=True)
    if plan.bad_rows:
        sys.exit(1)


@click.command("export")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "yaml"]), required=True,
              help="json and yaml: the whole guide with collection and category information; "
                   "csv: one row per entry in the import columns plus 'collection'.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of standard output.")
def export_command(paths: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Write the whole guide (default: guides/) as JSON, CSV or YAML, for reuse elsewhere.

    The CSV has the import columns, so 'openshelf import' reads it back unchanged; it is UTF-8
    with a byte-order mark when written to a file, so Excel opens it correctly.
    """
    from openshelf.curate.export import EXPORTERS

    guide = _guide_or_exit(*paths) if paths else _guide_or_exit(Path("guides"))
    text = EXPORTERS[fmt](guide)
    if output is None:
        click.echo(text, nl=False)
        return
    write_atomic(output, ("\ufeff" if fmt == "csv" else "") + text)
    click.echo(f"wrote {len(guide.entries)} entries to {output}", err=True)


COMMANDS += [import_command, export_command]


@click.command("stale")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--older-than", default="180d", show_default=True, metavar="AGE",
              help="Report entries last verified longer ago than this: days (180d, or a bare 180), weeks (26w), "
                   "months of 30 days (6mo) or years (1y).  'm' means minutes, so 6m is refused: write 6mo.")
@click.option("--today", "today_text", default=None, metavar="YYYY-MM-DD", help="Judge as of this day (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="text: list every entry never verified or checked without evidence instead of counting them.")
@click.option("--fail", is_flag=True, help="Exit 1 when an entry is past its end date or verified too long ago.")
def stale_command(paths: tuple[Path, ...], older_than: str, today_text: str | None, fmt: str, verbose: bool, fail: bool) -> None:
    """List entries that need a person to check them again (default guide: guides/).

    \b
    - temporary programs past their available_until that are still marked active;
    - entries whose last_verified is older than --older-than, oldest first;
    - entries checked without evidence (last_verified but no evidence URL) and entries never
      verified (empty last_verified): counted in text output (listed with -v), listed in
      markdown and json.
    The report goes to standard output.  Exit 0, also when something is stale, unless --fail is
    given: then 1 when an entry is past its end date or verified too long ago (entries never
    verified or checked without evidence alone do not fail).  2 for a usage error.
    """
    import datetime as dt

    from openshelf.curate.stale import find_stale, format_json, format_markdown, format_text
    from openshelf.durations import parse_days

    try:
        days = parse_days(older_than)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--older-than'") from None
    try:
        today = dt.date.fromisoformat(today_text) if today_text else dt.date.today()
    except ValueError:
        raise click.BadParameter(f"{today_text!r} is not a date written YYYY-MM-DD", param_hint="'--today'") from None
    guide = _guide_or_exit(*(paths or (Path("guides"),)))
    stale = find_stale(guide, today, days)
    text = {"text": lambda: format_text(stale, verbose), "markdown": lambda: format_markdown(stale), "json": lambda: format_json(stale)}[fmt]()
    click.echo(text, nl=False)
    if fail and stale.needs_attention:
        sys.exit(1)


COMMANDS.append(stale_command)


DEFAULT_FORM = Path(".github/ISSUE_TEMPLATE/suggest-resource.yml")


@click.command("issueform")
@click.option("--guides", "guides", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("guides"),
              show_default=True, help="The guide folder whose collections and categories the form offers.")
@click.option("-o", "--output", "form", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=DEFAULT_FORM,
              show_default=True, help="The 'Suggest a resource' issue form to update.")
@click.option("--check", is_flag=True, help="Change nothing; print the difference and exit 1 if the form is out of date.")
def issueform_command(guides: Path, form: Path, check: bool) -> None:
    """Regenerate the issue form's dropdowns (collection, category, access) from the guide and the schema.

    Only the dropdowns' options change; the rest of the form stays as written.  With --check
    nothing is written; exit 1 with the difference when the form is out of date (CI runs this).
    """
    import difflib

    from openshelf.curate.issueform import generate

    guide = _guide_or_exit(guides)
    current = form.read_text(encoding="utf-8")
    text = generate(current, guide)
    if text == current:
        return
    if check:
        diff = difflib.unified_diff(current.splitlines(keepends=True), text.splitlines(keepends=True), str(form), f"{form} (generated)")
        click.echo("".join(diff), nl=False)
        click.echo(f"{form}: out of date; run 'openshelf issueform'", err=True)
        sys.exit(1)
    write_atomic(form, text)
    click.echo(f"wrote {form}", err=True)


COMMANDS.append(issueform_command)


@click.command("verify")
@click.argument("entry_id", metavar="ID")
@click.option("--by", "by", required=True, metavar="NAME", help="Who made the check: your name, your library, your team.")
@click.option("--evidence", "evidence", required=True, multiple=True, metavar="URL",
              help="The http(s) address of what you looked at: the page that states the offer, or an archived copy "
                   "(web.archive.org).  Repeat for more than one.")
@click.option("--date", "date_text", default=None, metavar="YYYY-MM-DD", help="The day you made the check (default: today).")
@click.option("--note", default=None, metavar="TEXT", help="What the evidence stated, in a sentence, for the next person who checks.")
@click.option("--guides", "guides", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("guides"),
              show_default=True, help="The guide folder.")
@click.option("--dry-run", is_flag=True, help="Print the file as it would be instead of writing it.")
def verify_command(entry_id: str, by: str, evidence: tuple[str, ...], date_text: str | None, note: str | None, guides: Path,
                   dry_run: bool) -> None:
    """Record that you checked entry ID against its provider's own statement.

    \b
    Sets last_verified (--date, default today), verified_by (--by), evidence (every --evidence
    URL) and verification_note (--note) on the entry, replacing the previous check's values: the
    evidence is what this check looked at.  Only check what you have really looked at, and say
    in --note when the page was a stored or archived copy.  The file keeps its comments and
    layout; the whole guide is validated and the file is only replaced when it is valid.
    Exit 0 recorded, 1 the guide has (or would have) errors, 2 usage error (unknown ID, an
    evidence address that is not http(s), a date that is not YYYY-MM-DD or in the future).
    """
    import datetime as dt

    from pydantic import TypeAdapter, ValidationError

    from openshelf.curate.verify import Check, verify_entry
    from openshelf.guide.models import HttpUrl

    today = dt.date.today()
    try:
        day = dt.date.fromisoformat(date_text) if date_text else today
    except ValueError:
        raise click.BadParameter(f"{date_text!r} is not a date written YYYY-MM-DD", param_hint="'--date'") from None
    if day > today:
        raise click.BadParameter(f"{day} is in the future: a check is recorded when it was made", param_hint="'--date'")
    urls = TypeAdapter(HttpUrl)
    for url in evidence:
        try:
            urls.validate_python(url.strip())
        except ValidationError as exc:
            raise click.BadParameter(f"{url!r}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}", param_hint="'--evidence'") from None
    if not by.strip():
        raise click.BadParameter("say who made the check", param_hint="'--by'")
    guide = _guide_or_exit(guides)
    entry = guide.by_id.get(entry_id)
    if entry is None:
        raise click.BadParameter(f"no entry '{entry_id}' in {display_path(guides)}", param_hint="'ID'")
    path = Path(entry.where().path)
    check = Check(day, by.strip(), tuple(u.strip() for u in evidence), note.strip() if note and note.strip() else None)
    result = verify_entry(path, entry_id, check, guides, write=not dry_run)
    _finish(result, dry_run, f"record the check of '{entry_id}'", f"recorded the check of '{entry_id}' ({day}, by {check.by})")


COMMANDS.append(verify_command)
