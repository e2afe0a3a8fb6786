"""The site crawl (.github/scripts/crawl_site.py, run by ``make crawl-site``): every internal link and
#anchor of a built site resolves; each page is parsed once, so a 1,000-entry guide crawls in seconds.

The crawl of real builds (the default guide, a hand-written page with broken links) is in
tests/test_workflows.py, through ``make``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from support import ROOT, mkdocs_build

SCRIPT = ROOT / ".github" / "scripts" / "crawl_site.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("crawl_site", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["crawl_site"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


crawl_site = load_script()

PAGE = """<!doctype html><html><head><link rel="canonical" href="https://library.example.org/guide/{path}">
<link rel="stylesheet" href="{up}assets/site.css"></head><body>{body}</body></html>"""


def write_site(root: Path, pages: dict[str, str]) -> Path:
    """A built site: ``pages`` maps a page's folder ("" for the home page) to its body."""
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "site.css").write_text("body {}", encoding="utf-8")
    for folder, body in pages.items():
        path = root / folder / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        up = "../" * (folder.count("/") + 1) if folder else ""
        path.write_text(PAGE.format(path=f"{folder}/" if folder else "", up=up, body=body), encoding="utf-8")
    return root


SOUND = {
    "": '<a href="db/">db</a> <a href="db/#cnki">CNKI</a> <a href="#top" id="top">top</a> <a href="https://elsewhere.example.com/x">x</a>'
        ' <a href="mailto:ask@example.org">mail</a> <img src="data:image/png;base64,AAAA"> <a href="/guide/db/#pubmed">abs</a>'
        ' <a href="https://library.example.org/guide/db/">own address</a> <a href="db/index.html#%E7%9F%A5%E7%BD%91">知网</a>',
    "db": '<h2 id="cnki">CNKI</h2><a name="pubmed"></a><p id="知网">知网</p><a href="../">home</a><a href="../#top">top</a>',
}


def test_a_sound_site_passes_and_other_hosts_are_not_links_to_check(tmp_path: Path) -> None:
    report = crawl_site.crawl(write_site(tmp_path, SOUND))
    assert report.broken == []
    assert report.pages == 2
    # home: db/, db/#cnki, #top, /guide/db/#pubmed, own address, 知网, css, canonical; db: home, top, css, canonical
    assert report.links == 12


def test_a_broken_link_and_a_broken_anchor_are_reported(tmp_path: Path) -> None:
    pages = {**SOUND, "db": SOUND["db"] + '<a href="../missing/">gone</a><a href="../#nowhere">x</a><img src="../assets/logo.png">'
                                          '<a href="../../../etc/passwd">out</a>'}
    report = crawl_site.crawl(write_site(tmp_path, pages))
    assert [str(b) for b in report.broken] == [
        "db/index.html: broken link (no file missing/index.html): ../missing/",
        "db/index.html: broken anchor (no id 'nowhere' in index.html): ../#nowhere",
        "db/index.html: broken link (no file assets/logo.png): ../assets/logo.png",
        "db/index.html: broken link (outside the site): ../../../etc/passwd",
    ]


def test_the_command_exits_1_listing_each_broken_link_and_2_without_a_site(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"": '<a href="a/#x">a</a>', "a": "<p>no anchor</p>"})
    proc = subprocess.run([sys.executable, str(SCRIPT), str(site)], capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 1
    assert "index.html: broken anchor (no id 'x' in a/index.html): a/#x" in proc.stdout
    assert "2 pages, 5 internal links checked, 1 broken" in proc.stdout
    proc = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "nothing")], capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 2 and "index.html not found" in proc.stderr


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scripts/bench_build.py's generated guide of 1,000 entries, built with the repository's mkdocs.yml."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_build
    finally:
        sys.path.pop(0)
    where = tmp_path_factory.mktemp("big")
    bench_build.generate(where / "guides", 1000)
    config = bench_build.projects(where, where / "guides", rendered=False)["openshelf"]
    site = where / "site"
    proc = mkdocs_build(config, site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return site


def test_a_1000_entry_guide_crawls_and_its_breakage_is_found(big_site: Path) -> None:
    start = time.perf_counter()
    report = crawl_site.crawl(big_site)
    print(f"crawl of a 1,000-entry guide: {report.pages} pages, {report.links} links, {time.perf_counter() - start:.1f} s")
    assert report.broken == []
    assert report.links > 5000  # every entry is linked from several pages (A-Z, tags, related)
    page = big_site / "c01" / "index.html"
    html = page.read_text(encoding="utf-8")
    try:
        page.write_text(html.replace("</body>", '<a href="../c02/#no-such-entry">x</a><a href="../c99/">y</a></body>'), encoding="utf-8")
        broken = [str(b) for b in crawl_site.crawl(big_site).broken]
    finally:
        page.write_text(html, encoding="utf-8")
    assert broken == ["c01/index.html: broken anchor (no id 'no-such-entry' in c02/index.html): ../c02/#no-such-entry",
                      "c01/index.html: broken link (no file c99/index.html): ../c99/"]
