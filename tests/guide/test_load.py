"""Validation: exact messages with file:line:column, entry and field; every error in one run."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from openshelf.guide.load import load_guide
from support import write_guide

ENTRY = """\
  - id: {id}
    title: {{zh: 标题 {id}, en: Title {id}}}
    url: {url}
    description: {{en: A description.}}
    category: databases
    access: free
"""


def collection(*entries: str, cid: str = "dbs") -> str:
    return f"id: {cid}\ntitle: {{en: DBs}}\nentries:" + ("\n" + "".join(entries) if entries else " []\n")


def messages(root: Path) -> list[str]:
    guide, diagnostics = load_guide(root)
    assert guide is None or not diagnostics
    return [d.format() for d in diagnostics]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_valid_guide_loads(tmp_path: Path) -> None:
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(ENTRY.format(id="a", url="https://a.org/"))})
    guide, diagnostics = load_guide(root)
    assert diagnostics == []
    assert guide is not None and [e.id for e in guide.entries] == ["a"]
    assert guide.entries[0].where("url") == guide.entries[0].where("url")
    assert str(guide.entries[0].where("url")) == os.path.join("guides", "dbs.yml") + ":6:10"
    entry_start = os.path.join("guides", "dbs.yml") + ":4:5"
    assert str(guide.entries[0].where("related[0]")) == str(guide.entries[0].where()) == entry_start  # no related: the entry's place


def test_bad_url_names_file_line_column_entry_and_field(tmp_path: Path) -> None:
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(ENTRY.format(id="cnki", url="www.cnki.net"))})
    assert messages(root) == [
        "guides/dbs.yml:6:10: error: entry 'cnki': url must start with http:// or https://",
    ]


def test_all_errors_in_one_run_across_files(tmp_path: Path) -> None:
    bad = ENTRY.format(id="a", url="javascript:alert(1)").replace("access: free", "access: gratis") + "    tittle: x\n"
    root = write_guide(tmp_path / "guides", {
        "dbs.yml": collection(bad, ENTRY.format(id="b", url="https://b.org/") + "    tags: covid, journals\n"),
        "more.yml": collection(ENTRY.format(id="b", url="https://c.org/"), cid="more"),
    })
    assert messages(root) == [
        "guides/dbs.yml:6:10: error: entry 'a': url must start with http:// or https://",
        "guides/dbs.yml:9:13: error: entry 'a': access: input should be 'free', 'free-with-registration', 'temporarily-free', 'institutional' "
        "or 'paid', not 'gratis'",
        "guides/dbs.yml:10:5: error: entry 'a': unknown field 'tittle' (did you mean 'title'?)",
        "guides/dbs.yml:17:11: error: entry 'b': tags: must be a list, written [covid, journals] or one item per line starting with '- '",
    ]


def test_a_comma_in_a_text_inside_braces_is_explained(tmp_path: Path) -> None:
    entry = ENTRY.format(id="a", url="https://a.org/")
    cut = entry.replace("description: {en: A description.}", "description: {zh: 说明, en: Copies only, within three days.}")
    assert cut != entry
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(cut)})
    (message,) = messages(root)
    assert message.endswith("error: entry 'a': unknown field 'description.within three days.': a comma inside { } ended the text of "
                            "'en' there; put that text in quotes, as en: \"Copies only, within three days.\""), message
    fixed = cut.replace("en: Copies only, within three days.}", 'en: "Copies only, within three days."}')
    assert messages(write_guide(tmp_path / "fixed", {"dbs.yml": collection(fixed)})) == []
    stray = entry + "    my note:\n"  # a stray key with a space, after a field that is not a text: no comma to blame
    (message,) = messages(write_guide(tmp_path / "stray", {"dbs.yml": collection(stray)}))
    assert "unknown field 'my note'; allowed fields:" in message and "comma" not in message, message


def test_duplicate_ids_unknown_related_and_category(tmp_path: Path) -> None:
    one = ENTRY.format(id="a", url="https://a.org/") + "    related: [b, vpn]\n"
    two = ENTRY.format(id="b", url="https://b.org/").replace("category: databases", "category: datbases")
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(one, two),
                                             "more.yml": collection(ENTRY.format(id="a", url="https://c.org/"), cid="more")})
    assert messages(root) == [
        "guides/dbs.yml:4:9: error: entry 'a': id 'a' is also used at guides/more.yml:4:9: one of the two must change "
        "(usually the one just added: changing an established id breaks links to its anchor)",
        "guides/dbs.yml:10:18: error: entry 'a': related: unknown entry id 'vpn'",
        "guides/dbs.yml:15:15: error: entry 'b': category 'datbases' is not defined in _site.yml (known: databases, access)",
        "guides/more.yml:4:9: error: entry 'a': id 'a' is already used at guides/dbs.yml:4:9",
    ]  # a twin in another file: both places marked (which one is new, only the curator knows)


def test_a_files_mistake_does_not_hide_its_other_entries_cross_checks(tmp_path: Path) -> None:
    """One entry of a file misses a field; another names an unknown id and repeats an address: all in one run."""
    broken = ENTRY.format(id="a", url="https://a.org/").replace("    category: databases\n", "")
    naming = ENTRY.format(id="b", url="https://c.org/") + "    related: [vpn]\n"
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(broken, naming),
                                             "more.yml": collection(ENTRY.format(id="c", url="https://c.org/"), cid="more")})
    found = messages(root)
    assert [m.split(": error: ")[1].split(":")[0] for m in found] == [
        "entry 'a'", "entry 'b'", "entry 'c'"], found  # missing category; unknown id; the same URL as b
    assert "missing required field 'category'" in found[0] and "unknown entry id 'vpn'" in found[1] and "entry 'b'" in found[2]


def test_unknown_ids_wait_while_a_file_cannot_be_read(tmp_path: Path) -> None:
    vpn = ENTRY.format(id="vpn", url="https://vpn.org/").replace("access: free", "access： free")  # a full-width colon
    cnki = ENTRY.format(id="cnki", url="https://cnki.org/") + "    related: [vpn]\n"
    root = write_guide(tmp_path / "guides", {"access.yml": collection(vpn, cid="access"), "dbs.yml": collection(cnki)})
    found = messages(root)
    assert len(found) == 1 and "full-width colon" in found[0] and found[0].startswith("guides/access.yml:"), found
    (root / "access.yml").write_text(collection(ENTRY.format(id="vpn2", url="https://vpn.org/"), cid="access"), encoding="utf-8")
    assert messages(root) == ["guides/dbs.yml:10:15: error: entry 'cnki': related: unknown entry id 'vpn' (did you mean 'vpn2'?)"]


def test_yaml_1_1_surprises_do_not_change_values(tmp_path: Path) -> None:
    entry = ENTRY.format(id="a", url="https://a.org/").replace("title: {zh: 标题 a, en: Title a}", "title: {en: no}")
    entry += "    aliases: [yes, 2020-03-01, 010]\n    last_verified: 2026-11-01\n"
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(entry)})
    guide, diagnostics = load_guide(root)
    assert diagnostics == [] and guide is not None
    e = guide.entries[0]
    assert e.title.en == "no"
    assert e.aliases == ["yes", "2020-03-01", "010"]
    assert e.last_verified is not None and e.last_verified.isoformat() == "2026-11-01"


def test_missing_fields_wrong_types_and_impossible_dates(tmp_path: Path) -> None:
    entry = "  - id: Bad_Id\n    title: Just a string\n    available_until: 2020-02-30\n"
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(entry)})
    assert messages(root) == [
        "guides/dbs.yml:4:5: error: entry 'Bad_Id': missing required field 'access'",
        "guides/dbs.yml:4:5: error: entry 'Bad_Id': missing required field 'category'",
        "guides/dbs.yml:4:5: error: entry 'Bad_Id': missing required field 'description'",
        "guides/dbs.yml:4:5: error: entry 'Bad_Id': missing required field 'url'",
        "guides/dbs.yml:4:9: error: entry 'Bad_Id': id: must be a slug: lowercase letters, digits and hyphens (like 'open-access')",
        "guides/dbs.yml:5:12: error: entry 'Bad_Id': title: must be a mapping of fields (for text: zh and/or en)",
        "guides/dbs.yml:6:22: error: entry 'Bad_Id': available_until: must be a real date written YYYY-MM-DD, not '2020-02-30'",
    ]


def test_ended_program_needs_its_end_date(tmp_path: Path) -> None:
    entry = ENTRY.format(id="a", url="https://a.org/") + "    status: ended\n"
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(entry)})
    assert messages(root) == ["guides/dbs.yml:4:5: error: entry 'a': available_until is required when status is ended"]


def test_file_level_problems(tmp_path: Path) -> None:
    root = write_guide(tmp_path / "guides", {
        "empty.yml": "",
        "list.yml": "- a\n- b\n",
        "dup.yml": "id: dup\nid: dup\n",
        "wrong.yml": collection(cid="right"),
    })
    (root / "gbk.yml").write_bytes("id: gbk\ntitle: {zh: 中文}\n".encode("gbk"))
    assert messages(root) == [
        "guides/dup.yml:2:1: error: duplicate key 'id' (first defined at line 1)",
        "guides/empty.yml:1:1: error: the file is empty; it must be a mapping with a collection (id, title, entries)",
        "guides/gbk.yml:2:1: error: the file is not UTF-8 (it looks like GBK/GB18030): save it as UTF-8",
        "guides/list.yml:1:1: error: the file is a list; it must be a mapping with a collection (id, title, entries)",
        "guides/wrong.yml:1:5: error: collection id 'right' must match the file name 'wrong'",
    ]


def test_symbolic_links_are_followed_only_inside_the_guide_folder(tmp_path: Path) -> None:
    """Red-team review: a link to a missing file dropped its collection without a word, and a link out of the folder
    was read (a pull request could add `x.yml` pointing at a runner's files). A link inside the folder still works."""
    outside = tmp_path / "secret.yml"
    outside.write_text(collection(cid="secret"), encoding="utf-8")
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(ENTRY.format(id="a", url="https://a.org/"))})
    (root / "shelf").mkdir()
    (root / "shelf" / "more.yml").write_text(collection(ENTRY.format(id="b", url="https://b.org/"), cid="more"), encoding="utf-8")
    (root / "more.yml").symlink_to(Path("shelf") / "more.yml")
    guide, diagnostics = load_guide(root)
    assert diagnostics == [] and guide is not None and [e.id for e in guide.entries] == ["a", "b"]
    (root / "gone.yml").symlink_to(tmp_path / "nowhere.yml")
    (root / "secret.yml").symlink_to(outside)
    (root / "folder.yml").mkdir()
    assert messages(root) == [
        "guides/folder.yml: error: not a file: a guide file must be a YAML file",
        f"guides/gone.yml: error: a symbolic link to {tmp_path.resolve() / 'nowhere.yml'}, which does not exist: restore the file or "
        "delete the link",
        f"guides/secret.yml: error: a symbolic link to {outside.resolve()}, outside the guide folder: guide files are read from the "
        "folder itself",
    ]


def test_bom_and_windows_line_endings_are_accepted(tmp_path: Path) -> None:
    text = collection(ENTRY.format(id="a", url="https://a.org/")).replace("\n", "\r\n")
    root = write_guide(tmp_path / "guides", {})
    (root / "dbs.yml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    guide, diagnostics = load_guide(root)
    assert diagnostics == [] and guide is not None
    assert str(guide.entries[0].where("url")).endswith("dbs.yml:6:10")


def test_missing_site_settings(tmp_path: Path) -> None:
    root = tmp_path / "guides"
    root.mkdir()
    (root / "dbs.yml").write_text(collection(), encoding="utf-8")
    assert messages(root) == ["guides/_site.yml: error: the site settings file is missing"]
    (root / "dbs.yml").unlink()
    elsewhere = tmp_path / "library"
    elsewhere.mkdir()
    assert messages(elsewhere) == ["library/_site.yml: error: the site settings file is missing"]  # not "guides/…": the folder asked for


def test_only_a_how_to_may_leave_out_its_url_and_never_for_an_encyclopedia(tmp_path: Path) -> None:
    no_url = "  - id: {id}\n    title: {{en: T}}\n{kind}    description: {{en: D}}\n    category: databases\n    access: free\n"
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(
        no_url.format(id="resource", kind=""),
        no_url.format(id="vpn", kind="    kind: how-to\n"),
        no_url.format(id="proxy", kind="    kind: how-to\n    url: https://zh.wikipedia.org/wiki/代理服务器\n"),
        no_url.format(id="own", kind="    kind: how-to\n    url: https://webvpn.library.example.edu/\n"),
    )})
    assert messages(root) == [
        "guides/dbs.yml:4:5: error: entry 'resource': missing required field 'url'",
        "guides/dbs.yml:18:10: error: entry 'proxy': url: a how-to's url must be a library's own address, not an encyclopedia "
        "article: leave url out and readers see a 'your library's address' placeholder",
    ]
    vpn = "  - id: vpn\n    title: {en: T}\n    kind: how-to\n    description: {en: D}\n    category: databases\n    access: free\n"
    guide, diagnostics = load_guide(write_guide(tmp_path / "ok", {"dbs.yml": collection(vpn)}))
    assert diagnostics == [] and guide is not None
    assert guide.by_id["vpn"].url is None


def test_a_file_that_does_not_parse_still_lets_the_others_ids_be_checked(tmp_path: Path) -> None:
    """A tab in one file used to switch off every 'unknown entry id' check: its ids were unknown. Its lines still
    give them, so a misspelt id elsewhere is reported in the same run, and an id of the broken file is not."""
    broken = ENTRY.format(id="vpn", url="https://vpn.org/").replace("    category: databases\n", "\tcategory: databases\n")
    naming = ENTRY.format(id="b", url="https://b.org/") + "    related: [vpn, vpnn]\n"
    root = write_guide(tmp_path / "guides", {"access.yml": collection(broken, cid="access"), "dbs.yml": collection(naming)})
    found = messages(root)
    assert any("access.yml" in m and "a tab is used for indentation" in m for m in found), found
    assert any("dbs.yml" in m and "related: unknown entry id 'vpnn'" in m for m in found), found
    assert not any("unknown entry id 'vpn'" in m for m in found), found


def test_a_sentence_cut_short_by_a_hash_is_warned_about(tmp_path: Path) -> None:
    """'Ask for room #3 at the desk.' unquoted: YAML reads ' #3 …' as a comment and keeps 'Ask for room', which the
    site then showed without a word. A comment in the usual form ('  # note', after a list) is left alone."""
    entry = ENTRY.format(id="a", url="https://a.org/").replace(
        "    category: databases\n", "    category: databases\n    aliases: [A]  # other names\n")
    entry = re.sub(r"    description: .*\n", "    description:\n      en: Ask for room #3 at the desk.\n      zh: 见三号室。  # 注释\n",
                   entry)
    guide, diagnostics = load_guide(write_guide(tmp_path / "guides", {"dbs.yml": collection(entry)}))
    found = [d.format() for d in diagnostics]
    assert guide is not None and found == ["guides/dbs.yml:8:11: warning: entry 'a': the text after ' #' is read as a comment and left out "
                     "('#3 at the desk.'): put the whole value in quotes to keep it, \"like this\""], found
