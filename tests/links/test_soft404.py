"""Soft 404s without a rule per host: a 200 page whose title or main heading says "not found", or that is
what its host answers for a path that cannot exist.  A guess, so it is ``transient`` with a note until the
N-runs policy makes it ``broken``; a host rule's ``soft_404`` overrides it."""

from __future__ import annotations

import pytest

from openshelf.links.check import CheckOptions
from openshelf.links.extract import Target
from openshelf.links.guard import AddressGuard
from openshelf.links.page import read_heads, says_not_found
from openshelf.links.rules import parse_rules
from openshelf.links.runner import run_check_sync

from .test_check import check, one

OPTIONS = CheckOptions(concurrency=8, per_host=4, timeout=3, retries=0)


def probes(server) -> int:  # type: ignore[no-untyped-def]
    return sum(n for path, n in server.hits.items() if path.startswith("/openshelf-probe-"))


@pytest.mark.parametrize(("which", "says"), [("zh", "页面不存在 - 某某大学"), ("gbk", "抱歉，您访问的页面不存在！"),
                                             ("en", "Page not found | Example")])
def test_a_200_page_titled_not_found_is_a_soft_404(server, which, says):
    out = one(server.url(f"/not-found/{which}"))
    assert (out.verdict, out.status) == ("transient", 200)
    assert out.note == f"soft 404: the page's title says {says!r}"
    assert "soft 404" in (out.error or "")


def test_a_real_page_on_the_same_host_is_ok(server):
    out = check([server.url("/ok"), server.url("/not-found/article"), server.url("/not-found/en")])
    assert out[server.url("/ok")].verdict == "ok"
    assert out[server.url("/not-found/article")].verdict == "ok"  # an article about 404s is not one
    assert out[server.url("/not-found/en")].verdict == "transient"


def test_soft_404_becomes_broken_after_n_runs_only(server):
    rules = parse_rules("transient_runs_before_broken: 2\n")
    target = Target(server.url("/not-found/zh"))
    states: dict = {}
    verdicts = []
    for _ in range(2):
        results, states, _ = run_check_sync([target], states, OPTIONS, rules, AddressGuard.from_options(["127.0.0.1"]))
        verdicts.append(results[0].verdict)
        assert results[0].note == "soft 404: the page's title says '页面不存在 - 某某大学'"
    assert verdicts == ["transient", "broken"]
    assert "failing for 2 consecutive runs" in (results[0].error or "")


def test_a_host_that_answers_every_path_with_its_home_page(home_server):
    dead, moved, real, home = (home_server.url(p) for p in ("/articles/gone", "/gone-home", "/articles/real", "/"))
    home_server.hits.clear()
    out = check([dead, moved, real, home, home_server.url("/articles/also-gone")])
    assert (out[dead].verdict, out[dead].status) == ("transient", 200)
    assert out[dead].note == "soft 404: the page is what the host answers for a path that cannot exist (title 'Example Library')"
    assert out[moved].verdict == "transient"  # a deep link that redirects to the home page
    assert out[real].verdict == "ok"
    assert out[home].verdict == "ok"  # the home page itself
    assert probes(home_server) == 1  # one probe for the host, however many URLs asked


def test_a_host_that_answers_unknown_paths_404_costs_one_probe(server):
    before = probes(server)
    out = check([server.url(f"/ok?p={i}") for i in range(6)])
    assert {o.verdict for o in out.values()} == {"ok"}
    assert probes(server) - before == 1


def test_a_host_rule_overrides_the_guess(server, home_server):
    off = parse_rules("hosts:\n  - host: 127.0.0.1\n    soft_404: []\n    reason: its 'not found' titles are real pages\n")
    assert one(server.url("/not-found/en"), rules=off).verdict == "ok"
    assert one(home_server.url("/articles/gone"), rules=off).verdict == "ok"
    own = parse_rules("hosts:\n  - host: 127.0.0.1\n    soft_404: ['该内容已被发布者删除']\n    reason: removed notice\n")
    assert one(server.url("/not-found/zh"), rules=own).verdict == "ok"  # only the rule's phrases count here
    assert one(server.url("/soft404"), rules=own).verdict == "broken"


def test_titles_and_headings():
    assert read_heads("<title>页面不存在</title><h1> 404 </h1>".encode("gbk"), "gbk").h1 == "404"
    assert read_heads('<meta charset="GBK"><title>找不到页面</title>'.encode("gbk")).title == "找不到页面"
    assert read_heads("<title>找不到页面</title>".encode("gbk")).title == "找不到页面"  # no charset at all: sniffed
    for text in ("404 Not Found", "Error 404 (Not Found)!!1", "Page Not Found | Example", "404", "您访问的页面不存在"):
        assert says_not_found(text), text
    for text in ("How to fix 404 Not Found errors", "Example Library", "页面不存在的原因与解决办法", ""):
        assert not says_not_found(text), text


@pytest.mark.parametrize("markup", ["<![foo[ x ]]>", "<![ ", "<![1"])
def test_a_malformed_marked_section_does_not_raise(markup):
    """html.parser raised AssertionError on '<![foo[' (a marked section it does not know), which ended the whole run."""
    assert read_heads(f"<html>{markup}<title>Page not found</title>".encode()).title in ("Page not found", "")


@pytest.mark.parametrize("markup", ["<a " * 21845, "<!--" * 16384, "<title>" + "<a" * 32000, "<h1 " * 16000, "<title " * 9000])
def test_a_hostile_prefix_is_read_in_linear_time(markup):
    """html.parser is quadratic on some malformed input: 64 KiB of '<a ' took 23 s of CPU, during which the event loop
    (every other request, every timeout, --deadline) stood still."""
    import time

    started = time.process_time()
    read_heads(markup.encode()[:65536])
    assert time.process_time() - started < 0.5


def test_titles_and_headings_as_a_browser_reads_them():
    assert read_heads(b"<html><head><title>A &amp; B</title></head><body><h1 class=x><a href='/'>Not <b>found</b></a></h1>").h1 == "Not found"
    assert read_heads(b"<TITLE>Upper</TITLE><H1>Case</H1>") == read_heads(b"<title>Upper</title><h1>Case</h1>")
    assert read_heads(b"<title>A &amp; B</title>").title == "A & B"
    assert read_heads(b"<!-- <title>commented out</title> --><title>real</title>").title == "real"
    assert read_heads(b"<script>document.title = '<title>x</title>'</script><title>real</title>").title == "real"
    assert read_heads(b"<titles>no</titles><h10>no</h10><title>yes</title>") == read_heads(b"<title>yes</title>")
    assert read_heads(b"<title>cut off at the end of the prefix").title == "cut off at the end of the prefix"
    assert read_heads(b"<h1>one</h1><h1>two</h1>").h1 == "one"


@pytest.mark.parametrize("which", ["gbk", "gbk-undeclared"])
def test_a_host_rules_phrase_is_found_in_a_gbk_page(server, which):
    """A host rule's phrases were looked for in the body decoded as UTF-8 unless the Content-Type named a charset: on a
    GBK page (its charset in a <meta>, or nowhere, as many Chinese CMSs serve them) the phrase was never found, and
    the deleted page was 'ok'. The body is decoded as the title is: the header, else the <meta>, else a sniff."""
    rules = parse_rules("hosts:\n  - host: 127.0.0.1\n    soft_404: ['您访问的页面不存在']\n    reason: its notice\n")
    out = one(server.url(f"/not-found/{which}"), rules=rules)
    assert (out.verdict, out.error) == ("broken", "soft 404: page says '您访问的页面不存在'")



def test_a_byte_order_mark_decides_the_encoding():
    """As a browser reads it: a BOM wins over the Content-Type's charset (a UTF-8 page served as ISO-8859-1 read as
    mojibake, and a UTF-16 page as nothing)."""
    import codecs

    title = "<title>页面不存在</title>"
    assert read_heads(codecs.BOM_UTF8 + title.encode(), "iso-8859-1").title == "页面不存在"
    assert read_heads(codecs.BOM_UTF16_LE + title.encode("utf-16-le")).title == "页面不存在"
    assert read_heads(codecs.BOM_UTF16_BE + title.encode("utf-16-be"), "utf-8").title == "页面不存在"


def test_a_page_with_neither_title_nor_heading_costs_no_probe(server):
    """Such a page cannot be compared with the host's answer for a path that cannot exist, yet the probe was sent
    first and the missing title looked at after: one request more to the host for nothing (a 204, an untitled page,
    a file served without a Content-Type, a title past the first 64 KiB)."""
    before = probes(server)
    out = check([server.url("/hostile-page/untitled"), server.url("/hostile-page/untitled?again=1")])
    assert {o.verdict for o in out.values()} == {"ok"}
    assert probes(server) == before
