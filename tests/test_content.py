"""The default guide's own content: valid, large enough, and honest about what nobody has verified.

The per-entry tests hold this repository's collections (OWN_COLLECTIONS), which a library's fork
replaces along with the content; collections a fork adds are not held to them.  Rules for every
entry of any guide (languages required, categories allowed) are not asserted here: they are the
``policy:`` and ``categories:`` of ``guides/_site.yml``, which ``openshelf validate`` checks
(tests/guide/test_policy.py).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from openshelf.guide.load import load_guide
from openshelf.guide.models import Entry
from openshelf.guide.parity import numbers
from openshelf.guide.urls import is_encyclopedia
from support import OWN_COLLECTIONS, ROOT


def guide():
    loaded, diagnostics = load_guide(ROOT / "guides")
    assert loaded is not None, "\n".join(d.format() for d in diagnostics)
    assert [d for d in diagnostics if d.severity == "error"] == []
    return loaded


def own_entries():
    g = guide()
    return [e for c in g.collections if c.id in OWN_COLLECTIONS for e in c.entries]


def test_default_guide_has_at_least_80_entries_in_four_collections() -> None:
    g = guide()
    assert len(own_entries()) >= 80
    assert all(len(g.collection(c).entries) >= 5 for c in OWN_COLLECTIONS)


def test_entries_the_search_tests_rely_on_exist() -> None:
    by_id = guide().by_id
    assert "知网" in by_id["cnki"].title.both() + " ".join(by_id["cnki"].aliases)
    assert "CARSI" in by_id["carsi"].aliases
    assert by_id["pubmed"].title.en == "PubMed"
    assert "figshare" in by_id


def test_no_placeholder_hosts_and_every_check_says_who_and_against_what() -> None:
    for entry in own_entries():
        for url in (entry.url, *entry.evidence):
            host = urlsplit(url or "").hostname or ""
            assert not host.endswith(("example.com", "example.org", "example.net", "localhost", ".invalid", ".test")), entry.id
        # A recorded check names who made it and the page they read ('openshelf verify' writes all three).
        if entry.last_verified is not None:
            assert entry.verified_by and entry.evidence and entry.verification_note, entry.id


def _site(host: str) -> str:
    """The registrable part of a host, near enough for this guide's addresses (ncbi.nlm.nih.gov → nih.gov, zslib.com.cn → zslib.com.cn)."""
    labels = host.rstrip(".").lower().split(".")
    generic = len(labels) >= 3 and labels[-2] in {"com", "edu", "gov", "org", "net", "ac"} and len(labels[-1]) == 2
    return ".".join(labels[-3:] if generic else labels[-2:])


_ARCHIVED = re.compile(r"^https?://web\.archive\.org/web/[0-9*]+(?:[a-z]{2}_)?/(.+)$")


def _evidence_site(url: str) -> str:
    """The site whose page the evidence is: an archived copy (web.archive.org/web/<time>/<address>) is its address's."""
    archived = _ARCHIVED.match(url)
    return _site(urlsplit(archived.group(1) if archived else url).hostname or "")


def test_an_archived_copy_is_evidence_from_the_pages_own_site() -> None:
    assert _evidence_site("https://web.archive.org/web/20200401000000/https://www.cnki.net/x") == "cnki.net"
    assert _evidence_site("https://web.archive.org/web/2020id_/http://muse.jhu.edu/") == "jhu.edu"
    assert _evidence_site("https://web.archive.org/") == "archive.org"


def test_every_check_says_what_its_evidence_is_and_a_report_is_never_called_the_providers_page() -> None:
    """A check of this guide says whether it read the provider's page, a copy of it (stored, or archived at
    web.archive.org: the schema's 'copy'), or someone else's report; evidence from another site than the resource's is
    a report (the site then does not link it, nor say 'verified')."""
    for entry in own_entries():
        if entry.last_verified is None:
            continue
        assert entry.evidence_kind is not None, entry.id
        elsewhere = [u for u in entry.evidence if _evidence_site(u) != _site(urlsplit(entry.url or "").hostname or "")]
        if elsewhere:
            assert entry.evidence_kind == "report", (entry.id, elsewhere)
        if "stored copy" in (entry.verified_by or "") + (entry.verification_note or ""):
            assert entry.evidence_kind != "provider", entry.id  # a stored copy is not the live page


def test_ended_programs_have_dates() -> None:
    ended = [e for e in own_entries() if e.status == "ended"]
    assert ended, "the 2020 programs that ended are listed, marked ended"
    assert [e.id for e in ended if not e.available_until] == []


def test_every_temporary_program_has_dates() -> None:
    """A temporarily free program says when it ran: its last day, or its first day while it still runs."""
    temporary = [e for e in own_entries() if e.access == "temporarily-free"]
    assert len(temporary) >= 5
    assert [e.id for e in temporary if not (e.available_until or (e.status == "active" and e.available_from))] == []


def test_every_category_and_every_table_1_service_has_an_entry() -> None:
    g = guide()
    assert {e.category for e in g.entries} == set(g.site.categories)
    assert len(g.site.services) == 13  # the library plan's Table 1
    tags = {t for e in g.entries for t in e.tags}
    assert [key for key in g.site.services if key not in tags] == []


def test_every_kind_of_resource_the_survey_names_has_an_entry() -> None:
    g = guide()
    assert len(g.site.resource_kinds) >= 15  # the survey's kinds, in its own words (guides/_site.yml)
    assert all(kind.zh and kind.en for kind in g.site.resource_kinds.values())
    assert [key for key, kind in g.site.resource_kinds.items() if not any(kind.includes(key, e) for e in g.entries)] == []


def test_the_about_page_shows_the_counts() -> None:
    from openshelf.site.bilingual import text
    from openshelf.site.counts import MARKER, counts_markdown

    assert MARKER in (ROOT / "docs" / "about.md").read_text(encoding="utf-8")
    tables = counts_markdown(guide())
    assert [key for key, label in guide().site.services.items() if f"| {text(label)} | " not in tables] == []
    assert [key for key, kind in guide().site.resource_kinds.items() if f"| {text(kind)} | " not in tables] == []
    import re

    assert re.findall(r"(?m)^\| [^|]+ \| 0 \|.*$", tables) == []  # no collection, category, kind or service without an entry


def test_parity_report_prints_both_languages_of_every_entry() -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "parity_report.py")], capture_output=True, text=True, check=True,
                         encoding="utf-8")
    g = guide()
    assert out.stdout.count(" description:\n  zh") == len(g.entries)
    assert f"{len(g.entries)} entries shown; 0 name different numbers" in out.stderr


def test_zh_and_en_descriptions_name_the_same_numbers() -> None:
    """Dates, fees and sizes must not differ between the two languages of one entry."""
    differ = {
        e.id: (sorted(numbers(e.description.zh or "", False)), sorted(numbers(e.description.en or "", True)))
        for e in own_entries()
        if numbers(e.description.zh or "", False) != numbers(e.description.en or "", True)
    }
    assert differ == {}


def test_numbers_are_compared_across_languages() -> None:
    assert numbers("自 2020 年 2 月 20 日起，每页 0.3 元，约 3.4 万种，1000 多万篇，新冠（COVID-19）", False) == {2020, 2, 20, 0.3, 34000, 1e7}
    english = "from 20 February 2020, 0.3 yuan a page, 34,000 titles, 10 million articles, COVID-19, you may"
    assert numbers(english, True) == {2020, 2, 20, 0.3, 34000, 1e7}


def _says_unchecked(entry: Entry) -> bool:
    return "has not been checked" in (entry.description.en or "") and "尚未核实" in (entry.description.zh or "")


# Facts from the candidates file's last section (issue 11), each as its provider states it; see the commits.
PROVIDER_FACTS = {
    "nstl-document-delivery": lambda e: e.access == "paid",  # NSTL charges, e.g. 0.3 yuan a page
    "cashl": lambda e: e.access == "free",  # searching is free; delivery is the separate, charged entry
    "cashl-document-delivery": lambda e: e.access == "institutional",
    "gov-cn": lambda e: {"nhc", "ndcpa"} <= set(e.related),  # a portal: it sends readers to the health authorities
    "calis-eread": lambda e: "易读" not in e.aliases,  # a guessed name nobody uses
    "cqvip": lambda e: "carsi" in e.related,
    "cambridge-textbooks-2020": lambda e: e.status == "ended" and e.available_from is None,  # start day unknown
    "jstor-2020-ebooks": lambda e: urlsplit(e.url).hostname == "about.jstor.org",  # the program's page, not the home page
    # Eligibility goes by a country list, which has left China out (a 2007 editorial): a Chinese reader is told so.
    "research4life": lambda e: "China" in (e.description.en or "") and "中国" in (e.description.zh or ""),
    "elsevier-coronavirus-center": lambda e: "zh" in e.languages,  # Elsevier's licence: "in English and Mandarin"
    "lancet-covid": lambda e: "registration" not in (e.description.en or ""),  # found on no stored page
    # 2020 publisher hubs: what they offered then is dated, and whether it is still free is said to be unchecked.
    **dict.fromkeys(("jama-covid", "nejm-coronavirus", "wiley-coronavirus-hub"), _says_unchecked),
    "carsi": lambda e: "CERNET Network Center" in (e.description.en or ""),  # managed by it; Peking University initiated it
    "openathens": lambda e: "Jisc" not in (e.provider.en if e.provider else ""),  # found on no stored page
    "seamlessaccess": lambda e: "RA21" in (e.description.en or "") and "Internet2" not in (e.description.en or ""),
    "libkey-nomad": lambda e: "annual fee" in (e.description.en or ""),  # free to install, paid for by the institution
    "lean-library": lambda e: "open-access" not in (e.description.en or ""),  # found on no stored page
    "open-access-button": lambda e: "not been confirmed" in (e.description.en or ""),  # its end date is only reported
    # NLM (29 August 2023): some publishers had their COVID-19 articles removed from PMC when their licences expired.
    "pubmed-central": lambda e: "removed" in (e.description.en or "") and "撤下" in (e.description.zh or ""),
}


def test_facts_found_wrong_stay_fixed() -> None:
    by_id = guide().by_id
    assert [i for i, holds in PROVIDER_FACTS.items() if not holds(by_id[i])] == []


def test_no_address_is_an_encyclopedia_article() -> None:
    """An article about a thing is not the thing (and Wikipedia does not open in mainland China): a generic
    access method with no single address is a how-to, whose placeholder tells readers to ask their library."""
    addresses = [(e.id, field, url) for e in own_entries() for field in ("url", "archive_url") if (url := getattr(e, field))]
    assert [a for a in addresses if is_encyclopedia(a[2])] == []
    assert len(addresses) >= 80
    by_id = guide().by_id
    assert [(by_id[i].kind, by_id[i].url) for i in ("campus-vpn", "webvpn")] == [("how-to", None)] * 2


def test_guide_files_load_with_a_yaml_1_1_parser_too() -> None:
    """Evidence URLs are written one a line: ``[https://x/?p=1]`` is YAML 1.2 but PyYAML/libyaml reject it."""
    import yaml

    for path in sorted((ROOT / "guides").glob("*.yml")):
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict), path.name
