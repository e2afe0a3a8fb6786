"""What a guide promises readers (``services`` and ``resource_kinds`` in ``_site.yml``) has entries: validate warns
about a service or a resource kind that no entry counts toward (and, in a guide that names its tags, a tag left
unnamed), and refuses a kind naming an unknown category."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from openshelf.cli import main
from openshelf.guide.load import load_guide
from openshelf.guide.models import ResourceKind
from support import SITE, write_guide

PROMISES = SITE + """\
services:
  document-delivery: {zh: 文献传递, en: Document delivery}
  remote-interview: {en: Remote interview rooms}
resource_kinds:
  ebooks-audiobooks: {zh: 电子书服务、听书服务, en: E-books and audiobooks, categories: [databases], tags: [audiobooks]}
  wechat-accounts: {zh: 微信公众号, en: WeChat official accounts}
"""
NAV = """\
id: nav
title: {en: Nav}
entries:
  - {id: a, title: {en: A}, url: 'https://a.org/', description: {en: D}, category: databases, access: free, tags: [document-delivery]}
  - {id: b, title: {en: B}, url: 'https://b.org/', description: {en: D}, category: access, access: free}
"""


def validate(*paths: Path, strict: bool = False) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["validate", *map(str, paths), *(["--strict"] if strict else [])])
    return result.exit_code, result.output.splitlines()


def test_a_service_and_a_kind_without_an_entry_are_warnings_at_their_line(tmp_path: Path) -> None:
    root = write_guide(tmp_path / "g", {"_site.yml": PROMISES, "nav.yml": NAV})
    code, lines = validate(root)
    assert code == 0, lines
    found = [line for line in lines if ": warning: " in line]
    assert len(found) == 2, lines  # document-delivery has entry a; ebooks-audiobooks has a by its category
    assert found[0].endswith("g/_site.yml:7:21: warning: services: no entry serves 'remote-interview' (Remote interview rooms): "
                             "add 'tags: [remote-interview]' to an entry that helps readers with it"), found[0]
    assert found[1].endswith("g/_site.yml:10:20: warning: resource_kinds: no entry is of the kind 'wechat-accounts' "
                             "(微信公众号 · WeChat official accounts): add one with tag wechat-accounts"), found[1]
    assert validate(root, strict=True)[0] == 1  # --strict: the guide's promise not kept fails


def test_a_file_with_an_error_does_not_also_bring_warnings_that_its_entries_are_missing(tmp_path: Path) -> None:
    """One mistake in a collection file is one error: its entries are not read, so "no entry serves …" is not
    said of the services and kinds they may well count toward."""
    promised = PROMISES.replace("  remote-interview: {en: Remote interview rooms}\n", "").replace(
        "  wechat-accounts: {zh: 微信公众号, en: WeChat official accounts}\n", "")
    for broken in (NAV.replace("access: free, tags", "access: gratis, tags"), NAV.replace("  - {id: b", "\t- {id: b")):
        root = write_guide(tmp_path / str(len(list(tmp_path.iterdir()))), {"_site.yml": promised, "nav.yml": broken})
        code, lines = validate(root)
        assert code == 1 and [line for line in lines if ": warning: " in line] == [], lines
        assert len([line for line in lines if ": error: " in line]) == 1, lines


def test_an_entry_counts_toward_a_kind_by_category_by_the_kinds_key_or_by_one_of_its_tags(tmp_path: Path) -> None:
    nav = NAV + ("  - {id: c, title: {en: C}, url: 'https://c.org/', description: {en: D}, category: access, access: free, "
                 "tags: [wechat-accounts, remote-interview]}\n")
    root = write_guide(tmp_path / "g", {"_site.yml": PROMISES, "nav.yml": nav})
    assert validate(root, strict=True) == (0, ["ok: 1 collection, 3 entries"])
    guide, _ = load_guide(root)
    assert guide is not None
    kind = guide.site.resource_kinds["ebooks-audiobooks"]
    by_id = guide.by_id
    assert [kind.includes("ebooks-audiobooks", by_id[i]) for i in "abc"] == [True, False, False]
    listened = ResourceKind(en="E-books", tags=["audiobooks"])
    assert listened.includes("ebooks", by_id["b"].model_copy(update={"tags": ["audiobooks"]}))
    assert listened.includes("ebooks", by_id["b"].model_copy(update={"tags": ["ebooks"]}))
    assert not listened.includes("ebooks", by_id["b"])


def test_one_collection_file_alone_is_not_held_to_the_whole_guides_promises(tmp_path: Path) -> None:
    root = write_guide(tmp_path / "g", {"_site.yml": PROMISES, "nav.yml": NAV})
    assert validate(root / "nav.yml", strict=True) == (0, ["ok: 1 collection, 2 entries"])


def test_a_kind_naming_an_unknown_category_is_an_error_at_that_item(tmp_path: Path) -> None:
    site = PROMISES.replace("categories: [databases]", "categories: [databases, ebooks]")
    root = write_guide(tmp_path / "g", {"_site.yml": site, "nav.yml": NAV})
    code, lines = validate(root)
    assert code == 1
    assert any(line.endswith("g/_site.yml:9:91: error: resource_kinds: kind 'ebooks-audiobooks' names category 'ebooks', "
                             "which is not defined in categories (known: databases, access)") for line in lines), lines


def test_a_guide_that_names_its_tags_is_warned_of_one_it_leaves_unnamed(tmp_path: Path) -> None:
    """Once at the tag's first use; a guide that names none of its tags is not warned at all."""
    named = SITE + "tags:\n  document-delivery: {zh: 文献传递, en: Document delivery}\n"
    nav = NAV + "  - {id: c, title: {en: C}, url: 'https://c.org/', description: {en: D}, category: access, access: free, tags: [maps]}\n" \
                "  - {id: d, title: {en: D}, url: 'https://d.org/', description: {en: D}, category: access, access: free, tags: [maps]}\n"
    code, lines = validate(write_guide(tmp_path / "named", {"_site.yml": named, "nav.yml": nav}))
    assert code == 0, lines
    found = [line for line in lines if ": warning: " in line]
    assert len(found) == 1 and found[0].endswith(
        "nav.yml:6:112: warning: entry 'c': tags: 'maps' has no name under 'tags:' in _site.yml, so readers see the key 'maps': "
        "add a line '  maps: {zh: …, en: …}' there"), found
    code, lines = validate(write_guide(tmp_path / "unnamed", {"_site.yml": SITE, "nav.yml": nav}))
    assert (code, [line for line in lines if ": warning: " in line]) == (0, [])
