"""The service worker's cache version: a hash of the built site, written into ``sw.js`` after a build.

``assets/sw.js`` ships with ``var VERSION = "dev";``.  Once every other file of the site is
written (pages, search index, policy), :func:`stamp` replaces that value with a hash of them, so
a deploy that changes anything gives readers a new worker with a new cache name, and the worker
deletes the caches of older builds when it activates.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from openshelf.errors import BuildError

WORKER = "sw.js"
_VERSION = re.compile(r'^var VERSION = "[^"]*";$', re.MULTILINE)


def site_hash(site_dir: Path) -> str:
    """A short hash of every file in the site but the worker: names and contents, in a fixed order (their
    paths', folder by folder).  Listed by ``os.walk`` and read by ``open``: at 20,000 files (a large guide's
    search index) ``Path.rglob`` and ``Path.read_bytes`` took as long as reading and hashing."""
    names: list[str] = []  # strings, not a tuple or a list for each path: none for the cyclic collector to count
    for folder, _, files in os.walk(site_dir):
        where = Path(folder).relative_to(site_dir).as_posix()
        names += [name if where == "." else f"{where}/{name}" for name in files]
    digest = hashlib.sha256()
    for name in sorted(names, key=lambda name: name.replace("/", "\0")):  # "\0" sorts before any character of a name
        if name == WORKER:
            continue
        with open(os.path.join(site_dir, name), "rb") as file:
            digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(file.read()).digest())
    return digest.hexdigest()[:16]


def stamp(site_dir: Path) -> str:
    """Write the site's hash into its ``sw.js`` as the cache version; returns the version."""
    worker = site_dir / WORKER
    script = worker.read_text(encoding="utf-8")
    version = site_hash(site_dir)
    stamped, found = _VERSION.subn(f'var VERSION = "{version}";', script, count=1)
    if not found:
        raise BuildError(f"{worker}: no 'var VERSION = \"…\";' line to write the cache version into")
    worker.write_text(stamped, encoding="utf-8")
    return version
