"""Duplicates: the same URL in two entries is an error naming both places; near-duplicate titles warn."""

from __future__ import annotations

import difflib
import random
import re
from pathlib import Path

import pytest

from openshelf.guide.checks import NEAR_TITLE_RATIO, _near_titles, _Title, _title_key
from openshelf.guide.load import load_guide
from openshelf.guide.urls import normalise_url
from support import ROOT, write_guide

ENTRY = """\
  - id: {id}
    title: {{zh: {zh}, en: {en}}}
    url: {url}
    description: {{en: A description.}}
    category: databases
    access: free
"""


def entry(id_: str, url: str, en: str | None = None, zh: str | None = None, extra: str = "") -> str:
    return ENTRY.format(id=id_, url=url, en=en or f"Entry named {id_ * 6}", zh=zh or f"条目{id_ * 6}") + extra


def collection(cid: str, *entries: str) -> str:
    return f"id: {cid}\ntitle: {{en: {cid}}}\nentries:\n" + "".join(entries)


def messages(tmp_path: Path, files: dict[str, str]) -> list[str]:
    _, diagnostics = load_guide(write_guide(tmp_path / "guides", files))
    return [d.format() for d in diagnostics]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(("a", "b"), [
    ("https://www.cnki.net/", "HTTPS://WWW.CNKI.NET"),
    ("http://www.cnki.net/", "https://www.cnki.net:443/"),
    ("http://example.org:80/a", "http://example.org/a/"),
    ("https://example.org/a?x=1&utm_source=wechat&utm_medium=social", "https://example.org/a?x=1"),
    ("https://example.org/a?fbclid=abc&b=2&a=1", "https://example.org/a?a=1&b=2#top"),
    ("https://mp.weixin.qq.com/s?__biz=MzA&mid=1&from=singlemessage&isappinstalled=0", "https://mp.weixin.qq.com/s?__biz=MzA&mid=1"),
    ("https://例子.中国/", "https://xn--fsqu00a.xn--fiqs8s/"),
    ("https://example.org/%7Euser", "https://example.org/~user"),
])
def test_the_same_resource_normalises_alike(a: str, b: str) -> None:
    assert normalise_url(a) == normalise_url(b)


@pytest.mark.parametrize(("a", "b"), [
    ("https://example.org/A", "https://example.org/a"),
    ("https://example.org/a?id=1", "https://example.org/a?id=2"),
    ("https://www.example.org/", "https://example.org/"),
    ("https://example.org:8080/", "https://example.org/"),
])
def test_different_resources_stay_apart(a: str, b: str) -> None:
    assert normalise_url(a) != normalise_url(b)


def test_same_url_in_two_collections_names_both_places(tmp_path: Path) -> None:
    assert messages(tmp_path, {
        "dbs.yml": collection("dbs", entry("cnki", "https://www.cnki.net/")),
        "more.yml": collection("more", entry("zhiwang", "http://WWW.CNKI.NET/?utm_source=wechat")),
    }) == [
        "guides/more.yml:6:10: error: entry 'zhiwang': url: the same URL once normalised (https://www.cnki.net/) as entry 'cnki' "
        "at guides/dbs.yml:6:10: the same resource entered twice? Merge the entries or give each its own address "
        "(if both are really reached from this one page, add 'shares_url_with: cnki')",
    ]


def test_same_url_in_one_collection(tmp_path: Path) -> None:
    out = messages(tmp_path, {"dbs.yml": collection("dbs", entry("a", "https://a.org/x"), entry("b", "https://a.org/x"))})
    assert out == ["guides/dbs.yml:12:10: error: entry 'b': url: the same URL as entry 'a' at guides/dbs.yml:6:10: the same "
                   "resource entered twice? Merge the entries or give each its own address (if both are really reached "
                   "from this one page, add 'shares_url_with: a')"]


def test_shares_url_with_allows_it_explicitly_and_is_checked(tmp_path: Path) -> None:
    ok = {"dbs.yml": collection("dbs", entry("cashl", "https://www.cashl.edu.cn/"),
                                entry("cashl-delivery", "https://www.cashl.edu.cn/", extra="    shares_url_with: cashl\n"))}
    assert messages(tmp_path, ok) == []
    wrong = {"dbs.yml": collection("dbs", entry("a", "https://a.org/"), entry("b", "https://b.org/", extra="    shares_url_with: a\n"),
                                   entry("c", "https://c.org/", extra="    shares_url_with: nobody\n"))}
    assert messages(tmp_path, wrong) == [
        "guides/dbs.yml:16:22: error: entry 'b': shares_url_with: entry 'a' has another url (https://a.org/); remove shares_url_with",
        "guides/dbs.yml:23:22: error: entry 'c': shares_url_with: unknown entry id 'nobody'",
    ]


def test_identical_and_near_duplicate_titles_warn(tmp_path: Path) -> None:
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(
        "dbs",
        entry("a", "https://a.org/", en="China National Knowledge Infrastructure", zh="中国知网"),
        entry("b", "https://b.org/", en="China National Knowledge  Infrastucture", zh="知网镜像"),
        entry("c", "https://c.org/", en="Wanfang", zh="中国知网"),
        entry("d", "https://d.org/", en="COVID-19 guideline 7th edition", zh="诊疗方案第七版"),
        entry("e", "https://e.org/", en="COVID-19 guideline 8th edition", zh="诊疗方案第八版"),
    )})
    guide, diagnostics = load_guide(root)
    assert guide is not None, [d.format() for d in diagnostics]  # warnings do not stop the build
    assert [d.format() for d in diagnostics] == [
        "guides/dbs.yml:11:12: warning: entry 'b': title: nearly the same title as entry 'a' at guides/dbs.yml:5:12 "
        "(中国知网 · China National Knowledge Infrastructure): the same resource entered twice? If they are different resources, "
        "add 'distinct_from: [a]'",
        "guides/dbs.yml:17:12: warning: entry 'c': title: nearly the same title as entry 'a' at guides/dbs.yml:5:12 "
        "(中国知网 · China National Knowledge Infrastructure): the same resource entered twice? If they are different resources, "
        "add 'distinct_from: [a]'",
    ]


def test_a_title_one_letter_longer_is_nearly_the_same(tmp_path: Path) -> None:
    """'PubMeds' against 'PubMed' (ratio 0.92): the lengths may differ as far as a ratio of 0.9 allows."""
    root = write_guide(tmp_path / "guides", {"dbs.yml": collection(
        "dbs", entry("a", "https://a.org/", en="PubMed", zh="公共医学"), entry("b", "https://b.org/", en="PubMeds", zh="公共医学库"))})
    guide, diagnostics = load_guide(root)
    assert guide is not None
    assert [d.code for d in diagnostics] == ["duplicate-title"] and "entry 'b': title: nearly the same title as entry 'a'" in diagnostics[0].format()


FEVER = [("fever-hubei", "Fever clinics in Hubei province", "湖北省发热门诊"), ("fever-hunan", "Fever clinics in Hunan province", "湖南省发热门诊"),
         ("dash-who", "COVID-19 Dashboard", "新冠疫情数据面板"), ("dash-jhu", "COVID-19 Dashboard", "新冠疫情数据看板")]


def test_distinct_from_silences_the_near_duplicate_warning_for_that_pair_only(tmp_path: Path) -> None:
    def files(extra: str) -> dict[str, str]:
        return {"dbs.yml": collection("dbs", *(entry(i, f"https://{i}.org/", en=en, zh=zh, extra=extra if i == "fever-hunan" else "")
                                               for i, en, zh in FEVER))}
    before = [m.split(": warning: entry ")[1].split(":")[0] for m in messages(tmp_path, files(""))]
    assert before == ["'fever-hunan'", "'dash-jhu'"]
    after = messages(tmp_path, files("    distinct_from: [fever-hubei]\n"))
    assert after == ["guides/dbs.yml:24:12: warning: entry 'dash-jhu': title: nearly the same title as entry 'dash-who' at "
                     "guides/dbs.yml:18:12 (新冠疫情数据面板 · COVID-19 Dashboard): the same resource entered twice? If they are "
                     "different resources, add 'distinct_from: [dash-who]'"]


def test_distinct_from_names_known_entries(tmp_path: Path) -> None:
    out = messages(tmp_path, {"dbs.yml": collection(
        "dbs", entry("fever-adult", "https://a.org/", en="Fever — Adult"),
        entry("fever-child", "https://b.org/", en="Fever — Pediatric", extra="    distinct_from: [fever-adult, fever-adlt, fever-child]\n"))})
    assert out == [
        "guides/dbs.yml:16:34: error: entry 'fever-child': distinct_from: unknown entry id 'fever-adlt' (did you mean 'fever-adult'?)",
        "guides/dbs.yml:16:46: error: entry 'fever-child': distinct_from names the entry itself",
    ]


def test_the_default_guide_has_no_duplicates() -> None:
    """This repository's own collections: no duplicate, not even a warning (a fork's added collections
    may have warnings, which are not fatal; silencing them is its curators' call)."""
    from support import OWN_COLLECTIONS, ROOT

    _, diagnostics = load_guide(ROOT / "guides")
    assert [d.format() for d in diagnostics if Path(d.location.path).stem in OWN_COLLECTIONS or d.severity == "error"] == []


def _difflib_near(a: str, b: str) -> bool:
    """The near-duplicate test as difflib alone decides it (what checks._near_titles must agree with)."""
    if abs(len(a) - len(b)) * 10 > len(a) + len(b) or re.sub(r"\d+", "#", a) == re.sub(r"\d+", "#", b):
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= NEAR_TITLE_RATIO and matcher.ratio() >= NEAR_TITLE_RATIO


def test_the_bounds_before_difflib_decide_every_pair_as_difflib_does() -> None:
    """The near-duplicate check settles most pairs by bounds on difflib's ratio(); on titles of the default guide
    edited a little, and on short strings over a few letters (where the bounds are tight), it decides as difflib."""
    rnd = random.Random(7)
    guide, _ = load_guide(ROOT / "guides")
    assert guide is not None
    keys = [_title_key(t) for e in guide.entries for t in (e.title.zh, e.title.en) if t]
    alphabet = "ab1 中文"

    def edit(text: str) -> str:
        for _ in range(rnd.randint(0, 3)):
            i = rnd.randrange(len(text) + 1)
            text = rnd.choice([text[:i] + rnd.choice(alphabet) + text[i:], text[:i] + text[i + 1:],
                               text[:i] + rnd.choice(alphabet) + text[i + 1:], text[i:] + text[:i]])
        return text or "x"

    pairs = [(k, edit(k)) for k in keys for _ in range(20)]
    pairs += [("".join(rnd.choices(alphabet, k=rnd.randint(1, 12))), "") for _ in range(20_000)]
    pairs = [(a, b or edit(a)) for a, b in pairs]
    near = 0
    for a, b in pairs:
        if a == b:
            continue
        x, y = (_Title(k, re.sub(r"\d+", "#", k), None, frozenset(k)) for k in (a, b))  # type: ignore[arg-type]
        expected = _difflib_near(a, b)
        assert _near_titles(x, y) == expected, (a, b)
        near += expected
    assert near > 2_000
