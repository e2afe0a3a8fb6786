"""Helpers for the federation tests: small guides, their exports, and a subscribing guide's
``_sources.yml``, snapshots and lock written by hand (sha256 of the bytes), without any network."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import textwrap
from pathlib import Path

from openshelf.federation.exchange import Export, export_json, read_export
from openshelf.guide.load import load_guide
from support import write_guide

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def entry(entry_id: str, url: str | None, *, category: str = "databases", tags: tuple[str, ...] = (), title: str | None = None,
          kind: str = "resource", related: tuple[str, ...] = (), access: str = "free") -> str:
    """One entry of a collection file, as YAML lines (indented for ``entries:``)."""
    lines = [f"  - id: {entry_id}", f"    title: {{en: {title or entry_id.replace('-', ' ').title()}}}"]
    if kind != "resource":
        lines.append(f"    kind: {kind}")
    if url:
        lines.append(f"    url: {url}")
    lines += [f"    description: {{en: About {entry_id}.}}", f"    category: {category}", f"    access: {access}"]
    if tags:
        lines.append(f"    tags: [{', '.join(tags)}]")
    if related:
        lines.append(f"    related: [{', '.join(related)}]")
    return "\n".join(lines) + "\n"


def collection(collection_id: str, *entries: str, title: str | None = None, order: int = 1) -> str:
    return f"id: {collection_id}\ntitle: {{en: {title or collection_id.title()}}}\norder: {order}\nentries:\n" + "".join(entries)


def site(guide_id: str, *, categories: dict[str, str] | None = None, extra: str = "") -> str:
    cats = categories or {"databases": "Databases", "access": "Access"}
    return (f"title: {{en: {guide_id.title()} guide}}\nid: {guide_id}\npublisher: {{en: {guide_id.title()} library}}\n"
            "categories:\n" + "".join(f"  {k}: {{en: {v}}}\n" for k, v in cats.items()) + extra)


def export_bytes(root: Path, files: dict[str, str]) -> bytes:
    """Write a guide at ``root`` and return its export (format 2.0) as bytes."""
    guide, diagnostics = load_guide(write_guide(root, files))
    assert guide is not None, [d.format() for d in diagnostics]
    return export_json(guide, now=NOW).encode()


def export_of(root: Path, files: dict[str, str]) -> Export:
    return read_export(export_bytes(root, files), str(root))


def subscribe(guides: Path, snapshots: dict[str, bytes], sources_yml: str, *, lock: dict[str, str] | None = None) -> None:
    """Write ``_sources.yml`` (``sources_yml``, dedented), each snapshot and a lock holding their sha256
    (or, for a source named in ``lock``, that hash instead)."""
    (guides / "_sources.yml").write_text(textwrap.dedent(sources_yml), encoding="utf-8")
    folder = guides / "_sources"
    folder.mkdir(exist_ok=True)
    locked = {}
    for source_id, data in snapshots.items():
        (folder / f"{source_id}.json").write_bytes(data)
        locked[source_id] = {"url": f"https://{source_id}.example.org/downloads/openshelf.json",
                             "sha256": (lock or {}).get(source_id) or hashlib.sha256(data).hexdigest(),
                             "fetched": "2026-11-28T12:30:00Z", "etag": None, "last_modified": None,
                             "format_version": "2.1", "entries": sum(len(c["entries"]) for c in json.loads(data).get("collections", [])),
                             "updated": "2026-11-28T12:00:00Z"}
    (folder / "lock.json").write_text(json.dumps({"version": 1, "sources": locked}, indent=2) + "\n", encoding="utf-8")
