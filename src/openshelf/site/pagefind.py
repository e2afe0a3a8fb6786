"""Pagefind: the search index written into a built site (``pagefind/``).

Material's own search loads the whole index into the reader's browser before the first query
(10–23 MB at 10,000 entries).  Pagefind splits its index into small compressed fragments and the
browser fetches only those a query needs.  :func:`index_site` indexes the entry records
(:mod:`openshelf.site.search`) and every other page that Material would index (not the
collection pages, whose entries are records already, and not pages with ``search: exclude``)
from its built HTML, with Pagefind's binary.

Pagefind holds about 600 bytes of memory for every word it indexes (10,000 Chinese records, 1.56
million words: 956 MB in one run).  So a large guide is indexed in parts of at most
:data:`WORDS_PER_RUN` words, one run after another: the part with the pages is the bundle
itself, the others go into its sub-folders ``part-2/``, ``part-3/`` … and ``openshelf-parts.json``
lists them; ``assets/search.js`` merges them into one search in the browser (Pagefind's
``mergeIndex``).  A guide of a few thousand entries has one part, as before.  The records' parts
need no built page, so the builders start them as soon as the guide is rendered, and the pages
join the last run once built (:class:`Indexing`): at 10,000 entries the index is no longer made
after the site but while it builds.

Chinese is indexed character by character, so that the index and the reader's query always
cut Chinese text the same way.  Pagefind 1.5 segments a Chinese query in the browser with
``Intl.Segmenter`` (ICU's dictionary) but the index with jieba (charabia, in the extended
binary): where they disagree a word present in the text is not found (ICU cuts 疫情 into
疫 + 情 and 古登堡 into 古 + 登 + 堡; jieba keeps each whole).  So :func:`index_text` puts a
zero-width space between adjacent Chinese characters of everything indexed: Pagefind's
segmenter then yields one word per character, and its result script removes the zero-width
spaces from what it shows.  ``assets/search.js`` spaces out the query's Chinese characters
the same way (the class of characters, :data:`HAN_RANGES`, is written into both; a test
checks they agree) and keeps only results that hold each run of them contiguously
(Pagefind's exact-phrase search).  The bilingual site is indexed as ``zh`` (English words still split
on spaces); each edition of a site per language in its own language, into its own folder.
``assets/search.js`` wires Material's search box to the index.  The MkDocs plugin and
``openshelf build --engine mkdocs`` index each edition with :class:`Indexing` (started before
its pages build, finished after); :func:`index_site` does it all at once.
Zensical keeps its own search.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from pathlib import Path

from openshelf.errors import BuildError
from openshelf.site.search import Record, entry_pages, excluded

PACKAGE = Path(__file__).parent
#: Material's ``partials/search.html`` with OpenShelf's form: used only when Pagefind searches.
OVERRIDES = PACKAGE / "search_overrides"

LANGUAGE = "zh"
BUNDLE = "pagefind"
SCRIPT = "assets/openshelf/search.js"
#: The scratch folder's sub-folder of entry stubs (their URLs are never shown: results use the ``href`` filter).
STUBS = "_entries"
#: Material's article holds a page's content; header, navigation and footer stay out.
ROOT_SELECTOR = "article.md-content__inner"
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
EXCLUDE_SELECTORS = [".headerlink", ".md-source-file", ".os-badges"]
#: Chinese characters that are indexed one by one: the letters and numerals of Unicode's Han script
#: (ideographs, the iteration mark, the ideographic zero, Hangzhou numerals); ``assets/search.js``
#: holds the same class (:func:`js_han_class`).
HAN_RANGES = ((0x3005, 0x3005), (0x3007, 0x3007), (0x3021, 0x3029), (0x3038, 0x303B), (0x3400, 0x4DBF),
              (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF))
ZWSP = "\u200b"
_HAN = "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in HAN_RANGES)
_BETWEEN_HAN = re.compile(f"(?<=[{_HAN}])(?=[{_HAN}])")
#: A word as :func:`word_count` counts it: a Chinese character, or a run of other letters and digits.
_COUNTED = re.compile(f"[{_HAN}]|[^\\W{_HAN}]+")

#: Words (a Chinese character is one) that one Pagefind run indexes at most: at about 600 bytes a word
#: a run holds some 300 MB, whatever the guide's size (measured with Pagefind 1.5.2: 1.56 million words
#: of Chinese records, 956 MB; 0.97 million words of English ones, 645 MB; 68 MB with next to no text).
WORDS_PER_RUN = 400_000
#: The bundle's list of its further parts (sub-folders, relative to the bundle), which ``assets/search.js`` merges.
PARTS_FILE = "openshelf-parts.json"
#: What a further part leaves out: scripts, styles and WebAssembly (the first part's search its index).
PART_DROPS = ("*.js", "*.css", "wasm.*")


def index_text(text: str, language: str = LANGUAGE) -> str:
    """Text as Pagefind reads it: a zero-width space between adjacent Chinese characters (pure).

    Indexed as another language (an edition's), Pagefind does not part words at a zero-width space:
    there a plain space parts them (Chinese names in the English edition, 知网).
    """
    return _BETWEEN_HAN.sub(ZWSP if language == "zh" else " ", text)


def word_count(text: str) -> int:
    """About how many words Pagefind indexes in ``text``: each Chinese character, and each run of
    other letters and digits (pure)."""
    return _COUNTED.subn("", text)[1]  # counted in one pass, without a string for each word


def parts_of(words: Sequence[int], budget: int = WORDS_PER_RUN, first: int = 0) -> list[range]:
    """The records (by position) of each Pagefind run: consecutive groups whose ``words`` add up to at most
    ``budget`` (a record larger than that goes alone); ``first``, the words the first run holds besides
    (the site's pages).  Always one group at least, an empty one for no records (pure)."""
    parts: list[range] = []
    start, held = 0, first
    for n, count in enumerate(words):
        if n > start and held + count > budget:
            parts.append(range(start, n))
            start, held = n, 0
        held += count
    parts.append(range(start, len(words)))
    return parts


def js_han_class() -> str:
    """:data:`HAN_RANGES` as the inside of a JavaScript character class (with the ``u`` flag)."""
    def js(code: int) -> str:
        return f"\\u{code:04X}" if code <= 0xFFFF else f"\\u{{{code:X}}}"
    return "".join(js(a) if a == b else f"{js(a)}-{js(b)}" for a, b in HAN_RANGES)


class SearchIndexError(BuildError):
    """Pagefind is missing or failed; the message says why."""


def plan_from_docs(docs_dir: Path, records: Iterable[Record], use_directory_urls: bool = True) -> tuple[list[str], dict[str, str]]:
    """For a build without the plugin: the built HTML pages to index and every page's URL."""
    from mkdocs.structure.files import File
    from mkdocs.utils.meta import get_data

    skip = entry_pages(records)
    html: list[str] = []
    urls: dict[str, str] = {}
    for path in sorted(docs_dir.rglob("*.md")):
        f = File(path.relative_to(docs_dir).as_posix(), str(docs_dir), "site", use_directory_urls)
        urls[f.src_uri] = f.url
        if f.src_uri not in skip and not excluded(get_data(path.read_text(encoding="utf-8"))[1]):
            html.append(f.dest_uri)
    return html, urls


def _stub(record: Record, href: str, language: str = LANGUAGE) -> str:
    """A small HTML page holding one record; Pagefind indexes it, the result links to its ``href`` filter.

    Pagefind 1.5 searches every metadata field, so what must be shown but not searched (the
    entry's address, its collection) is a filter: returned with the result, never matched.
    """
    title = record.meta.get("title", "")
    shown = [("meta", key, value) for key, value in record.meta.items()]
    shown += [("filter", key, value) for key, values in {"href": href, **record.filters}.items()
              for value in ((values,) if isinstance(values, str) else values)]  # one span per value of a filter
    spans = "".join(f'<span data-pagefind-{kind}="{key}">{html.escape(value)}</span>' for kind, key, value in shown if value)
    return (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f'<body><article class="md-content__inner"><h1>{html.escape(index_text(title, language))}</h1>'
            f'<p>{html.escape(index_text(record.content, language))}</p><div data-pagefind-ignore>{spans}</div></article></body></html>')


#: Folders in memory where the stub pages may go (a tmpfs): 10,000 small files written, read once and deleted
#: cost seconds of system time on a disk, none in memory.
MEMORY_FOLDERS = (Path("/dev/shm"),)


def scratch_bytes(records: Iterable[Record]) -> int:
    """A generous estimate of the stub pages' size: four bytes a character (UTF-8), the page around, twice over."""
    return 2 * sum(4 * len(r.content) + 2048 for r in records)


def scratch_parent(size: int, candidates: Iterable[Path] = MEMORY_FOLDERS) -> str | None:
    """Where the scratch folder of ``size`` bytes of stub pages goes: the first writable folder of
    ``candidates`` with twice that room, else None (the system's temporary folder)."""
    need = 2 * size
    for folder in candidates:
        try:
            if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK) and shutil.disk_usage(folder).free > need:
                return str(folder)
        except OSError:
            continue
    return None


def index_site(site_dir: Path, records: Iterable[Record], html_pages: Iterable[str], page_urls: Mapping[str, str],
               language: str = LANGUAGE, words_per_run: int = WORDS_PER_RUN) -> dict[str, int]:
    """Write Pagefind's bundle into ``site_dir/pagefind`` (replacing an older one), in ``language``
    (an edition's: each edition of the site has its own bundle in its own folder), all at once:
    :class:`Indexing`'s runs one after another.

    ``html_pages`` are paths of built HTML files relative to ``site_dir`` to index as pages;
    ``page_urls`` maps a page's source path (``databases.md``) to its URL relative to the site root.
    Returns the counts indexed.
    """
    indexing = Indexing(records, page_urls, language, words_per_run)
    try:
        indexing.run_ahead()
        return indexing.finish(site_dir, html_pages, page_urls)
    finally:
        indexing.discard()


def _executable() -> str:
    try:
        from pagefind.service import get_executable
    except ImportError:  # pragma: no cover - a declared dependency
        raise SearchIndexError("Pagefind is not installed: pip install 'pagefind[extended]'") from None
    exe = get_executable()
    if exe is None or not Path(exe).is_file():
        raise SearchIndexError("the Pagefind binary is missing: pip install 'pagefind[extended]'")
    return str(exe)


class Indexing:
    """One edition's Pagefind bundle, made in runs of at most ``words_per_run`` words (:func:`parts_of`).

    The records need no built page, so all but their last part can be indexed before the site is
    built (:meth:`start`: each run is a task for a pool, one after another while the pages render;
    :meth:`run_ahead`: here and now), each part into a scratch folder.  :meth:`finish`, once the
    edition's pages are built, runs the bundle's own part (the built pages and the records' last part)
    into ``site_dir/pagefind``, moves the other parts in and lists them.  :meth:`discard` removes the
    scratch folders, once the builder is done with every edition or when the build stops.  A part that fails in the
    pool cancels the edition's parts still queued and removes its scratch folders at once; :meth:`finish` raises
    its error.

    Entries are written as small stub pages (in memory where it can: :func:`scratch_parent`) and
    indexed by Pagefind's command-line binary (its Python service answers one message per 100 ms, far
    too slow for 10,000 records).  The stubs of every part are written when the index starts, by the
    thread that starts it: a pool's thread writing thousands of small files waits for the interpreter
    at each of them while the pages render (3 s a part at 10,000 entries, against 0.1 s), while the
    runs themselves only wait for Pagefind.  ``urls``: the address of each page that holds entries
    (source path → URL), as the build will make it; :meth:`finish` checks it against the build's and
    indexes again what it got wrong.
    """

    def __init__(self, records: Iterable[Record], urls: Mapping[str, str], language: str = LANGUAGE,
                 words_per_run: int = WORDS_PER_RUN) -> None:
        self.records = list(records)
        self.language = language
        self.words_per_run = words_per_run
        self._urls = {page: urls.get(page, page) for page in entry_pages(self.records)}
        self._words = [word_count(r.meta.get("title", "")) + word_count(r.content) for r in self.records]
        self._groups = parts_of(self._words, words_per_run)  # the last goes with the pages, into the bundle itself
        self._parts: dict[int, Future[None]] = {}  # part number (1, 2 …) → its run
        self._scratch: list[tempfile.TemporaryDirectory[str]] = []  # the stub pages and the parts made ahead
        self._stubs: list[Path] = []  # each group's stub pages, once written
        self._outputs: Path | None = None  # the parts made ahead, until finish moves them into the bundle
        self._lock = threading.Lock()  # the parts queued and the stubs written, against a part that fails
        self._failed = False  # a part failed: nothing more is queued, the queued parts are cancelled

    def _write_stubs(self) -> Iterator[tuple[int, Path]]:
        """Every group's stub pages, each group in a folder of its own: yields each group's number (1, 2 …) and folder
        once written."""
        self._stubs = []
        for n, group in enumerate(self._groups, start=1):
            records = [self.records[i] for i in group]
            folder = self._folder(scratch_parent(scratch_bytes(records))) / STUBS
            folder.mkdir()
            for i, record in zip(group, records, strict=True):
                page, _, anchor = record.url.partition("#")
                href = self._urls.get(page, page) + (f"#{anchor}" if anchor else "")
                (folder / f"{i}.html").write_text(_stub(record, href, self.language), encoding="utf-8")
            with self._lock:
                self._stubs.append(folder.parent)
            yield n, folder.parent

    def _folder(self, parent: str | None = None) -> Path:
        scratch = tempfile.TemporaryDirectory(prefix="openshelf-search-", dir=parent, ignore_cleanup_errors=True)
        self._scratch.append(scratch)
        return Path(scratch.name)

    def _ahead(self) -> Iterator[tuple[int, Path]]:
        """Each part of the records but the last, as soon as its stub pages are written (the last part's are written too)."""
        return ((n, stubs) for n, stubs in self._write_stubs() if n < len(self._groups))

    def start(self, pool: Executor) -> None:
        """Write the stub pages, then submit the runs of the records' parts but the last to ``pool`` (each a task;
        :meth:`finish` waits for them)."""
        exe = _executable()
        for n, stubs in self._ahead():  # each part's run starts once its stubs are there, while the next part's are written
            with self._lock:
                if self._failed:  # an earlier part failed: this edition's index will not be made
                    shutil.rmtree(stubs, ignore_errors=True)
                    return
                self._parts[n] = pool.submit(self._queued_part, exe, n, stubs)

    def _queued_part(self, exe: str, n: int, stubs: Path) -> None:
        """:meth:`_run_part` in the pool: should it fail, the edition's index cannot be made, so the parts still queued are
        cancelled at once, not run one after another until :meth:`finish` reports the failure, and every stub page
        written and part made so far is removed."""
        try:
            self._run_part(exe, n, stubs)
        except BaseException:
            with self._lock:
                self._failed = True
                for run in self._parts.values():
                    run.cancel()  # those queued; this one is running, the earlier ones done
                for folder in [*self._stubs, *([self._outputs] if self._outputs is not None else [])]:
                    shutil.rmtree(folder, ignore_errors=True)
            raise

    def run_ahead(self) -> None:
        """What :meth:`start` does, the runs here and now."""
        exe = _executable()
        for n, stubs in self._ahead():
            self._run_part(exe, n, stubs)
            done: Future[None] = Future()
            done.set_result(None)
            self._parts[n] = done

    def _run_part(self, exe: str, n: int, stubs: Path) -> None:
        """A part of the records (its stub pages in ``stubs``) into ``part-N`` of the parts made ahead: its index alone
        (no script, style or WebAssembly)."""
        if self._outputs is None:
            self._outputs = self._folder()
        target = self._outputs / part_folder(n)
        shutil.rmtree(target, ignore_errors=True)
        _run(exe, stubs, target, self.language)
        for pattern in PART_DROPS:
            for dropped in target.glob(pattern):
                dropped.unlink()

    def finish(self, site_dir: Path, html_pages: Iterable[str], page_urls: Mapping[str, str]) -> dict[str, int]:
        """Once the pages are built: the bundle in ``site_dir/pagefind``, from the parts made ahead (waited for here)
        and a last run of the built ``html_pages`` (paths relative to ``site_dir``) with the records' last part.
        ``page_urls``: the build's address of every page (source path → URL).  Returns the counts indexed.
        The scratch folders stay until :meth:`discard`: removing thousands of files from a pool's thread while the
        next edition renders would wait for the interpreter at each."""
        for run in self._parts.values():
            run.result()  # a failed run stops here
        built = {page: page_urls.get(page, page) for page in self._urls}
        if built != self._urls or not self._stubs:  # the build gave an entry page another address than expected: again
            self._urls = built
            self.run_ahead()
        exe = _executable()
        pages = [path for path in html_pages if (site_dir / path).is_file()]
        texts = {path: index_text((site_dir / path).read_text(encoding="utf-8"), self.language) for path in pages}
        folders = [part_folder(n) for n in self._parts]
        last = self._stubs[-1]
        if texts and self._groups[-1] and \
                sum(map(word_count, texts.values())) + sum(self._words[i] for i in self._groups[-1]) > self.words_per_run:
            # the pages and the records' last part are more than a run may index: that part apart, the pages alone
            n = len(folders) + 1
            self._run_part(exe, n, last)
            folders.append(part_folder(n))
            last = self._folder()
        for path, text in texts.items():
            (last / path).parent.mkdir(parents=True, exist_ok=True)
            (last / path).write_text(text, encoding="utf-8")
        out = (site_dir / BUNDLE).resolve()
        shutil.rmtree(out, ignore_errors=True)
        _run(exe, last, out, self.language)
        for folder in folders:
            assert self._outputs is not None
            shutil.move(self._outputs / folder, out / folder)
        for name in UNUSED:  # Pagefind's own UIs: the site uses Material's
            (out / name).unlink(missing_ok=True)
        (out / PARTS_FILE).write_text(json.dumps({"parts": [f"{folder}/" for folder in folders]}) + "\n", encoding="utf-8")
        return {"records": len(self.records), "pages": len(pages), "parts": 1 + len(folders)}

    def discard(self) -> None:
        """Remove the scratch folders: stub pages and the parts made ahead (the runs still queued are the pool's to cancel)."""
        for scratch in self._scratch:
            scratch.cleanup()
        self._scratch, self._stubs, self._outputs = [], [], None


def part_folder(n: int) -> str:
    """The sub-folder of the bundle that holds its part ``n`` (counting from 0; part 0 is the bundle itself)."""
    return f"part-{n + 1}"


def _run(exe: str | Path, scratch: Path, target: Path, language: str) -> None:
    """One run of Pagefind's binary: the pages in ``scratch`` indexed into the bundle folder ``target``."""
    command = [str(exe), "--site", str(scratch), "--output-path", str(target), "--root-selector", ROOT_SELECTOR,
               "--exclude-selectors", ",".join(EXCLUDE_SELECTORS), "--force-language", language, "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SearchIndexError(f"cannot run Pagefind ({exe}): {exc}") from None
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind failed (exit {result.returncode}): {(result.stderr or result.stdout).strip()[-2000:]}")
    if not (target / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind wrote no pagefind.js into {target}")
