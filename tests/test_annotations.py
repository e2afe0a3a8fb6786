"""Workflow annotations are escaped as GitHub reads them, in `validate` and in `links` alike."""

from __future__ import annotations

from openshelf.annotations import annotation, escape_data, escape_property
from openshelf.guide.diagnostics import Diagnostic, Location
from openshelf.links.extract import Occurrence, Target
from openshelf.links.report import format_github
from openshelf.links.runner import Result, RunSummary
from openshelf.links.verdict import Verdict


def test_escaping_rules() -> None:
    assert escape_data("50% a:b,c\r\nd") == "50%25 a:b,c%0D%0Ad"
    assert escape_property("50% a:b,c\r\nd") == "50%25 a%3Ab%2Cc%0D%0Ad"
    assert annotation("warning", "m", file="f", line=0, title="T") == "::warning file=f,title=T::m"
    assert annotation("error", "m") == "::error::m"


def test_validate_escapes_the_file_property() -> None:
    """Before: `file=` was written raw, so a ',' or ':' in a path ended the property early."""
    d = Diagnostic(Location("guides/a,b:c.yml", 3, 7), "bad\nvalue 100%", entry="x")
    assert d.github() == "::error file=guides/a%2Cb%3Ac.yml,line=3,col=7::entry 'x': bad%0Avalue 100%25"


def test_links_escapes_the_same_way() -> None:
    target = Target("https://a.example/%20", [Occurrence("guides/a,b:c.yml", 4, "x")])
    out = format_github([Result(target, Verdict.BROKEN, status=404)], RunSummary(total=1))
    first = out.splitlines()[0]
    assert first.startswith("::error file=guides/a%2Cb%3Ac.yml,line=4,title=Broken link::https://a.example/%2520: broken")
