"""The Atom feed: well-formed, in Atom's namespace, every value escaped, newest entries first."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from openshelf.guide.load import load_guide
from openshelf.site import feed
from support import write_guide

ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM}
# U+FFFF: validation lets it through (control characters it refuses), XML 1.0 cannot hold it
TRICKY = "A & B <b>bold</b> ]]> \"quoted\" 'single' \uffff end"


def test_the_feed_parses_and_keeps_every_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    entries = "".join(
        f"  - id: e{i}\n    title: {{en: {json.dumps(TRICKY)} }}\n    url: https://a.org/{i}?x=1&y=2\n"
        f"    description: {{zh: 描述 {i}, en: {json.dumps(TRICKY)} }}\n    category: databases\n    access: free\n"
        for i in range(3))
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": f"id: dbs\ntitle: {{en: D}}\nentries:\n{entries}"}))
    assert guide is not None, [d.format() for d in diagnostics]
    updated = {f"e{i}": dt.datetime(2026, 3, 1 + i, 8, 0, tzinfo=dt.UTC) for i in range(2)}  # e2: no date
    xml = feed.atom(guide, updated, "https://guide.example.org/", page_url=lambda e: f"https://guide.example.org/dbs/#{e.id}")

    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == f"{{{ATOM}}}feed"
    assert root.findtext("a:id", namespaces=NS) == "https://guide.example.org/"
    assert root.findtext("a:updated", namespaces=NS) == "2026-03-02T08:00:00Z"
    assert root.find("a:link[@rel='self']", NS).get("href") == "https://guide.example.org/feed.xml"
    items = root.findall("a:entry", NS)
    assert [i.findtext("a:id", namespaces=NS) for i in items] == ["https://guide.example.org/#e1", "https://guide.example.org/#e0"]
    expected = TRICKY.replace("\uffff", "")  # a character XML 1.0 cannot hold
    assert items[0].findtext("a:title", namespaces=NS) == expected
    assert items[0].findtext("a:summary", namespaces=NS) == f"描述 1 / {expected}"
    assert items[0].find("a:summary", NS).get("type") == "text"
    assert items[0].find("a:link[@rel='related']", NS).get("href") == "https://a.org/1?x=1&y=2"
    assert items[0].find("a:link[@rel='alternate']", NS).get("href") == "https://guide.example.org/dbs/#e1"


def test_a_how_to_without_an_address_has_no_related_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    vpn = ("  - id: vpn\n    title: {en: VPN}\n    kind: how-to\n    description: {en: Ask your library.}\n"
           "    category: access\n    access: institutional\n")
    guide, diagnostics = load_guide(write_guide(tmp_path / "g", {"dbs.yml": f"id: dbs\ntitle: {{en: D}}\nentries:\n{vpn}"}))
    assert guide is not None, [d.format() for d in diagnostics]
    xml = feed.atom(guide, {"vpn": dt.datetime(2026, 3, 1, tzinfo=dt.UTC)}, "https://guide.example.org/",
                    page_url=lambda e: f"https://guide.example.org/dbs/#{e.id}")
    item = ET.fromstring(xml.encode("utf-8")).find("a:entry", NS)
    assert item is not None and item.find("a:link[@rel='alternate']", NS) is not None
    assert item.find("a:link[@rel='related']", NS) is None
