"""Add entries to a collection file safely: canonical form, comments kept, whole guide validated.

Shared by ``openshelf new`` and ``openshelf import``.  The new file is validated together with
the rest of the guide in a temporary copy, and only replaces the real file (atomically) when the
guide has no errors.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pypinyin import lazy_pinyin
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from openshelf.curate import fmt
from openshelf.curate.roundtrip import blank_line_after, dump_rt, load_rt
from openshelf.federation.assemble import Subscribed, load_own
from openshelf.fsutil import write_atomic
from openshelf.guide import yamlsource
from openshelf.guide.diagnostics import Diagnostic, has_errors
from openshelf.guide.encoding import in_layout_of
from openshelf.guide.load import display_path, guide_files, read_text
from openshelf.guide.models import Entry

MAX_ID = 64


def slugify(text: str, limit: int = 48) -> str:
    """``Directory of Open Access Journals`` → ``directory-of-open-access-journals``; Chinese characters
    become their tone-less pinyin (``中国知网`` → ``zhong-guo-zhi-wang``); other non-Latin text gives ''."""
    romanized = " ".join(lazy_pinyin(text))  # pypinyin reads heteronyms by phrase: 重庆 → chong qing
    ascii_text = unicodedata.normalize("NFKD", romanized).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-")


def _host_slug(url: str) -> str:
    match = re.match(r"^[a-z][a-z0-9+.-]*://([^/:?#]+)", url.strip(), re.IGNORECASE)
    if not match:
        return ""
    labels = [p for p in match.group(1).lower().split(".") if p]
    if labels and labels[0] == "www":
        labels = labels[1:]
    if len(labels) > 1:
        labels = labels[:-1]  # the top-level domain says little
    if len(labels) > 1 and labels[-1] in {"com", "edu", "gov", "org", "ac", "net"}:
        labels = labels[:-1]  # cn's second level: edu.cn, gov.cn, ...
    return slugify("-".join(labels))


def next_free_id(title: str, url: str, taken: Iterable[str]) -> str:
    """An id from the title, in pinyin for Chinese (or from the URL's host for a title with neither
    Latin letters nor Chinese characters), unique: ``x``, ``x-2``, ``x-3``…"""
    used = set(taken)
    base = slugify(title) or _host_slug(url) or "entry"
    candidate, n = base, 1
    while candidate in used:
        n += 1
        suffix = f"-{n}"
        candidate = base[: MAX_ID - len(suffix)].rstrip("-") + suffix
    return candidate


#: What :func:`field_node` gives for a value the file leaves out (empty text, an empty list, None).
OMIT = object()


def field_node(key: str, value: Any) -> Any:
    """One field's value as the canonical form writes it: text maps in block style (zh, en), lists in
    flow style (``evidence``: block), strings normalised; ``OMIT`` for an empty value (``last_verified`` stays, empty)."""
    if isinstance(value, Mapping):  # a text (zh, en) or another nested model (service_status): its fields, in order
        keys = [lang for lang in ("zh", "en") if lang in value] if set(value) <= {"zh", "en"} else list(value)
        node = CommentedMap((k, v) for k in keys if (v := field_node(k, value[k])) is not OMIT and v is not None)
        if not node:
            return OMIT
        node.fa.set_block_style()
        return node
    if isinstance(value, (list, tuple)):
        if not value:
            return OMIT
        seq = CommentedSeq(list(value))
        if key in fmt.BLOCK_LISTS:  # URLs, one a line (a '?' in a flow list is not YAML every reader takes)
            seq.fa.set_block_style()
        else:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        return fmt.normalise_value(key, value)
    if value is None and key != "last_verified":
        return OMIT
    return value


def entry_node(data: Mapping[str, Any]) -> CommentedMap:
    """An entry as a round-trip mapping in canonical form: keys in the schema's order, text maps in
    block style, lists in flow style; empty optional values left out except ``last_verified``."""
    node = CommentedMap()
    for key in Entry.model_fields:
        value = field_node(key, data[key]) if key in data else OMIT
        if value is not OMIT:
            node[key] = value
    return node


def append_text(text: str, entries: Sequence[Mapping[str, Any]],
                updates: Sequence[tuple[str, Mapping[str, Any]]] = ()) -> tuple[str, list[int]]:
    """The collection file ``text`` with ``entries`` appended and ``updates`` (entry id → the fields
    that change, None or empty to remove one) applied to its entries, keeping everything else as
    written; also the index of each updated entry, then of each new one."""
    doc = load_rt(text)
    seq = doc.get("entries")
    if not isinstance(seq, CommentedSeq):
        seq = CommentedSeq()
        doc["entries"] = seq
    if seq.fa.flow_style():  # ``entries: []``
        seq.fa.set_block_style()
    where = {node.get("id"): i for i, node in enumerate(seq) if isinstance(node, CommentedMap)}
    indexes = []
    for entry_id, changes in updates:
        node = seq[where[entry_id]]
        for key, value in changes.items():
            written = field_node(key, value)
            if written is OMIT:
                node.pop(key, None)
            else:
                node[key] = written
        indexes.append(where[entry_id])
    for data in entries:
        if len(seq):  # a blank line between entries
            blank_line_after(seq, len(seq) - 1)
        indexes.append(len(seq))
        seq.append(entry_node(data))
    fmt.canonicalize(doc, "collection")
    return dump_rt(doc), indexes


def validate_candidate(guides: Path, replacements: Mapping[Path, str], subscribed: Subscribed | None = None) -> list[Diagnostic]:
    """Validate the guide in ``guides`` as it would be with ``replacements`` (file → new text),
    in a temporary copy.  Locations in the copy are reported as the real files.  ``subscribed``: the guide's
    subscriptions as already read (:func:`~openshelf.federation.assemble.read_subscribed`; default: read them)."""
    files, problems = guide_files([guides])
    if problems:
        return problems
    wanted = {p.resolve(): text for p, text in replacements.items()}
    with tempfile.TemporaryDirectory(prefix="openshelf-") as tmp:
        root = Path(tmp)
        names: dict[str, str] = {}
        for path in {*files, *(p for p in replacements)}:
            target = root / path.name
            if path.resolve() in wanted:
                target.write_text(wanted[path.resolve()], encoding="utf-8")
            else:
                shutil.copyfile(path, target)
            names[display_path(target)] = display_path(path)
        _, diagnostics = load_own(root, subscriptions=guides, subscribed=subscribed)
    return [_relocate(d, names) for d in diagnostics]


def _relocate(d: Diagnostic, names: Mapping[str, str]) -> Diagnostic:
    message = d.message
    for fake, real in names.items():
        message = message.replace(fake, real)
    path = names.get(d.location.path, d.location.path)
    return dataclasses.replace(d, location=dataclasses.replace(d.location, path=path), message=message)


@dataclasses.dataclass
class Appended:
    path: Path
    text: str
    lines: list[int]  # the line of each new entry in the new text
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def append_entries(path: Path, entries: list[Mapping[str, Any]], guides: Path, *, write: bool = True,
                   subscribed: Subscribed | None = None) -> Appended:
    """Append ``entries`` to the collection file ``path``, validate the whole guide with the new
    file (``subscribed``: as :func:`validate_candidate`), and replace the file only when there is no error (never
    when ``write`` is false)."""
    model, diagnostics = fmt.check_file(path)
    if model is None:
        return Appended(path, "", [], diagnostics)
    original = read_text(path)
    text, indexes = append_text(original, entries)
    positions = yamlsource.load(text)[1]
    lines = [positions.of(("entries", i))[0] for i in indexes]
    diagnostics = validate_candidate(guides, {path: text}, subscribed)
    result = Appended(path, text, lines, diagnostics)
    if result.ok and write:
        write_atomic(path, in_layout_of(path.read_bytes(), text))  # its line endings and byte-order mark kept
    return result
