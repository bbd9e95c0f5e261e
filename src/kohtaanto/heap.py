"""The garbage collector tuned for long-lived processes holding a large, stable heap.

The API and the worker hold the ESCO vocabulary, the ranking model and the related-skill
table for their whole life: hundreds of thousands of objects that never die. CPython's
default collector scans them again at every full collection, and the allocation-heavy
hot paths (a shortlist reads thousands of rows) trigger collections often: on the
national benchmark, collections took more time than the database queries they
interrupted (a 250-person fact read: 60 ms of queries, up to 150 ms of collection).

``settle()`` is the standard remedy (``gc.freeze``, as large CPython services do): move
what exists after start-up into the permanent generation, which is never scanned, and
collect the young generation less often. Cycles made later are still collected.
"""

from __future__ import annotations

import gc

# Allocations between young-generation collections (CPython's default is 700): a
# shortlist allocates far more than 700 objects, nearly all freed by reference counting.
YOUNG_THRESHOLD = 50_000


_settled = False


def settle_once() -> None:
    """``settle()`` the first time a process calls it (the API's start-up, the worker's
    first model). Once is enough: what is frozen is never scanned for cycles again, so
    a process that builds many apps or loads many models (the tests) must not freeze
    each time what then becomes garbage."""
    if not _settled:
        settle()


def settle() -> None:
    """Freeze the objects alive now out of the collector's sight; collect less often.

    Call it after loading what lives for the whole process (settings, vocabulary, a
    model); calling it again after a reload freezes the new objects too.
    """
    global _settled
    gc.collect()
    gc.freeze()
    _settled = True
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
