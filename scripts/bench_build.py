"""Time ``openshelf`` building a large generated guide against plain MkDocs + Material.

For each size (1,000 and 10,000 entries; ``--quick``: 200 and 1,000) the script generates a
guide of realistic bilingual entries (sentences, names and tags drawn from the default guide in
``guides/``, spread over 20 collections, so 20 entry pages), then builds it in the same run:

* **openshelf** — ``mkdocs build`` with the repository's ``mkdocs.yml``: the ``openshelf``
  plugin renders the pages in memory and writes BOTH editions (the Chinese one at the root, the
  English one under ``en/``), each with its own Pagefind index;
* **hand** — the baseline: the same entries written the way a librarian would by hand, one page
  per collection (20 pages), per entry a heading, the link and one line of description in each
  language, built by MkDocs + Material with stock Material search (``lang: [zh, en]``, jieba, the
  same separator and ``pipeline: []``);
* **rendered** (``--no-rendered`` leaves it out) — a diagnostic: the very Markdown ``openshelf``
  renders for its main edition, written out as ordinary pages and built like *hand*, i.e. what the
  weight of each rendered entry costs MkDocs, without the plugin and without Pagefind.

It prints build time, peak memory (the build process and its children, from ``wait4``), site
size, search-index size (raw and gzip) and the ratios to *hand*; then serves each site on 127.0.0.1
and measures search in headless Chromium (in each edition of *openshelf*: ``c01/`` and
``en/c01/``; Debian's chromium, as the tests use), three times with an
empty cache (medians count): the time from the page's load event until a query shows results,
the time from typing a query to the first result node (``performance.now()`` in the page; the
whole word at once, as an input method commits Chinese, and for ASCII words also key by key,
120 ms apart, timed from the last key), and
the bytes of search data the browser fetched (index, worker / Pagefind files) — raw and
gzip-compressed as a server would send them.

    .venv/bin/python scripts/bench_build.py [--quick] [--sizes 1000 10000] [--repeat 1] [--no-rendered]
                                            [--no-browser] [--browser-runs 3] [--keep DIR]

It asserts nothing: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from mkdocs.utils.yaml import yaml_load

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchtools
sys.path.insert(0, str(ROOT / "tests"))  # browser.py: Debian's chromium through Playwright

from benchtools import wait_measured  # noqa: E402

from openshelf.guide.load import load_guide  # noqa: E402
from openshelf.site.pipeline import default_nav, render_site  # noqa: E402

PAGES = 20
ZH_CHARS = ("华中国学科文献数据医药卫生健康图书馆期刊论文电子资源开放获取知识信息技术工程环境生物化学物理"
            "经济管理法律教育历史哲学艺术语言农业地质海洋能源材料计算网络安全统计心理社会城市交通")
SYLLABLES = ("ka", "lo", "mi", "ra", "ve", "to", "zu", "an", "el", "or", "qui", "sen", "dar", "bel", "nox", "fi", "pra", "lum")
#: Queries measured in the browser: Chinese words, English words and a generated alias.
QUERIES = ("知网", "文献传递", "PubMed", "Figshare", "VPN", "新冠", "开放获取", "journals")


# ------------------------------------------------------------------------------------ the guide

def _sentences(text: str | None, sep: str) -> list[str]:
    return [s.strip() + sep.strip() for s in (text or "").split(sep) if len(s.strip()) > 8]


def generate(root: Path, entries: int, seed: int = 1) -> None:
    """A valid guide of ``entries`` entries in ``PAGES`` collections, built from the default guide."""
    guide, diagnostics = load_guide(ROOT / "guides")
    if guide is None:
        raise SystemExit("the default guide in guides/ does not validate: " + "; ".join(d.format() for d in diagnostics))
    rnd = random.Random(seed)
    templates = guide.entries
    zh_pool = [s for e in templates for s in _sentences(e.description.zh, "。")]
    en_pool = [s for e in templates for s in _sentences(e.description.en, ". ")]
    site = yaml.safe_load((ROOT / "guides" / "_site.yml").read_text(encoding="utf-8"))
    site["announcement"] = None
    root.mkdir(parents=True, exist_ok=True)
    (root / "_site.yml").write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False), encoding="utf-8")
    per = -(-entries // PAGES)
    n = 0
    for page in range(PAGES):
        items: list[dict[str, Any]] = []
        for _ in range(min(per, entries - n)):
            t = templates[n % len(templates)]
            name_en = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()
            name_zh = "".join(rnd.choice(ZH_CHARS) for _ in range(rnd.randint(2, 4)))
            item: dict[str, Any] = {
                "id": f"{t.id}-{n}",
                "title": {k: f"{v} {name}" for k, v, name in (("zh", t.title.zh, name_zh), ("en", t.title.en, name_en)) if v},
                "aliases": [*t.aliases[:2], name_en.upper()[:6], name_zh],
                "url": f"https://{name_en.lower()}{n}.example.org/{t.id}/",
                "description": {
                    "zh": "".join(rnd.sample(zh_pool, 2)) + f"本条目编号 {n}，由{name_zh}提供。",
                    "en": " ".join(rnd.sample(en_pool, 2)) + f" Entry {n}, provided by {name_en}.",
                },
                "category": t.category,
                "tags": list(t.tags),
                "access": t.access,
                "status": t.status,
                "languages": list(t.languages),
            }
            if t.provider:
                item["provider"] = {k: v for k, v in (("zh", t.provider.zh), ("en", t.provider.en)) if v}
            for key in ("available_from", "available_until"):
                if getattr(t, key):
                    item[key] = getattr(t, key).isoformat()
            if items and n % 3 == 0:
                item["related"] = [items[-1]["id"]]
            items.append(item)
            n += 1
        collection = {"id": f"c{page + 1:02d}", "title": {"zh": f"栏目 {page + 1}", "en": f"Collection {page + 1}"},
                      "order": page + 1, "entries": items}
        (root / f"c{page + 1:02d}.yml").write_text(yaml.safe_dump(collection, allow_unicode=True, sort_keys=False), encoding="utf-8")


def hand_written(guides: Path, docs: Path) -> list[Any]:
    """The guide as a librarian writes it by hand: a page per collection, per entry a heading, the
    link and one line of description in each language; returns the navigation."""
    guide, diagnostics = load_guide(guides)
    if guide is None:
        raise SystemExit("the generated guide does not validate: " + "; ".join(d.format() for d in diagnostics))
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# 应急学术资源 · Emergency resources\n", encoding="utf-8")
    nav: list[Any] = ["index.md"]
    for collection in guide.collections:
        lines = [f"# {collection.title.zh} · {collection.title.en}", ""]
        for e in collection.entries:
            title = " · ".join(dict.fromkeys(filter(None, (e.title.zh, e.title.en))))
            lines += [f"### {title}", "", f"<{e.url}>", ""]
            for text in (e.description.zh, e.description.en):
                if text:
                    lines += [text.split("\n")[0], ""]
        (docs / f"{collection.id}.md").write_text("\n".join(lines), encoding="utf-8")
        nav.append(f"{collection.id}.md")
    return nav


def projects(where: Path, guides: Path, rendered: bool = True) -> dict[str, Path]:
    """The MkDocs projects: ``openshelf`` (the plugin, both editions), ``hand`` (the librarian's pages)
    and, with ``rendered``, ``rendered`` (the main edition's rendered Markdown in docs/)."""
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as f:
        base = yaml_load(f)  # MkDocs' loader: the file uses !ENV
    empty = where / "empty-docs"
    empty.mkdir(parents=True, exist_ok=True)

    ours = dict(base)
    ours["docs_dir"] = str(empty)
    ours["plugins"] = [{"openshelf": {**(p["openshelf"] or {}), "guides_dir": str(guides)}} if isinstance(p, dict) and "openshelf" in p
                       else p for p in base["plugins"]]

    stock = {k: v for k, v in base.items() if k not in ("plugins", "validation")}
    stock["plugins"] = [{"search": {"lang": ["zh", "en"], "separator": r'[\s\u200b\-_,:!=\[\]()"`/]+|\.(?!\d)|&[lg]t;', "pipeline": []}}]
    hand_docs = where / "hand-docs"
    hand = {**stock, "docs_dir": str(hand_docs), "nav": hand_written(guides, hand_docs)}
    configs: list[tuple[str, dict[str, Any]]] = [("openshelf", ours), ("hand", hand)]
    if rendered:
        pages, _ = render_site(guides, None, base.get("site_url"), editions=True)  # the main edition, as the plugin renders it
        assert pages is not None
        docs = where / "rendered-docs"
        for uri, text in [*pages.written.items(), *pages.files.items(), *((uri, "") for uri in pages.later)]:  # downloads: their places
            (docs / uri).parent.mkdir(parents=True, exist_ok=True)
            (docs / uri).write_text(text, encoding="utf-8")
        configs.append(("rendered", {**stock, "docs_dir": str(docs), "nav": default_nav(pages, docs)}))
    out = {}
    for name, config in configs:
        path = where / f"{name}.yml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        out[name] = path
    return out


# ------------------------------------------------------------------------------------ building

def build(config: Path, site: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (bytes) of ``mkdocs build``, the
    process and its children together (Pagefind runs beside the next edition's build).  CPU time
    is the steadier number on a shared machine."""
    shutil.rmtree(site, ignore_errors=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
                                env=env, stdout=subprocess.DEVNULL, stderr=err)
        status, cpu, peak_kb = wait_measured(proc)
        seconds = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"mkdocs build -f {config} failed:\n{stderr.decode(errors='replace')[-3000:]}")
    return seconds, cpu, peak_kb * 1024


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def gzip_size(data: bytes) -> int:
    return min(len(data), len(gzip.compress(data, 6)))


def search_files(site: Path) -> list[Path]:
    """What a search engine wrote into the site: Material's index, or Pagefind's bundle."""
    files = [site / "search" / "search_index.json"] if (site / "search" / "search_index.json").is_file() else []
    if (site / "pagefind").is_dir():
        files += [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    return files


# ------------------------------------------------------------------------------------ searching

SEARCH_DATA = re.compile(r"/search/search_index\.json|/workers/search\.|/pagefind/|/assets/openshelf/search")

READY_JS = """async (q) => {
  const load = performance.getEntriesByType('navigation')[0].loadEventEnd;
  const input = document.querySelector('input.md-search__input');
  input.focus();
  input.value = q;
  const fire = () => {
    input.dispatchEvent(new Event('input', {bubbles: true}));
    input.dispatchEvent(new KeyboardEvent('keyup', {key: 'End', bubbles: true}));
  };
  return await new Promise(resolve => {
    let tries = 0;
    fire();
    const check = () => {
      if (document.querySelector('.md-search-result__item')) return resolve(performance.now() - load);
      if (tries > 12000) return resolve(null);  // two minutes: give up
      if (++tries % 50 === 0) fire();  // again every 0.5 s, in case the first came too early
      setTimeout(check, 10);
    };
    check();
  });
}"""

# [query, typed]: typed ASCII arrives key by key, 120 ms apart (the clock starts at the last key);
# otherwise the whole word arrives at once, as an input method commits Chinese (or a paste).
QUERY_JS = """async ([q, typed]) => {
  const input = document.querySelector('input.md-search__input');
  const list = document.querySelector('.md-search-result__list');
  const key = (value, k) => {
    input.value = value;
    input.dispatchEvent(new Event('input', {bubbles: true}));
    input.dispatchEvent(new KeyboardEvent('keyup', {key: k, bubbles: true}));
  };
  key('', 'Backspace');
  await new Promise(r => setTimeout(r, 150));
  if (typed && /^[\x00-\x7f]+$/.test(q)) {
    for (let i = 1; i < q.length; i++) {
      key(q.slice(0, i), q[i - 1]);
      await new Promise(r => setTimeout(r, 120));
    }
  }
  list.replaceChildren();
  return await new Promise(resolve => {
    let t0;
    const seen = () => {
      if (list.querySelector('.md-search-result__item')) { observer.disconnect(); clearTimeout(timer); resolve(performance.now() - t0); }
    };
    const observer = new MutationObserver(seen);
    observer.observe(list, {childList: true, subtree: true});
    const timer = setTimeout(() => { observer.disconnect(); resolve(null); }, 10000);
    t0 = performance.now();
    key(q, q.slice(-1));
  });
}"""


def measure_search(site: Path, queries: tuple[str, ...] = QUERIES, runs: int = 3, page: str = "c01/") -> dict[str, Any]:
    """Search in Chromium, ``runs`` times, each in a fresh browser context (empty cache): the
    median time until search answers after load, and per query the median time to first results.
    Bytes are those of the first run."""
    from browser import browser, serve

    ready: list[float | None] = []
    latencies: dict[str, list[float | None]] = {q: [] for q in queries}
    typed: dict[str, list[float | None]] = {q: [] for q in queries if q.isascii()}
    result: dict[str, Any] = {}
    with serve(site) as base, browser() as chromium:
        for run in range(runs):
            context = chromium.new_context()
            tab = context.new_page()
            outside: list[str] = []
            responses: list[Any] = []
            # (the lists are bound as keyword-only defaults, which Playwright does not fill: each run's handlers fill its own lists)
            tab.route("**/*", lambda route, *, outside=outside: route.continue_()
                      if route.request.url.startswith((base, "data:", "blob:")) else (outside.append(route.request.url), route.abort()))
            tab.on("response", lambda r, *, responses=responses: responses.append(r) if SEARCH_DATA.search(r.url) else None)
            tab.goto(base + page, wait_until="load")
            ready.append(tab.evaluate(READY_JS, queries[0]))
            for q in queries:
                latencies[q].append(tab.evaluate(QUERY_JS, [q, False]))
            tab.wait_for_load_state("networkidle")
            if run == 0:
                raw = compressed = 0
                for r in responses:
                    try:
                        body = r.body()
                    except Exception:  # a redirect or an aborted response has no body
                        continue
                    raw += len(body)
                    compressed += gzip_size(body)
                result.update(requests=len(responses), bytes=raw, gzip_bytes=compressed, outside=outside)
            context.close()
            # typed, on a fresh page with an empty cache again (only 知网 searched first, to be ready)
            context = chromium.new_context()
            tab = context.new_page()
            tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith((base, "data:", "blob:")) else route.abort())
            tab.goto(base + page, wait_until="load")
            tab.evaluate(READY_JS, queries[0])
            for q, times in typed.items():
                times.append(tab.evaluate(QUERY_JS, [q, True]))
            context.close()
    result["ready_ms"] = _median(ready)
    result["latency_ms"] = {q: _median(v) for q, v in latencies.items()}
    result["typed_ms"] = {q: _median(v) for q, v in typed.items()}
    return result


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


# ------------------------------------------------------------------------------------ report

def mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


#: Where search is measured on each site: each edition of openshelf's, the one page set of the others.
SEARCH_PAGES = {"openshelf": {"zh": "c01/", "en": "en/c01/"}, "hand": {"": "c01/"}, "rendered": {"": "c01/"}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 and 1,000 entries instead of 1,000 and 10,000")
    parser.add_argument("--sizes", type=int, nargs="+", help="entry counts to generate")
    parser.add_argument("--repeat", type=int, default=1, help="builds of each; the fastest counts")
    parser.add_argument("--no-rendered", action="store_true", help="leave out the diagnostic build of openshelf's rendered Markdown")
    parser.add_argument("--no-browser", action="store_true", help="skip the search measurements in Chromium")
    parser.add_argument("--browser-runs", type=int, default=3, help="search measurements per site (fresh cache each); medians count")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    sizes = args.sizes or ([200, 1000] if args.quick else [1000, 10_000])

    import material
    import mkdocs

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    material_version = getattr(material, "__version__", "")
    print(f"{platform.node()}: {os.cpu_count()} CPUs, {memory_gib:.0f} GiB, Python {platform.python_version()}, "
          f"MkDocs {mkdocs.__version__}, Material {material_version} — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average {os.getloadavg()[0]:.2f}")
    work = args.keep or Path(tempfile.mkdtemp(prefix="openshelf-bench-build-"))
    names = ("openshelf", "hand") if args.no_rendered else ("openshelf", "hand", "rendered")
    rows = []
    try:
        for size in sizes:
            where = work / f"n{size}"
            shutil.rmtree(where, ignore_errors=True)
            generate(where / "guides", size)
            configs = projects(where, where / "guides", rendered=not args.no_rendered)
            row: dict[str, Any] = {"entries": size}
            runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in names}
            for _ in range(args.repeat):  # interleaved, so a busy moment hits both alike
                for name in names:
                    runs[name].append(build(configs[name], where / f"site-{name}"))
            for name in names:
                site = where / f"site-{name}"
                seconds = min(r[0] for r in runs[name])
                cpu = min(r[1] for r in runs[name])
                peak = max(r[2] for r in runs[name])
                index = search_files(site) + (search_files(site / "en") if name == "openshelf" else [])
                row[name] = {
                    "seconds": seconds, "cpu": cpu, "peak": peak, "site": tree_size(site),
                    "index": sum(p.stat().st_size for p in index),
                    "index_gzip": sum(gzip_size(p.read_bytes()) for p in index),
                    "search": {},
                }
                print(f"  {size:>6,} entries  {name:9} built in {seconds:6.1f} s ({cpu:.1f} s CPU), peak {peak / 2**20:.0f} MiB", flush=True)
                if not args.no_browser:
                    for edition, page in SEARCH_PAGES[name].items():
                        found = measure_search(site, runs=args.browser_runs, page=page)
                        row[name]["search"][edition] = found
                        print(f"  {size:>6,} entries  {(name + ' ' + edition).strip():12} search ready {_ms(found['ready_ms'])} ms after load",
                              flush=True)
            rows.append(row)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print("| entries | build | time (CPU) | peak memory | site | search files (gzip) |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        for name in names:
            r = row[name]
            print(f"| {row['entries']:,} | {name}{' (both editions)' if name == 'openshelf' else ''} | {r['seconds']:.1f} s ({r['cpu']:.1f} s) "
                  f"| {r['peak'] / 2**20:.0f} MiB | {mb(r['site'])} | {mb(r['index'])} ({mb(r['index_gzip'])}) |")
    if not args.no_browser:
        print()
        print("| entries | site | edition | ready after load | first results (median / max) | search data fetched (gzip) |")
        print("| ---: | --- | --- | ---: | ---: | ---: |")
        for row in rows:
            for name in names:
                for edition, r in row[name]["search"].items():
                    lat = [v for v in r["latency_ms"].values() if v is not None]
                    missing = sum(v is None for v in r["latency_ms"].values())
                    lat_text = f"{statistics.median(lat):.0f} / {max(lat):.0f} ms" if lat else "—"
                    if missing:
                        lat_text += f" ({missing} without results)"
                    outside = f" {len(r['outside'])} OUTSIDE" if r["outside"] else ""
                    print(f"| {row['entries']:,} | {name} | {edition or '—'} | {_ms(r['ready_ms'])} ms | {lat_text} "
                          f"| {mb(r['bytes'])} ({mb(r['gzip_bytes'])}, {r['requests']} requests){outside} |")
    print()
    for row in rows:
        o, h = row["openshelf"], row["hand"]
        print(f"{row['entries']:,} entries: openshelf (both editions) / hand = time {o['seconds'] / h['seconds']:.2f} "
              f"(CPU {o['cpu'] / h['cpu']:.2f}), peak memory {o['peak'] / h['peak']:.2f} ({o['peak'] / 2**20:.0f} MiB), "
              f"site {o['site'] / h['site']:.2f}, search files {o['index'] / max(h['index'], 1):.2f} "
              f"(gzip {o['index_gzip'] / max(h['index_gzip'], 1):.2f})")
        if "rendered" in row:
            r = row["rendered"]
            print(f"  rendered (main edition's Markdown, no plugin, no Pagefind) / hand = time {r['seconds'] / h['seconds']:.2f} "
                  f"(CPU {r['cpu'] / h['cpu']:.2f}); openshelf / rendered = time {o['seconds'] / r['seconds']:.2f}")
        for edition, s in o["search"].items():
            base = h["search"].get("", {})
            print(f"  first results per query, openshelf {edition} vs hand (ms): "
                  + ", ".join(f"{q} {_ms(s['latency_ms'][q])}/{_ms(base.get('latency_ms', {}).get(q))}" for q in s["latency_ms"]))
            print(f"  typed key by key, from the last key, openshelf {edition} vs hand (ms): "
                  + ", ".join(f"{q} {_ms(s['typed_ms'][q])}/{_ms(base.get('typed_ms', {}).get(q))}" for q in s["typed_ms"]))
    return 0


def _ms(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f}"


if __name__ == "__main__":
    sys.exit(main())
