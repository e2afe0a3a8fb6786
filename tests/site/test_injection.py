"""No injection: a guide full of script, handlers, javascript: links and attribute lists builds into a
site with no executable injected markup, and every page carries a strict Content-Security-Policy.

Both guides (the injection guide and the clean fixture guide) are built with a real
``mkdocs build --strict``; the built HTML is scanned with html.parser.  The browser test checks
that Material and the search still work under the policy and that nothing violates it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from openshelf.guide.models import Text
from openshelf.guide.provenance import Origin, SourceHealth
from openshelf.site import csp
from support import FIXTURE_GUIDE, ROOT, build_guide, federated_fixture, make_project

INJECTION = ROOT / "tests" / "fixtures" / "injection"
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcset", "cite", "ping"}
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)


class Scan(HTMLParser):
    """Scripts, event-handler attributes and dangerous URLs in one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.script_srcs: set[str] = set()
        self.inline: list[str] = []
        self.handlers: list[str] = []
        self.bad_urls: list[str] = []
        self.csp: list[str] = []
        self._script: list[str] | None = None
        self._script_type = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRS:
                # Browsers drop whitespace and control characters inside a scheme: java\tscript: runs.
                squeezed = re.sub(r"[\x00-\x20]+", "", html.unescape(value))
                if BAD_SCHEME.match(squeezed):
                    self.bad_urls.append(f"<{tag} {name}={value!r}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            self.csp.append(values.get("content", ""))
        if tag == "script":
            if values.get("src"):
                self.script_srcs.add(values["src"])
            else:
                self._script, self._script_type = [], values.get("type", "")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            if self._script_type in ("", "text/javascript", "module"):
                self.inline.append("".join(self._script))
            self._script = None


def build(tmp: Path, guides: Path) -> Path:
    out = tmp / "site"
    config = make_project(tmp / "project", guides)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)],
                            capture_output=True, text=True, check=False, timeout=600,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    return out


def scan_site(site: Path) -> dict[str, Scan]:
    pages = {}
    for page in sorted(site.rglob("*.html")):
        scan = Scan()
        scan.feed(page.read_text(encoding="utf-8"))
        pages[str(page.relative_to(site))] = scan
    return pages


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Scan]:
    return scan_site(build(tmp_path_factory.mktemp("clean"), FIXTURE_GUIDE))


@pytest.fixture(scope="module")
def injected_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("injection"), INJECTION)


@pytest.fixture(scope="module")
def injected(injected_site: Path) -> dict[str, Scan]:
    return scan_site(injected_site)


#: What a hostile source may put in its export's guide title and publisher (and a local note may hold).
HOSTILE = "<script>alert('src')</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) {: onclick=alert(1) } &lt;b&gt;"


@pytest.fixture(scope="module")
def hostile_sources_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A consortium whose sources' titles, publishers, site addresses, guide names and link verdicts are attacks."""
    guide = federated_fixture(consortium=True)
    sources = [dataclasses.replace(s, title=Text(zh=f"{HOSTILE} {s.id}", en=f"{HOSTILE} {s.id} en"), publisher=Text(en=f"{HOSTILE} publisher"),
                                   site_url="javascript:alert(1)//https://x.example.org/") for s in guide.sources]
    checked = dt.datetime(2026, 11, 19, tzinfo=dt.UTC)
    origins = {**guide.origins,
               "cnki": Origin("emergency", source="emergency", listed_by=("emergency", '"><b onmouseover=alert(1)>far</b>'),
                              health=SourceHealth("<script>alert('verdict')</script>", checked=checked))}
    notes = {"cnki": Text(zh=HOSTILE, en="<a href='javascript:x' onclick='x'>a</a>\n\n[r]: javascript:alert(1)\n\n[x][r]")}
    return build_guide(dataclasses.replace(guide, sources=sources, origins=origins, notes=notes), tmp_path_factory.mktemp("hostile-sources"))


def test_no_script_but_the_themes_own(clean: dict[str, Scan], injected: dict[str, Scan]) -> None:
    theme_srcs = set().union(*(s.script_srcs for s in clean.values()))
    theme_inline = {text for s in clean.values() for text in s.inline}
    for name, scan in injected.items():
        assert scan.script_srcs <= theme_srcs, (name, scan.script_srcs - theme_srcs)
        assert set(scan.inline) <= theme_inline, (name, set(scan.inline) - theme_inline)


def test_no_event_handlers_or_dangerous_urls(clean: dict[str, Scan], injected: dict[str, Scan]) -> None:
    for pages in (clean, injected):
        for name, scan in pages.items():
            assert scan.handlers == [], (name, scan.handlers)
            assert scan.bad_urls == [], (name, scan.bad_urls)


def test_source_titles_publishers_and_names_inject_nothing(clean: dict[str, Scan], hostile_sources_site: Path) -> None:
    theme_srcs = set().union(*(s.script_srcs for s in clean.values()))
    theme_inline = {text for s in clean.values() for text in s.inline}
    for name, scan in scan_site(hostile_sources_site).items():
        assert scan.script_srcs <= theme_srcs, (name, scan.script_srcs - theme_srcs)
        assert set(scan.inline) <= theme_inline, (name, set(scan.inline) - theme_inline)
        assert scan.handlers == [], (name, scan.handlers)
        assert scan.bad_urls == [], (name, scan.bad_urls)
    members = (hostile_sources_site / "members" / "index.html").read_text(encoding="utf-8")
    databases = (hostile_sources_site / "databases" / "index.html").read_text(encoding="utf-8")
    for page in (members, databases):
        assert "&lt;script&gt;alert(&#x27;src&#x27;)&lt;/script&gt;" in page or "&lt;script&gt;alert('src')&lt;/script&gt;" in page
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&amp;lt;b&amp;gt; publisher" in members  # an entity in a title is shown as written, not decoded
    assert "javascript:alert(1)//https://x.example.org/" in members and 'href="javascript' not in members  # the address as text
    assert "&lt;b onmouseover=alert(1)&gt;far&lt;/b&gt;" in databases


def test_the_attempts_are_shown_as_text(injected_site: Path) -> None:
    zh = (injected_site / "evil" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in zh or "&lt;script&gt;alert('title')&lt;/script&gt;" in zh
    page = (injected_site / "en" / "evil" / "index.html").read_text(encoding="utf-8")  # the English descriptions
    assert 'href="mailto:librarian@example.org"' in page and 'href="https://example.org/ok"' in page
    assert 'href="https://example.org/ok2"' in page
    # Reference definitions inside list items and quotes, autolinks and images: text, or a safe link.
    assert "a list reference and a quoted one" in page and 'href="https://example.org/auto"' in page
    assert '<img src="https://tracker.invalid' not in page


def test_the_sites_name_is_escaped_once_everywhere(injected_site: Path) -> None:
    """The guide's title in every place the theme writes it (tab title, header, navigation tooltips, og:site_name, the
    feed link): escaped exactly once, neither raw markup nor double-escaped text ("R&D" showed as "R&amp;D" in a
    tooltip, as Material escapes config.site_name in some places and not in others)."""
    for page in [injected_site / "index.html", injected_site / "en" / "index.html", injected_site / "evil" / "index.html"]:
        text = page.read_text(encoding="utf-8")
        name = "注入测试 " if "/en/" not in str(page) else "Injection test "
        found = re.findall(re.escape(name) + r"(&[a-z]+;|<)", text)
        assert found and set(found) == {"&lt;"}, (page, set(found))  # "&lt;script…" each time: never "&amp;lt;" nor "<"


@pytest.mark.parametrize("description", [
    "- item\n\n    [r]: javascript:alert(1)\n\n    [x][r]",
    "> - [x][r]\n>   [r]: javascript:alert(1)",
    "1. [x][r]\n   [r]: <jav&#x61;script:alert(1)>",
    "[x](jav&#x61;script:alert(1)) [y](java\tscript:x) [z](data:text/html,x) [w](vbscript:x) [v](file:///etc/passwd)",
    "<javascript:alert(1)> <JAVASCRIPT:alert(1)> ![i](javascript:alert(1))",
    "<a href='javascript:x' onclick='x'>a</a>\n\n<script>alert(1)</script>",
    "para\n{: onclick=alert(1) }\n\n* item { onclick=alert(1) }",
])
def test_no_markdown_construct_makes_a_live_link_or_handler(description: str) -> None:
    from openshelf.site import markup

    scan = Scan()
    scan.feed(markup.markdown(description))
    assert scan.handlers == [] and scan.bad_urls == [] and scan.inline == [], markup.markdown(description)
    assert "<a " not in markup.markdown(description), markup.markdown(description)


def test_an_image_is_a_link_to_it_and_loads_nothing() -> None:
    """No image is loaded from another host: ``![alt](src)`` is a link named by its alt text (it showed a stray "!"
    before a link), and an unsafe source leaves the text alone."""
    from openshelf.site import markup

    assert markup.markdown("See ![the poster](https://example.org/p.png).") == (
        '<p>See <a href="https://example.org/p.png">the poster</a>.</p>')
    assert markup.markdown("![x](javascript:alert(1)) ![y](data:image/png;base64,AA)") == "<p>x y</p>"
    assert "<img" not in markup.markdown("![a](https://example.org/a.png) ![b][r]\n\n[r]: https://example.org/b.png")


def test_every_page_has_a_strict_policy_with_the_inline_hashes(injected: dict[str, Scan]) -> None:
    for name, scan in injected.items():
        if name.startswith(("pagefind/", "qr/")):
            continue
        assert len(scan.csp) == 1, (name, scan.csp)
        policy = scan.csp[0]
        scripts = next(d for d in policy.split(";") if d.strip().startswith("script-src")).split()
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, policy
        assert "object-src 'none'" in policy and "base-uri 'self'" in policy, policy
        for text in scan.inline:
            assert csp.source_of(text) in scripts, (name, text[:80])


def test_the_template_fallback_is_the_policy_without_hashes() -> None:
    template = (ROOT / "src" / "openshelf" / "site" / "overrides" / "main.html").read_text(encoding="utf-8")
    assert csp.meta(csp.FALLBACK) in template


def test_apply_adds_or_replaces_the_tag() -> None:
    page = '<html><head><meta charset="utf-8"><script>var a=1</script></head><body></body></html>'
    content = csp.policy(csp.inline_scripts(page))
    assert csp.source_of("var a=1") in content
    added = csp.apply(page, content)
    assert added.startswith('<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src')
    assert csp.apply(added, "default-src 'none'").count("Content-Security-Policy") == 1


@pytest.mark.browser
def test_material_and_search_work_under_the_policy(injected_site: Path) -> None:
    from browser import browser, serve, type_query

    violations: list[str] = []
    with serve(injected_site) as base, browser() as chromium:
        page = chromium.new_page()
        page.on("console", lambda m: violations.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: violations.append(str(e)))
        page.on("dialog", lambda d: (violations.append(f"dialog: {d.message}"), d.dismiss()))
        page.add_init_script("document.addEventListener('securitypolicyviolation',"
                             " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))")
        page.goto(base + "evil/")
        page.wait_for_load_state("networkidle")
        for summary in page.locator(".os-details > summary").all():  # each entry's details, where most curated text is
            summary.click()
        for target in page.locator(".os-entry a:visible, .os-entry h3, .os-entry p:visible, .os-announcement").all()[:40]:
            target.hover()  # onmouseover / onclick attempts, had any survived
        type_query(page, "Reference links")
        page.wait_for_selector(".md-search-result__item", timeout=10_000)
        hrefs = page.eval_on_selector_all(".md-search-result__link", "links => links.map(a => a.getAttribute('href'))")
        assert any(h.endswith("#reference-links") for h in hrefs), hrefs
        page.goto(base)  # instant navigation and the palette script run on the home page too
        page.wait_for_load_state("networkidle")
        page.locator("article a[href$='evil/']").first.click()
        page.wait_for_load_state("networkidle")
        assert page.evaluate("typeof __md_get") == "function"  # Material's inline script ran
    assert violations == []
