"""The collector settled after start-up (kohtaanto.heap): what lives for the process is
frozen out of the collector's sight, and young collections come less often."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from kohtaanto import heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
def test_settle_freezes_what_lives_and_collects_the_young_less_often() -> None:
    gc.unfreeze()
    long_lived = [{"skill": n} for n in range(10_000)]  # a vocabulary, a model
    heap.settle()
    assert gc.get_freeze_count() >= len(long_lived)
    assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD

    # Cycles made afterwards are still collected.
    class Node:
        other: Node | None = None

    a, b = Node(), Node()
    a.other, b.other = b, a
    del a, b
    assert gc.collect() >= 2


@pytest.mark.usefixtures("restored_collector")
def test_settle_once_freezes_only_the_first_time(monkeypatch: pytest.MonkeyPatch) -> None:
    gc.unfreeze()
    monkeypatch.setattr(heap, "_settled", False)
    heap.settle_once()
    frozen = gc.get_freeze_count()
    garbage_to_be = [{"entry": n} for n in range(10_000)]  # made after start-up
    heap.settle_once()
    assert gc.get_freeze_count() == frozen
    del garbage_to_be
