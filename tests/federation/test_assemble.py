"""Every command reads the merged guide: validate, build (and the MkDocs plugin), links, export and
stale; a tampered snapshot stops them naming the source; without _sources.yml nothing changes."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from federated import collection, entry, export_bytes, site, subscribe

from openshelf.cli import main
from openshelf.federation.assemble import load_federated
from openshelf.federation.exchange import export_json, read_export
from openshelf.guide.load import load_guide
from openshelf.links.guideload import load_targets
from support import FIXTURE_GUIDE, ROOT, make_project, mkdocs_build, write_guide

SHARED = {
    "_site.yml": site("shared", categories={"databases": "Databases", "remote": "Remote access"}),
    "databases.yml": collection("databases", entry("cnki", "https://cnki.example.org/", related=("webvpn", "wanfang")),
                                entry("wanfang", "https://wanfang.example.org/", title="Wanfang Data"),
                                entry("pubmed", "https://pubmed.example.org/")),
    "access.yml": collection("access", entry("webvpn", None, kind="how-to", category="remote"), order=5),
}
SOURCES = """\
sources:
  - id: shared
    url: https://shared.example.org/downloads/openshelf.json
"""
NOTES = """\
overlays:
  - id: cnki
    note: {en: "At our library, sign in through WebVPN first."}
  - id: wanfang
    hide: true
"""


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A library guide subscribed to a shared guide, with a local note and a hidden entry; the working directory holds it."""
    monkeypatch.chdir(tmp_path)
    shared = export_bytes(tmp_path / "shared", SHARED)
    guides = write_guide(tmp_path / "guides", {
        "_site.yml": site("mylib"),
        "databases.yml": collection("databases", entry("local-db", "https://db.mylib.example.edu/", related=("webvpn",))),
    })
    subscribe(guides, {"shared": shared}, SOURCES)
    (guides / "_overlays.yml").write_text(NOTES, encoding="utf-8")
    return Path("guides")


def _tamper(guides: Path) -> None:
    path = guides / "_sources" / "shared.json"
    path.write_bytes(path.read_bytes().replace(b"About pubmed.", b"About pubmed, edited by hand."))


TAMPERED = "guides/_sources.yml:2:5: error: source 'shared': snapshot guides/_sources/shared.json does not match its lock"


def test_without_sources_it_is_exactly_load_guide() -> None:
    guide, diagnostics = load_federated(FIXTURE_GUIDE)
    plain, plain_diagnostics = load_guide(FIXTURE_GUIDE)
    assert guide is not None and plain is not None
    assert diagnostics == plain_diagnostics
    assert [(e.model_dump(), str(e.where())) for e in guide.entries] == [(e.model_dump(), str(e.where())) for e in plain.entries]
    assert (guide.site, guide.origins, guide.notes, guide.sources) == (plain.site, {}, {}, [])


def test_notes_in_a_guide_that_subscribes_to_nothing_are_a_warning(library: Path) -> None:
    """Red-team review: without _sources.yml, _overlays.yml is never read, so even a syntax error in it passed
    validate and the notes silently applied to nothing."""
    (library / "_sources.yml").unlink()
    (library / "_overlays.yml").write_text("x: [\n", encoding="utf-8")
    _, diagnostics = load_federated(library)  # (the guide's own entry relates to a subscribed one, an error now)
    assert [d.format() for d in diagnostics if d.code == "unused-overlays"] == [
        "guides/_overlays.yml: warning: this guide subscribes to no other guide (there is no _sources.yml), so the notes and "
        "changes in this file apply to nothing and it is not read"]
    assert [d for d in load_federated(library, warnings=False)[1] if d.code == "unused-overlays"] == []


def test_the_library_guide_validates_with_the_shared_entries(library: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(library)])
    assert (result.exit_code, result.output) == (0, "ok: 2 collections, 4 entries\n")
    guide, _ = load_federated(library)
    assert guide is not None
    assert [e.id for e in guide.entries] == ["local-db", "cnki", "pubmed", "webvpn"]
    assert guide.notes["cnki"].en == "At our library, sign in through WebVPN first."


def test_a_tampered_snapshot_stops_validate_naming_the_source(library: Path) -> None:
    _tamper(library)
    result = CliRunner().invoke(main, ["validate", str(library)])
    assert result.exit_code == 1
    assert result.output.startswith(TAMPERED)
    assert result.output.endswith("run 'openshelf sources update shared' or restore it from git\n1 error(s), 0 warning(s)\n")


def test_local_and_subscription_errors_come_in_one_run(library: Path) -> None:
    (library / "_sources" / "shared.json").unlink()
    (library / "_overlays.yml").write_text("overlays:\n  - id: cnki\n    acess: free\n", encoding="utf-8")
    (library / "databases.yml").write_text(collection("databases", entry("local-db", "ftp://x")), encoding="utf-8")
    guide, diagnostics = load_federated(library)
    assert guide is None
    assert [str(d.location) for d in diagnostics] == ["guides/_overlays.yml:3:5", "guides/_sources.yml:2:5", "guides/databases.yml:7:10"]


def test_a_mistake_in_one_overlay_does_not_hide_the_others_problems(library: Path) -> None:
    """Adoption review: a misspelt field in one overlay was the only message; the other overlays' problems (an entry
    overlaid twice, a category nobody defines, a url for an entry that is not a how-to) came one run at a time, though
    every problem of every file is promised in one run.  Near-duplicate-title warnings still wait (a left-out overlay
    may be the one whose distinct_from silences one)."""
    (library / "_overlays.yml").write_text(
        "overlays:\n"
        "  - id: cnki\n    notes: {en: typo}\n"               # 2-3
        "  - id: pubmed\n    category: nowhere\n"             # 4-5
        "  - id: wanfang\n    hide: true\n"                   # 6-7
        "  - id: wanfang\n    note: {en: twice}\n"            # 8-9
        "  - id: pubmed-x\n    note: {en: x}\n"              # 10-11: no such entry (a warning)
        "  - id: cnki\n    url: https://cnki.mylib.example.edu/\n", encoding="utf-8")  # 12-13: not a how-to
    guide, diagnostics = load_federated(library)
    assert guide is None
    assert [str(d.location) for d in diagnostics] == [
        "guides/_overlays.yml:3:5", "guides/_overlays.yml:5:15", "guides/_overlays.yml:8:9", "guides/_overlays.yml:10:9",
        "guides/_overlays.yml:13:10"]
    messages = [d.message for d in diagnostics if d.severity == "error"]
    assert messages[0].startswith("unknown field 'overlays[0].notes'")
    assert messages[1].startswith("category 'nowhere' is not defined in _site.yml nor by a source")
    assert messages[2].startswith("another overlay for entry 'wanfang' is at guides/_overlays.yml:6:5")
    assert messages[3].startswith("url: only a kind: how-to entry takes this library's own address")
    assert [d.severity for d in diagnostics].count("warning") == 1 and "no entry 'pubmed-x'" in diagnostics[3].message


def test_a_local_entry_may_name_a_subscribed_one_but_not_a_hidden_one(library: Path) -> None:
    (library / "databases.yml").write_text(collection("databases", entry("local-db", "https://db.mylib.example.edu/",
                                                                         related=("cnki", "wanfang", "nowhere"))), encoding="utf-8")
    guide, diagnostics = load_federated(library)
    assert guide is None
    assert [d.format() for d in diagnostics] == [
        "guides/databases.yml:11:30: error: entry 'local-db': related: unknown entry id 'nowhere'"]
    (library / "databases.yml").write_text(collection("databases", entry("local-db", "https://db.mylib.example.edu/",
                                                                         related=("cnki", "wanfang"))), encoding="utf-8")
    guide, diagnostics = load_federated(library)
    assert guide is not None and diagnostics == []
    assert guide.by_id["local-db"].related == ["cnki"]


def test_links_export_and_stale_read_the_merged_guide(library: Path) -> None:
    targets = {t.url: t for t in load_targets(library)}
    assert sorted(targets) == ["https://cnki.example.org/", "https://db.mylib.example.edu/", "https://pubmed.example.org/"]
    [where] = targets["https://pubmed.example.org/"].occurrences
    assert (where.file, where.entry) == ("guides/_sources/shared.json", "pubmed")

    result = CliRunner().invoke(main, ["export", "--format", "json", str(library)])
    assert result.exit_code == 0, result.output
    export = read_export(result.stdout, "export")
    assert [e.id for e in export.entries] == ["local-db", "cnki", "pubmed", "webvpn"]
    pubmed = export.entries[2]
    assert (pubmed.provenance.guide, pubmed.provenance.file, pubmed.provenance.listed_by) == ("shared", "shared/databases.yml", ["shared"])

    result = CliRunner().invoke(main, ["stale", "--format", "json", str(library)])
    assert result.exit_code == 0, result.output
    never = {item["id"]: item["file"] for item in json.loads(result.stdout)["never_verified"]}
    assert never == {"local-db": "guides/databases.yml", "cnki": "guides/_sources/shared.json",
                     "pubmed": "guides/_sources/shared.json", "webvpn": "guides/_sources/shared.json"}


def test_a_tampered_snapshot_stops_links_export_and_stale(library: Path) -> None:
    _tamper(library)
    for command in (["export", "--format", "json"], ["stale"], ["links", "--no-state", "--guides"]):
        result = CliRunner().invoke(main, [*command, str(library)])
        assert result.exit_code in (1, 2) and TAMPERED in result.output, (command, result.output)


def test_a_consortium_of_two_members_lists_each_shared_resource_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    members = {name: export_bytes(tmp_path / name, {"_site.yml": site(name), "databases.yml": collection(
        "databases", entry("cnki", "https://cnki.example.org/"), entry(f"{name}-archive", f"https://archive.{name}.example.edu/"))})
        for name in ("east", "west")}
    guides = write_guide(tmp_path / "guides", {"_site.yml": site("consortium", extra="consortium: true\n")})
    subscribe(guides, members, "sources:\n  - id: east\n    url: https://east.example.org/o.json\n"
                               "  - id: west\n    url: https://west.example.org/o.json\n")
    result = CliRunner().invoke(main, ["export", "--format", "json", "guides"])
    assert result.exit_code == 0, result.output
    export = read_export(result.stdout, "consortium")
    assert [(e.id, e.provenance.guide, e.provenance.listed_by) for e in export.entries] == [
        ("cnki", "east", ["east", "west"]), ("east-archive", "east", ["east"]), ("west-archive", "west", ["west"])]


def test_mkdocs_builds_the_library_site_without_the_hidden_entry_and_refuses_a_tampered_snapshot(library: Path, tmp_path: Path) -> None:
    config = make_project(tmp_path / "project", library.resolve())
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    site_files = [p for p in (tmp_path / "site").rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".xml", ".csv", ".md")]
    text = {p: p.read_text(encoding="utf-8", errors="replace") for p in site_files}
    assert any("https://pubmed.example.org/" in t for t in text.values())
    assert [p for p, t in text.items() if "wanfang" in t.lower()] == []

    _tamper(library)
    result = mkdocs_build(config, tmp_path / "site2")
    assert result.returncode != 0
    assert "source 'shared': snapshot" in result.stderr and "does not match its lock" in result.stderr
    assert not (tmp_path / "site2" / "index.html").exists()



def test_a_curator_adds_an_entry_naming_a_subscribed_one(library: Path) -> None:
    """'openshelf new' checks the guide's own files knowing the ids its sources give (local-db names webvpn)."""
    args = ["new", "--guides", str(library), "--collection", "databases", "--no-input", "--title-en", "Local maps",
            "--url", "https://maps.mylib.example.edu/", "--description-en", "Maps.", "--category", "databases", "--access", "free",
            "--related", "cnki"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "added entry 'local-maps'" in result.stderr
    guide, diagnostics = load_federated(library)
    assert guide is not None and diagnostics == []
    assert guide.by_id["local-maps"].related == ["cnki"] and guide.origins["local-maps"].source is None
    result = CliRunner().invoke(main, [*args[:-1], "nowhere"])
    assert result.exit_code == 1 and "related: unknown entry id 'nowhere'" in result.output


def test_a_consortium_of_the_shared_guide_and_a_subscriber_names_both_for_what_both_show(library: Path, tmp_path: Path) -> None:
    """The library's export carries the shared entries it shows (not the hidden one): the consortium names both guides for them."""
    result = CliRunner().invoke(main, ["export", "--format", "json", str(library)])
    assert result.exit_code == 0, result.output
    members = {"shared": (library / "_sources" / "shared.json").read_bytes(), "library": result.stdout_bytes}
    guides = write_guide(tmp_path / "consortium", {"_site.yml": site("consortium", extra="consortium: true\n")})
    subscribe(guides, members, "sources:\n  - id: shared\n    url: https://shared.example.org/o.json\n"
                               "  - id: library\n    url: https://library.example.org/o.json\n")
    guide, diagnostics = load_federated(guides)
    assert guide is not None, [d.format() for d in diagnostics]
    assert {i: o.listed_by for i, o in guide.origins.items()} == {
        "cnki": ("shared", "mylib"), "wanfang": ("shared",), "pubmed": ("shared", "mylib"), "webvpn": ("shared", "mylib"),
        "local-db": ("mylib",)}
    assert [(s.id, s.guide, s.entries, s.shared, s.only_here) for s in guide.sources] == [
        ("shared", "shared", 4, 3, 1), ("library", "mylib", 4, 3, 1)]


class _Live(HTMLParser):
    """What could run in a page: event-handler attributes, javascript:/data: URLs, inline scripts that call alert."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._script = tag == "script"
        for name, value in attrs:
            squeezed = re.sub(r"[\x00-\x20]+", "", value or "").lower()
            if name.startswith("on") or squeezed.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data: str) -> None:
        if self._script and "alert" in data:
            self.found.append(f"<script>{data[:80]}")

    def handle_endtag(self, tag: str) -> None:
        self._script = False


def test_a_hostile_sources_text_is_escaped_like_local_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every field of the injection guide, arriving through a (locked, unmodified) snapshot, builds into inert text."""
    monkeypatch.chdir(tmp_path)
    probe = _Live()
    probe.feed("<img src=x onerror=alert(1)><a href=' java\tscript:x'>a</a><script>alert(1)</script>")
    assert len(probe.found) == 3  # the scan sees what it looks for
    evil, diagnostics = load_guide(ROOT / "tests" / "fixtures" / "injection")
    assert evil is not None, diagnostics
    guides = write_guide(tmp_path / "guides", {"_site.yml": site("mylib")})
    subscribe(guides, {"evil": export_json(evil).encode()}, "sources:\n  - id: evil\n    url: https://evil.example.org/o.json\n")
    result = mkdocs_build(make_project(tmp_path / "project", guides.resolve()), tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "evil" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in page or "&lt;script&gt;alert('title')&lt;/script&gt;" in page
    for path in sorted((tmp_path / "site").rglob("*.html")):
        scan = _Live()
        scan.feed(path.read_text(encoding="utf-8"))
        assert scan.found == [], (path, scan.found)


def test_verify_of_a_subscribed_entry_says_where_it_comes_from(library: Path) -> None:
    """`openshelf verify` edits this guide's own files: a subscribed entry is named as such, not "no entry"."""
    snapshot = (library / "_sources" / "shared.json").read_bytes()
    result = CliRunner().invoke(main, ["verify", "cnki", "--by", "A librarian", "--evidence", "https://cnki.example.org/", "--guides", str(library)])
    assert result.exit_code == 2, result.output
    assert "entry 'cnki' comes from a subscribed guide (guides/_sources/shared.json)" in result.stderr
    assert "guides/_overlays.yml" in result.stderr
    assert (library / "_sources" / "shared.json").read_bytes() == snapshot
    unknown = CliRunner().invoke(main, ["verify", "nothing-here", "--by", "A librarian", "--evidence", "https://cnki.example.org/",
                                        "--guides", str(library)])
    assert unknown.exit_code == 2 and "no entry 'nothing-here' in guides" in unknown.stderr


def test_without_warnings_the_merged_guide_is_the_same_and_no_warning_is_looked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shared = export_bytes(tmp_path / "shared", SHARED)
    guides = write_guide(tmp_path / "guides", {
        "_site.yml": site("mylib"),
        "databases.yml": collection("databases", entry("local-db", "https://db.mylib.example.edu/", title="Pubmed")),
    })
    subscribe(guides, {"shared": shared}, SOURCES)
    guide, diagnostics = load_federated(Path("guides"))
    quiet, none = load_federated(Path("guides"), warnings=False)  # as openshelf links loads it
    assert guide is not None and quiet is not None
    assert [d.code for d in diagnostics] == ["duplicate-title"]  # the local entry and the subscribed pubmed
    assert none == []
    assert [e.model_dump() for e in quiet.entries] == [e.model_dump() for e in guide.entries]


def test_a_local_entry_may_use_a_category_only_a_source_defines(library: Path) -> None:
    """A library adding its own remote-access how-to beside the subscribed ones uses the source's category 'remote'
    (not in its own _site.yml): the merged site shows it under the source's label. A category nobody defines is
    still an error, naming the sources' categories too."""
    (library / "access.yml").write_text(collection("access", entry("mylib-vpn", "https://vpn.mylib.example.edu/", kind="how-to",
                                                                   category="remote")), encoding="utf-8")
    guide, diagnostics = load_federated(library)
    assert guide is not None and diagnostics == [], [d.format() for d in diagnostics]
    assert guide.by_id["mylib-vpn"].category == "remote" and guide.site.categories["remote"].en == "Remote access"
    (library / "access.yml").write_text(collection("access", entry("mylib-vpn", "https://vpn.mylib.example.edu/", kind="how-to",
                                                                   category="nowhere")), encoding="utf-8")
    guide, diagnostics = load_federated(library)
    assert guide is None and len(diagnostics) == 1
    assert "category 'nowhere' is not defined in _site.yml (known: " in diagnostics[0].message
    assert "the guides it subscribes to define: remote" in diagnostics[0].message, diagnostics[0].message


def test_a_source_without_its_snapshot_is_the_only_error_for_the_category_it_defines(library: Path) -> None:
    """Adoption review: a source just added to _sources.yml and not fetched yet (or a snapshot gone or edited) also
    made every own entry in a category only that source defines an error, "category 'remote' is not defined in
    _site.yml", listing no source's categories: a curator would "fix" a correct entry.  That follows from the
    unread source, as an unknown id does, and waits for it; a category nobody could define is still reported."""
    (library / "access.yml").write_text(collection("access", entry("mylib-vpn", "https://vpn.mylib.example.edu/", kind="how-to",
                                                                   category="remote")), encoding="utf-8")
    (library / "_sources" / "shared.json").unlink()
    guide, diagnostics = load_federated(library)
    assert guide is None
    assert [d.format() for d in diagnostics] == [
        "guides/_sources.yml:2:5: error: source 'shared': no snapshot guides/_sources/shared.json: run 'openshelf sources "
        "update shared' to fetch it (builds never use the network)"]
    (library / "_site.yml").write_text(site("mylib", extra="resource_kinds:\n  vpn: {en: VPN, categories: [nowhere]}\n"),
                                       encoding="utf-8")
    _, diagnostics = load_federated(library)
    assert any("kind 'vpn' names category 'nowhere'" in d.message for d in diagnostics), [d.format() for d in diagnostics]


def test_new_accepts_a_category_only_a_source_defines(library: Path) -> None:
    """`openshelf new` (what the issue workflow runs) takes a source's category as validate does."""
    from openshelf.federation.assemble import read_subscribed

    assert read_subscribed(library).categories == ["databases", "remote"]
    result = CliRunner().invoke(main, ["new", "--guides", str(library), "--collection", "databases", "--no-input",
                                       "--title-en", "Our VPN", "--url", "https://vpn.mylib.example.edu/",
                                       "--description-en", "The library's VPN.", "--category", "remote", "--access", "institutional"])
    assert result.exit_code == 0, result.output
    guide, diagnostics = load_federated(library)
    assert guide is not None and diagnostics == [], [d.format() for d in diagnostics]
    assert any(e.category == "remote" and e.title.en == "Our VPN" for e in guide.entries)


def counting_reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the snapshots (load_snapshots) and the guide's own files (load_guide) are read from now on."""
    from openshelf.federation import assemble, snapshots

    reads = {"snapshots": 0, "guide": 0}

    def counted(name: str, read: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            reads[name] += 1
            return read(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(snapshots, "load_snapshots", counted("snapshots", snapshots.load_snapshots))
    monkeypatch.setattr(assemble, "load_guide", counted("guide", assemble.load_guide))
    return reads


ISSUE = ("### 栏目 · Collection [collection]\n\ndatabases\n\n### Title in English [title-en]\n\nOur VPN\n\n"
         "### 网址 · Address [url]\n\nhttps://vpn.mylib.example.edu/\n\n### Description in English [description-en]\n\n"
         "The library's VPN.\n\n### 分类 · Category [category]\n\nremote\n\n### 访问方式 · Access [access]\n\ninstitutional\n")
FLAGS = ("--collection", "databases", "--title-en", "Our VPN", "--url", "https://vpn.mylib.example.edu/",
         "--description-en", "The library's VPN.", "--category", "remote", "--access", "institutional")


@pytest.mark.parametrize("args", [("--from-issue", "-"), FLAGS], ids=["from-issue", "flags"])
@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "written"])
def test_new_reads_the_snapshots_once(library: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], dry_run: bool) -> None:
    """`new --from-issue` read them for the guide, then again for the categories they define, then a third time
    for append_entries' check of the guide with the new entry in it; then twice (the guide and its sources'
    categories, then the guide with the entry).  Now once: the check with the entry reuses what was read."""
    reads = counting_reads(monkeypatch)
    result = CliRunner().invoke(main, ["new", *args, "--no-input", *(["--dry-run"] if dry_run else []), "--guides", str(library)],
                                input=ISSUE)
    assert result.exit_code == 0, result.output
    assert reads["snapshots"] == 1, reads
    written = (library / "databases.yml").read_text(encoding="utf-8")
    assert ("category: remote" in result.stdout) if dry_run else ("category: remote" in written and "id: our-vpn" in written)
    if not dry_run:  # the entry written is valid in the whole guide, its source's category included
        assert CliRunner().invoke(main, ["validate", str(library)]).exit_code == 0


def test_the_other_curating_commands_read_the_snapshots_once(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`verify`, `collection add` and `import` loaded the guide's own files (reading the snapshots) and then read
    them again for each check of the guide with their change; import once more per round of dropping bad rows."""
    sheet = Path("rows.csv")
    sheet.write_text("title_en,url,description_en,category,access\n"
                     "Our VPN,https://vpn.mylib.example.edu/,The library's VPN.,remote,institutional\n"
                     "Bad,https://bad.mylib.example.edu/,Refers to nothing.,nowhere,free\n", encoding="utf-8")
    commands = {"verify": ["verify", "local-db", "--by", "A", "--evidence", "https://db.mylib.example.edu/about"],
                "collection add": ["collection", "add", "guides-new", "--title-en", "New"],
                "import": ["import", str(sheet), "--collection", "databases"]}
    for name, args in commands.items():
        reads = counting_reads(monkeypatch)
        result = CliRunner().invoke(main, [*args, "--guides", str(library)])
        assert result.exit_code == (1 if name == "import" else 0), (name, result.output)
        assert reads["snapshots"] == 1, (name, reads)
    text = (library / "databases.yml").read_text(encoding="utf-8")
    # import takes a category only a source defines, as new and validate do; the row with an unknown one is refused
    assert "id: our-vpn" in text and "category: remote" in text and "id: bad" not in text
    assert "category 'nowhere' is not defined" in result.stderr
    assert CliRunner().invoke(main, ["validate", str(library)]).exit_code == 0


def test_new_still_refuses_an_entry_the_subscriptions_make_invalid(library: Path) -> None:
    """The check of the guide with the new entry, reusing the snapshots read before, still knows the sources' ids:
    'related' may name one of theirs, and an id nobody has is still refused."""
    result = CliRunner().invoke(main, ["new", *FLAGS, "--no-input", "--guides", str(library), "--related", "webvpn"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["new", *FLAGS[:2], "--title-en", "Other", "--url", "https://other.example.edu/",
                                       *FLAGS[6:], "--no-input", "--guides", str(library), "--related", "nowhere"])
    assert result.exit_code == 1 and "unknown entry id 'nowhere'" in result.stderr, result.output


def test_the_suggestion_form_reads_the_guide_and_its_snapshots_once(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`openshelf issueform` loaded the guide's own files, then all of it again merged, for the categories' labels."""
    form = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-resource.yml"
    copy = Path("form.yml")
    copy.write_text(form.read_text(encoding="utf-8"), encoding="utf-8")
    reads = counting_reads(monkeypatch)
    result = CliRunner().invoke(main, ["issueform", "--guides", str(library), "-o", str(copy)])
    assert result.exit_code == 0, result.output
    assert reads == {"snapshots": 1, "guide": 1}


def test_the_suggestion_form_offers_the_categories_a_source_defines(library: Path) -> None:
    """`openshelf issueform` offered only the guide's own categories, so a reader could not suggest an entry for the
    source's 'remote' category that `new --from-issue` and validate accept; its collections stay the guide's own."""
    from openshelf.curate.issueform import option_key

    form = ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-resource.yml"
    copy = Path("form.yml")
    copy.write_text(form.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["issueform", "--guides", str(library), "-o", str(copy)])
    assert result.exit_code == 0, result.output
    fields = {item["id"]: item for item in yaml.safe_load(copy.read_text(encoding="utf-8"))["body"] if "id" in item}
    offered = {name: [option_key(o) for o in fields[name]["attributes"]["options"]] for name in ("category", "collection")}
    assert offered == {"category": ["databases", "access", "remote"], "collection": ["databases"]}
    assert fields["category"]["attributes"]["options"][2].endswith("Remote access [remote]")
    assert CliRunner().invoke(main, ["issueform", "--check", "--guides", str(library), "-o", str(copy)]).exit_code == 0
