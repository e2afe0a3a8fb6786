"""``openshelf links``: check every URL in the guides; ``openshelf links merge``: merge shard states.

Exit codes: 0 nothing broken, 1 something broken, 2 a usage or configuration error
(bad option, invalid guide, invalid ``_links.yml``, corrupt state file), 130 or 143 when Ctrl-C
or SIGTERM ended the run early (its results so far kept and reported).
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import click

from openshelf.durations import parse_duration
from openshelf.errors import ConfigError, Group
from openshelf.fsutil import write_atomic
from openshelf.gcpolicy import fewer_collections, frozen, no_collection_at_exit, paused
from openshelf.wording import counted

from .check import CheckOptions
from .extract import targets_from_entries
from .guard import AddressGuard
from .guideload import load_checked_guide
from .issue import GITHUB_BODY_LIMIT, full_report_pointer
from .report import FORMATS, FORMATTERS, format_markdown
from .rules import DEFAULT_RULES_FILE, load_rules
from .runner import CHECKPOINT_EVERY, parse_shard, run_check_sync, shard_of, source_checks
from .store import StateWriter, default_state_file, load_state, merge_states, save_state
from .verdict import Verdict


def _positive(ctx: click.Context, param: click.Parameter, value: float | int) -> float | int:
    if value is not None and value <= 0:
        raise click.BadParameter("must be greater than 0")
    return value


HELP = """Check every URL in the guides, each once, and report a verdict per URL.

\b
Verdicts: ok, redirected (moved permanently: update the URL), broken (404, 410,
a name that does not resolve, connection refused, a host rule's soft 404, or a
transient failure for N consecutive runs), transient (timeout, 5xx, 429, a
guessed soft 404: a 200 page titled "not found"), blocked (bot
protection: a person should look), skipped (excluded, private address, or an
entry marked link_check: login-required or skip, or not reached before --deadline).

\b
Exit codes: 0 nothing broken, 1 something broken, 2 a usage or configuration
error (bad option, invalid guide, invalid _links.yml, corrupt state file), 130
or 143 when Ctrl-C or SIGTERM ended the run early (its results so far kept).

Use `openshelf links merge STATE...` to merge the state files of sharded runs.
"""


@click.group(cls=Group, invoke_without_command=True, help=HELP)
@click.option("--guides", "guides", type=click.Path(path_type=Path, file_okay=False), default=Path("guides"),
              show_default=True, help="The guide folder.")
@click.option("--state", "state_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The state file [default: GUIDES/_state/links.json].")
@click.option("--no-state", is_flag=True, help="Neither read nor write the state file.")
@click.option("--rules", "rules_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help=f"Host and pattern rules [default: GUIDES/{DEFAULT_RULES_FILE}].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@click.option("--concurrency", type=int, default=128, show_default=True, callback=_positive,
              help="Requests in flight, all hosts together.")
@click.option("--per-host", type=int, default=8, show_default=True, callback=_positive,
              help="Requests in flight to one host.")
@click.option("--timeout", type=float, default=15.0, show_default=True, callback=_positive,
              help="Deadline in seconds for one request (connect, headers and the body prefix).")
@click.option("--method", type=click.Choice(["get", "head"], case_sensitive=False), default="get", show_default=True,
              help="The first request to a URL: GET (the status and, on an HTML page, its title, in one request), or "
                   "HEAD, with a GET after it where HEAD cannot decide (a 404, a refusal, an HTML page).")
@click.option("--retries", type=click.IntRange(0, 10), default=2, show_default=True,
              help="Retries of a transient failure (with backoff; Retry-After honoured).")
@click.option("--max-retry-after", type=float, default=60.0, show_default=True,
              help="Longest pause in seconds a host's Retry-After gets (every request to that host waits); "
                   "beyond it the URL is reported transient.")
@click.option("--max-age", default=None, metavar="DURATION",
              help="Skip URLs checked OK more recently than this: a number and a unit, s, m (minutes), h, d, w, "
                   "mo (30 days) or y, e.g. 7d, 12h, 30m.")
@click.option("--trust-sources", "trust_sources", default=None, metavar="DURATION",
              help="Do not fetch a subscribed entry's URL that its source's snapshot says was working when checked within "
                   "this long (e.g. 7d): report it with the note 'trusted: checked by source ID on DATE'. A URL whose "
                   "local record is failing is always checked.")
@click.option("--deadline", default=None, metavar="DURATION",
              help="Bound the whole run (counted from the start of the command), e.g. 10m, 1h: URLs not checked by "
                   "then are reported skipped (note: deadline); next time the ones not reached go first, the ones it "
                   "ended midway after every URL not tried yet. The state file is also "
                   f"written every {CHECKPOINT_EVERY} results.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST[:PORT]",
              help="Exempt this host from the private-address guard (repeatable).")
@click.option("--allow-private", is_flag=True, help="Exempt all hosts from the private-address guard.")
@click.option("--only-changed", "only_changed", default=None, metavar="REV",
              help="Only URLs added or changed since this git revision (for pull requests).")
@click.option("--shard", default=None, metavar="I/N", help="Check only the I-th of N stable parts of the URLs (1-based).")
@click.option("--json-report", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FILE",
              help="Also write the JSON report to FILE (whatever --format prints).")
@click.option("--max-chars", type=click.IntRange(1000), default=None, metavar="N",
              help=f"markdown format: at most N characters (an issue body takes {GITHUB_BODY_LIMIT:,}): the counts, then as many "
                   "places as fit and a note saying how many were left out.")
@click.option("--full-report", type=click.Path(path_type=Path, dir_okay=False), default=None, metavar="FILE",
              help="markdown format: also write the whole report, without --max-chars, to FILE (the note points to it).")
@click.option("--blob-url", default=None, metavar="URL",
              help="markdown format: link each place to its line in the repository, URL/FILE#LLINE "
                   "(e.g. https://github.com/OWNER/REPO/blob/COMMIT).")
@click.option("-v", "--verbose", is_flag=True, help="text format: list OK links too.")
@click.pass_context
def links(ctx: click.Context, guides: Path, state_path: Path | None, no_state: bool, rules_path: Path | None,
          fmt: str, concurrency: int, per_host: int, timeout: float, method: str, retries: int, max_retry_after: float,
          max_age: str | None, trust_sources: str | None, deadline: str | None, allow_hosts: tuple[str, ...], allow_private: bool,
          only_changed: str | None, shard: str | None, json_report: Path | None, max_chars: int | None, full_report: Path | None,
          blob_url: str | None, verbose: bool) -> None:
    """Check every URL in the guides (each once) and report verdicts."""
    if ctx.invoked_subcommand is not None:
        return
    if fmt != "markdown" and (max_chars is not None or full_report is not None or blob_url is not None):
        raise click.UsageError("--max-chars, --full-report and --blob-url go with --format markdown")
    started = time.monotonic()
    try:
        age = parse_duration(max_age) if max_age else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-age") from None
    try:
        trust_age = parse_duration(trust_sources) if trust_sources else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--trust-sources") from None
    try:
        ends = started + parse_duration(deadline).total_seconds() if deadline else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--deadline") from None
    try:
        shard_spec = parse_shard(shard) if shard else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--shard") from None
    try:
        guard = AddressGuard.from_options(allow_hosts, allow_private)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--allow-host") from None

    for option, path in (("--json-report", json_report), ("--full-report", full_report)):
        if path is not None:  # found now, not after a whole run's requests
            _check_writable(path, option)
    ctx.with_resource(fewer_collections())
    no_collection_at_exit()
    # The guide first (an invalid guide is reported before anything else), then the rules and
    # the state; all before any request goes out.  They live until the run ends: no collection walks them (gcpolicy).
    with paused():
        guide = load_checked_guide(guides)
        targets = targets_from_entries(guide.entries)
        trusted = source_checks(guide, trust_age) if trust_age is not None else None
        rules = load_rules(rules_path or guides / DEFAULT_RULES_FILE)
        state_file = state_path or default_state_file(guides)
        states = {} if no_state else load_state(state_file)
        if only_changed:
            from .changed import GitError, changed_targets

            try:
                targets = changed_targets(targets, guides, only_changed)
            except GitError as exc:
                raise click.BadParameter(str(exc), param_hint="--only-changed") from None
        if shard_spec:
            targets = [t for t in targets if shard_of(t.url, shard_spec[1]) == shard_spec[0]]
        ctx.with_resource(frozen())  # before the collector is back
    options = CheckOptions(concurrency=concurrency, per_host=per_host, timeout=timeout, retries=retries,
                           max_retry_after=max_retry_after, method="HEAD" if method.lower() == "head" else "GET")
    writer = None if no_state else StateWriter(state_file)
    results, new_states, summary = run_check_sync(targets, states, options, rules, guard, max_age=age, deadline=ends,
                                                  checkpoint=writer.write if writer else None, trusted=trusted)
    summary.shard = shard
    if writer is not None:
        writer.write(new_states)
    if json_report is not None:
        _write_report(json_report, FORMATTERS["json"](results, summary))
    if fmt == "markdown":
        if full_report is not None:
            _write_report(full_report, format_markdown(results, summary, blob_url=blob_url))
        text = format_markdown(results, summary, blob_url=blob_url, max_chars=max_chars,
                               full_report=full_report_pointer(full_report, os.environ))
    else:
        text = FORMATTERS[fmt](results, summary, verbose=verbose)
    sys.stdout.write(text)
    sys.stdout.flush()
    if summary.interrupted:  # ended early by a signal, its results kept: the shell's code for that signal
        ctx.exit(128 + signal.Signals[summary.interrupted].value)
    ctx.exit(1 if summary.counts.get(Verdict.BROKEN, 0) else 0)


def _check_writable(path: Path, option: str) -> None:
    """A usage error unless a file can be written in ``path``'s folder (a temporary file is made there and removed)."""
    if not path.parent.is_dir():
        raise click.BadParameter(f"cannot write {path}: {path.parent} is not a folder", param_hint=option)
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as exc:
        raise click.BadParameter(f"cannot write {path}: {exc.strerror or exc}", param_hint=option) from None


def _write_report(path: Path, text: str) -> None:
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc}") from None


@links.command("merge")
@click.argument("states", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where to write the merged state [default: GUIDES/_state/links.json].")
@click.pass_context
def merge(ctx: click.Context, states: tuple[Path, ...], output: Path | None) -> None:
    """Merge shard state files: for each URL the most recently checked record wins."""
    parts = [load_state(path) for path in states]
    assert ctx.parent is not None, "merge is always run as a subcommand of the links group"
    out = output or default_state_file(ctx.parent.params["guides"])
    merged = merge_states(*parts)
    save_state(out, merged)
    click.echo(f"merged {counted(len(states), 'state file')}, {counted(len(merged), 'URL')} -> {out}")
