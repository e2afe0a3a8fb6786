"""Where ``openshelf build`` may put the site, and replacing an earlier build there.

A site folder is refused, before anything is removed, when it is, contains or lies inside a
folder of sources (the docs folder, the guide, the staging folder), or when it is or contains the
configuration file's folder or the working directory (as MkDocs' own ``site_dir`` check does).
Replacing a build removes only the files a previous build wrote, as listed in the manifest it
left in the site folder; anything else in that folder (a ``CNAME``, notes) stays.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path

from openshelf.errors import BuildError

#: The list of files a build wrote, kept in the site folder for the next build.
MANIFEST = ".openshelf-manifest.json"


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_site_dir(site_dir: Path, sources: Iterable[tuple[str, Path]], roots: Iterable[tuple[str, Path]]) -> None:
    """Refuse a ``site_dir`` that is, contains or lies inside a source folder, or is or contains a root.

    ``sources`` and ``roots`` are (name, folder) pairs; the names appear in the message.
    """
    site = site_dir.resolve()
    for name, given in roots:
        folder = given.resolve()
        if _within(folder, site):
            raise BuildError(f"refusing to build the site into {site_dir}: it is or contains the {name} ({folder}); "
                             "choose a folder of its own, e.g. --site-dir site")
    for name, given in sources:
        folder = given.resolve()
        if _within(site, folder) or _within(folder, site):
            raise BuildError(f"refusing to build the site into {site_dir}: it would overlap the {name} ({folder}); "
                             "choose a folder of its own, e.g. --site-dir site")


def written_by_last_build(site_dir: Path) -> list[Path]:
    """The files the previous build listed in its manifest, those still inside ``site_dir``."""
    try:
        listed = json.loads((site_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    root = site_dir.resolve()
    paths = [(site_dir / name) for name in listed if isinstance(name, str)] if isinstance(listed, list) else []
    return [p for p in paths if root in p.resolve().parents]


def replace_site(built: Path, site_dir: Path) -> None:
    """Move the finished site in ``built`` to ``site_dir``, removing only what the previous build wrote."""
    if site_dir.exists() and not site_dir.is_dir():
        raise BuildError(f"{site_dir} exists and is not a folder")
    for path in written_by_last_build(site_dir):
        if path.is_file() or path.is_symlink():
            path.unlink()
        for parent in path.parents:  # folders the removal emptied; a folder with other files stays
            if parent == site_dir or not parent.is_dir() or any(parent.iterdir()):
                break
            parent.rmdir()
    files = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file())
    for name in files:
        target = site_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(built / name, target)
    (site_dir / MANIFEST).write_text(json.dumps(files, indent=0) + "\n", encoding="utf-8")
    shutil.rmtree(built)
