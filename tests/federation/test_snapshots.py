"""Reading subscriptions offline: _sources.yml with positions, the lock, and each snapshot refused
unless its bytes match the lock."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from federated import collection, entry, export_bytes, site, subscribe

from openshelf.federation.exchange import read_export
from openshelf.federation.snapshots import JsonPlaces, load_snapshots

SOURCES = """\
sources:
  - id: alpha
    url: https://alpha.example.org/downloads/openshelf.json
  - id: beta
    url: https://beta.example.org/downloads/openshelf.json
    exclude: [beta-two]
"""


def _member(tmp_path: Path, name: str) -> bytes:
    return export_bytes(tmp_path / name, {
        "_site.yml": site(name),
        "databases.yml": collection("databases", entry(f"{name}-one", f"https://{name}.example.org/one"),
                                    entry(f"{name}-two", f"https://{name}.example.org/two")),
    })


@pytest.fixture
def guides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "guides"
    folder.mkdir()
    subscribe(folder, {"alpha": _member(tmp_path, "alpha"), "beta": _member(tmp_path, "beta")}, SOURCES)
    return Path("guides")


def _formatted(guides: Path) -> list[str]:
    return [d.format() for d in load_snapshots(guides)[1]]


def test_snapshots_load_in_order_with_their_places(guides: Path) -> None:
    snapshots, diagnostics = load_snapshots(guides)
    assert diagnostics == []
    assert snapshots is not None
    assert [(s.source.id, s.export.guide.id, str(s.at), s.file) for s in snapshots] == [
        ("alpha", "alpha", "guides/_sources.yml:2:5", "guides/_sources/alpha.json"),
        ("beta", "beta", "guides/_sources.yml:4:5", "guides/_sources/beta.json"),
    ]
    assert snapshots[1].source.exclude == ["beta-two"]
    assert snapshots[0].locked.sha256 == hashlib.sha256((guides / "_sources" / "alpha.json").read_bytes()).hexdigest()


def test_entry_positions_point_at_the_snapshot_lines(guides: Path) -> None:
    snapshots, _ = load_snapshots(guides)
    assert snapshots is not None
    lines = (guides / "_sources" / "alpha.json").read_text(encoding="utf-8").splitlines()
    where = snapshots[0].where("alpha-two")
    line, column = where.get("url", (0, 0))
    assert lines[line - 1][column - 1:] == '"url": "https://alpha.example.org/two",'
    line, column = where.get("", (0, 0))
    assert lines[line - 1][column - 1:] == '"id": "alpha-two",'
    assert where.get("related[0]", (0, 0))[0] > line  # the key of the list
    assert snapshots[0].where("no-such-entry").get("url", (7, 7)) == (7, 7)


def test_entry_positions_in_a_one_line_export(guides: Path) -> None:
    data = (guides / "_sources" / "alpha.json").read_bytes()
    text = json.dumps(json.loads(data), separators=(",", ":"))
    places = JsonPlaces(text, read_export(text, "minified"))
    line, column = places.entry("alpha-two").get("url", (0, 0))
    assert line == 1
    assert text[column - 1:].startswith('"url":"https://alpha.example.org/two"')


def test_columns_count_characters_after_chinese_text(guides: Path) -> None:
    """The text is kept as UTF-8 bytes; a column is still counted in characters, as an editor shows it."""
    data = json.loads((guides / "_sources" / "alpha.json").read_bytes())
    for listed in data["collections"]:
        for item in listed["entries"]:
            item["title"] = {"zh": "中文标题", "en": "Title"}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for given in (text, text.encode("utf-8")):
        places = JsonPlaces(given, read_export(text, "minified"))
        line, column = places.entry("alpha-two").get("url", (0, 0))
        assert line == 1 and text[column - 1:].startswith('"url":"https://alpha.example.org/two"')


def test_a_tampered_snapshot_is_an_error_at_its_source_naming_it(guides: Path) -> None:
    path = guides / "_sources" / "beta.json"
    data = path.read_bytes()
    path.write_bytes(data.replace(b"About beta-one.", b"About <script>beta</script>."))
    now = hashlib.sha256(path.read_bytes()).hexdigest()
    locked = hashlib.sha256(data).hexdigest()
    assert load_snapshots(guides)[0] is None
    assert _formatted(guides) == [
        f"guides/_sources.yml:4:5: error: source 'beta': snapshot guides/_sources/beta.json does not match its lock "
        f"(sha256 {now[:12]}…, the lock says {locked[:12]}…): run 'openshelf sources update beta' or restore it from git",
    ]


def test_a_missing_snapshot_says_to_update(guides: Path) -> None:
    (guides / "_sources" / "alpha.json").unlink()
    assert _formatted(guides) == [
        "guides/_sources.yml:2:5: error: source 'alpha': no snapshot guides/_sources/alpha.json: "
        "run 'openshelf sources update alpha' to fetch it (builds never use the network)",
    ]


def test_a_snapshot_without_lock_entry_or_lock(guides: Path) -> None:
    lock = guides / "_sources" / "lock.json"
    document = json.loads(lock.read_text(encoding="utf-8"))
    del document["sources"]["alpha"]
    lock.write_text(json.dumps(document), encoding="utf-8")
    assert _formatted(guides) == [
        "guides/_sources.yml:2:5: error: source 'alpha': guides/_sources/alpha.json has no entry in guides/_sources/lock.json: "
        "run 'openshelf sources update alpha'",
    ]
    lock.unlink()
    assert [m.split(": error: ")[0] for m in _formatted(guides)] == ["guides/_sources.yml:2:5", "guides/_sources.yml:4:5"]


def test_an_unreadable_lock_is_one_error(guides: Path) -> None:
    (guides / "_sources" / "lock.json").write_text('{"version": 1, "sources": {"alpha": {"url": 3}}}', encoding="utf-8")
    assert _formatted(guides) == [
        "guides/_sources/lock.json: error: not a valid lock file (sources.alpha.url: Input should be a valid string): restore it "
        "from git, or run 'openshelf sources update' to fetch every source of guides/_sources.yml again",
    ]


def test_a_lock_of_a_newer_version_stops_the_build_as_it_stops_sources_update(guides: Path) -> None:
    """Builds and 'sources update' read the lock with one function: a newer lock is refused by both."""
    lock = guides / "_sources" / "lock.json"
    lock.write_text(lock.read_text(encoding="utf-8").replace('"version": 1', '"version": 2', 1), encoding="utf-8")
    (message,) = _formatted(guides)
    assert message.startswith("guides/_sources/lock.json: error: lock version 2; this OpenShelf writes version 1: upgrade OpenShelf")


def test_a_lock_entry_for_a_source_no_longer_named_is_a_warning(guides: Path) -> None:
    (guides / "_sources.yml").write_text(SOURCES.split("  - id: beta", maxsplit=1)[0], encoding="utf-8")
    snapshots, diagnostics = load_snapshots(guides)
    assert snapshots is not None and [s.source.id for s in snapshots] == ["alpha"]
    assert [d.format() for d in diagnostics] == [
        "guides/_sources/lock.json: warning: source 'beta' has a lock entry but guides/_sources.yml no longer names it: run "
        "'openshelf sources update' to drop it, or delete guides/_sources/beta.json and its lock entry",
    ]


def test_a_changed_url_warns_that_the_snapshot_is_from_the_old_one(guides: Path) -> None:
    (guides / "_sources.yml").write_text(SOURCES.replace("https://alpha.example.org/", "https://alpha.example.net/"), encoding="utf-8")
    assert _formatted(guides) == [
        "guides/_sources.yml:2:5: warning: source 'alpha': the snapshot was fetched from https://alpha.example.org/downloads/"
        "openshelf.json, but the url is now https://alpha.example.net/downloads/openshelf.json: run 'openshelf sources update alpha'",
    ]


def test_a_snapshot_that_is_no_export_is_refused_even_with_a_matching_lock(tmp_path: Path, guides: Path) -> None:
    subscribe(guides, {"alpha": b'{"format": "openshelf-guide", "version": "3.0"}', "beta": _member(tmp_path, "beta")}, SOURCES)
    assert _formatted(guides) == [
        "guides/_sources.yml:2:5: error: source 'alpha': guides/_sources/alpha.json: format version 3.0; this OpenShelf reads 2.x: "
        "upgrade OpenShelf to read it: run 'openshelf sources update alpha'",
    ]


def test_sources_file_errors_read_like_guide_file_errors(guides: Path) -> None:
    """All in one run: the id used twice (the third source's) too, which waited for the other mistakes (adoption review)."""
    (guides / "_sources.yml").write_text(SOURCES.replace("exclude:", "exlude:") + "  - id: alpha\n    url: ftp://x\n", encoding="utf-8")
    assert _formatted(guides) == [
        "guides/_sources.yml:6:5: error: unknown field 'sources[1].exlude' (did you mean 'exclude'?)",
        "guides/_sources.yml:7:9: error: source id 'alpha' is used twice: each source needs its own id",
        "guides/_sources.yml:8:10: error: url must start with http:// or https://",
    ]
    (guides / "_sources.yml").write_text(SOURCES + "  - id: alpha\n    url: https://x.example.org/\n", encoding="utf-8")
    assert _formatted(guides)[0] == "guides/_sources.yml:7:9: error: source id 'alpha' is used twice: each source needs its own id"
    (guides / "_sources.yml").write_text("sources: [\n", encoding="utf-8")
    assert _formatted(guides)[0].startswith("guides/_sources.yml:2:1: error: ")
