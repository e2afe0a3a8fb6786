"""gcpolicy: the collector's settings come back after a block, whatever happens inside it."""

from __future__ import annotations

import gc

import pytest

from openshelf.gcpolicy import THRESHOLD, fewer_collections, frozen, lasting, paused


def test_paused_stops_the_collector_and_restores_it_even_on_error() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused():
        assert not gc.isenabled()
        raise RuntimeError("inside")
    assert gc.isenabled()


def test_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_fewer_collections_raises_the_threshold_for_the_block_only() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == THRESHOLD
    assert gc.get_threshold() == before


def test_frozen_keeps_the_objects_alive_before_it_out_of_collections_until_it_ends_even_on_error() -> None:
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), frozen():
        assert gc.get_freeze_count() > 0
        raise RuntimeError("inside")
    assert gc.get_freeze_count() == 0


def test_lasting_pauses_the_collector_and_moves_what_the_block_made_to_the_oldest_generation() -> None:
    gc.collect()
    with lasting():
        assert not gc.isenabled()
        made = [[i] for i in range(1000)]
        assert gc.get_count()[0] >= 1000
    assert gc.isenabled()
    assert gc.get_count()[0] < 1000  # none of them is young any more
    assert gc.get_freeze_count() == 0 and len(made) == 1000


def test_lasting_leaves_what_is_frozen_frozen() -> None:
    with frozen():
        before = gc.get_freeze_count()
        with lasting():
            made = [[i] for i in range(100)]
        assert gc.get_freeze_count() == before and len(made) == 100
    assert gc.isenabled()
