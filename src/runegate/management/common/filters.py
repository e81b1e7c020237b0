"""Asgardeo list filters: `attr op value` terms joined with `and` / `or`.

Operators `eq`, `sw`, `ew`, `co` (and, where a caller allows them, `ge`, `le`, `gt`,
`lt`, as the organization API does); `and` binds tighter than `or`
(`A and B or C` = `(A and B) or C`), as the application-management definition says.
Values may be quoted (`name eq "My app"`). The result is a SQLAlchemy condition over
the columns a caller allows, so nothing outside that map can be filtered on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Literal

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import or_

from runegate.management.common.errors import ErrorEntry

Operator = Literal["eq", "sw", "ew", "co", "ge", "le", "gt", "lt"]
ORDERED = frozenset({"ge", "le", "gt", "lt"})
MAX_FILTER_LENGTH = 1000
MAX_TERMS = 10

_JOINER = re.compile(r"\s+(and|or)\s+", re.IGNORECASE)
_TERM = re.compile(
    r"\s*([A-Za-z][A-Za-z0-9_.]*)\s+(eq|sw|ew|co|ge|le|gt|lt)\s+(.+?)\s*", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Term:
    attribute: str
    operator: Operator
    value: str


def parse_filter(text: str, entry: ErrorEntry) -> list[list[Term]]:
    """Disjunctive normal form: a list of OR-ed groups of AND-ed terms."""
    if len(text) > MAX_FILTER_LENGTH:
        raise entry.error(reason="the filter is too long")
    parts = _JOINER.split(text.strip())
    if len(parts) > 2 * MAX_TERMS:
        raise entry.error(reason="the filter has too many terms")
    groups: list[list[Term]] = [[]]
    for index, part in enumerate(parts):
        if index % 2:
            if part.lower() == "or":
                groups.append([])
            continue
        groups[-1].append(_parse_term(part, entry))
    return groups


def _parse_term(text: str, entry: ErrorEntry) -> Term:
    match = _TERM.fullmatch(text)
    if match is None:
        raise entry.error(reason=f"cannot read the term {text[:60]!r}")
    value = match.group(3)
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    op: Any = match.group(2).lower()
    return Term(match.group(1), op, value)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def term_condition(column: Any, term: Term) -> ColumnElement[bool]:
    if term.operator == "eq":
        return column == term.value  # type: ignore[no-any-return]
    if term.operator in ORDERED:
        compare = {"ge": "__ge__", "le": "__le__", "gt": "__gt__", "lt": "__lt__"}
        return getattr(column, compare[term.operator])(term.value)  # type: ignore[no-any-return]
    escaped = _escape_like(term.value)
    pattern = {"sw": f"{escaped}%", "ew": f"%{escaped}", "co": f"%{escaped}%"}[term.operator]
    return column.like(pattern, escape="\\")  # type: ignore[no-any-return]


Special = Callable[[Term], ColumnElement[bool] | None]


def filter_condition(
    text: str | None,
    columns: Mapping[str, Any],
    entry: ErrorEntry,
    *,
    ordered: bool = False,
    special: Special | None = None,
) -> ColumnElement[bool] | None:
    """The SQL condition of a filter over the allowed `columns` (attribute -> column).

    `ordered` allows `ge`/`le`/`gt`/`lt`; `special` may build the condition of a term
    itself (e.g. `attributes.<key>`), returning None for the ordinary columns."""
    if not text or not text.strip():
        return None
    groups = parse_filter(text, entry)
    clauses = []
    for group in groups:
        terms = []
        for term in group:
            if term.operator in ORDERED and not ordered:
                raise entry.error(reason=f"the operator {term.operator!r} is not supported")
            built = special(term) if special is not None else None
            if built is not None:
                terms.append(built)
                continue
            column = columns.get(term.attribute)
            if column is None:
                allowed = ", ".join(sorted(columns))
                raise entry.error(
                    reason=f"filtering on {term.attribute!r} is not supported (use {allowed})"
                )
            terms.append(term_condition(column, term))
        clauses.append(and_(*terms))
    return or_(*clauses)
