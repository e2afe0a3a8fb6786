"""``openshelf verify``: record a check of one entry without hand-editing YAML.

A check is a date (``last_verified``), who made it (``verified_by``), what they looked at
(``evidence``: the page that states the offer, or an archived copy; ``evidence_kind`` says which,
or that it was someone else's report) and, optionally, what that page said
(``verification_note``).  A new check replaces the previous one's fields: the evidence is what
*this* check looked at.  The file keeps its comments and canonical layout; the whole
guide is validated with the new text and the file is only replaced (atomically) when it is valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from openshelf.curate import fmt
from openshelf.curate.append import Appended, validate_candidate
from openshelf.curate.roundtrip import dump_rt, load_rt
from openshelf.federation.assemble import Subscribed
from openshelf.fsutil import write_atomic
from openshelf.guide import yamlsource
from openshelf.guide.encoding import in_layout_of
from openshelf.guide.load import read_text


@dataclass(frozen=True)
class Check:
    """One check of one entry, as a curator reports it."""

    day: dt.date
    by: str
    evidence: tuple[str, ...]
    note: str | None = None
    #: evidence_kind: provider (the provider's own page, unless the curator says otherwise), copy or report
    kind: str = "provider"

    def fields(self) -> dict[str, object]:
        """The entry fields this check sets, in the schema's order: ``evidence_kind`` always, so that every
        recorded check says what its evidence was (a guide's content tests may ask it, as this repository's do)."""
        values: dict[str, object] = {"last_verified": self.day, "verified_by": self.by, "evidence": list(self.evidence),
                                     "evidence_kind": self.kind}
        if self.note:
            values["verification_note"] = self.note
        return values


def _block(items: list[str]) -> CommentedSeq:
    """Evidence URLs one a line (see ``fmt.BLOCK_LISTS``)."""
    seq = CommentedSeq(items)
    seq.fa.set_block_style()
    return seq


class NoSuchEntry(LookupError):
    """The file holds no entry with that id."""


def record_check(text: str, entry_id: str, check: Check) -> tuple[str, int]:
    """The collection file ``text`` with ``check`` recorded on entry ``entry_id``, and the entry's index.

    The previous check's fields are replaced (a note left out removes the old note); everything else,
    comments included, stays as it was, and keys come out in the schema's order.
    """
    doc = load_rt(text)
    entries = doc.get("entries") if isinstance(doc, CommentedMap) else None
    index = next((i for i, item in enumerate(entries or []) if isinstance(item, CommentedMap) and item.get("id") == entry_id), None)
    if entries is None or index is None:
        raise NoSuchEntry(entry_id)
    entry: CommentedMap = entries[index]
    values = check.fields()
    for stale in ("verification_note",):  # the previous check's, when this one says nothing of it
        if stale in entry and stale not in values:
            del entry[stale]
    for key, value in values.items():
        entry[key] = _block(value) if isinstance(value, list) else value
    fmt.canonicalize(doc, "collection")
    return dump_rt(doc), index


def verify_entry(path: Path, entry_id: str, check: Check, guides: Path, *, write: bool = True,
                 subscribed: Subscribed | None = None) -> Appended:
    """Record ``check`` on ``entry_id`` in the collection file ``path``, validate the whole guide with
    the new file (its subscriptions as already read, ``subscribed``, or read now), and replace the file only when
    there is no error (never when ``write`` is false)."""
    text, index = record_check(read_text(path), entry_id, check)
    line = yamlsource.load(text)[1].of(("entries", index))[0]
    result = Appended(path, text, [line], validate_candidate(guides, {path: text}, subscribed))
    if result.ok and write:
        write_atomic(path, in_layout_of(path.read_bytes(), text))  # its line endings and byte-order mark kept
    return result
