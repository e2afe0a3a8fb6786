"""The guide's schema: the single source of truth.

The validator, the JSON Schema that editors use (``guides/_schema/*.json``) and the field
reference in the docs are all generated from these models.  No I/O here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal, Protocol, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from openshelf.guide.diagnostics import Location
from openshelf.guide.urls import is_encyclopedia

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG, max_length=64)]
LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$"
LanguageCode = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]
#: The languages of the guide's own text (:class:`Text` has a field for each), so of its site's editions.
TEXT_LANGUAGES = ("zh", "en")

Access = Literal["free", "free-with-registration", "temporarily-free", "institutional", "paid"]
#: The site settings file in the guide folder; every other ``*.yml`` not starting with ``_`` is a collection.
SITE_FILE = "_site.yml"
#: Page names the renderer and the docs own; a collection id may not take one.
RESERVED_PAGES = frozenset({"index", "tags", "a-z", "reference", "links", "about", "downloads", "search", "assets"})
Status = Literal["active", "ended"]
LinkCheck = Literal["normal", "login-required", "skip"]
Kind = Literal["resource", "how-to"]
Phase = Literal["prepare", "respond", "recover", "normal"]
ServiceState = Literal["running", "changed", "suspended"]

#: Human labels for the enumerations, in both languages; the renderer and docs use them.
ACCESS_LABELS: dict[str, tuple[str, str]] = {
    "free": ("免费", "Free"),
    "free-with-registration": ("注册后免费", "Free with registration"),
    "temporarily-free": ("限时免费", "Temporarily free"),
    "institutional": ("机构订阅", "Institutional subscription"),
    "paid": ("付费", "Paid"),
}
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "active": ("可用", "Active"),
    "ended": ("已结束", "Ended"),
}
#: The phases of an emergency, as the library plan sets services by them (prepare, respond, recover).
PHASE_LABELS: dict[str, tuple[str, str]] = {
    "prepare": ("预警准备", "Prepare"),
    "respond": ("应急响应", "Respond"),
    "recover": ("恢复重建", "Recover"),
    "normal": ("常态", "Normal"),
}
SERVICE_STATE_LABELS: dict[str, tuple[str, str]] = {
    "running": ("正常开放", "Running"),
    "changed": ("有调整", "Changed"),
    "suspended": ("暂停", "Suspended"),
}

_URL = re.compile(r"^https?://[^\s/?#\"'<>`\\{}|^]+[^\s\"'<>`\\{}|^]*$", re.IGNORECASE)
_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
_AUTHORITY_END = re.compile(r"[/?#]")


def _check_url(value: str) -> str:
    # printable ASCII (nearly every address) holds none of them: only other text is looked at character by character
    ascii_text = value.isascii() and value.isprintable()
    hidden = None if ascii_text else next((i for i, c in enumerate(value) if unicodedata.category(c) in ("Cf", "Cc", "Co", "Cn")), None)
    if hidden is not None:  # zero-width spaces and joiners, byte-order marks: text copied from WeChat or a web page
        c = value[hidden]
        name = unicodedata.name(c, "a control character")
        raise ValueError(f"url has an invisible character, U+{ord(c):04X} ({name}), after {value[:hidden][-40:]!r}: delete it "
                         "(retype the address's end, or paste it as plain text)")
    if not _SCHEME.match(value):
        raise ValueError("url must start with http:// or https://")
    if "@" in value and "@" in _AUTHORITY_END.split(value.split("//", 1)[1], maxsplit=1)[0]:
        raise ValueError("url must not hold a user name or password (the 'name:password@' before the host): "
                         "readers cannot use it, and it would be published")
    if not _URL.match(value):
        raise ValueError("url must be an absolute http(s) address with a host, without spaces, quotes or <>")
    return value


HttpUrl = Annotated[str, AfterValidator(_check_url), StringConstraints(max_length=2048)]

#: What has no place in curated text: control characters other than tab and line breaks (a YAML file refuses them
#: typed, not written as escapes like "\x1b"; an export may hold any), and the bidirectional embedding, override and
#: isolate controls, which turn the rest of a line around on the page ("CNKI \u202efdp.exe" shows as "CNKI exe.pdf").
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _check_text(value: str) -> str:
    found = _CONTROLS.search(value)
    if found is not None:
        c = found.group()
        name = unicodedata.name(c, "")  # C0 and C1 controls have none
        after = f"after {value[:found.start()][-40:]!r}" if found.start() else "at its start"
        raise ValueError(f"has the control character U+{ord(c):04X}{f' ({name})' if name else ''} {after}: delete it (it comes with text pasted "
                         "from another program, or was put there to make the text read differently than it is)")
    return value


#: Free text: no control characters (see ``_CONTROLS``); its length is checked first, so a length message is pydantic's own.
NoControls = AfterValidator(_check_text)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Text(_Strict):
    """Text in Chinese and/or English; at least one of the two."""

    zh: Annotated[str, StringConstraints(max_length=10_000), NoControls] | None = Field(None, description="Chinese text (简体中文).")
    en: Annotated[str, StringConstraints(max_length=10_000), NoControls] | None = Field(None, description="English text.")

    @model_validator(mode="after")
    def _one_language(self) -> Text:
        if not (self.zh or self.en):
            raise ValueError("needs text in at least one language: zh or en")
        return self

    def both(self, sep: str = " · ") -> str:
        """Both languages, once each: ``中国知网 · CNKI``."""
        parts = [t for t in (self.zh, self.en) if t]
        if len(parts) == 2 and parts[0] == parts[1]:
            parts = parts[:1]
        return sep.join(parts)

    @property
    def first(self) -> str:
        return self.zh or self.en or ""


class ServiceStatus(_Strict):
    """How a library service runs now, for the home page's service-status table during an emergency."""

    state: ServiceState = Field(description="running, changed (runs differently: other hours, online only …) or suspended.")
    note: Text | None = Field(None, description="What changed and what readers do instead, in zh and/or en.")
    since: dt.date | None = Field(None, description="The date the service took this state (YYYY-MM-DD).")


class FieldPositions(Protocol):
    """Where an entry's fields start in its file: ``get("url", default)`` → (line, column); a plain dict will do."""

    def get(self, name: str, default: tuple[int, int], /) -> tuple[int, int]: ...


class ValuePositions(Protocol):
    """Where the values of a settings file start: ``of(("services", "novelty-search"))`` → (line, column), the nearest
    ancestor's position for a path without one."""

    def of(self, path: tuple[str | int, ...], /) -> tuple[int, int]: ...


#: ``Entry.where``'s marker for "this field has no position" (compared by identity: a real position is never this object).
_NOWHERE = (-1, -1)


def _no_positions() -> dict[str, tuple[int, int]]:
    return {}


def _private(model: BaseModel, name: str) -> Any:
    """A private attribute's value, from pydantic's store of them: ``model._name`` asks ``BaseModel.__getattr__``, 40 times
    slower (2.8 µs), and a site's pages ask each entry for its collection a dozen times."""
    return (model.__pydantic_private__ or {})[name]


class Entry(_Strict):
    """One resource: a database, an access route, a health authority, a library service."""

    # For editors: url is required unless kind is how-to (the validator below says the same).
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"kind": {"const": "how-to"}}, "required": ["kind"]},
        "else": {"required": ["url"]},
    })

    id: Slug = Field(description="Stable identifier and page anchor: lowercase letters, digits and hyphens; unique across all collections.")
    title: Text = Field(description="The resource's name, in zh and/or en.")
    kind: Kind = Field("resource", description=(
        "resource (the default): one service with one address, url required; how-to: a generic access method that each "
        "library runs at its own address (campus VPN, WebVPN, EZproxy): url may be left out, and readers then see a "
        "'your library's address — ask your library' placeholder instead of a link. A library's own guide gives its "
        "address as the url. A how-to's url may not be an encyclopedia article."))
    url: HttpUrl | None = Field(None, validate_default=True, description=(
        "The address readers open: an absolute http:// or https:// URL. Required unless kind is how-to."))
    shares_url_with: Slug | None = Field(None, description="The id of another entry that has the same url because both are reached from one page (a "
                                               "library and the service it runs there); without it two entries with one url are an error.")
    description: Text = Field(description="What it is and how to use it, in zh and/or en. Markdown links (http, https, mailto) and emphasis are "
                              "allowed; HTML is not.")
    category: Slug = Field(description="One of the category keys defined in guides/_site.yml.")
    tags: list[Slug] = Field(default_factory=list, description="Free-form topic tags (slugs), listed on the tag index page.")
    access: Access = Field(description="How readers get in: free, free-with-registration, temporarily-free, institutional (through a subscribing "
                           "library) or paid (a fee per use).")
    status: Status = Field("active", description="active, or ended for programs that have closed (they stay listed, marked ended).")
    available_from: dt.date | None = Field(None, description="First day of a temporary program (YYYY-MM-DD).")
    available_until: dt.date | None = Field(None, description="Last day of a temporary program (YYYY-MM-DD); required when status is ended.")
    provider: Text | None = Field(None, description="Who runs or issues it (publisher, authority, library).")
    languages: list[LanguageCode] = Field(default_factory=list, description="ISO 639-1 codes of the resource's content, e.g. [zh, en].")
    last_verified: dt.date | None = Field(None, description=(
        "The date a person last confirmed the entry against its provider's own statement; leave empty until someone has. "
        "Record a check with 'openshelf verify', which also fills verified_by and evidence."))
    verified_by: Annotated[str, StringConstraints(min_length=1, max_length=200), NoControls] | None = Field(None, description=(
        "Who made the last check: a name, a library, a team. Needs last_verified."))
    evidence: list[HttpUrl] = Field(default_factory=list, description=(
        "What the last check looked at: the http(s) address of the page that states the offer (the provider's "
        "announcement, its terms), or an archived copy of it (web.archive.org). Needs last_verified; "
        "'openshelf stale' lists checks recorded without evidence."))
    evidence_kind: Literal["provider", "copy", "report"] | None = Field(None, description=(
        "What the evidence is: 'provider', the provider's own page as published (what a check without this field "
        "means); 'copy', a stored or archived copy of that page; 'report', someone else's report or reprint of what "
        "the provider said. The site says 'verified' for the first two, linked to the evidence, and 'checked against a "
        "report' for a report, without linking it. Needs last_verified."))
    verification_note: Annotated[str, StringConstraints(min_length=1, max_length=1000), NoControls] | None = Field(None, description=(
        "What the evidence stated, in a sentence or two, for the next person who checks (not shown to readers). "
        "Needs last_verified."))
    related: list[Slug] = Field(default_factory=list, description="Ids of related entries: a database names the access methods that reach it.")
    distinct_from: list[Slug] = Field(default_factory=list, description=(
        "Ids of entries a person has checked are different resources although their titles are the same or nearly "
        "(two sites both called COVID-19 Dashboard): silences the near-duplicate-title warning for each pair."))
    aliases: list[Annotated[str, StringConstraints(min_length=1, max_length=200), NoControls]] = Field(
        default_factory=list, description="Other names and acronyms readers may search for, e.g. 知网, CNKI.")
    link_check: LinkCheck = Field("normal", description="normal; login-required for pages that can only be checked behind a login; skip to exclude "
                                            "from link checks.")
    archive_url: HttpUrl | None = Field(None, description="An archived copy shown to readers when the link is broken.")
    best_bet: bool = Field(False, description=(
        "true marks one of the few best starting points of its collection (LibGuides' best bets): listed first in its "
        "category and marked so readers see it; leave it out for every other entry."))
    service_status: ServiceStatus | None = Field(None, description=(
        "For a library's own services: whether it runs now (running, changed, suspended), with a note and the date; shown "
        "in the home page's service-status table while _site.yml declares an emergency."))

    # Where the entry came from; set by the loader (guide/load.py) after validation (not part of the schema).
    _collection: str = PrivateAttr("")
    _path: str = PrivateAttr("")
    _positions: FieldPositions = PrivateAttr(default_factory=_no_positions)

    def locate(self, collection: str, path: str, positions: FieldPositions) -> None:
        """Record where the entry came from: its collection, its file, and its fields' positions
        (``"url"``, ``"related[2]"``, ``""`` for the entry itself)."""
        self._collection = collection
        self._path = path
        self._positions = positions

    @property
    def collection(self) -> str:
        """The id of the collection this entry belongs to."""
        collection: str = _private(self, "_collection")
        return collection

    def where(self, field: str | None = None) -> Location:
        """The source location of ``field`` (or of the entry itself)."""
        positions: FieldPositions = _private(self, "_positions")
        found = positions.get(field or "", _NOWHERE)
        line, col = positions.get("", (0, 0)) if found is _NOWHERE else found  # the entry's own place only when needed
        return Location(_private(self, "_path"), line, col)

    @field_validator("url")
    @classmethod
    def _address(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A resource needs its url (reported as missing, with the other missing fields); a how-to
        may leave it out but not point at an encyclopedia.  ``kind`` comes first, so it is known here."""
        kind = info.data.get("kind")  # absent only when kind itself is invalid: that error is enough
        if value is None and kind == "resource":
            raise PydanticCustomError("missing", "Field required")
        if value and kind == "how-to" and is_encyclopedia(value):
            raise ValueError("a how-to's url must be a library's own address, not an encyclopedia article: "
                             "leave url out and readers see a 'your library's address' placeholder")
        return value

    @field_validator("last_verified")
    @classmethod
    def _not_ahead(cls, value: dt.date | None) -> dt.date | None:
        """A check is recorded when it was made: never after today (a day of slack for the time zones)."""
        if value is not None and value > dt.date.today() + dt.timedelta(days=1):
            raise ValueError(f"last_verified {value.isoformat()} is in the future: a check is recorded on the day it was made")
        return value

    @model_validator(mode="after")
    def _dates(self) -> Entry:
        if self.available_from and self.available_until and self.available_until < self.available_from:
            raise ValueError("available_until is before available_from")
        if self.status == "ended" and not self.available_until:
            raise ValueError("available_until is required when status is ended")
        if self.status == "ended" and self.service_status is not None and self.service_status.state != "suspended":
            raise ValueError(f"service_status says '{self.service_status.state}' for a program that has ended (status: ended): "
                             "the home page would show it as open; set its state to suspended, or remove service_status")
        recorded = [name for name in CHECK_FIELDS if getattr(self, name)]
        if recorded and self.last_verified is None:
            raise ValueError(f"{', '.join(recorded)} describe a check: give last_verified, the date it was made "
                             "('openshelf verify ID --by NAME --evidence URL' records all of them)")
        return self


#: The fields that describe the last check besides its date (``last_verified``); ``openshelf verify`` writes them.
CHECK_FIELDS = ("verified_by", "evidence", "evidence_kind", "verification_note")
#: The entry fields that hold text in both languages, and those that hold lists.
TEXT_FIELDS = tuple(name for name, info in Entry.model_fields.items() if Text in (info.annotation, *get_args(info.annotation)))
LIST_FIELDS = tuple(name for name, info in Entry.model_fields.items() if get_origin(info.annotation) is list)


class Collection(_Strict):
    """One file ``guides/<id>.yml``: a collection of entries shown as one page."""

    id: Slug = Field(description="The collection's id; must match the file name.")
    title: Text = Field(description="The page title, in zh and/or en.")
    description: Text | None = Field(None, description="An introduction shown at the top of the page.")
    order: int = Field(100, description="Position in the navigation; lower comes first.")
    entries: list[Entry] = Field(default_factory=list, description="The resources in this collection.")


class Announcement(Text):
    """A notice shown in the bar at the top of every page."""

    until: dt.date | None = Field(None, description="Hide the announcement after this date (YYYY-MM-DD).")


class Emergency(_Strict):
    """An emergency the guide is serving readers through (a closure, an epidemic): shown on the home page."""

    name: Text = Field(description="What the emergency is, e.g. 新冠肺炎疫情闭馆 · COVID-19 closure.")
    phase: Phase = Field(description="prepare, respond, recover, or normal (the emergency is over: nothing is shown).")
    since: dt.date = Field(description="The day it began (YYYY-MM-DD): the home page lists what is new or changed since then.")
    notice: Text | None = Field(None, description="A short notice to readers, shown under the phase on the home page.")


class Limits(_Strict):
    """Bounds on what one run reads, so that a mistaken or hostile file cannot hang or exhaust it.

    They apply to the collection files; ``_site.yml`` itself is always read with the defaults.
    """

    max_file_bytes: int = Field(20_000_000, ge=1, description="Largest guide file, in bytes (a 20,000-entry guide is about 7 MB).")
    max_entries: int = Field(50_000, ge=1, description="Most entries in the whole guide.")
    max_value_chars: int = Field(100_000, ge=1, description="Longest single value, in characters (text fields are also capped at 10,000 by the "
                                                "schema).")
    max_depth: int = Field(64, ge=1, description="Deepest nesting of mappings and lists (a guide needs five levels).")
    max_nodes: int = Field(2_000_000, ge=1, description="Most values in one file once YAML aliases are expanded (stops alias bombs).")


class ResourceKind(Text):
    """A kind of resource the guide promises readers (the default guide: those the 2020 survey of Chinese libraries'
    emergency services names), with its label in zh and/or en and the entries that count toward it."""

    categories: list[Slug] = Field(default_factory=list, description=(
        "Categories (keys of categories) whose entries all count toward this kind, e.g. [ebooks]."))
    tags: list[Slug] = Field(default_factory=list, description=(
        "Further tags that make an entry count toward this kind; an entry tagged with the kind's own key always counts."))

    def includes(self, key: str, entry: Entry) -> bool:
        """Whether ``entry`` counts toward this kind (``key`` is the kind's key in ``resource_kinds``)."""
        return entry.category in self.categories or key in entry.tags or not set(self.tags).isdisjoint(entry.tags)


def serves(key: str, entry: Entry) -> bool:
    """Whether ``entry`` counts toward the service ``key`` of ``services`` in ``_site.yml``: its tags include the key."""
    return key in entry.tags


TextLanguage = Literal["zh", "en"]


class Policy(_Strict):
    """This guide's content rules beyond the schema, checked by ``openshelf validate`` (and every build).

    The schema asks each text for at least one language; a guide that promises readers both says so here.
    """

    title_languages: list[TextLanguage] = Field(default_factory=list, description=(
        "The languages every entry's title must have, e.g. [zh, en]; empty (the default): one of the two is enough."))
    description_languages: list[TextLanguage] = Field(default_factory=list, description=(
        "The languages every entry's description must have, e.g. [zh, en]; empty (the default): one of the two is enough."))
    severity: Literal["error", "warning"] = Field("error", description=(
        "error (the default): a breach stops validate and the build; warning: it is reported and the guide still builds "
        "(fatal only with validate --strict or the plugin's strict option)."))


class Site(_Strict):
    """Site-wide settings, in ``guides/_site.yml``."""

    title: Text = Field(description="The site's title.")
    id: Slug | None = Field(None, description=(
        "The guide's stable name (a slug, e.g. emergency): other guides that subscribe to this one name it in their "
        "provenance, so keep it once published. Exports use 'guide' when it is left out."))
    publisher: Text | None = Field(None, description="The library or group that maintains the guide, in zh and/or en.")
    url: HttpUrl | None = Field(None, description="The published site's address; site_url in mkdocs.yml wins when both are set.")
    repository: HttpUrl | None = Field(None, description=(
        "Where the guide is kept, e.g. https://github.com/ORG/REPO: every page's footer asks readers to report a mistake "
        "or a dead link there. Left out, a build in GitHub Actions uses the repository it runs in; elsewhere there is no link."))
    license: Annotated[str, StringConstraints(max_length=100), NoControls] | None = Field(
        None, description="The content's licence as an SPDX identifier, e.g. CC-BY-4.0 or CC0-1.0.")
    languages: list[LanguageCode] = Field(default_factory=lambda: ["zh", "en"], min_length=1, description=(
        "The languages the guide is written in, as ISO 639-1 codes (zh and/or en, the languages of its text fields; "
        "the site has an edition in each); the first is the main one."))

    @field_validator("languages")
    @classmethod
    def _text_languages(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in TEXT_LANGUAGES]
        if unknown:  # the build would stop on it: say so here, where validate and an editor see it
            raise ValueError(f"{', '.join(map(repr, unknown))}: a guide is written in {' and '.join(TEXT_LANGUAGES)} (the languages "
                             "its text fields hold, and of the site's editions); an entry's own 'languages' may name any")
        if len(set(value)) != len(value):
            raise ValueError("a language is named twice")
        return value
    consortium: bool = Field(False, description=(
        "True for a consortium site: the guides in _sources.yml are its members, listed on a Members page with a "
        "per-member filter."))
    description: Text | None = Field(None, description="One or two sentences on the home page.")
    announcement: Announcement | None = Field(None, description="Emergency notice shown on every page; leave empty for none.")
    emergency: Emergency | None = Field(None, description=(
        "Declare an emergency: the home page then shows its phase, the service-status table (entries with "
        "service_status) and what is new or changed since it began, and the announcement bar links there. Leave it "
        "out, or set phase: normal, and none of it shows."))
    categories: dict[Slug, Text] = Field(description="Category keys used by entries, with their labels in zh and en; this order is the page order.")
    tags: dict[Slug, Text] = Field(default_factory=dict, description=(
        "Optional labels for the entries' tags, in zh and/or en, shown to readers on the tag index, the entries and the tag "
        "filter (e.g. ebooks: {zh: 电子书, en: E-books}); a tag without a label shows its slug."))
    services: dict[Slug, Text] = Field(default_factory=dict, description=(
        "The library services the guide is organised around (the default guide: the thirteen of the library plan's "
        "Table 1), key → label in zh and en. An entry counts toward a service when its tags include the key; the "
        "About page shows how many entries each service has, and validate warns about a service with no entry."))
    resource_kinds: dict[Slug, ResourceKind] = Field(default_factory=dict, description=(
        "The kinds of resource the guide promises readers (the default guide: those the 2020 survey of Chinese libraries' "
        "emergency services names), key → label in zh and en, with the categories and tags whose entries count toward the "
        "kind (an entry tagged with the key always counts). The About page shows how many entries each kind has; "
        "validate warns about a kind, like a service, with no entry."))
    policy: Policy = Field(default_factory=Policy, description=(
        "Content rules for every entry beyond the schema (languages required in titles and descriptions); the categories "
        "allowed are the keys of categories."))
    limits: Limits = Field(default_factory=Limits, description="Limits on file size, entries, value length and nesting; the defaults suit any real "
                                                   "guide.")

    # Where the settings came from; set by the loader (guide/load.py) after validation (not part of the schema).
    _path: str = PrivateAttr(SITE_FILE)
    _positions: ValuePositions | None = PrivateAttr(None)

    def locate(self, path: str, positions: ValuePositions) -> None:
        """Record the file and where its values start (``positions.of(("services", "novelty-search"))`` → line, column)."""
        self._path = path
        self._positions = positions

    def __eq__(self, other: object) -> bool:
        """The same settings are equal wherever they were read from: where they came from is not compared."""
        return isinstance(other, Site) and self.__dict__ == other.__dict__

    __hash__ = BaseModel.__hash__

    def where(self, *keys: str | int) -> Location:
        """The source location of the value at ``keys`` (or of its nearest ancestor; the file alone when not located)."""
        line, col = self._positions.of(keys) if self._positions is not None else (0, 0)
        return Location(self._path, line, col)


SCHEMAS: dict[str, type[BaseModel]] = {"collection": Collection, "site": Site}
