"""``load_guide(..., warnings=False)`` (what ``openshelf links`` uses): every error, none of the checks that can only
warn (near-duplicate titles, services and resource kinds without an entry)."""

from __future__ import annotations

from pathlib import Path

from openshelf.federation.assemble import load_federated
from openshelf.guide.load import load_guide
from support import NEAR_DUPLICATES, SITE, write_guide

PROMISES = SITE + """\
services:
  document-delivery: {zh: 文献传递, en: Document delivery}
"""
#: Errors: the same URL twice, an unknown category, an unknown related id; warning: nearly the same title twice.
BROKEN = """\
id: more
title: {en: More}
entries:
  - {id: a, title: {en: Library opening hours}, url: 'https://a.org/', description: {en: D}, category: databases, access: free}
  - {id: b, title: {en: Library opening hourz}, url: 'https://b.org/', description: {en: D}, category: nowhere, access: free}
  - {id: c, title: {en: Something else entirely}, url: 'https://A.org', description: {en: D}, category: access, access: free,
     related: [nobody]}
"""


def test_without_warnings_every_error_is_still_reported_and_no_warning(tmp_path: Path) -> None:
    root = write_guide(tmp_path / "guides", {"_site.yml": PROMISES, "health.yml": NEAR_DUPLICATES, "more.yml": BROKEN})
    guide, full = load_guide(root)
    assert guide is None
    codes = {d.code for d in full}
    assert {"duplicate-title", "no-entry", "duplicate-url", "unknown-category", "unknown-id"} <= codes, full
    errors = [d.format() for d in full if d.severity == "error"]
    for load in (lambda: load_guide(root, warnings=False), lambda: load_federated(root, warnings=False)):
        guide, quiet = load()
        assert guide is None
        assert [d.format() for d in quiet] == errors


def test_a_valid_guide_loads_the_same_without_its_warnings(tmp_path: Path) -> None:
    root = write_guide(tmp_path / "guides", {"_site.yml": PROMISES, "health.yml": NEAR_DUPLICATES})
    guide, full = load_guide(root)
    assert guide is not None
    assert sorted(d.code for d in full) == ["duplicate-title", "no-entry"]
    quiet_guide, quiet = load_guide(root, warnings=False)
    assert quiet == []
    assert quiet_guide is not None
    assert [e.model_dump() for e in quiet_guide.entries] == [e.model_dump() for e in guide.entries]
