"""The guide's URLs for a run: the guide loaded and validated as ``openshelf validate`` does it (every error; the
checks that can only warn, near-duplicate titles and coverage, are left out: a run never shows warnings).

This happens before any request goes out, so an invalid guide stops the run (exit 2) having
fetched nothing.
"""

from __future__ import annotations

from pathlib import Path

from openshelf.errors import ConfigProblems
from openshelf.federation.assemble import load_federated
from openshelf.guide.load import Guide

from .extract import Target, targets_from_entries


class GuideInvalid(ConfigProblems):
    """The guide has errors (exit 2 for ``openshelf links``); ``lines`` are its diagnostics as printed."""

    def __init__(self, folder: Path, lines: list[str]) -> None:
        super().__init__(f"the guide in {folder} has errors; fix them first (openshelf validate)", lines)


def load_checked_guide(folder: Path) -> Guide:
    """The guide in ``folder`` as the checker reads it (with its sources merged in); :class:`GuideInvalid` when it has errors."""
    guide, diagnostics = load_federated(folder, warnings=False)  # warnings are not shown here: only errors stop the run
    if guide is None:
        raise GuideInvalid(folder, [d.format() for d in diagnostics])
    return guide


def load_targets(folder: Path) -> list[Target]:
    """Every URL of the guide in ``folder`` with the places it stands; :class:`GuideInvalid` when it has errors."""
    return targets_from_entries(load_checked_guide(folder).entries)
