"""Time a consortium: many member guides served on 127.0.0.1, subscribed, updated, merged and built.

The work (defaults: 50 members of 400 entries, 60 % of each member's entries shared with other
members): a pool of shared resources and each member's own are drawn from one generated guide
(``bench_build.generate``: realistic bilingual entries made from the default guide). Each member is
exported in the interchange format and served by a local HTTP server; the consortium guide
subscribes to all of them (``consortium: true``, no entries of its own). In the same run:

* **sources update** — ``openshelf sources update`` fetching all members (through the address
  guard, ``allow_hosts`` naming the local server) and writing snapshots and the lock;
* **merge** — loading the consortium guide: snapshots checked against the lock, merged into one
  guide (``federation.assemble.load_federated``), in a fresh process;
* **build** — ``mkdocs build`` of the consortium, against ``mkdocs build`` of **single**: the same
  unique entries written as one local guide (no subscriptions), the plain equivalent.

It prints wall and CPU seconds and peak memory (the process and its children together, sampled over the
process tree: ``benchtools.wait_measured``, as ``bench_build.py`` measures) for
each, the ratio consortium/single, and the issue's targets beside them (update < 10 s, merge < 5 s,
consortium build ≤ 1.2 × single, peak < 1 GB). It asserts nothing: the numbers depend on the machine;
say the load (printed from ``os.getloadavg``) with them.

    .venv/bin/python scripts/bench_federation.py [--members 50] [--entries 400] [--overlap 0.6] [--keep DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import http.server
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml
from mkdocs.utils.yaml import yaml_load

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_build import generate  # noqa: E402
from benchtools import wait_measured  # noqa: E402

from openshelf.federation.exchange import export_json  # noqa: E402
from openshelf.guide.load import Guide, load_guide  # noqa: E402

BIN = Path(sys.executable).parent


@dataclasses.dataclass
class Run:
    wall: float
    cpu: float
    peak: int
    stdout: str = dataclasses.field(default="", repr=False)


def run(*argv: str, cwd: Path | None = None) -> Run:
    """Wall, CPU (user + system, the process and its children) and peak RSS of one command, with its output."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err)
        status, cpu, peak_kb = wait_measured(proc)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{stderr[-3000:]}")
    return Run(wall, cpu, peak_kb * 1024, stdout)


# ------------------------------------------------------------------------------------ the work

def members(universe: Guide, count: int, per_member: int, overlap: float, seed: int = 7) -> list[Guide]:
    """``count`` member guides of ``per_member`` entries each; ``overlap`` of each member's entries
    come from a shared pool (so several members list them), the rest are the member's own."""
    rnd = random.Random(seed)
    entries = universe.entries
    shared_per = round(per_member * overlap)
    own_per = per_member - shared_per
    pool_size = len(entries) - count * own_per
    if pool_size < shared_per:
        raise SystemExit(f"the generated guide has {len(entries)} entries: too few for {count} members")
    pool, own = entries[:pool_size], entries[pool_size:]
    out = []
    for m in range(count):
        chosen = {e.id for e in rnd.sample(pool, shared_per)} | {e.id for e in own[m * own_per:(m + 1) * own_per]}
        collections = [c.model_copy(update={"entries": [e for e in c.entries if e.id in chosen]}) for c in universe.collections]
        ids = {e.id for c in collections for e in c.entries}
        # related ids must stay inside the member's guide
        collections = [c.model_copy(update={"entries": [e.model_copy(update={"related": [r for r in e.related if r in ids]})
                                                        for e in c.entries]}) for c in collections]
        site = universe.site.model_copy(update={"id": f"member-{m + 1:02d}", "title": universe.site.title.model_copy(
            update={"zh": f"成员馆 {m + 1}", "en": f"Member library {m + 1}"})})
        out.append(Guide(site, [c for c in collections if c.entries]))
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # `format`: the base class's parameter name
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, int]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def consortium(root: Path, universe_site: Path, port: int, count: int) -> None:
    site = yaml.safe_load(universe_site.read_text(encoding="utf-8"))
    site.update(id="consortium", consortium=True, title={"zh": "联盟指南", "en": "Consortium guide"})
    root.mkdir(parents=True)
    (root / "_site.yml").write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False), encoding="utf-8")
    sources = [{"id": f"member-{m + 1:02d}", "url": f"http://127.0.0.1:{port}/member-{m + 1:02d}.json",
                "allow_hosts": [f"127.0.0.1:{port}"]} for m in range(count)]
    (root / "_sources.yml").write_text(yaml.safe_dump({"sources": sources}, sort_keys=False), encoding="utf-8")


def mkdocs_config(where: Path, guides: Path, name: str) -> Path:
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as f:
        base: dict[str, Any] = yaml_load(f)
    empty = where / "empty-docs"
    empty.mkdir(parents=True, exist_ok=True)
    base["docs_dir"] = str(empty)
    base["plugins"] = [{"openshelf": {**(p["openshelf"] or {}), "guides_dir": str(guides)}} if isinstance(p, dict) and "openshelf" in p
                       else p for p in base["plugins"]]
    path = where / f"{name}.yml"
    path.write_text(yaml.safe_dump(base, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


MERGE = """
import sys, time
from pathlib import Path
from openshelf.federation.assemble import load_federated
start = time.perf_counter()
guide, diagnostics = load_federated(Path(sys.argv[1]))
if guide is None:
    sys.exit("\\n".join(d.format() for d in diagnostics))
print(len(guide.entries), len(guide.sources), time.perf_counter() - start)
"""


def mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--entries", type=int, default=400, help="entries per member")
    parser.add_argument("--overlap", type=float, default=0.6, help="share of each member's entries also listed by others")
    parser.add_argument("--pool", type=int, default=1000, help="size of the shared pool")
    parser.add_argument("--keep", type=Path, help="keep the work folder here")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-federation-"))
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
    own = args.entries - round(args.entries * args.overlap)
    universe_dir = work / "single"  # the plain equivalent: every unique entry as one local guide
    generate(universe_dir, args.pool + args.members * own)
    universe, diagnostics = load_guide(universe_dir)
    if universe is None:
        raise SystemExit("; ".join(d.format() for d in diagnostics))
    served = work / "served"
    served.mkdir()
    guides = members(universe, args.members, args.entries, args.overlap)
    for guide in guides:
        (served / f"{guide.site.id}.json").write_text(export_json(guide), encoding="utf-8")
    listed = {e.id for g in guides for e in g.entries}
    # the single guide holds exactly the entries some member lists
    for path in universe_dir.glob("c*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["entries"] = [e for e in data["entries"] if e["id"] in listed]
        for e in data["entries"]:
            e["related"] = [r for r in e.get("related", []) if r in listed]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    server, port = serve(served)
    try:
        consortium(work / "consortium", universe_dir / "_site.yml", port, args.members)
        update = run(str(BIN / "openshelf"), "sources", "update", "--guides", str(work / "consortium"))
    finally:
        server.shutdown()
    merge = run(sys.executable, "-c", MERGE, str(work / "consortium"))
    single_load = run(sys.executable, "-c", MERGE, str(universe_dir))
    builds = {}
    for name, guide_dir in (("consortium", work / "consortium"), ("single", universe_dir)):
        config = mkdocs_config(work, guide_dir, name)
        builds[name] = run(sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(work / f"site-{name}"))
    merged, sources, merge_seconds = merge.stdout.split()
    if int(merged) != len(listed) or int(sources) != args.members:
        raise SystemExit(f"the consortium merged {merged} entries from {sources} sources; expected {len(listed)} from {args.members}")
    ratio = builds["consortium"].wall / builds["single"].wall
    cpu_ratio = builds["consortium"].cpu / builds["single"].cpu

    load = os.getloadavg()
    print(f"# bench_federation: {args.members} members x {args.entries} entries, {args.overlap:.0%} shared; "
          f"{len(listed):,} unique entries, {sum(len(g.entries) for g in guides):,} listed; "
          f"export {sum(p.stat().st_size for p in served.iterdir()) / 1e6:,.1f} MB in all")
    print(f"# load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    print(f"{'step':<28}{'wall s':>9}{'cpu s':>9}{'peak':>10}  target")
    rows = [("sources update", update, "wall < 10 s"), ("merge (load consortium)", merge, "wall < 5 s"),
            ("load single guide", single_load, ""), ("build consortium", builds["consortium"], "<= 1.2 x single"),
            ("build single (plain equiv.)", builds["single"], "")]
    for name, r, target in rows:
        print(f"{name:<28}{r.wall:>9.2f}{r.cpu:>9.2f}{mb(r.peak):>10}  {target}")
    print(f"merge inside the process (load, check the lock, merge; without Python's start-up): {float(merge_seconds):.2f} s "
          f"for {merged} entries from {sources} members")
    print(f"consortium / single build: wall {ratio:.2f}x, cpu {cpu_ratio:.2f}x (target <= 1.2x); "
          f"peak memory {mb(max(r.peak for _, r, _ in rows))} (target < 1 GB)")
    steps = {name: {"wall": r.wall, "cpu": r.cpu, "peak": r.peak} for name, r, _ in rows}
    print(json.dumps({"members": args.members, "entries": args.entries, "overlap": args.overlap, "unique": len(listed),
                      "load": load, "merge_in_process": float(merge_seconds), **steps, "build_ratio": ratio}))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
