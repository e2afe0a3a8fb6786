"""``openshelf sources update`` and ``openshelf sources list``: the guides this guide subscribes to.

Exit codes: 0 success; 1 a source could not be updated (update) or a snapshot is missing or does
not match its lock (list); 2 a usage or configuration error (an unknown source id, an invalid
``guides/_sources.yml`` or ``guides/_sources/lock.json``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from openshelf.errors import ConfigError, ConfigProblems, OpenShelfError
from openshelf.federation.config import SourcesFile, lock_file, sources_file
from openshelf.federation.diff import RENDERERS, plain, summary
from openshelf.federation.snapshots import read_sources
from openshelf.federation.update import drop_unnamed, pick, previous, read_lock, update
from openshelf.fsutil import write_atomic
from openshelf.guide.load import display_path
from openshelf.wording import counted

GUIDES_OPTION = click.option("--guides", type=click.Path(path_type=Path, file_okay=False), default=Path("guides"),
                             show_default=True, help="The guide folder (its _sources.yml names the sources).")


def load_sources(guides: Path) -> SourcesFile | None:
    """``GUIDES/_sources.yml``, or None when there is none; problems (file:line:column) are a :class:`ConfigProblems`."""
    path = sources_file(guides)
    if not path.is_file():
        return None
    config, _, diagnostics = read_sources(guides)
    if config is None:
        raise ConfigProblems(f"{len(diagnostics)} error(s) in {display_path(path)}", [d.format() for d in diagnostics])
    return config


@click.group("sources")
def sources() -> None:
    """The guides this guide subscribes to (guides/_sources.yml): update their snapshots, list their state.

    \b
    Each source's export is kept, exactly as fetched, in guides/_sources/<id>.json, with its
    SHA-256, fetch time and HTTP validators in guides/_sources/lock.json.  Builds never use the
    network: they read the snapshots and refuse one that does not match its lock.
    """


@sources.command("update")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@GUIDES_OPTION
@click.option("--dry-run", is_flag=True, help="Fetch and print the change list, write nothing.")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True,
              help="The change list as text, markdown (a pull request body) or json.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the change list to this file instead of standard output.")
def update_command(ids: tuple[str, ...], guides: Path, dry_run: bool, fmt: str, output: Path | None) -> None:
    """Fetch the sources (all, or those named), check them and write their new snapshots.

    \b
    Downloads pass the link checker's private-address guard (every redirect hop too; a source's
    allow_hosts exempts exactly those HOST[:PORT]), are bounded by its max_bytes and timeout, and
    are conditional on the lock's ETag / Last-Modified.  An export must be an OpenShelf guide
    export this version reads (format openshelf-guide 2.x).  The change list names the selected
    entries added, changed (with the fields) and removed.  A source that fails prints
    "error: source 'ID': ..." and keeps its last good snapshot and lock entry as they were.
    Without IDs, a source _sources.yml no longer names loses its lock entry and its snapshot
    (unless that file is not the one this command wrote).

    \b
    Exit codes: 0 every source updated or unchanged, 1 a source failed, 2 a usage or
    configuration error (an unknown ID, an invalid _sources.yml or lock.json).
    """
    config = load_sources(guides)
    if config is None:
        raise ConfigError(f"{display_path(sources_file(guides))} does not exist: there is no source to update")
    chosen = pick(config.sources, ids)
    report = update(guides, chosen, dry_run=dry_run)
    if not ids and not dry_run:  # every source was asked for: those _sources.yml no longer names go
        try:
            for note in drop_unnamed(guides, (s.id for s in config.sources)):
                click.echo(f"note: {note}", err=True)
        except OSError as exc:
            raise OpenShelfError(f"cannot drop the sources guides/_sources.yml no longer names: {exc.strerror or exc}") from None
    for source in report.sources:
        if source.error is not None:
            click.echo(f"error: source '{source.source}': {plain(source.error, 2000)}", err=True)
    text = RENDERERS[fmt](report)
    if output is not None:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)
    click.echo(summary(report.sources) + (" (dry run: nothing written)" if dry_run else ""), err=True)
    sys.exit(1 if report.failed else 0)


@sources.command("list")
@GUIDES_OPTION
def list_command(guides: Path) -> None:
    """Each source's state: its address, when it was fetched, its entries, and whether its snapshot
    matches the lock.

    \b
    Exit codes: 0 every snapshot is in place and matches its lock, 1 one is missing or does not
    match (a build would refuse it), 2 an invalid _sources.yml or lock.json.
    """
    config = load_sources(guides)
    if config is None or not config.sources:
        click.echo(f"no sources ({display_path(sources_file(guides))} names none)", err=True)
        return
    lock = read_lock(guides)
    problems = 0
    for source in config.sources:
        prev = previous(guides, source.id, lock)
        locked = prev.locked
        click.echo(f"{source.id}: {source.url}")
        if locked is not None:
            click.echo(f"  fetched {locked.fetched:%Y-%m-%dT%H:%M:%SZ}, {counted(locked.entries, 'entry', 'entries')} in the export, "
                       f"format {locked.format_version}, the source updated {locked.updated:%Y-%m-%dT%H:%M:%SZ}")
            if locked.url != source.url:
                click.echo(f"  note: fetched from {locked.url}; _sources.yml now names another address: run 'openshelf sources update {source.id}'")
        if prev.problem is None:
            click.echo("  snapshot ok (matches the lock)")
        else:
            problems += 1
            click.echo(f"  error: {prev.problem}: run 'openshelf sources update {source.id}'")
    names = {s.id for s in config.sources}
    for extra in sorted(set(lock.lock.sources) - names):
        click.echo(f"note: {display_path(lock_file(guides))} still has '{extra}', which _sources.yml no longer names")
    if problems:
        click.echo(f"{problems} source(s) without a good snapshot: a build refuses them", err=True)
        sys.exit(1)
