"""Hypothesis settings and helpers shared by the property tests: fixed budgets,
derandomized (the same examples on every run), no example database, no deadline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeVar

from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

T = TypeVar("T")


def fixed(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def draw_examples(strategy: st.SearchStrategy[T], examples: int) -> list[T]:
    """Fixed, derandomized examples of `strategy`, for async HTTP tests (hypothesis runs
    only synchronous test functions; no shrinking: a failure prints the example)."""
    found: list[T] = []

    @fixed(examples)
    @given(strategy)
    def draw(value: Any) -> None:
        found.append(value)

    draw()
    return found
