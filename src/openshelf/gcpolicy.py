"""Fewer cyclic garbage collections while a big guide is loaded, rendered, built or checked.

Loading a guide makes hundreds of thousands of small objects that live until the run ends and form
few cycles; by default Python's collector looks at the young objects every 700 new ones and, as
they pile up, at everything again, so a 50,000-entry guide spends seconds in it.  Every 10,000
costs nothing in memory that matters here and saves a third of the CPU (see docs/link-checking.md).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
from collections.abc import Iterator

#: New objects between collections of the youngest generation while a run lasts (Python's default: 700).
THRESHOLD = 10_000


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect every ``THRESHOLD`` new objects inside the block; the previous setting comes back after."""
    before = gc.get_threshold()
    gc.set_threshold(THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block: for a serialisation that makes a million short-lived,
    acyclic objects at once (PyYAML's node tree of a 10,000-entry export: 5.5 s, 2.1 s paused).
    Reference counting still frees them; the previous setting comes back after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def lasting() -> Iterator[None]:
    """No collection inside the block, and what it made joins the oldest generation unwalked as it ends: for a guide
    being read, hundreds of thousands of objects with few cycles that live on after it, which the collector would walk
    as young objects, again as older ones, and again when it looks at everything (the 10,000-entry bench guide's load:
    0.5 s in collections, and a full collection of 0.7 s soon after).  ``gc.freeze`` then ``gc.unfreeze`` move them
    there without looking at them; while something is frozen already (:func:`frozen`) they stay young instead."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """No collection inside the block looks at the objects alive as it starts (``gc.freeze``); after it they are
    collected as before (``gc.unfreeze``).  For what a command reads first, under :func:`paused`, and keeps while its
    long part runs (``openshelf links``: the guide, rules and state, then the requests): entered before the pause
    ends, none of it is ever walked.  Nothing else here freezes before the process ends (:func:`no_collection_at_exit`)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def no_collection_at_exit() -> None:
    """Leave every object alive now out of the collection Python makes as the process ends (``gc.freeze`` at exit).

    That collection walks all of a run's objects only to find them still referenced; the memory goes back
    with the process anyway.  For a 5,000-URL ``openshelf links`` run it saves ~50 ms.  Calling it again
    changes nothing (one handler).
    """
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
