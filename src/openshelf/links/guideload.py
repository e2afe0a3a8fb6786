"""The guide's URLs for a run: validated in a second process while the first checks begin.

Loading a big guide (reading the YAML, validating every entry with the models, collecting
positions) takes about half a second per 5,000 entries, and the network checks that follow
spend most of their time waiting. So ``openshelf links`` does both at once:

- a child process (``python -m openshelf.links.guideload GUIDES``) runs the core's
  ``load_guide``, exactly what ``openshelf validate`` runs, and sends back either the targets
  (each URL with every place it stands) or the diagnostics that make the guide invalid;
- meanwhile :func:`scan_urls` reads the collection files as plain text for the URLs that will
  certainly be fetched, and the checks of those begin at once.

The validated targets decide what is reported: a URL the scan found but the guide does not
contain is dropped, one the scan missed is checked when the targets arrive, and an invalid
guide stops the run with the same diagnostics and exit code 2 as before. The scan only ever
starts checks early; it never decides a verdict. It is conservative: a file that marks any
entry ``link_check`` other than ``normal`` contributes no early URL (such entries must never
be fetched), nor does anything that is not a simple ``url:`` line with an http(s) address.
"""

from __future__ import annotations

import asyncio
import gc
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from .extract import Target

_KEY_LINE = re.compile(r"^([ \t]*(?:-[ \t]+)?)(id|url):[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_NORMAL_LINE = re.compile(r"^[ \t]*(?:-[ \t]+)?link_check:[ \t]*(?:normal|\"normal\"|'normal')[ \t]*(?:#.*)?$",
                          re.MULTILINE)
_HTTP = re.compile(r"^https?://[^\s\"'<>`\\{}|^]+$", re.IGNORECASE)


#: Collection files smaller than this together are loaded in the checking process itself: a second
#: Python process takes about as long to start as such a guide takes to load.
CHILD_MIN_BYTES = 256 * 1024


def worth_a_child(folder: Path) -> bool:
    """Whether the guide is big enough for loading it in a child process to pay."""
    total = 0
    for path in guide_paths(folder):
        try:
            total += path.stat().st_size
        except OSError:
            continue
        if total >= CHILD_MIN_BYTES:
            return True
    return False


class GuideInvalid(Exception):
    """The guide has errors; ``lines`` are the formatted diagnostics."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def guide_paths(folder: Path) -> list[Path]:
    """The collection files of a guide folder, as the core's ``guide_files`` lists them."""
    try:
        return sorted(p for p in folder.glob("*.y*ml") if not p.name.startswith("_") and p.is_file())
    except OSError:
        return []


def _scalar(raw: str) -> str | None:
    """A one-line YAML scalar: quoted without escapes, or plain up to a comment; else None."""
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        end = raw.find(quote, 1)
        if end < 0 or "\\" in raw[:end] or (quote == "'" and raw[end + 1:end + 2] == "'"):
            return None
        rest = raw[end + 1:].strip()
        if rest and not rest.startswith("#"):
            return None
        return raw[1:end].strip()
    if raw[:1] in ("&", "*", "!", "|", ">", "[", "{"):
        return None
    cut = raw.find(" #")
    return (raw[:cut] if cut >= 0 else raw).strip()


def scan_urls(folder: Path, limit_bytes: int = 64 * 1024 * 1024) -> list[str]:
    """The http(s) URLs on ``url:`` lines of the collection files, in order, each once (a hint)."""
    urls: dict[str, None] = {}
    budget = limit_bytes
    for path in guide_paths(folder):
        try:
            size = path.stat().st_size
            if size > budget:
                break
            budget -= size
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        if text.count("link_check") != len(_NORMAL_LINE.findall(text)):
            continue  # some entry here may be marked skip or login-required: none of its URLs early
        # An entry's url is a key beside its id: same column. (A "url:" line in a block scalar or
        # a nested mapping is deeper; a collection has no url key of its own.)
        id_columns: set[int] = set()
        found: list[tuple[int, str]] = []
        for match in _KEY_LINE.finditer(text):
            column = len(match.group(1))
            if match.group(2) == "id":
                id_columns.add(column)
            else:
                found.append((column, match.group(3)))
        for column, raw in found:
            value = _scalar(raw) if column in id_columns else None
            if value and _HTTP.match(value):
                urls[value] = None
    return list(urls)


def load_targets(folder: Path) -> tuple[list[Target] | None, list[str]]:
    """Load and validate the guide: (targets, []) or (None, the diagnostics as printed)."""
    from openshelf.guide.load import load_guide

    from .extract import targets_from_entries

    was = gc.isenabled()
    gc.disable()  # many objects, no garbage: the collector would only rescan them
    try:
        guide, diagnostics = load_guide(folder)
        if guide is None:
            return None, [d.format() for d in diagnostics]
        return targets_from_entries(guide.entries), []
    finally:
        if was:
            gc.enable()


class GuideLoader:
    """Runs :func:`load_targets` in a child process; :meth:`targets` awaits its answer."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])  # the folder holding 'openshelf'
        env["PYTHONPATH"] = package_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        try:
            self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
                [sys.executable, "-m", "openshelf.links.guideload", str(folder)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            )
        except OSError:
            self._proc = None  # no child: load here when asked

    def wait(self) -> tuple[list[Target] | None, list[str]]:
        proc = self._proc
        if proc is not None:
            out, _ = proc.communicate()
            if proc.returncode == 0:
                try:
                    answer: Any = pickle.loads(out)
                except Exception:  # noqa: BLE001 - any garbage: fall back to loading here
                    answer = None
                if isinstance(answer, tuple) and len(answer) == 2:
                    return answer  # type: ignore[return-value]
        return load_targets(self.folder)  # the child failed: the same work, here

    async def targets(self) -> list[Target]:
        """The validated targets; raises :class:`GuideInvalid` for a guide with errors."""
        targets, lines = await asyncio.get_running_loop().run_in_executor(None, self.wait)
        if targets is None:
            raise GuideInvalid(lines)
        return targets

    def close(self) -> None:
        """Stop the child if it is still running (an early exit of the run)."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.communicate()


def _main(argv: list[str]) -> int:
    gc.disable()
    answer = load_targets(Path(argv[0]))
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
