"""The default guide: valid, large enough, and honest about what nobody has verified."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from openshelf.guide.load import load_guide
from support import ROOT


def guide():
    loaded, diagnostics = load_guide(ROOT / "guides")
    assert loaded is not None, "\n".join(d.format() for d in diagnostics)
    assert [d for d in diagnostics if d.severity == "error"] == []
    return loaded


def test_default_guide_has_at_least_80_entries_in_four_collections() -> None:
    g = guide()
    assert len(g.entries) >= 80
    assert len(g.collections) >= 4
    assert all(len(c.entries) >= 5 for c in g.collections)


def test_entries_the_search_tests_rely_on_exist() -> None:
    by_id = guide().by_id
    assert "知网" in by_id["cnki"].title.both() + " ".join(by_id["cnki"].aliases)
    assert "CARSI" in by_id["carsi"].aliases
    assert by_id["pubmed"].title.en == "PubMed"
    assert "figshare" in by_id


def test_no_placeholder_hosts_and_nothing_claimed_verified() -> None:
    for entry in guide().entries:
        host = urlsplit(entry.url).hostname or ""
        assert not host.endswith(("example.com", "example.org", "example.net", "localhost", ".invalid", ".test")), entry.id
        # Nobody has confirmed the default entries by hand from here; the scheduled check and people will.
        assert entry.last_verified is None, entry.id


def test_every_entry_is_bilingual_where_it_matters() -> None:
    for entry in guide().entries:
        assert entry.description.zh and entry.description.en, entry.id


def test_ended_programs_have_dates() -> None:
    ended = [e for e in guide().entries if e.status == "ended"]
    assert ended, "the 2020 programs that ended are listed, marked ended"
    assert all(e.available_until for e in ended)


def test_categories_are_all_used() -> None:
    g = guide()
    used = Counter(e.category for e in g.entries)
    assert set(used) <= set(g.site.categories)
