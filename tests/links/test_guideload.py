"""The guide's URLs: loaded and validated as ``openshelf validate`` does it, before any request goes out."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from openshelf.links.cli import links
from openshelf.links.guideload import GuideInvalid, load_targets

SITE = "title: {en: Test guide}\ncategories:\n  db: {en: Databases}\n"


def entry(eid: str, url: str, *extra: str) -> str:
    lines = [f"  - id: {eid}", f"    title: {{en: {eid}}}", f"    url: {url}", "    description: {en: x}",
             "    category: db", "    access: free", *(f"    {e}" for e in extra)]
    return "\n".join(lines) + "\n"


def write(root: Path, name: str, body: str, padding: int = 0) -> Path:
    guides = root / "guides"
    guides.mkdir(exist_ok=True)
    (guides / "_site.yml").write_text(SITE)
    comment = "# padding: a big guide\n" * (padding // 23)
    (guides / f"{name}.yml").write_text(f"{comment}id: {name}\ntitle: {{en: {name}}}\nentries:\n{body}")
    return guides


def test_targets_carry_every_place_and_the_entry_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a", entry("one", "https://a.example/1") + entry("two", "https://a.example/2", "link_check: skip")
          + entry("three", "https://a.example/1", "shares_url_with: one", "archive_url: https://archive.example/1"))
    targets = load_targets(Path("guides"))
    assert [t.url for t in targets] == ["https://a.example/1", "https://a.example/2"]
    first, second = targets
    assert [(o.file, o.line, o.entry) for o in first.occurrences] == [("guides/a.yml", 6, "one"), ("guides/a.yml", 19, "three")]
    assert first.archive_url == "https://archive.example/1"
    assert second.link_check == "skip"


def test_an_invalid_guide_raises_with_its_diagnostics(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a", entry("one", "not-a-url"))
    with pytest.raises(GuideInvalid) as info:
        load_targets(Path("guides"))
    assert info.value.exit_code == 2
    assert any(line.startswith("guides/a.yml:6:") and "url" in line for line in info.value.lines)


@pytest.mark.parametrize("padding", [0, 400_000], ids=["small guide", "big guide"])
def test_an_invalid_guide_sends_no_request(tmp_path, monkeypatch, server, padding):
    """Before: a guide over 256 KiB was validated in a child process while its URLs were already fetched."""
    monkeypatch.chdir(tmp_path)
    url = server.url(f"/ok2?invalid-guide={padding}")
    write(tmp_path, "a", entry("fine", url) + entry("bad", "https://b.example/", "access: sometimes"), padding=padding)
    before = server.hits["/ok2"]
    result = CliRunner().invoke(links, ["--allow-host", "127.0.0.1", "--no-state"])
    assert result.exit_code == 2, result.output
    assert "the guide in guides has errors" in result.output and "guides/a.yml:" in result.output
    assert server.hits["/ok2"] == before


def test_an_invalid_guide_is_reported_before_invalid_rules(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    guides = write(tmp_path, "a", entry("one", "not-a-url"))
    (guides / "_links.yml").write_text("hosts:\n  - host: a.org\n")
    result = CliRunner().invoke(links, ["--no-state"])
    assert result.exit_code == 2
    assert "has errors" in result.output and "guides/a.yml" in result.output
    assert "invalid link rules" not in result.output


def test_a_how_to_without_an_address_is_not_checked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    how_to = "  - id: vpn\n    title: {en: VPN}\n    kind: how-to\n    description: {en: x}\n    category: db\n    access: free\n"
    guides = write(tmp_path, "db", entry("a", "https://a.example.org/") + how_to)
    assert [(t.url, [o.entry for o in t.occurrences]) for t in load_targets(guides)] == [("https://a.example.org/", ["a"])]
