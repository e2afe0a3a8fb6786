"""A library's local knowledge about entries it does not maintain: ``guides/_overlays.yml``.

A note in both languages ("at our library, sign in through …"), another access value, category or
tags, this library's own address for a how-to, the entries a person has checked it is not the same
resource as (``distinct_from``), or hiding the entry, all without copying it.  The
model, and reading the file with the position of every value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from openshelf.federation.config import overlays_file
from openshelf.guide.diagnostics import Diagnostic, Location
from openshelf.guide.load import parse_file, validate_source
from openshelf.guide.models import Access, HttpUrl, Limits, Slug, Text
from openshelf.guide.yamlsource import Positions

#: The fields an overlay changes on its entry (``note``, ``hide`` and ``revision`` are the overlay's own).
OVERRIDES = ("access", "category", "tags", "url")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Overlay(_Strict):
    """What this library adds to or changes on one entry it takes from another guide."""

    id: Slug = Field(description="The id of the entry, as this site shows it (a subscribed entry's id, or the merged entry's).")
    note: Text | None = Field(None, description="A local note shown with the entry, in zh and/or en: 'at our library, sign in through WebVPN first'.")
    access: Access | None = Field(None, description="How this library's readers get in, when it differs from the source's value.")
    category: Slug | None = Field(None, description="Another category for this site; it must be one of the categories the site shows.")
    tags: list[Slug] | None = Field(None, description="Tags for this site: they replace the entry's tags.")
    url: HttpUrl | None = Field(None, description="Only for kind: how-to entries: this library's own address of the method (its VPN, its WebVPN).")
    distinct_from: list[Slug] = Field(default_factory=list, description=(
        "Ids of entries on this site (as it shows them) that a person has checked are different resources from this "
        "one although their titles are the same or nearly: silences the near-duplicate-title warning for each pair, "
        "as distinct_from in a guide file does, for entries this library did not write."))
    hide: bool = Field(False, description="Leave the entry out of this site entirely (pages, search, feed, downloads).")
    revision: str | None = Field(None, pattern=r"^[0-9a-f]{12}$", description=(
        "The entry's revision when the note was written (the export's 'revision'): when the source changes the "
        "entry, the build warns that the note may need a look."))


class OverlaysFile(_Strict):
    """``guides/_overlays.yml``: local notes and changes to subscribed entries."""

    overlays: list[Overlay] = Field(default_factory=list, description="One item per entry; each id at most once.")


@dataclass(frozen=True)
class PlacedOverlay:
    """An overlay with the place of each of its values in ``_overlays.yml``."""

    overlay: Overlay
    file: str
    index: int
    positions: Positions

    def where(self, name: str | None = None, item: int | None = None) -> Location:
        """The overlay's place, or that of one of its fields (or of one ``item`` of a list field)."""
        path: tuple[str | int, ...] = ("overlays", self.index, name) if name else ("overlays", self.index)
        if name and item is not None:
            path = (*path, item)
        return Location(self.file, *self.positions.of(path))


def load_overlays(guides: Path, limits: Limits | None = None) -> tuple[list[PlacedOverlay] | None, list[Diagnostic]]:
    """The overlays of the guide in ``guides`` (none when it has no ``_overlays.yml``).

    As in a collection file, an overlay with a mistake does not hide the others: the valid overlays are returned beside
    the diagnostics of the invalid ones (and of an id overlaid twice, whose later overlays are left out), so that the
    merge still checks them.  None when the file cannot be read or is not a list of overlays at all."""
    path = overlays_file(guides)
    if not path.is_file():
        return [], []
    diagnostics: list[Diagnostic] = []
    source = parse_file(path, diagnostics, limits)
    if source is None:
        return None, diagnostics
    model = validate_source(source, OverlaysFile, diagnostics)
    if model is not None:
        valid = list(enumerate(model.overlays))
    else:
        items = source.data.get("overlays")
        if set(source.data) - {"overlays"} or not isinstance(items, list):
            return None, diagnostics  # not a list of overlays: its own messages say what to fix
        valid = [(i, overlay) for i, item in enumerate(items) if (overlay := _overlay(item)) is not None]
    placed = [PlacedOverlay(o, source.display, i, source.positions) for i, o in valid]
    first: dict[str, PlacedOverlay] = {}
    for item in placed:
        earlier = first.setdefault(item.overlay.id, item)
        if earlier is not item:
            diagnostics.append(Diagnostic(item.where("id"), f"another overlay for entry '{item.overlay.id}' is at {earlier.where()}: "
                                          "merge the two", entry=item.overlay.id, field="id", code="duplicate-id"))
    return list(first.values()), diagnostics


def _overlay(item: object) -> Overlay | None:
    """One item of ``overlays:`` as an overlay; None when it is not a valid one (its mistakes are reported with the whole file's)."""
    try:
        return Overlay.model_validate(item)
    except ValidationError:
        return None
