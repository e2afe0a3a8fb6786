"""The guide every command reads: the guide's own files and, when it subscribes to others
(``guides/_sources.yml``), their snapshots and its local overlays merged in.

``load_federated`` is what ``openshelf validate``, ``build``, the MkDocs plugin, ``links``,
``export`` and ``stale`` call; without ``_sources.yml`` it is exactly
:func:`~openshelf.guide.load.load_guide`.  It reads only files: builds never touch the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from openshelf.federation.config import overlays_file, sources_file
from openshelf.gcpolicy import lasting
from openshelf.guide.diagnostics import Diagnostic, Location, has_errors
from openshelf.guide.load import Guide, display_path, load_guide
from openshelf.guide.models import SITE_FILE

if TYPE_CHECKING:  # snapshots, overlays and the merge are imported only for a guide with a _sources.yml
    from openshelf.federation.snapshots import Snapshot


def guides_folder(paths: tuple[Path, ...]) -> Path:
    """The folder whose ``_site.yml`` the guide uses (as :func:`load_guide` finds it)."""
    for path in paths or (Path("guides"),):
        if path.is_dir() and (path / SITE_FILE).is_file():
            return path
    for path in paths:
        if path.is_file() and (path.parent / SITE_FILE).is_file():
            return path.parent
    return paths[0] if paths else Path("guides")


def load_federated(*paths: Path, warnings: bool = True) -> tuple[Guide | None, list[Diagnostic]]:
    """Load, validate and merge the guide in ``paths`` with its subscriptions; None (with the diagnostics) on any error.

    ``warnings=False``: every error, but not the checks that can only warn (as :func:`load_guide`)."""
    _, merged, diagnostics = load_own_and_federated(*paths, warnings=warnings)
    return merged, diagnostics


def load_own_and_federated(*paths: Path, warnings: bool = True) -> tuple[Guide | None, Guide | None, list[Diagnostic]]:
    """:func:`load_federated`'s guide and, beside it, the guide's own files as it read them (the same snapshots and
    files, read once): for ``openshelf issueform``, whose form offers the own collections and the merged categories.
    Both None (with the diagnostics) on any error."""
    with lasting():  # a big guide is hundreds of thousands of long-lived objects
        return _load_federated(paths, warnings)


def _load_federated(paths: tuple[Path, ...], warnings: bool) -> tuple[Guide | None, Guide | None, list[Diagnostic]]:
    folder = guides_folder(paths)
    if not sources_file(folder).is_file():
        guide, diagnostics = load_guide(*paths, warnings=warnings)
        notes = overlays_file(folder)
        if warnings and notes.exists():  # notes on subscribed entries, in a guide that subscribes to none: not read at all
            diagnostics.append(Diagnostic(Location(display_path(notes)), f"this guide subscribes to no other guide (there is no "
                                          f"{sources_file(folder).name}), so the notes and changes in this file apply to nothing "
                                          "and it is not read", severity="warning", code="unused-overlays"))
        return guide, guide, diagnostics
    from openshelf.federation.merge import merge
    from openshelf.federation.overlays import load_overlays
    from openshelf.federation.snapshots import load_snapshots

    snapshots, diagnostics = load_snapshots(folder)
    overlays, more = load_overlays(folder)
    guide, local = _own(paths, snapshots, warnings=warnings)
    stop = has_errors(diagnostics + local)  # the overlays' own errors do not stop it here
    diagnostics += more + local
    if guide is None or snapshots is None or overlays is None or stop:
        return None, None, sorted(diagnostics, key=Diagnostic.sort_key)
    # The valid overlays are still merged beside the invalid ones' errors, so that their own problems come in the same
    # run; the warnings wait, as those of a collection file with an error do (a left-out overlay's distinct_from, say)
    merged, found = merge(guide, snapshots, overlays, warnings=warnings and not has_errors(more))
    reported = set(local)
    diagnostics += [d for d in dict.fromkeys(found) if d not in reported]
    diagnostics.sort(key=Diagnostic.sort_key)
    return (None, None, diagnostics) if has_errors(diagnostics) else (guide, merged, diagnostics)


@dataclass(frozen=True)
class Subscribed:
    """A guide's subscriptions as read once (:func:`read_subscribed`): their checked snapshots (None when
    ``_sources.yml``, the lock or a snapshot has an error; empty for a guide that subscribes to none) and the
    problems reading them found.  A command that loads the guide's own files and then validates them again with its
    change (``openshelf new``) hands it to both loads, so the snapshots are read once."""

    snapshots: list[Snapshot] | None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def categories(self) -> list[str]:
        """The categories the subscribed guides define, in ``_sources.yml`` order (none while a snapshot has a problem)."""
        return list(_offered(self.snapshots))


def read_subscribed(folder: Path) -> Subscribed:
    """The subscriptions of the guide in ``folder`` (its ``_sources.yml`` and snapshots); none without ``_sources.yml``."""
    if not sources_file(folder).is_file():
        return Subscribed([])
    from openshelf.federation.snapshots import load_snapshots

    snapshots, diagnostics = load_snapshots(folder)
    return Subscribed(snapshots, tuple(diagnostics))


def load_own(*paths: Path, subscriptions: Path | None = None, subscribed: Subscribed | None = None) -> tuple[Guide | None, list[Diagnostic]]:
    """The guide's own files only (what curators edit: ``openshelf new``, ``import``), checked knowing the
    ids its sources give, so that ``related`` may name them.  ``subscriptions``: the folder whose
    ``_sources.yml`` and snapshots count (default: the guide's own); ``subscribed``: those already read by
    :func:`read_subscribed` (whose ``categories`` a command offers too), not read again."""
    read = subscribed if subscribed is not None else read_subscribed(subscriptions or guides_folder(paths))
    guide, local = _own(paths, read.snapshots)
    diagnostics = sorted([*read.diagnostics, *local], key=Diagnostic.sort_key)
    return (None if has_errors(diagnostics) else guide), diagnostics


def _offered(snapshots: list[Snapshot] | None) -> dict[str, None]:
    """The categories the snapshots' exports define, in order, each once."""
    return dict.fromkeys(c for s in snapshots or () for c in s.export.categories)


def _own(paths: tuple[Path, ...], snapshots: list[Snapshot] | None, *, warnings: bool = True) -> tuple[Guide | None, list[Diagnostic]]:
    from openshelf.federation.select import select

    subscribed = {e.id for s in snapshots or () for e in select(s.source, s.export)}
    guide, local = load_guide(*paths, known_ids=subscribed, warnings=warnings, known_categories=_offered(snapshots))  # labels: the merge
    if snapshots is None:  # a source that could not be read leaves its ids and categories unknown: no second error for
        local = [d for d in local if not _follows_unread_source(d)]  # each use of them, nor a check of the whole guide
    return guide, local


def _follows_unread_source(diagnostic: Diagnostic) -> bool:
    """Whether ``diagnostic`` of the guide's own files may only follow from a source whose snapshot could not be read:
    an id or an entry's category it may define, or a warning about the guide as a whole (an unnamed tag a source may
    name, a service or kind only a source's entries give), which is never looked for in a guide with sources."""
    return (diagnostic.code == "unknown-id" or (diagnostic.code == "unknown-category" and diagnostic.field == "category")
            or diagnostic.code in ("unnamed-tag", "no-entry"))
