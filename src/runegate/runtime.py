"""Process-level tuning of a server worker: the cyclic garbage collector.

A worker imports FastAPI, SQLAlchemy, pydantic models and every route at start-up: about
200,000 objects that live as long as the process. CPython's collector walks all of them in
every full (generation 2) collection, and under load it ran one about every second, each
pausing the event loop for ~100 ms on this machine's 2 vCPUs — every request in flight
waited, which was the whole of the token endpoint's p99 (docs/benchmarks.md). Freezing
what start-up left alive moves those objects into the permanent generation, which the
collector never scans; the young generation is also collected less often than CPython's
default, since most of what a request allocates is freed by reference counting anyway.
"""

from __future__ import annotations

import gc

# Objects allocated (net) before a young collection. CPython's default, 700, collects every
# two or three requests, each promoting whatever those requests still hold. Too high is
# worse for the tail: a SCIM list request leaves ~90 objects of cyclic garbage (SQLAlchemy
# statement and subquery objects refer to each other), and at 20,000 each young collection
# traced ~20,500 of them, a 9-16 ms pause every ~220 requests (SCIM `eq` p99 15-18 ms);
# at 5,000 the pauses are a quarter of that (p99 6.4-6.9 ms, docs/benchmarks.md).
YOUNG_THRESHOLD = 5_000


def settle_heap() -> None:
    """Collect once, freeze what survives, and make young collections rarer.

    Call once per process, after start-up, and only in a long-lived server process: frozen
    objects are never collected, so a test process creating many apps must not call it."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
