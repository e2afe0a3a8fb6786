"""Time ``openshelf validate`` on a generated 20,000-entry guide (about 7 MB).

For comparison the same run times PyYAML alone on the same files: its pure-Python loader
(``yaml.load`` with ``SafeLoader``) and its libyaml-backed loader (``CSafeLoader``).  Those only
parse; ``openshelf validate`` also records positions, validates with pydantic and cross-checks.

    .venv/bin/python scripts/bench_validate.py [--entries 20000] [--repeat 1] [--keep DIR]

Prints the times and the ratios; it asserts nothing (the test suite runs it small, as a smoke test).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

SITE = """\
title: {zh: 基准, en: Benchmark}
categories:
  databases: {zh: 数据库, en: Databases}
  access: {zh: 访问, en: Access}
  services: {zh: 服务, en: Services}
"""

ENTRY = """\
  - id: {id}
    title: {{zh: 资源 {n} 号, en: Resource {n}}}
    aliases: [R{n}]
    url: https://r{n}.example.org/
    description:
      zh: 第 {n} 个资源：免费数据库。
      en: A free academic database.
    category: {category}
    tags: [covid-19, t{tag}]
    access: {access}
    last_verified: 2020-03-{day:02d}
    related: [{related}]
"""

ACCESS = ("free", "free-with-registration", "temporarily-free", "institutional", "paid")
CATEGORIES = ("databases", "access", "services")


def generate(root: Path, entries: int, files: int = 4) -> list[Path]:
    """A valid guide of ``entries`` entries spread over ``files`` collection files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_site.yml").write_text(SITE, encoding="utf-8")
    per = -(-entries // files)
    paths = [root / "_site.yml"]
    n = 0
    for f in range(files):
        name = f"c{f + 1}"
        chunks = [f"id: {name}\ntitle: {{zh: 集合 {f + 1}, en: Collection {f + 1}}}\norder: {f + 1}\nentries:\n"]
        for _ in range(min(per, entries - n)):
            chunks.append(ENTRY.format(id=f"r{n}", n=n, category=CATEGORIES[n % 3], tag=n % 50, access=ACCESS[n % 5],
                                       day=n % 28 + 1, related=f"r{(n + 1) % entries}"))
            n += 1
        path = root / f"{name}.yml"
        path.write_text("".join(chunks), encoding="utf-8")
        paths.append(path)
    return paths


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best time counts")
    parser.add_argument("--keep", type=Path, help="write the guide here and keep it")
    parser.add_argument("--skip-pure", action="store_true", help="skip PyYAML's slow pure-Python loader")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="openshelf-bench-"))
    root = args.keep or tmp / "guides"
    try:
        paths = generate(root, args.entries)
        size = sum(p.stat().st_size for p in paths)
        exe = Path(sys.executable).with_name("openshelf")
        command = [str(exe)] if exe.exists() else [sys.executable, "-m", "openshelf"]

        def validate() -> None:
            result = subprocess.run([*command, "validate", str(root)], capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise SystemExit(f"openshelf validate failed:\n{result.stderr[-2000:]}")

        def loader(cls: type) -> None:
            for p in paths:
                yaml.load(p.read_text(encoding="utf-8"), Loader=cls)  # SafeLoader / CSafeLoader only

        results = {"openshelf validate (subprocess)": min(timed(validate) for _ in range(args.repeat))}
        if getattr(yaml, "CSafeLoader", None):
            results["PyYAML CSafeLoader (libyaml)"] = min(timed(lambda: loader(yaml.CSafeLoader)) for _ in range(args.repeat))
        if not args.skip_pure:
            results["PyYAML SafeLoader (pure Python)"] = min(timed(lambda: loader(yaml.SafeLoader)) for _ in range(args.repeat))
        ours = results["openshelf validate (subprocess)"]
        print(f"{args.entries:,} entries in {len(paths)} files, {size / 1e6:.1f} MB")
        for name, seconds in results.items():
            print(f"  {name:34} {seconds:7.2f} s   openshelf/this = {ours / seconds:5.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
