"""In-process token buckets: one dict lookup and a little arithmetic per request.

A bucket of `per_minute` tokens refills at `per_minute / 60` tokens a second, so a caller
may burst up to `per_minute` requests and then keeps the per-minute rate.
"""

from __future__ import annotations

import math
import time

# Beyond this many keys, buckets that have refilled completely are dropped.
MAX_KEYS = 50_000


class TokenBuckets:
    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated)
        self._max_keys = max_keys

    def take(self, key: str, per_minute: int, now: float | None = None) -> float:
        """0.0 when allowed (a token is taken), else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        rate = per_minute / 60.0
        tokens, updated = self._buckets.get(key, (float(per_minute), now))
        tokens = min(float(per_minute), tokens + (now - updated) * rate)
        if tokens >= 1.0:
            if key not in self._buckets and len(self._buckets) >= self._max_keys:
                self._sweep(now, rate, per_minute)
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / rate

    def _sweep(self, now: float, rate: float, capacity: int) -> None:
        """Forget full buckets (they behave like absent ones); at worst, forget all."""
        full = [k for k, (t, u) in self._buckets.items() if t + (now - u) * rate >= capacity]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self._max_keys:
            self._buckets.clear()


def retry_after(seconds: float) -> str:
    """The `Retry-After` value (RFC 9110 §10.2.3): whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
