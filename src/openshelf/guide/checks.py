"""Checks across entries and files: unique ids, known categories, known related and distinct_from ids, duplicates,
and the content policy of ``_site.yml``."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from openshelf.guide.diagnostics import Diagnostic
from openshelf.guide.models import SITE_FILE, Collection, Entry, Policy, Site, Text, serves
from openshelf.guide.urls import normalise_url

#: Anchors the collection pages give their category headings; an entry id may not look like one.
RESERVED_ANCHOR_PREFIX = "category-"


def cross_checks(site: Site | None, collections: list[Collection], elsewhere: frozenset[str] | set[str] = frozenset(), *,
                 coverage: bool = True, warnings: bool = True, categories_elsewhere: Sequence[str] = ()) -> Iterator[Diagnostic]:
    """Checks that need more than one entry: unique ids, known categories, known related and distinct_from ids; with
    ``coverage`` (``collections`` are the whole guide), each service and resource kind of ``site`` has an entry.

    ``warnings=False`` leaves out the checks that can only warn (near-duplicate titles, coverage) for a caller that
    needs only to know the guide has no errors (``openshelf links``); every error is still reported."""
    first: dict[str, Entry] = {}
    told: set[str] = set()  # ids whose first entry has been told about its twin in another file
    for collection in collections:
        for entry in collection.entries:
            if entry.id in first:
                earlier = first[entry.id]
                here, other = entry.where("id"), earlier.where("id")
                yield Diagnostic(here, f"id '{entry.id}' is already used at {other}", entry=entry.id, field="id", code="duplicate-id")
                if here.path != other.path and entry.id not in told:
                    # Which of the two is new only the curator knows (files are read in name order): both places are
                    # marked, so the one just added is among them.
                    told.add(entry.id)
                    yield Diagnostic(other, f"id '{entry.id}' is also used at {here}: one of the two must change (usually the "
                                            "one just added: changing an established id breaks links to its anchor)",
                                     entry=entry.id, field="id", code="duplicate-id")
            else:
                first[entry.id] = entry
    for collection in collections:
        for entry in collection.entries:
            if entry.id.startswith(RESERVED_ANCHOR_PREFIX):
                yield Diagnostic(entry.where("id"), f"id '{entry.id}' starts with '{RESERVED_ANCHOR_PREFIX}', which the page uses "
                                 "for its category headings (#category-<key>): choose another id", entry=entry.id, field="id")
            if site is not None and entry.category not in site.categories and entry.category not in categories_elsewhere:
                known = ", ".join(site.categories)
                sources = ", ".join(k for k in categories_elsewhere if k not in site.categories)
                also = f"; the guides it subscribes to define: {sources}" if sources else ""
                yield Diagnostic(entry.where("category"), f"category '{entry.category}' is not defined in {SITE_FILE} (known: {known}{also})",
                                 entry=entry.id, field="category", code="unknown-category")
            if entry.shares_url_with and entry.shares_url_with not in first and entry.shares_url_with not in elsewhere:
                yield Diagnostic(entry.where("shares_url_with"), f"shares_url_with: unknown entry id '{entry.shares_url_with}'",
                                 entry=entry.id, field="shares_url_with", code="unknown-id")
            for name in ("related", "distinct_from"):
                yield from _id_list(entry, name, first, elsewhere)
            if site is not None:
                yield from policy_checks(site.policy, entry)
    yield from duplicates(collections, titles=warnings)
    if site is not None:
        yield from kind_categories(site)
        if coverage and warnings:
            yield from coverage_checks(site, [e for c in collections for e in c.entries])


def kind_categories(site: Site) -> Iterator[Diagnostic]:
    """Each category a resource kind names is a key of ``categories``."""
    for key, kind in site.resource_kinds.items():
        for i, category in enumerate(kind.categories):
            if category not in site.categories:
                yield Diagnostic(site.where("resource_kinds", key, "categories", i), f"resource_kinds: kind '{key}' names category "
                                 f"'{category}', which is not defined in categories (known: {', '.join(site.categories)})",
                                 field="resource_kinds", code="unknown-category")


def coverage_checks(site: Site, entries: list[Entry]) -> Iterator[Diagnostic]:
    """A warning for each service and each resource kind of ``site`` that no entry counts toward: the guide promises
    readers something it does not give them.  And, in a guide that names its tags (``tags:``), one for each tag it
    leaves unnamed, at its first use: readers of every edition would see the key (``open-access``)."""
    if site.tags:
        unnamed: dict[str, Entry] = {}
        for entry in entries:
            for tag in entry.tags:
                if tag not in site.tags:
                    unnamed.setdefault(tag, entry)
        for tag, entry in unnamed.items():
            yield Diagnostic(entry.where("tags"), f"tags: '{tag}' has no name under 'tags:' in {SITE_FILE}, so readers see the key "
                             f"'{tag}': add a line '  {tag}: {{zh: …, en: …}}' there", entry=entry.id, field="tags",
                             severity="warning", code="unnamed-tag")
    for key in site.services:
        if not any(serves(key, e) for e in entries):
            yield Diagnostic(site.where("services", key), f"services: no entry serves '{key}' ({site.services[key].both()}): "
                             f"add 'tags: [{key}]' to an entry that helps readers with it", field="services",
                             severity="warning", code="no-entry")
    for key, kind in site.resource_kinds.items():
        if not any(kind.includes(key, e) for e in entries):
            how = " or ".join([*(f"category {c}" for c in kind.categories), *(f"tag {t}" for t in (key, *kind.tags))])
            yield Diagnostic(site.where("resource_kinds", key), f"resource_kinds: no entry is of the kind '{key}' ({kind.both()}): "
                             f"add one with {how}", field="resource_kinds", severity="warning", code="no-entry")


def policy_checks(policy: Policy, entry: Entry) -> Iterator[Diagnostic]:
    """The languages ``policy:`` in ``_site.yml`` requires of the entry's title and description, at the policy's severity."""
    for name, required in (("title", policy.title_languages), ("description", policy.description_languages)):
        text: Text = getattr(entry, name)
        missing = [language for language in required if not getattr(text, language)]
        if missing:
            yield Diagnostic(entry.where(name), f"{name} has no {' and no '.join(missing)} text; policy.{name}_languages in {SITE_FILE} "
                             f"requires {', '.join(required)}", entry=entry.id, field=name, severity=policy.severity, code="policy")


def _id_list(entry: Entry, name: str, first: dict[str, Entry], elsewhere: frozenset[str] | set[str]) -> Iterator[Diagnostic]:
    """A list field of entry ids (``related``, ``distinct_from``): each names another, known entry."""
    for i, target in enumerate(getattr(entry, name)):
        where = entry.where(f"{name}[{i}]")
        if target == entry.id:
            yield Diagnostic(where, f"{name} names the entry itself", entry=entry.id, field=name)
        elif target not in first and target not in elsewhere:
            close = difflib.get_close_matches(target, list(first), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            yield Diagnostic(where, f"{name}: unknown entry id '{target}'{hint}", entry=entry.id, field=name, code="unknown-id")


def _title_key(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


_DIGITS = re.compile(r"\d+")
NEAR_TITLE_RATIO = 0.9


class _Title(NamedTuple):
    """A title as the near-duplicate check compares it: its key (:func:`_title_key`), the key with its numbers masked,
    the entry, and the key's characters."""

    key: str
    masked: str
    entry: Entry
    chars: frozenset[str]


def _near_titles(a: _Title, b: _Title) -> bool:
    """Titles that differ by a letter or two: difflib's ratio() is NEAR_TITLE_RATIO (0.9) or more, and they differ in
    more than numbers (titles that differ only in numbers are different things).

    Most pairs are settled without difflib, by bounds on its ratio().  ratio() is 2·M/T, M the characters its matching
    blocks pair up and T the two lengths together; quick_ratio() is 2·I/T, I the characters the two have in common
    counted with their multiplicity, so M ≤ I:
    * M ≤ the shorter length: when the lengths differ by more than a tenth of T, ratio() < 0.9;
    * a character in only one title leaves at least one character unpaired, so M ≤ (T − those characters) / 2: when
      they are more than a tenth of T, ratio() < 0.9;
    * the longest block ratio() pairs is the longest common substring, at least the common prefix or suffix: when that
      alone is 0.9·T/2 or more (:func:`_enough_shared`), ratio() ≥ 0.9;
    * I is what quick_ratio() counts, compared as it compares it.
    Only the pairs none of these settle go to difflib (tests/guide/test_duplicates.py checks the equivalence)."""
    x, y = a.key, b.key
    total = len(x) + len(y)
    if abs(len(x) - len(y)) * 10 > total or a.masked == b.masked or len(a.chars ^ b.chars) * 10 > total:
        return False
    need = _enough_shared(total)
    if need <= min(len(x), len(y)) and (x[:need] == y[:need] or x[-need:] == y[-need:]):
        return True
    common = sum(min(x.count(c), y.count(c)) for c in a.chars & b.chars)
    if 2.0 * common / total < NEAR_TITLE_RATIO:  # quick_ratio() < 0.9
        return False
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio() >= NEAR_TITLE_RATIO


@functools.cache
def _enough_shared(total: int) -> int:
    """The fewest characters a prefix or suffix two titles of ``total`` characters together share must have to make
    difflib's ratio() (2.0 * matched / total, a float division, monotone in matched) NEAR_TITLE_RATIO or more alone."""
    return next(n for n in range(total + 1) if 2.0 * n / total >= NEAR_TITLE_RATIO)


def duplicates(collections: list[Collection], *, titles: bool = True) -> Iterator[Diagnostic]:
    """The same URL in two entries is an error; the same or nearly the same title is a warning (looked for only with
    ``titles``), unless either entry names the other in ``distinct_from``.

    Each message is on the later entry (in file order) and names the earlier one.  Near-duplicate
    titles are looked for among neighbours in sorted order (from the front and from the back), so
    a 20,000-entry guide is checked in a fraction of a second instead of comparing every pair.
    """
    entries = [e for c in collections for e in c.entries]
    same_url: set[tuple[int, int]] = set()
    seen: dict[str, Entry] = {}
    by_entry_id = {e.id: e for e in entries}
    for entry in entries:
        if entry.url is None:  # a how-to whose address each library supplies
            continue
        key = normalise_url(entry.url)
        first = seen.setdefault(key, entry)
        if first is not entry:
            same_url.add((id(first), id(entry)))
            if entry.shares_url_with == first.id or first.shares_url_with == entry.id:
                continue
            how = "the same URL" if first.url == entry.url else f"the same URL once normalised ({first.url})"
            yield Diagnostic(entry.where("url"), f"url: {how} as entry '{first.id}' at {first.where('url')}: the same "
                             "resource entered twice? Merge the entries or give each its own address (if both are "
                             f"really reached from this one page, add 'shares_url_with: {first.id}')",
                             entry=entry.id, field="url", code="duplicate-url")
        if entry.shares_url_with and (other := by_entry_id.get(entry.shares_url_with)) is not None \
                and (other.url is None or normalise_url(other.url) != key):
            yield Diagnostic(entry.where("shares_url_with"), f"shares_url_with: entry '{other.id}' has another url "
                             f"({other.url}); remove shares_url_with", entry=entry.id, field="shares_url_with", code="invalid")
    if titles:
        yield from _duplicate_titles(entries, same_url)


def _duplicate_titles(entries: list[Entry], same_url: set[tuple[int, int]]) -> Iterator[Diagnostic]:
    """Warnings for the same or nearly the same title (a pair with the same URL is already an error)."""
    order = {id(e): i for i, e in enumerate(entries)}
    pairs: set[tuple[int, int]] = set()
    for lang in ("zh", "en"):
        titles = [_Title(key, _DIGITS.sub("#", key), e, frozenset(key))
                  for e in entries if (t := getattr(e.title, lang)) for key in (_title_key(t),)]
        exact: dict[str, Entry] = {}
        for title in titles:
            first = exact.setdefault(title.key, title.entry)
            if first is not title.entry:
                pairs.add((id(first), id(title.entry)))
        for flip in (False, True):
            ranked = sorted(titles, key=lambda t: t.key[::-1] if flip else t.key)
            for i, title in enumerate(ranked):
                for other in ranked[i + 1:i + 3]:
                    if other.key != title.key and _near_titles(title, other):
                        a, b = sorted((title.entry, other.entry), key=lambda e: order[id(e)])
                        pairs.add((id(a), id(b)))
    by_id = {id(e): e for e in entries}
    for a_id, b_id in sorted(pairs - same_url, key=lambda p: order[p[1]]):
        first, entry = by_id[a_id], by_id[b_id]
        if first.id == entry.id:  # already an error: the id is used twice
            continue
        if first.id in entry.distinct_from or entry.id in first.distinct_from:  # a person has looked at the pair
            continue
        same = first.title.zh == entry.title.zh and first.title.en == entry.title.en
        yield Diagnostic(entry.where("title"), f"title: {'the same' if same else 'nearly the same'} title as entry "
                         f"'{first.id}' at {first.where('title')} ({first.title.both()}): the same resource entered twice? "
                         f"If they are different resources, add 'distinct_from: [{first.id}]'",
                         entry=entry.id, field="title", severity="warning", code="duplicate-title")
