"""Merge a guide with the entries it subscribes to and its local overlays: one guide, one entry per
resource, each saying where it comes from and which guides list it.  Pure: no I/O.

- Identity: a resource is its url after :func:`~openshelf.guide.urls.normalise_url`; a how-to (each
  library runs it at its own address) is its id, but one that comes with an address another entry
  of that id lacks or differs from is kept apart (one id with two urls), so no member's address is
  lost; an entry that ``shares_url_with`` another is its url and its id, and a source's entry with the id and
  url of one already merged is that entry, whether or not this source lists the other entry at the address too.
- The same resource from the guide's own files and its sources becomes one entry: the guide's own
  wins, else the first source in ``_sources.yml`` order; ``listed_by`` names every guide that lists it.
- A subscribed entry goes to the guide's collection of the same id, or to a collection made from
  the source's; categories the guide lacks come from the source.
- Conflicts are warnings naming both origins: one id with two urls (the later is kept as
  ``<source-id>-<id>``; for a how-to, each library's own address for one service, that is expected: no
  warning, and each copy is marked ``distinct_from`` the others), one url under two ids (merged under the first id), an overlay written
  against an older revision of its entry, an overlay naming no entry.
- Overlays add a local note, change access, category, tags or (for a how-to) the url, record entries
  a person has checked are different resources (``distinct_from``, ids as this site shows them), or
  hide the entry: a hidden entry is removed, and so are the references to it.  Hiding a source's id
  that was merged into an entry under another id is an error (it would hide that entry for every
  guide that lists it): the source's ``exclude`` leaves out only its listing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from openshelf.federation.exchange import ENTRY_FIELDS, Export
from openshelf.federation.exchange import Collection as ExportCollection
from openshelf.federation.exchange import Entry as ExportEntry
from openshelf.federation.overlays import OVERRIDES, PlacedOverlay
from openshelf.federation.select import select
from openshelf.federation.snapshots import Snapshot
from openshelf.guide.checks import cross_checks
from openshelf.guide.diagnostics import Diagnostic, Location
from openshelf.guide.load import Guide
from openshelf.guide.messages import with_field
from openshelf.guide.models import RESERVED_PAGES, SITE_FILE, Collection, Entry, Text
from openshelf.guide.provenance import Origin, SourceHealth, SourceInfo
from openshelf.guide.urls import normalise_url

#: Fields that name other entries by id: a reference to an entry this site does not show is dropped.
ID_LISTS = ("related", "distinct_from")
MAX_ID = 64


def identity(entry: Entry) -> tuple[str, ...]:
    """What makes two entries the same resource."""
    if entry.kind == "how-to" or entry.url is None:
        return ("how-to", entry.id)
    if entry.shares_url_with:
        return ("url", normalise_url(entry.url), entry.id)
    return ("url", normalise_url(entry.url))


@dataclass
class _Slot:
    """One entry of the merged guide while it is being made."""

    entry: Entry
    collection: str
    guide: str
    source: Snapshot | None = None
    listed_by: list[str] = field(default_factory=list)
    revision: str | None = None
    health: SourceHealth | None = None
    file: str | None = None
    line: int | None = None
    hidden: bool = False

    def names(self) -> str:
        """How a message names it: the guide's own entry (the message stands at its line), or the source and its entry id."""
        if self.source is None:
            return f"this guide's entry '{self.entry.id}'"
        return f"entry '{self.entry.id}' of source '{self.source.source.id}'"

    def listed(self, guides: Iterable[str]) -> None:
        self.listed_by += [g for g in guides if g not in self.listed_by]


def _same_address(kept: Entry, item: Entry) -> bool:
    """Whether merging ``item`` (a how-to merged by its id) into ``kept`` loses no address: it has none, or the same."""
    if item.url is None:
        return True
    return kept.url is not None and normalise_url(kept.url) == normalise_url(item.url)


def _same_url(kept: Entry, item: Entry) -> bool:
    """Whether two resources (not how-tos, which are merged by id) have the same address."""
    return "how-to" not in (kept.kind, item.kind) and item.url is not None and _same_address(kept, item)


def _with_url(entry: Entry) -> str:
    return f"with url {entry.url}" if entry.url else "without a url"


def _health(entry: ExportEntry, source: str) -> SourceHealth | None:
    h = entry.link_health
    return SourceHealth(h.verdict, h.checked, h.status, h.last_ok, by=source) if h is not None else None


def latest(kept: SourceHealth | None, other: SourceHealth | None) -> SourceHealth | None:
    """Of two sources' reports on one resource's link, the later check (``kept`` when as late, or when ``other`` has no
    date): a member that found the link broken yesterday is not hidden behind another's check of last week."""
    if other is None or other.checked is None:
        return kept
    if kept is None or kept.checked is None or other.checked > kept.checked:
        return other
    return kept


def _listed_by(entry: ExportEntry, exporter: str) -> list[str]:
    """The guides that list an export's entry, its maintaining guide first: those its provenance names,
    and the exporting guide (which shows it, whether it maintains it or subscribes to it)."""
    return list(dict.fromkeys([entry.provenance.guide, *entry.provenance.listed_by, exporter]))


class _Merger:
    def __init__(self, guide: Guide) -> None:
        self.local = guide.site.id or "guide"
        self.site = guide.site
        self.diagnostics: list[Diagnostic] = []
        self.slots: list[_Slot] = []
        self.by_key: dict[tuple[str, ...], _Slot] = {}
        self.by_id: dict[str, _Slot] = {}
        self.collections: dict[str, Collection] = {c.id: c for c in guide.collections}
        self.categories: dict[str, Text] = dict(guide.site.categories)
        self.offered: dict[str, Text] = {}  # categories the sources define, for entries and overlays that use them
        self.tag_labels: dict[str, Text] = {}  # tag labels the sources give, for tags the guide does not label
        #: Per source: its entry id → the id this site shows the entry under.
        self.renamed: dict[str, dict[str, str]] = {}
        #: A how-to id kept at several members' addresses → the ids it is shown under (see add).
        self.how_tos: dict[str, list[str]] = {}
        #: Overlays with a distinct_from, and their entries: resolved once every entry is known (and which are hidden).
        self.distinct: list[tuple[_Slot, PlacedOverlay]] = []
        for collection in guide.collections:
            for entry in collection.entries:
                where = entry.where()
                self._add(identity(entry), _Slot(entry, collection.id, self.local, listed_by=[self.local], file=where.path or None,
                                                 line=where.line or None))

    def _add(self, key: tuple[str, ...], slot: _Slot) -> None:
        self.slots.append(slot)
        self.by_key.setdefault(key, slot)
        self.by_id.setdefault(slot.entry.id, slot)

    def warn(self, at: Location, message: str, entry: str | None, code: str, field_name: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(at, message, entry=entry, field=field_name, severity="warning", code=code))

    def subscribe(self, snapshot: Snapshot) -> None:
        source = snapshot.source
        renamed = self.renamed.setdefault(source.id, {})
        exporter = snapshot.export.guide.id
        home = {id(e): c for c in snapshot.export.collections for e in c.entries}
        for category, label in snapshot.export.categories.items():
            self.offered.setdefault(category, label)
        for tag, label in snapshot.export.tags.items():
            self.tag_labels.setdefault(tag, label)
        for item in select(source, snapshot.export):
            key = identity(item)
            same = self.by_key.get(key)
            twin = self.by_id.get(item.id)
            if twin is not None and twin is not same and _same_url(twin.entry, item):
                same = twin  # the same id at the same address, where another entry shares that address (shares_url_with)
            if same is not None and not _same_address(same.entry, item):
                same = None  # a how-to with an address of its own: kept apart below, as one id with two urls
            if same is not None:
                same.listed(_listed_by(item, exporter))
                same.health = latest(same.health, _health(item, source.id))
                renamed[item.id] = same.entry.id
                if same.entry.id != item.id:
                    self.warn(self._place(same, snapshot), f"source '{source.id}' lists entry '{item.id}' with the url {item.url}, "
                              f"which is also {same.names()}: merged as '{same.entry.id}' (ids differ: one of the guides may want to "
                              "rename its entry)", same.entry.id, "conflict-url", "url")
                continue
            if item.id in self.by_id:
                other = self.by_id[item.id]
                new_id = self._free_id(f"{source.id}-{item.id}")
                if item.kind == other.entry.kind == "how-to":
                    # One how-to (document delivery, campus VPN) at each member's own address: what a how-to is, not a
                    # conflict. Each is kept, and marked different from its twins (_twins: their titles are alike).
                    self.how_tos.setdefault(item.id, [item.id]).append(new_id)
                else:
                    self.warn(self._place(other, snapshot), f"source '{source.id}' lists entry '{item.id}' {_with_url(item)}, but "
                              f"'{item.id}' is also {other.names()} {_with_url(other.entry)}: the source's entry is shown as "
                              f"'{new_id}' (to leave it out, add '{item.id}' to the source's exclude)", item.id, "conflict-id", "id")
                entry = Entry.model_validate({**item.model_dump(include=set(ENTRY_FIELDS)), "id": new_id})
            else:
                entry = item.guide_entry()
            renamed[item.id] = entry.id
            collection = self._collection_for(home[id(item)], snapshot)
            entry.locate(collection, snapshot.file, snapshot.where(item.id))
            self._add(key, _Slot(entry, collection, item.provenance.guide, snapshot, _listed_by(item, exporter), item.revision,
                                 _health(item, source.id), item.provenance.file, item.provenance.line))

    def _place(self, other: _Slot, snapshot: Snapshot) -> Location:
        """Where a conflict is reported: on the guide's own entry when one side is local, else at the later source."""
        return other.entry.where("url" if other.entry.url else "id") if other.source is None else snapshot.at

    def _free_id(self, wanted: str) -> str:
        base = wanted[:MAX_ID].rstrip("-")
        candidate, n = base, 2
        while candidate in self.by_id:
            suffix = f"-{n}"
            candidate = base[:MAX_ID - len(suffix)].rstrip("-") + suffix
            n += 1
        return candidate

    def _collection_for(self, source_collection: ExportCollection, snapshot: Snapshot) -> str:
        if source_collection.id not in self.collections:
            if source_collection.id in RESERVED_PAGES:
                self.diagnostics.append(Diagnostic(snapshot.at, f"source '{snapshot.source.id}': collection '{source_collection.id}' has "
                                                   "the name of a page the site makes: leave it out with 'collections:' (the ones to take)",
                                                   field="collections", code="invalid"))
            self.collections[source_collection.id] = Collection.model_validate({
                "id": source_collection.id, "title": source_collection.title, "description": source_collection.description,
                "order": source_collection.order})
        return source_collection.id

    def apply(self, placed: PlacedOverlay, notes: dict[str, Text]) -> None:
        overlay = placed.overlay
        slot = self.by_id.get(overlay.id)
        merged_from = None  # the source whose entry of this id is shown under another id
        if slot is None:  # a source's id for an entry shown under another (merged with another guide's, or renamed)
            merged_from = next((source_id for source_id, r in self.renamed.items() if overlay.id in r), None)
            slot = self.by_id[self.renamed[merged_from][overlay.id]] if merged_from is not None else None
        if slot is None or slot.hidden:
            self.warn(placed.where("id"), f"overlay: no entry '{overlay.id}' on this site (neither in the guide nor among the "
                      "entries its sources give): remove the overlay, or check the id", overlay.id, "unknown-id", "id")
            return
        if overlay.revision and slot.revision and overlay.revision != slot.revision:
            self.warn(placed.where("revision"), f"changed upstream since this note was written: {slot.names()} is now revision "
                      f"{slot.revision}, the overlay was written against {overlay.revision}; check the overlay, then set "
                      f"'revision: {slot.revision}'", overlay.id, "changed-upstream", "revision")
        if overlay.hide and merged_from is not None:
            self.diagnostics.append(Diagnostic(placed.where("hide"), f"hide: '{overlay.id}' of source '{merged_from}' is merged into "
                                               f"entry '{slot.entry.id}' (the same url; listed by {', '.join(slot.listed_by)}): hiding it "
                                               f"would hide '{slot.entry.id}' for every guide that lists it. To leave out only source "
                                               f"'{merged_from}''s listing, add '{overlay.id}' to its exclude in guides/_sources.yml; to hide "
                                               f"the resource, write the overlay for '{slot.entry.id}'", entry=overlay.id, field="hide"))
            return
        if overlay.hide:
            slot.hidden = True
            return
        if overlay.distinct_from:
            self.distinct.append((slot, placed))
        if overlay.note is not None:
            notes[slot.entry.id] = overlay.note
        changes = {name: getattr(overlay, name) for name in OVERRIDES if getattr(overlay, name) is not None}
        if not changes or not self._overrides_ok(placed, slot, changes):
            return
        try:
            changed = Entry.model_validate({**slot.entry.model_dump(), **changes})
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                name = str(error["loc"][0]) if error["loc"] else ""
                self.diagnostics.append(Diagnostic(placed.where(name or None), with_field(name, error), entry=overlay.id,
                                                   field=name or None))
            return
        where = slot.entry.where()
        changed.locate(slot.collection, where.path, _Moved(slot.entry))
        slot.entry = changed

    def _overrides_ok(self, placed: PlacedOverlay, slot: _Slot, changes: dict[str, object]) -> bool:
        ok = True
        category = changes.get("category")
        if isinstance(category, str) and category not in self.categories and category not in self.offered:
            known = ", ".join([*self.categories, *(k for k in self.offered if k not in self.categories)])
            self.diagnostics.append(Diagnostic(placed.where("category"), f"category '{category}' is not defined in {SITE_FILE} nor by "
                                               f"a source (known: {known})", entry=placed.overlay.id, field="category",
                                               code="unknown-category"))
            ok = False
        if "url" in changes and slot.entry.kind != "how-to":
            self.diagnostics.append(Diagnostic(placed.where("url"), f"url: only a kind: how-to entry takes this library's own address; "
                                               f"{slot.names()} is a resource with its own url", entry=placed.overlay.id, field="url"))
            ok = False
        return ok

    def finish(self, notes: dict[str, Text], snapshots: Sequence[Snapshot]) -> Guide:
        shown = [s for s in self.slots if not s.hidden]
        ids = {s.entry.id for s in shown}
        for slot in shown:
            slot.entry = self._prune(slot, ids)
        for slot, placed in self.distinct:
            if not slot.hidden:
                self._distinct(slot, placed, ids)
        self._twins(ids)
        used = {s.entry.category for s in shown}
        categories = dict(self.categories)
        categories.update((k, v) for k, v in self.offered.items() if k in used and k not in categories)
        used_tags = {t for s in shown for t in s.entry.tags}
        tags = {**{k: v for k, v in self.tag_labels.items() if k in used_tags}, **self.site.tags}
        site = self.site if (categories, tags) == (self.site.categories, self.site.tags) else \
            self.site.model_copy(update={"categories": categories, "tags": tags})  # keeps where _site.yml's values are
        members: dict[str, list[Entry]] = {}
        for slot in shown:
            members.setdefault(slot.collection, []).append(slot.entry)
        collections = [c.model_copy(update={"entries": members.get(c.id, [])}) for c in self.collections.values()
                       if c.id in members or c.entries]
        collections.sort(key=lambda c: (c.order, c.id))
        origins = {s.entry.id: Origin(s.guide, s.source.source.id if s.source else None, tuple(s.listed_by), s.revision, s.health,
                                      s.file, s.line) for s in shown}
        return Guide(site, collections, origins, {k: v for k, v in notes.items() if k in ids},
                     [self._info(snapshot, origins) for snapshot in snapshots])

    def _prune(self, slot: _Slot, ids: set[str]) -> Entry:
        """The entry with its references following renames and merges, and without those to entries this site does not show."""
        renamed = self.renamed.get(slot.source.source.id, {}) if slot.source else {}

        def target(name: str) -> str | None:
            if slot.source is not None:  # a source's entry names the others of its source by their ids there
                final = renamed.get(name)
            elif name in ids:
                final = name
            else:  # a local entry naming a subscribed entry that is shown under another id
                final = next((r[name] for r in self.renamed.values() if name in r), None)
            return final if final in ids and final != slot.entry.id else None

        entry = slot.entry
        changes: dict[str, object] = {}
        for name in ID_LISTS:
            old: list[str] = getattr(entry, name)
            new = list(dict.fromkeys(t for t in map(target, old) if t is not None))
            if new != old:
                changes[name] = new
        if entry.shares_url_with and target(entry.shares_url_with) != entry.shares_url_with:
            changes["shares_url_with"] = target(entry.shares_url_with)
        if not changes:
            return entry
        changed = Entry.model_validate({**entry.model_dump(), **changes})
        changed.locate(slot.collection, entry.where().path, _Moved(entry))
        return changed

    def _twins(self, ids: set[str]) -> None:
        """Each copy of a how-to kept at several members' addresses marked distinct_from the copies before it (by the
        ids this site shows), so their alike titles raise no near-duplicate warning."""
        for shown in self.how_tos.values():
            present = [i for i in shown if i in ids]
            for k, twin in enumerate(present[1:], start=1):
                slot = self.by_id[twin]
                wanted = list(dict.fromkeys([*slot.entry.distinct_from, *present[:k]]))
                if wanted != slot.entry.distinct_from:
                    changed = Entry.model_validate({**slot.entry.model_dump(), "distinct_from": wanted})
                    changed.locate(slot.collection, slot.entry.where().path, _Moved(slot.entry))
                    slot.entry = changed

    def _distinct(self, slot: _Slot, placed: PlacedOverlay, ids: set[str]) -> None:
        """An overlay's distinct_from added to its entry: each id as this site shows it (or a source's id for it)."""
        entry = slot.entry
        found: list[str] = []
        for i, name in enumerate(placed.overlay.distinct_from):
            target = name if name in ids else next((r[name] for r in self.renamed.values() if name in r), None)
            if target is None or target not in ids:
                self.warn(placed.where("distinct_from", i), f"distinct_from: no entry '{name}' on this site (neither in the guide "
                          "nor among the entries its sources give): remove it from the overlay, or check the id",
                          placed.overlay.id, "unknown-id", "distinct_from")
            elif target == entry.id:
                self.diagnostics.append(Diagnostic(placed.where("distinct_from", i), "distinct_from names the entry itself",
                                                   entry=placed.overlay.id, field="distinct_from"))
            else:
                found.append(target)
        wanted = list(dict.fromkeys([*entry.distinct_from, *found]))
        if wanted == entry.distinct_from:
            return
        changed = Entry.model_validate({**entry.model_dump(), "distinct_from": wanted})
        changed.locate(slot.collection, entry.where().path, _Moved(entry))
        slot.entry = changed

    def _info(self, snapshot: Snapshot, origins: dict[str, Origin]) -> SourceInfo:
        export: Export = snapshot.export
        guide_id = export.guide.id
        contributed = tuple(i for i, o in origins.items() if guide_id in o.listed_by)
        shared = sum(len(origins[i].listed_by) > 1 for i in contributed)
        return SourceInfo(snapshot.source.id, guide_id, snapshot.source.title or export.guide.title, snapshot.source.url,
                          export.guide.url, export.guide.publisher, export.guide.updated, snapshot.locked.fetched,
                          len(contributed), contributed, shared, len(contributed) - shared)


class _Moved:
    """The field positions of an entry that was re-made (renamed, overlaid, pruned): those of the original."""

    def __init__(self, original: Entry) -> None:
        self._original = original

    def get(self, name: str, default: tuple[int, int], /) -> tuple[int, int]:
        where = self._original.where(name or None)
        return (where.line, where.column) if where.line else default


def merge(guide: Guide, snapshots: Sequence[Snapshot], overlays: Sequence[PlacedOverlay] = (), *,
          warnings: bool = True) -> tuple[Guide, list[Diagnostic]]:
    """``guide`` (its own files, validated) with the entries its ``snapshots`` give and its ``overlays`` applied.

    The diagnostics are the merge's conflicts and the guide checks run over the merged guide (so a
    subscribed entry passes the same checks as a local one); checks on the guide's own entries that
    its loading already reported come again and are for the caller to drop.
    """
    merger = _Merger(guide)
    for snapshot in snapshots:
        merger.subscribe(snapshot)
    notes: dict[str, Text] = {}
    for placed in overlays:
        merger.apply(placed, notes)
    merged = merger.finish(notes, snapshots)
    limit = merged.site.limits.max_entries
    if len(merged.entries) > limit and snapshots:
        merger.diagnostics.append(Diagnostic(Location(snapshots[0].at.path), f"with its sources the guide has {len(merged.entries):,} "
                                             f"entries, more than limits.max_entries ({limit:,}) in {SITE_FILE}: take fewer (collections, "
                                             "categories, tags) or raise the limit", code="limit"))
    return merged, [*merger.diagnostics, *cross_checks(merged.site, merged.collections, warnings=warnings)]

