"""The curators' commands: ``fmt``, ``collection add``, ``new``, ``import``, ``export``, ``stale``, ``verify``, ``issueform`` and ``init``.

Exit codes as everywhere: 0 success, 1 problems found (in the guide or the input), 2 usage error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from openshelf.federation.assemble import Subscribed, load_federated, load_own, load_own_and_federated, read_subscribed
from openshelf.fsutil import write_atomic
from openshelf.guide.diagnostics import Diagnostic
from openshelf.guide.load import Guide, display_path, guide_files
from openshelf.guide.models import SITE_FILE
from openshelf.wording import counted

if TYPE_CHECKING:
    from openshelf.curate.append import Appended
    from openshelf.curate.init import Settings as InitSettings
    from openshelf.errors import OpenShelfError
    from openshelf.federation.fetch import Fetched


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
    from openshelf.curate.fmt import first_difference, format_file

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
            line, how = first_difference(result.original, result.formatted or "")
            click.echo(f"{display_path(path)}:{line}:1: would be reformatted: {how} (the first of the file's changes)")
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


COMMANDS: list[click.Command] = [fmt_command]


def _guide_or_exit(*guides: Path, federated: bool = False) -> Guide:
    """The guide, or exit 1 with its errors; ``federated``: with its subscriptions merged in (what readers see),
    else its own files only (what curators edit)."""
    return _valid(*(load_federated if federated else load_own)(*guides))


def _valid(guide: Guide | None, diagnostics: list[Diagnostic]) -> Guide:
    """``guide`` once its diagnostics are reported, or exit 1 when it has errors (None)."""
    _report(diagnostics)
    if guide is None:
        click.echo("the guide has errors; fix them first ('openshelf validate' lists them)", err=True)
        sys.exit(1)
    return guide


def _own_guide_or_exit(guides: Path) -> tuple[Guide, Subscribed]:
    """The guide's own files, as :func:`_guide_or_exit` gives them, and its subscriptions as read (their categories
    are offered too; a validation of the guide with a change reuses them)."""
    subscribed = read_subscribed(guides)
    guide, diagnostics = load_own(guides, subscribed=subscribed)
    return _valid(guide, diagnostics), subscribed


def _collection_file(guide: Guide, guides: Path, name: str) -> Path:
    from openshelf.curate.collection import how_to_create

    known = [c.id for c in guide.collections]
    if name not in known:
        raise click.BadParameter(f"no collection '{name}' in {display_path(guides)} (known: {', '.join(known)}); "
                                 + how_to_create(name, display_path(guides)), param_hint="'--collection'")
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


@click.group("collection")
def collection_group() -> None:
    """Create collections: each is one file, guides/<ID>.yml, shown as one page."""


@collection_group.command("add")
@click.argument("collection_id", metavar="ID")
@click.option("--title-zh", default=None, metavar="TEXT", help="The page title in Chinese.")
@click.option("--title-en", default=None, metavar="TEXT", help="The page title in English.")
@click.option("--description-zh", default=None, metavar="TEXT", help="An introduction in Chinese, shown at the top of the page.")
@click.option("--description-en", default=None, metavar="TEXT", help="An introduction in English.")
@click.option("--order", type=int, default=None, help="Position in the navigation, lower first (default: after every existing collection).")
@click.option("--guides", "guides", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("guides"),
              show_default=True, help="The guide folder.")
@click.option("--dry-run", is_flag=True, help="Print the new file instead of writing it.")
def collection_add_command(collection_id: str, guides: Path, order: int | None, dry_run: bool, **texts: str | None) -> None:
    """Create the empty collection ID: the file guides/ID.yml with its title and 'entries: []'.

    \b
    A title in at least one language is required.  An existing collection file is never
    replaced.  The whole guide is validated with the new file before it is written (atomically).
    Then add entries with 'openshelf new --collection ID' or 'openshelf import FILE.csv
    --collection ID', and run 'openshelf issueform' so the suggestion form offers it.
    Exit 0 created, 1 the guide has errors, 2 usage error (no title, a bad or taken id).
    """
    from openshelf.curate.append import validate_candidate
    from openshelf.curate.collection import collection_text, id_problem, next_order

    problem = id_problem(collection_id)
    if problem:
        raise click.BadParameter(problem, param_hint="ID")
    given = {name: value.strip() for name, value in texts.items() if value and value.strip()}
    title = {lang: given[f"title_{lang}"] for lang in ("zh", "en") if f"title_{lang}" in given}
    if not title:
        raise click.UsageError("give a title: --title-zh and/or --title-en")
    for existing in (guides / f"{collection_id}.yml", guides / f"{collection_id}.yaml"):
        if existing.exists():
            raise click.BadParameter(f"{display_path(existing)} already exists; it is not replaced", param_hint="ID")
    guide, subscribed = _own_guide_or_exit(guides)
    description = {lang: given[f"description_{lang}"] for lang in ("zh", "en") if f"description_{lang}" in given}
    path = guides / f"{collection_id}.yml"
    text = collection_text(collection_id, title, description, next_order(guide) if order is None else order)
    problems = [d for d in validate_candidate(guides, {path: text}, subscribed) if d.severity == "error"]
    if problems:
        _report(problems)
        click.echo(f"{display_path(path)}: not created: the guide would have the errors above", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(text, nl=False)
        click.echo(f"would create {display_path(path)} (dry run: nothing written)", err=True)
        return
    write_atomic(path, text)
    click.echo(f"created {display_path(path)}; add entries with 'openshelf new --collection {collection_id}' or "
               f"'openshelf import FILE.csv --collection {collection_id}', and run 'openshelf issueform'", err=True)


COMMANDS.append(collection_group)


@click.command("new")
@click.option("--collection", default=None, help="The collection to add to (its file is guides/<NAME>.yml); required unless the issue form names it.")
@_new_options
@click.option("--guides", "guides", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("guides"),
              show_default=True, help="The guide folder.")
@click.option("--no-input", is_flag=True, help="Never prompt: a missing required field is a usage error (exit 2).")
@click.option("--dry-run", is_flag=True, help="Print the collection file as it would be, the new entry at its end, instead of writing it.")
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
    from openshelf.curate.append import next_free_id

    options = {k.replace("_", "-"): v for k, v in values.items()}
    if from_issue is not None:
        _new_from_issue(from_issue.read(), collection, guides, dry_run, {k: v for k, v in options.items() if v is not None})
        return
    if not collection:
        raise click.UsageError("missing --collection")
    guide, subscribed = _own_guide_or_exit(guides)
    path = _collection_file(guide, guides, collection)
    data = n.entry_data(options)
    worded = _tags_as_slugs(data, guide)
    missing = n.missing_required(data)
    if missing and not no_input and n.interactive():
        _ask(data, list(dict.fromkeys([*guide.site.categories, *subscribed.categories])))
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
    _append_new(path, data, guides, dry_run, subscribed)
    _paste_tag_labels(guides, worded)


def _tags_as_slugs(data: dict[str, Any], guide: Guide) -> dict[str, str]:
    """The tags of ``data`` written as words made slugs, by the rule ``import`` follows too
    (:func:`~openshelf.curate.new.worded_tags`); the new slugs → the words they came from."""
    from openshelf.curate.new import worded_tags

    if not data.get("tags"):
        return {}
    data["tags"], worded = worded_tags(data["tags"], guide.site)
    return worded


def _paste_tag_labels(guides: Path, worded: Mapping[str, str]) -> None:
    """Tell the curator how to name the tags that words became (``import`` and ``new`` alike)."""
    from openshelf.curate.transfer import tag_labels_block

    if worded:
        click.echo(f"{display_path(guides / SITE_FILE)}: tags written as words became slugs; to show readers the words, paste this "
                   f"under 'tags:' (a top-level key; add it if missing):\n{tag_labels_block(worded)}", err=True, nl=False)


def _append_new(path: Path, data: dict[str, Any], guides: Path, dry_run: bool, subscribed: Subscribed) -> None:
    """Append the new entry ``data`` to ``path`` once the whole guide validates with it, its subscriptions as read
    before (or show it: ``dry_run``)."""
    from openshelf.curate.append import append_entries

    result = append_entries(path, [data], guides, write=not dry_run, subscribed=subscribed)
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


def _new_from_issue(body: str, collection: str | None, guides: Path, dry_run: bool, given: dict[str, str]) -> None:
    """``openshelf new --from-issue``: every problem of the filled form at once, each naming the form's
    field in both languages (the workflow posts them on the issue), never click's usage text.
    Natural answers are accepted: tags by their labels or in Chinese, languages by name (中文, English).
    Exit 2 when the answers do not make an entry, 1 when the guide would not validate with it."""
    from openshelf.curate import new as n
    from openshelf.curate.append import next_free_id
    from openshelf.curate.issueform import issue_message, labels, parse

    answers = parse(body)
    collection = collection or answers.pop("collection", None)
    guide, subscribed = _own_guide_or_exit(guides)
    data = n.entry_data({**{k: v for k, v in answers.items() if k != "collection"}, **given})
    worded = _tags_as_slugs(data, guide)
    problems: list[tuple[str, str]] = []
    if not collection or collection not in {c.id for c in guide.collections}:
        problems.append(("collection", f"no collection '{collection}' in the guide" if collection else "missing"))
    problems += [(option, "missing") for option in n.missing_required(data)]
    if data.get("category") and data["category"] not in guide.site.categories and data["category"] not in subscribed.categories:
        problems.append(("category", f"category '{data['category']}' is not defined in _site.yml"))
    for line in n.schema_problems(data):
        option, _, message = line.partition(": ") if line.startswith("--") else ("", "", line)
        if not message.startswith("missing required field"):  # said above, by the form's field
            problems.append((option, message))
    if "id" in data and data["id"] in guide.by_id:
        problems.append(("id", f"id '{data['id']}' is already used"))
    if problems:
        names = labels(body)
        for option, message in problems:
            click.echo(issue_message(option, message, names), err=True)
        sys.exit(2)
    if "id" not in data:
        title = data["title"].get("en") or data["title"].get("zh") or ""
        data = {"id": next_free_id(title, data.get("url", ""), guide.by_id), **data}
    data.setdefault("status", "active")
    data.setdefault("last_verified", None)
    _append_new(_collection_file(guide, guides, collection or ""), data, guides, dry_run, subscribed)
    _paste_tag_labels(guides, worded)


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
@click.option("--update", is_flag=True, help="Rows whose id is in the guide change that entry (the sheet's columns) instead of being skipped.")
@click.option("--dry-run", is_flag=True, help="Check every row and report, but write nothing; with --update, print the changes as a diff.")
def import_command(csv_file: Path, collection: str | None, guides: Path, update: bool, dry_run: bool) -> None:
    """Add the rows of a spreadsheet (CSV, UTF-8) to a collection.

    \b
    Columns (the first row names them; any order; only a title, url, a description, category
    and access are required): every field of an entry, text fields split into _zh and _en:
    COLUMNS   (and optionally collection)
    List cells (LISTS) separate items with ';' (or '；'; a cell
    without semicolons may use commas).  Dates are YYYY-MM-DD.  An empty id is made from the
    title.  A template: guides/templates/resources.csv.

    \b
    Bad rows are reported as 'CSV row N “title”' (the header is row 1) with the column, and
    skipped, and so are the rows whose related ids name a skipped row; the same problem in several
    rows is one message listing them (an undefined category also prints the YAML to paste into
    _site.yml).  Rows whose id or URL is already in the guide are skipped as duplicates, unless
    --update is given: then a row whose id is in the guide changes that entry in place (comments
    kept): each column of the sheet is the field's new value (an empty cell empties it), a column
    the sheet leaves out keeps its value; a row's collection, if given, must be the entry's.  So
    'openshelf export --format csv', edit, 'openshelf import --update' applies the edits.  The
    rest are appended in canonical form and the whole guide is validated before any file is replaced.
    Exit 0 when every row was imported or skipped as a duplicate, 1 when a row was bad or the
    file cannot be read, 2 usage error.
    """
    import difflib

    from openshelf.curate.transfer import CsvProblem, categories_block, plan_import, read_csv, settle
    from openshelf.guide.load import read_text

    guide, subscribed = _own_guide_or_exit(guides)
    if collection is not None:
        _collection_file(guide, guides, collection)
    display = display_path(csv_file)
    try:
        text = read_csv(csv_file)
        if collection is None and not update and "collection" not in text.partition("\n")[0].lower():  # --update: rows know theirs
            raise click.UsageError("give --collection NAME (the file has no 'collection' column)")
        plan = plan_import(text, display, guide, collection, update, subscribed.categories)
    except CsvProblem as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    files = {name: _collection_file(guide, guides, name) for name in plan.collections}
    texts, problems = settle(plan, guide, files, guides, subscribed)
    _report(plan.diagnostics)
    if plan.undefined_categories:
        click.echo(f"{display_path(guides / SITE_FILE)}: to define the missing categories, paste this under 'categories:' "
                   f"and write the labels readers see, then import again:\n{categories_block(plan.undefined_categories)}", err=True, nl=False)
    _paste_tag_labels(guides, plan.worded_tags)
    if problems:
        _report(problems)
        click.echo("nothing imported: the guide would have the errors above", err=True)
        sys.exit(1)
    added = sum(len(items) for items in plan.added.values())
    for path, new_text in texts.items():
        if not dry_run:
            write_atomic(path, new_text)
        elif update:
            old = read_text(path)
            click.echo("".join(difflib.unified_diff(old.splitlines(keepends=True), new_text.splitlines(keepends=True),
                                                    display_path(path), f"{display_path(path)} (after import)")), nl=False)
    where = ", ".join(f"{len(items)} into {display_path(files[name])}" for name, items in plan.added.items())
    verb = "would import" if dry_run else "imported"
    changed = sum(len(items) for items in plan.updated.values())
    updated = f"; {'would update' if dry_run else 'updated'} {counted(changed, 'entry', 'entries')}, {plan.unchanged} unchanged" \
        if update else ""
    click.echo(f"{verb} {counted(added, 'entry', 'entries')}{' (' + where + ')' if where else ''}{updated}; "
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
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The link checker's state file whose results go into each entry's link_health (json, yaml) "
                   "[default: GUIDES/_state/links.json; absent: no link health]")
@click.option("--site-url", default=None, metavar="URL", help="The published site's address (default: 'url' in _site.yml).")
def export_command(paths: tuple[Path, ...], fmt: str, output: Path | None, state_path: Path | None, site_url: str | None) -> None:
    """Write the whole guide (default: guides/) as JSON, CSV or YAML, for reuse elsewhere.

    JSON and YAML are the versioned interchange format (format 'openshelf-guide', version
    MAJOR.MINOR) that other guides subscribe to: every entry with its provenance, revision and
    link health.  The CSV has the import columns, so 'openshelf import' reads it back unchanged; it
    is UTF-8 with a byte-order mark when written to a file, so Excel opens it correctly.
    """
    from openshelf.curate.export import WRITERS, export_text
    from openshelf.fsutil import atomic_writer
    from openshelf.links.store import default_state_file, load_state

    folders = paths or (Path("guides"),)
    guide = _guide_or_exit(*folders, federated=True)
    state_file = state_path or default_state_file(next((p for p in folders if p.is_dir()), Path("guides")))
    links = load_state(state_file)
    if output is None:
        click.echo(export_text(fmt, guide, links, site_url), nl=False)
        return
    with atomic_writer(output) as out:  # written as it is made: a 10,000-entry guide's text is never held whole
        if fmt == "csv":
            out.write("\ufeff")
        WRITERS[fmt](guide, links, site_url, out)
    click.echo(f"wrote {counted(len(guide.entries), 'entry', 'entries')} to {output}", err=True)


def _import_help(text: str) -> str:
    """The import help's column list, from the model: a field added to it is listed at once."""
    import textwrap

    from openshelf.curate.export import COLUMNS
    from openshelf.guide.models import LIST_FIELDS

    columns = textwrap.fill(", ".join(COLUMNS), width=92, initial_indent=" " * 6, subsequent_indent=" " * 6)
    return text.replace("    COLUMNS", columns, 1).replace("LISTS", ", ".join(LIST_FIELDS), 1)


import_command.help = _import_help(import_command.help or "")
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
@click.option("--max-chars", type=click.IntRange(min=0), default=20_000, show_default=True,
              help="markdown: keep the report under this many characters (GitHub refuses an issue body over 65,536), listing "
                   "the entries that fit and counting the rest; 0 for no bound.")
def stale_command(paths: tuple[Path, ...], older_than: str, today_text: str | None, fmt: str, verbose: bool, fail: bool,
                  max_chars: int) -> None:
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
    guide = _guide_or_exit(*(paths or (Path("guides"),)), federated=True)
    stale = find_stale(guide, today, days)
    formats = {"text": lambda: format_text(stale, verbose), "markdown": lambda: format_markdown(stale, max_chars),
               "json": lambda: format_json(stale)}
    text = formats[fmt]()
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

    The categories are the guide's own and those of the guides it subscribes to (its entries may use both).

    Only the dropdowns' options change; the rest of the form stays as written.  With --check
    nothing is written; exit 1 with the difference when the form is out of date (CI runs this).
    """
    import difflib

    guide, merged, diagnostics = load_own_and_federated(guides)
    _valid(merged, diagnostics)
    assert guide is not None and merged is not None, "the own guide is there whenever the merged one is"
    current, text = _form(guide, merged, form)
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


def _download_subscriptions(settings: InitSettings) -> tuple[InitSettings, dict[str, Fetched | OpenShelfError]]:
    """Fetch the guides ``settings`` subscribes to, before anything is written: ``settings`` with each source named
    after the id its export gives its guide (the address's host when the export cannot be read), and the downloads
    by those names, for :func:`_fetch_sources` to check and write."""
    from openshelf.curate.init import sources_data
    from openshelf.federation.config import SourcesFile
    from openshelf.federation.exchange import FormatError, read_export
    from openshelf.federation.fetch import Fetched
    from openshelf.federation.update import download

    provisional = SourcesFile.model_validate(sources_data(settings) or {}).sources
    for source in provisional:  # a slow host may take up to its timeout: say what is being waited for
        click.echo(f"fetching {source.url} (at most {source.timeout:g} s) …", err=True)
    by_url = {s.url: got for s, got in zip(provisional, download(provisional).values(), strict=True)}
    names = {}
    for url, got in by_url.items():
        if isinstance(got, Fetched) and got.body is not None:
            with contextlib.suppress(FormatError):  # the update that follows reports it, under the host's name
                names[url] = read_export(got.body, url).guide.id
    named = dataclasses.replace(settings, source_names=names)
    return named, {s.id: by_url[s.url] for s in SourcesFile.model_validate(sources_data(named) or {}).sources}


def _fetch_sources(guides: Path, fetched: Mapping[str, Fetched | OpenShelfError]) -> bool:
    """``openshelf sources update`` in a new guide, with the downloads ``fetched`` already made; True when every
    subscription was fetched.  A failure is reported, not fatal: the guide is made, and builds once ``make sources`` succeeds."""
    from openshelf.federation.cli import load_sources
    from openshelf.federation.diff import render_text
    from openshelf.federation.update import update

    sources = load_sources(guides)
    if sources is None:
        return False
    report = update(guides, sources.sources, fetched=fetched)
    click.echo(render_text(report), nl=False, err=True)
    if report.failed:
        click.echo("warning: a subscribed guide could not be fetched: the new guide builds once 'make sources' fetches it", err=True)
    return not report.failed


def _form(guide: Guide, merged: Guide, form: Path) -> tuple[str, str]:
    """The issue form as written and as ``openshelf issueform`` makes it: the collections are the guide's own; the
    categories a suggestion may take, the guide's own and those of the guides it subscribes to, with their labels:
    the merged guide's."""
    from openshelf.curate.issueform import generate

    current = form.read_text(encoding="utf-8")
    return current, generate(current, guide, merged.site.categories)


def _refresh_form(guides: Path, form: Path) -> None:
    """Regenerate the issue form of a new guide that has just fetched its subscriptions (what ``openshelf issueform``
    writes, so that its ``make test``, which checks the form, passes); left as it is while the guide has errors."""
    guide, merged, _ = load_own_and_federated(guides)
    if guide is None or merged is None:
        return  # validate, run by make test, names the problem
    current, text = _form(guide, merged, form)
    if text != current:
        write_atomic(form, text)


@click.command("init")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--name-zh", default=None, metavar="TEXT", help="The guide's name in Chinese (the site's title).")
@click.option("--name-en", default=None, metavar="TEXT", help="The guide's name in English.")
@click.option("--publisher-zh", default=None, metavar="TEXT", help="The library or group that maintains it, in Chinese.")
@click.option("--publisher-en", default=None, metavar="TEXT", help="The library or group that maintains it, in English.")
@click.option("--id", "guide_id", default=None, metavar="SLUG",
              help="The guide's stable name, by which other guides name it (default: made from the English name).")
@click.option("--languages", default=None, metavar="zh,en", help="The languages the guide is written in: zh, en or both (default: zh,en).")
@click.option("--url", default=None, metavar="URL", help="Where the site will be published, if known.")
@click.option("--license", "license_id", default=None, metavar="SPDX", help="The content's licence as an SPDX id, e.g. CC-BY-4.0.")
@click.option("--subscribe", multiple=True, metavar="URL",
              help="Subscribe to another guide by the address of its export (…/downloads/openshelf.json); repeatable.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST[:PORT]",
              help="With --subscribe: a host on the local network the subscriptions may be fetched from (their allow_hosts in "
                   "guides/_sources.yml; every other private address stays refused); repeatable.")
@click.option("--fetch/--no-fetch", default=True, show_default=True,
              help="With --subscribe: fetch the subscribed guides right away ('openshelf sources update'), so the new guide builds; "
                   "each source is named after the id its guide gives itself (not fetched: after the address's host).")
@click.option("--no-input", is_flag=True, help="Never prompt: a missing name is a usage error (exit 2).")
def init_command(directory: Path, no_input: bool, fetch: bool, guide_id: str | None, languages: str | None, url: str | None,
                 license_id: str | None, subscribe: tuple[str, ...], allow_hosts: tuple[str, ...], **names: str | None) -> None:
    """Create a new guide repository in DIR (a new or empty folder) for another library.

    \b
    It holds guides/_site.yml with the guide's name, id, publisher and languages; a starter
    collection of a library's own services (guides/services.yml: fill in your addresses); with
    --subscribe, guides/_sources.yml; mkdocs.yml; a Makefile whose 'make site' and 'make test'
    install this very OpenShelf release (dependencies pinned in constraints.txt); CI workflows
    and the 'Suggest a resource' issue form; and a README for its curators.  In a terminal
    OpenShelf asks for what the options do not give.  Nothing existing is ever overwritten.
    Exit 0 created, 1 the files could not be written, 2 usage error (a non-empty DIR, a bad value).
    """
    from openshelf import __version__
    from openshelf.curate import init as i
    from openshelf.curate.new import interactive

    problem = i.refusal(directory)  # before any question is asked
    if problem:
        raise click.BadParameter(problem, param_hint="'DIR'")
    ask = not no_input and interactive()
    try:
        langs = i.parse_languages(languages) if languages is not None else (_ask_languages() if ask else i.LANGUAGES)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--languages'") from None
    name = {lang: names[f"name_{lang}"] or "" for lang in i.LANGUAGES}
    publisher = {lang: names[f"publisher_{lang}"] or "" for lang in i.LANGUAGES}
    if ask:
        _ask_names(name, publisher, langs, ask_publisher=not any(publisher.values()))
        while not guide_id or i.problems(i.Settings(id=guide_id, name={"en": "-"}, languages=("en",))):
            if guide_id:
                click.echo(f"{guide_id!r} is not a slug: lowercase letters, digits and single hyphens, e.g. city-library", err=True)
            guide_id = click.prompt("标识 · Id (a-z, 0-9, -)", default=i.default_id(name, publisher) or None).strip()
        if url is None:
            url = click.prompt("网站地址 · Site address (empty: not yet known)", default="", show_default=False).strip() or None
        if not subscribe:
            shared = click.prompt("订阅的指南 · Subscribe to a guide's export URL (empty: none)", default="", show_default=False).strip()
            subscribe = (shared,) if shared else ()
    settings = i.Settings(id=guide_id or i.default_id(name, publisher), name=name, languages=langs, publisher=publisher,
                          url=url, license=license_id, subscribe=subscribe, allow_hosts=allow_hosts)
    problems = i.problems(settings if settings.id else dataclasses.replace(settings, id="id"))  # the other values' problems
    if not settings.id and not problems:  # named, but in no Latin letters (without a name, that problem says it)
        problems = ["missing --id (the names give none in Latin letters)"]
    if problems:
        raise click.UsageError("; ".join(problems))
    downloads: dict[str, Fetched | OpenShelfError] = {}
    if subscribe and fetch:
        settings, downloads = _download_subscriptions(settings)
    try:
        i.create(directory, settings, __version__, i.pinned_requirements())
    except i.NotEmpty as exc:
        raise click.BadParameter(str(exc), param_hint="'DIR'") from None
    except OSError as exc:
        click.echo(f"error: cannot create {directory}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo(f"created guide '{settings.id}' in {directory}", err=True)
    fetched = bool(subscribe) and fetch and _fetch_sources(directory / "guides", downloads)
    if fetched:  # the form offers the categories the subscribed guides define too, as `openshelf issueform` makes it
        _refresh_form(directory / "guides", directory / DEFAULT_FORM)
    next_steps = [f"cd {directory}",
                  *(["make sources   # fetch the subscribed guides; review and commit them"] if subscribe and not fetched else []),
                  "make test      # install OpenShelf, build the site, run the checks"]
    click.echo("next:\n" + "".join(f"  {step}\n" for step in next_steps), nl=False, err=True)


def _ask_languages() -> tuple[str, ...]:
    from openshelf.curate.init import parse_languages

    while True:
        try:
            return parse_languages(click.prompt("语言 · Languages (zh, en)", default="zh,en"))
        except ValueError as exc:
            click.echo(str(exc), err=True)


def _ask_names(name: dict[str, str], publisher: dict[str, str], languages: tuple[str, ...], *, ask_publisher: bool) -> None:
    labels = {"zh": ("中文", "in Chinese"), "en": ("英文", "in English")}
    while not any(name[lang] for lang in languages):
        for lang in languages:
            name[lang] = click.prompt(f"指南名称（{labels[lang][0]}）· Guide name {labels[lang][1]}", default="", show_default=False).strip()
        if not any(name[lang] for lang in languages):
            click.echo("a name in at least one language is needed", err=True)
    for lang in languages if ask_publisher else ():
        publisher[lang] = click.prompt(f"图书馆（{labels[lang][0]}）· Library {labels[lang][1]} (empty: none)", default="",
                                       show_default=False).strip()


COMMANDS.append(init_command)
@click.command("verify")
@click.argument("entry_id", metavar="ID")
@click.option("--by", "by", required=True, metavar="NAME", help="Who made the check: your name, your library, your team.")
@click.option("--evidence", "evidence", required=True, multiple=True, metavar="URL",
              help="The http(s) address of what you looked at: the page that states the offer, or an archived copy "
                   "(web.archive.org).  Repeat for more than one.")
@click.option("--kind", "kind", type=click.Choice(["provider", "copy", "report"]), default="provider", show_default=True,
              help="What the evidence is: the provider's own page (provider), a stored or archived copy of it (copy), or "
                   "someone else's report or reprint of what the provider said (report: the site says 'checked against a "
                   "report' and does not link it).  Written as evidence_kind.")
@click.option("--date", "date_text", default=None, metavar="YYYY-MM-DD", help="The day you made the check (default: today).")
@click.option("--note", default=None, metavar="TEXT", help="What the evidence stated, in a sentence, for the next person who checks.")
@click.option("--guides", "guides", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("guides"),
              show_default=True, help="The guide folder.")
@click.option("--dry-run", is_flag=True, help="Print the file as it would be instead of writing it.")
def verify_command(entry_id: str, by: str, evidence: tuple[str, ...], kind: str, date_text: str | None, note: str | None,
                   guides: Path, dry_run: bool) -> None:
    """Record that you checked entry ID against its provider's own statement.

    \b
    Sets last_verified (--date, default today), verified_by (--by), evidence (every --evidence
    URL), evidence_kind (--kind) and verification_note (--note) on the entry, replacing the
    previous check's values: the evidence is what this check looked at.  Only check what you have
    really looked at; say with --kind copy when the page was a stored or archived copy, and with
    --kind report when it was someone else's report of the offer.  The file keeps its comments and
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
    guide, subscribed = _own_guide_or_exit(guides)
    entry = guide.by_id.get(entry_id)
    if entry is None:
        merged, _ = load_federated(guides)
        theirs = merged.by_id.get(entry_id) if merged is not None else None
        if theirs is not None:  # a subscribed guide's entry: its snapshot is never edited here
            raise click.BadParameter(f"entry '{entry_id}' comes from a subscribed guide ({display_path(Path(theirs.where().path))}), "
                                     "which is not edited here: record the check in that guide's own repository, or add a local "
                                     f"note to the entry in {display_path(guides / '_overlays.yml')}", param_hint="'ID'")
        raise click.BadParameter(f"no entry '{entry_id}' in {display_path(guides)}", param_hint="'ID'")
    path = Path(entry.where().path)
    check = Check(day, by.strip(), tuple(u.strip() for u in evidence), note.strip() if note and note.strip() else None, kind)
    result = verify_entry(path, entry_id, check, guides, write=not dry_run, subscribed=subscribed)
    _finish(result, dry_run, f"record the check of '{entry_id}'", f"recorded the check of '{entry_id}' ({day}, by {check.by})")


COMMANDS.append(verify_command)
