"""Search records: one per entry, so a search result leads to the entry, not just its page.

Every entry of the guide becomes one record (its titles, aliases, descriptions, provider,
category, tags (their keys and labels) and access in both languages) whose URL is the entry's anchor on its page
(``databases.md#cnki``).  Its collection is not searchable text: a collection's title
("Free academic resources") would make every one of its entries answer "resources"; it
travels as a filter, shown beside the result.  Pure; :mod:`openshelf.site.pagefind` indexes
the records and the other pages with Pagefind's binary after a build.

In a guide with sources (``guides/_sources.yml``) every record also carries a ``member`` filter:
the names of the guides that list the entry, so a search across a consortium's members can be
narrowed to one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openshelf.guide.load import Guide
from openshelf.guide.models import ACCESS_LABELS, STATUS_LABELS, Entry, Text
from openshelf.site import markup
from openshelf.site.context import page_of
from openshelf.site.members import Member, entry_members, member_index, member_order


@dataclass(frozen=True)
class Record:
    """``meta`` is searched and shown (the title); ``filters`` are shown, never searched (the collection,
    the members that list the entry); a filter may have several values."""

    url: str
    content: str
    meta: dict[str, str] = field(default_factory=dict)
    filters: dict[str, str | tuple[str, ...]] = field(default_factory=dict)


def _both(text: Text | None) -> list[str]:
    """Plain text in both languages (titles, names: shown escaped, so searched as written)."""
    return [t.strip() for t in ((text.zh, text.en) if text else ()) if t and t.strip()]


def _one(text: Text | None, language: str | None) -> list[str]:
    """Plain text in an edition's language (the other where it has none), or in both (``language`` None)."""
    if text is None or language is None:
        return _both(text)
    own, other = (text.zh, text.en) if language == "zh" else (text.en, text.zh)
    chosen = (own or other or "").strip()  # as _both(Text(zh=own or other)) gave it, without validating a model each time
    return [chosen] if chosen else []


def _labels(pair: tuple[str, str], language: str | None) -> tuple[str, ...]:
    return pair if language is None else (pair[0] if language == "zh" else pair[1],)


_ENDED_ZH, _ENDED_EN = STATUS_LABELS["ended"][0], STATUS_LABELS["ended"][1].lower()
#: After an ended program's name in its result's title, per edition (None: the bilingual site).
_ENDED: dict[str | None, str] = {"zh": f"（{_ENDED_ZH}）", "en": f" ({_ENDED_EN})", None: f" ({_ENDED_ZH} · {_ENDED_EN})"}


def _title(text: Text, language: str | None) -> str:
    return text.both() if language is None else " · ".join(_one(text, language))


def entry_record(guide: Guide, entry: Entry, page_title: str | None = None, members: Mapping[str, Member] | None = None,
                 language: str | None = None) -> Record:
    """The searchable text of one entry; pure.  ``page_title``: its collection's title (looked up if None), a filter.

    In an edition (``language``), its text in that language (the other where it has none), and its
    names in both: a reader may type a resource's name in either.
    """
    access = ACCESS_LABELS[entry.access]
    status = STATUS_LABELS[entry.status]
    category = guide.site.categories.get(entry.category)
    # The title is the stub page's <h1> (weighted above body text); the rest once each, in order.
    title = set(_one(entry.title, language))
    parts = [*_both(entry.title), *entry.aliases, *(markup.plain_text(t) for t in _one(entry.description, language)),
             *_one(entry.provider, language), *_one(category, language), *entry.tags,
             *(label for tag in entry.tags for label in _one(guide.site.tags.get(tag), language)), *_labels(access, language),
             *(_labels(status, language) if entry.status != "active" else ())]
    parts = [p for p in dict.fromkeys(parts) if p and p not in title]
    if page_title is None:
        page_title = next((_title(c.title, language) for c in guide.collections if c.id == entry.collection), "")
    filters: dict[str, str | tuple[str, ...]] = {"collection": page_title} if page_title else {}
    if guide.sources:
        filters["member"] = tuple(_title(m.title, language) for m in entry_members(guide, entry, members or member_index(guide)))
    # a result never looks like an available resource (its page says it ended, too)
    shown = _title(entry.title, language) + (_ENDED[language] if entry.status == "ended" else "")
    # " · " between the parts: a result's excerpt shows where one ends ("免费服务 · 知网"), not a run ("免费服务知网")
    return Record(url=f"{page_of(entry.collection)}#{entry.id}", content=" · ".join(parts),
                  meta={"title": shown}, filters=filters)


def member_filter_values(guide: Guide, language: str | None = None) -> list[str]:
    """The ``member`` filter's values, in the order the collection pages' member filter lists them
    (:func:`openshelf.site.members.member_order`), for the search's member select; empty without sources."""
    return [_title(member.title, language) for member in member_order(guide)] if guide.sources else []


def entry_records(guide: Guide, language: str | None = None) -> list[Record]:
    """One record per entry; its ``url`` is the page's source path and the anchor (``databases.md#cnki``)."""
    members = member_index(guide)
    return [entry_record(guide, e, _title(c.title, language), members, language) for c in guide.collections for e in c.entries]


def entry_pages(records: Iterable[Record]) -> set[str]:
    """The source paths of the pages that hold entries (indexed as records, not as pages)."""
    return {r.url.partition("#")[0] for r in records}


def excluded(meta: Mapping[str, Any] | None) -> bool:
    """Whether a page's front matter says ``search: {exclude: true}`` (as Material reads it)."""
    search = (meta or {}).get("search")
    return isinstance(search, Mapping) and bool(search.get("exclude"))
