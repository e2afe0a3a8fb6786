"""The ``openshelf`` command.  Exit codes: see ``main``'s help (``openshelf --help``)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from openshelf import __version__
from openshelf.errors import Group
from openshelf.federation.assemble import load_federated
from openshelf.fsutil import write_atomic
from openshelf.gcpolicy import no_collection_at_exit, paused
from openshelf.guide.diagnostics import Diagnostic, has_errors
from openshelf.guide.schema import SCHEMA_DIR
from openshelf.links.rules import DEFAULT_RULES_FILE, check_rules_file
from openshelf.wording import counted

if TYPE_CHECKING:  # the site stage is imported only when a build runs
    from openshelf.site.build import Engine

#: The commands each stage defines, name → ``module:attribute``, imported when the command runs (or ``--help`` lists
#: them): ``openshelf validate`` need not import the link checker's and the fetcher's HTTP client, nor the curators'
#: commands (about 0.2 s of every start-up).  tests/test_cli.py checks each name against its command's own.
LAZY_COMMANDS = {
    "links": "openshelf.links.cli:links",
    "sources": "openshelf.federation.cli:sources",
    **{name: f"openshelf.curate.cli:{attribute}" for name, attribute in (
        ("fmt", "fmt_command"), ("collection", "collection_group"), ("new", "new_command"), ("import", "import_command"),
        ("export", "export_command"), ("stale", "stale_command"), ("issueform", "issueform_command"),
        ("init", "init_command"), ("verify", "verify_command"))},
}


class _LazyGroup(Group):
    """:class:`Group` whose commands named in :data:`LAZY_COMMANDS` are imported when first asked for (Click's
    documented pattern for lazily loaded subcommands)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module, _, attribute = LAZY_COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


def report(diagnostics: list[Diagnostic], fmt: str = "text") -> None:
    for d in diagnostics:
        click.echo(d.github() if fmt == "github" else d.format(), err=fmt == "text")


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="openshelf")
def main() -> None:
    """Turn curated YAML guides into a bilingual, searchable static site, and keep their links healthy.

    \b
    Exit codes:
      0  success
      1  problems found: errors in the guide (every command but links), a broken
         link (links), files out of date (fmt --check, schema --check,
         issueform --check), stale entries (stale --fail), a source not
         updated or a snapshot not matching its lock (sources)
      2  usage or configuration error: a bad option or argument; a corrupt link
         state file (links, build, export); for links also an invalid guide or
         an invalid guides/_links.yml
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "github"]), default="text", show_default=True,
              help="text: file:line:column messages on stderr; github: workflow annotations on stdout.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (near-duplicate titles), not only on errors.")
def validate(paths: tuple[Path, ...], fmt: str, strict: bool) -> None:
    """Check guide files or folders (default: guides/) and report every problem.

    A folder's link-checking rules (_links.yml) are checked with it; a _links.yml named on its
    own is checked alone.

    Each message names file:line:column, the entry and the field.  Exit 0 when clean or with
    warnings only, 1 when errors were found (or, with --strict, warnings), 2 for a usage error.
    The same URL in two entries (compared after normalising case, ports, trailing slash and
    tracking parameters) is an error; the same or a nearly identical title is a warning, silenced
    for a pair a person has checked by 'distinct_from: [other-id]' on either entry.

    \b
    Limits (change them in a 'limits:' block in guides/_site.yml):
      max_file_bytes   20,000,000  bytes in one guide file
      max_entries          50,000  entries in the whole guide
      max_value_chars     100,000  characters in one value (text fields: 10,000)
      max_depth                64  nesting levels of mappings and lists
      max_nodes         2,000,000  values in one file once YAML aliases are expanded
    """
    rules_files = [p for p in paths if p.name == DEFAULT_RULES_FILE and p.is_file()]
    guide_paths = [p for p in paths if p not in rules_files]
    click.get_current_context().with_resource(paused())  # what it makes lives until it ends: nothing to collect
    no_collection_at_exit()
    guide, diagnostics = load_federated(*guide_paths) if guide_paths or not rules_files else (None, [])
    for folder in [p for p in guide_paths if p.is_dir()] or ([] if paths else [Path("guides")]):
        rules_files.append(folder / DEFAULT_RULES_FILE)
    for path in rules_files:
        diagnostics += check_rules_file(path)[1]
    report(diagnostics, fmt)
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    if has_errors(diagnostics) or (guide is None and guide_paths) or (strict and warnings):
        click.echo(f"{errors} error(s), {warnings} warning(s)" + (" (--strict: warnings fail)" if strict and warnings else ""), err=True)
        sys.exit(1)
    done = f"{counted(len(guide.collections), 'collection')}, {counted(len(guide.entries), 'entry', 'entries')}" \
        if guide is not None else "link rules"
    click.echo(f"ok: {done}" + (f", {warnings} warning(s)" if warnings else ""), err=True)


@main.command()
@click.option("--engine", type=click.Choice(["mkdocs", "zensical"]), default="mkdocs", show_default=True,
              help="The static site engine that builds the staged pages.")
@click.option("-f", "--config-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=Path("mkdocs.yml"),
              show_default=True)
@click.option("-d", "--site-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True)
@click.option("--strict/--no-strict", default=True, show_default=True,
              help="Fail on the engine's own warnings (its --strict: a broken link or a missing page in docs/).  "
                   "The guide's warnings fail the build only with 'strict: true' in the openshelf plugin's options.")
def build(engine: Engine, config_file: Path, site_dir: Path, strict: bool) -> None:
    """Validate the guide, write its pages beside docs/ into .openshelf/build/, and build the site.

    The guide's errors stop the build; its warnings (near-duplicate titles) are printed and do not,
    unless mkdocs.yml sets the openshelf plugin's 'strict: true'.
    """
    from openshelf.site.build import run_engine, stage
    from openshelf.site.pipeline import refusal

    staged, diagnostics = stage(config_file, site_dir, strict=strict)  # a BuildError prints as one line, exit 1
    report(diagnostics)
    if staged is None:
        click.echo(f"error: {refusal(f'the guide of {config_file}', diagnostics)}", err=True)
        sys.exit(1)
    run_engine(staged, engine, strict)
    click.echo(f"site built with {engine} in {site_dir}", err=True)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=SCHEMA_DIR, show_default=True)
@click.option("--check", is_flag=True, help="Exit 1 if the files on disk differ from the models.")
def schema(out: Path, check: bool) -> None:
    """Write the JSON Schema files for guide files (generated from the models)."""
    from openshelf.schemas import all_schema_files

    stale = []
    for name, text in all_schema_files().items():
        path = out / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not check:
            write_atomic(path, text)
            click.echo(f"wrote {path}", err=True)
    if check and stale:
        for path in stale:
            click.echo(f"{path}: out of date; run 'openshelf schema'", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main(prog_name="openshelf")
