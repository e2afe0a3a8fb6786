"""``openshelf collection add``: a new collection file, empty and in canonical form."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from openshelf.curate import fmt
from openshelf.curate.roundtrip import dump_rt
from openshelf.guide.load import Guide
from openshelf.guide.models import RESERVED_PAGES, SLUG

SCHEMA_COMMENT = "# yaml-language-server: $schema=_schema/collection.schema.json"


def id_problem(collection_id: str) -> str | None:
    """Why ``collection_id`` cannot name a collection (its file and page), or None."""
    if not re.match(SLUG, collection_id) or len(collection_id) > 64:
        return f"'{collection_id}' is not a valid id: lowercase letters, digits and single hyphens (e.g. covid-nav)"
    if collection_id in RESERVED_PAGES:
        return f"'{collection_id}' is the name of a page OpenShelf makes; choose another (not {', '.join(sorted(RESERVED_PAGES))})"
    return None


def how_to_create(name: str, guides: str = "guides") -> str:
    """The command that creates collection ``name`` in the folder ``guides``, for messages about a missing one."""
    folder = "" if guides == "guides" else f" --guides {guides}"
    return f"create it with: openshelf collection add {name} --title-zh 标题 --title-en Title{folder}"


def next_order(guide: Guide) -> int:
    """A position after every existing collection in the navigation."""
    return max((c.order for c in guide.collections), default=0) + 1


def collection_text(collection_id: str, title: Mapping[str, str], description: Mapping[str, str] | None = None,
                    order: int | None = None) -> str:
    """The file of an empty collection: id, title (and description, order), ``entries: []``."""
    doc = CommentedMap()
    doc["id"] = collection_id
    for key, value in (("title", title), ("description", description)):
        text = {lang: value[lang] for lang in ("zh", "en") if value and value.get(lang)}
        if text:
            doc[key] = CommentedMap(text)
    if order is not None:
        doc["order"] = order
    entries = CommentedSeq()
    entries.fa.set_flow_style()
    doc["entries"] = entries
    fmt.canonicalize(doc, "collection")
    return f"{SCHEMA_COMMENT}\n{dump_rt(doc)}"
