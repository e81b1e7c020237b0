"""SCIM filters (RFC 7644 §3.4.2.2) translated to SQLAlchemy expressions.

scim2-models parses the filter and resolves each attribute path (type, case-exactness);
this module only maps attributes to columns. Values are always bound parameters;
LIKE metacharacters are escaped. Indexed case-insensitive attributes are compared on
their pre-folded `*_ci` columns, others through `lower()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter
from scim2_models import SCIMException
from scim2_models import ScimFilter
from scim2_models.path import AttributeBinding
from scim2_models.path import AttrPath
from scim2_models.path import CompareOperator
from scim2_models.path import Comparison
from scim2_models.path import FilterNode
from scim2_models.path import LogicalExpr
from scim2_models.path import LogicalOperator
from scim2_models.path import Not
from scim2_models.path import Present
from scim2_models.path import ValuePath
from scim2_models.path import coerce_value
from scim2_models.path import resolution as _resolution
from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import not_
from sqlalchemy import or_
from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.identity.names import strip_domain
from runegate.scim.columns import Collection
from runegate.scim.columns import Column
from runegate.scim.columns import ResourceColumns
from runegate.scim.errors import InvalidFilter
from runegate.scim.errors import TooMany

MAX_TERMS = 64  # comparisons per filter; more is `tooMany`


@lru_cache(maxsize=256)
def _adapter(annotated: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotated)


def _kept_adapter(annotated: Any, *args: Any, **kwargs: Any) -> TypeAdapter[Any]:
    """One pydantic TypeAdapter per attribute type, kept. scim2-models checks a filter's
    values by building a new adapter for each (`coerce_value`, twice per request: when
    it parses the filter and here when it is compiled); for `emails.value` that took
    about 0.5 ms each (pydantic reads email-validator's version from disk every time).
    Same validation, same errors; only the adapter is reused."""
    if args or kwargs:
        return TypeAdapter(annotated, *args, **kwargs)
    try:
        return _adapter(annotated)
    except TypeError:  # an unhashable annotation
        return TypeAdapter(annotated)


setattr(_resolution, "TypeAdapter", _kept_adapter)  # noqa: B010 - the name coerce_value calls


def escape_like(value: str) -> str:
    """Escape LIKE metacharacters (`\\`, `%`, `_`) for `ESCAPE '\\'`."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _normalize(value: Any, column: Column, binding: AttributeBinding) -> Any:
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return value.isoformat().replace("+00:00", "Z") if column.json_datetime else value
    if not isinstance(value, str):
        return value
    if column.domain_prefixed:
        try:
            value = strip_domain(value)
        except Exception:  # a foreign domain: matches nothing rather than failing
            value = "\x00"
    return value if binding.case_exact and not column.folded else value.lower()


def _prefix_range(expr: ColumnElement[Any], prefix: str) -> list[ColumnElement[bool]]:
    """`sw` on a folded column (byte order: "C" collation, SQLite BINARY) as an index
    range, prefix <= value < successor, beside the exact LIKE: a bound LIKE pattern
    alone leaves PostgreSQL's generic plans without the range."""
    if not prefix:
        return []
    last = ord(prefix[-1]) + 1
    if last > 0x10FFFF:
        return [expr >= prefix]
    if 0xD800 <= last <= 0xDFFF:  # no surrogates in UTF-8: the next code point
        last = 0xE000
    return [expr >= prefix, expr < prefix[:-1] + chr(last)]


def _operand(column: Column, binding: AttributeBinding) -> ColumnElement[Any]:
    expr: ColumnElement[Any] = column.expr
    if column.folded or binding.case_exact or not column.is_text:
        return expr
    return func.lower(expr)


def compare(
    column: Column, binding: AttributeBinding, op: CompareOperator, raw: Any
) -> ColumnElement[bool]:
    """One comparison, two-valued (an absent attribute compares false, so `not` works)."""
    value = _normalize(raw, column, binding)
    expr = _operand(column, binding)
    present = column.expr.is_not(None)
    if op == CompareOperator.ne:
        return or_(column.expr.is_(None), expr != value)
    if op in (CompareOperator.co, CompareOperator.sw, CompareOperator.ew):
        if not isinstance(value, str) or not (column.is_text or column.json_datetime):
            # LIKE on a boolean or timestamp column fails on PostgreSQL (found by fuzzing).
            raise InvalidFilter(f"Operator {op.value} needs a string attribute and value.")
        pattern = escape_like(value)
        pattern = {"co": f"%{pattern}%", "sw": f"{pattern}%", "ew": f"%{pattern}"}[op.value]
        bounds = _prefix_range(expr, value) if op == CompareOperator.sw and column.folded else []
        return and_(present, *bounds, expr.like(pattern, escape="\\"))
    table: dict[CompareOperator, Callable[[Any, Any], Any]] = {
        CompareOperator.eq: lambda a, b: a == b,
        CompareOperator.gt: lambda a, b: a > b,
        CompareOperator.ge: lambda a, b: a >= b,
        CompareOperator.lt: lambda a, b: a < b,
        CompareOperator.le: lambda a, b: a <= b,
    }
    if value is None:
        return column.expr.is_(None) if op == CompareOperator.eq else false()
    return and_(present, table[op](expr, value))


@dataclass
class FilterCompiler:
    """Compile one filter, bound to one resource model, into a WHERE clause."""

    scim_filter: ScimFilter[Any]
    columns: ResourceColumns
    dialect: str = "sqlite"
    terms: int = 0

    def compile(self) -> ColumnElement[bool]:
        return self.visit(self.scim_filter.ast)

    def visit(self, node: FilterNode) -> ColumnElement[bool]:
        if isinstance(node, LogicalExpr):
            parts = [self.visit(term) for term in node.terms]
            return and_(*parts) if node.op == LogicalOperator.and_ else or_(*parts)
        if isinstance(node, Not):
            return not_(self.visit(node.expr))
        if isinstance(node, ValuePath):
            return self._value_path(node)
        if isinstance(node, Comparison | Present):
            return self._leaf(node, None)
        raise InvalidFilter("Unsupported filter expression.")

    def _resolve(self, path: AttrPath, *, comparison: bool) -> AttributeBinding:
        try:
            if comparison:
                binding = self.scim_filter.resolve_comparison(path, strict=True)
            else:
                binding = self.scim_filter.resolve(path, strict=True)
        except SCIMException as exc:
            raise InvalidFilter(exc.detail[:300]) from exc
        if binding is None:
            raise InvalidFilter(f"Unknown attribute {str(path)[:100]!r}.")
        return binding

    def _leaf(self, node: Comparison | Present, within: Collection | None) -> ColumnElement[bool]:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise TooMany(f"A filter may hold at most {MAX_TERMS} comparisons.")
        path = node.attr_path
        if within is not None and within.attr_path is not None:
            outer = within.attr_path
            path = AttrPath(attr=outer.attr, sub_attr=path.attr, uri=outer.uri)
        binding = self._resolve(path, comparison=isinstance(node, Comparison))
        if within is None and binding.field_name == "schemas":
            if not isinstance(node, Comparison):
                return true()
            return self.columns.schemas(node.op.value, node.value)
        if within is None and binding.is_multivalued:
            collection = self.columns.collection(binding, self.dialect)
            return collection.exists(self._sub_leaf(node, binding, collection))
        column = within.column(binding) if within is not None else self.columns.single(binding)
        if isinstance(node, Present):
            return column.present()
        return compare(column, binding, node.op, self._coerce(binding, node))

    def _sub_leaf(
        self, node: Comparison | Present, binding: AttributeBinding, collection: Collection
    ) -> ColumnElement[bool]:
        column = collection.column(binding)
        if isinstance(node, Present):
            return column.present()
        return compare(column, binding, node.op, self._coerce(binding, node))

    def _coerce(self, binding: AttributeBinding, node: Comparison) -> Any:
        try:
            return coerce_value(binding, node.value, node.op)
        except SCIMException as exc:
            raise InvalidFilter(exc.detail[:300]) from exc

    def _value_path(self, node: ValuePath) -> ColumnElement[bool]:
        binding = self._resolve(node.attr_path, comparison=False)
        if not binding.is_multivalued:
            raise InvalidFilter(f"{str(node.attr_path)[:100]!r} is not multi-valued.")
        collection = self.columns.collection(binding, self.dialect).scoped(node.attr_path)
        return collection.exists(self._inner(node.val_filter, collection))

    def _inner(self, node: FilterNode, collection: Collection) -> ColumnElement[bool]:
        if isinstance(node, LogicalExpr):
            parts = [self._inner(term, collection) for term in node.terms]
            return and_(*parts) if node.op == LogicalOperator.and_ else or_(*parts)
        if isinstance(node, Not):
            return not_(self._inner(node.expr, collection))
        if isinstance(node, Comparison | Present):
            return self._leaf(node, collection)
        raise InvalidFilter("Value filters cannot nest.")


def parse_filter(expression: str, model: Any) -> ScimFilter[Any]:
    try:
        return ScimFilter[model](expression)
    except SCIMException as exc:
        raise InvalidFilter(exc.detail[:300]) from exc
    except (ValueError, TypeError) as exc:
        raise InvalidFilter(str(exc)[:300]) from exc


def compile_filter(
    expression: str, model: Any, columns: ResourceColumns, dialect: str = "sqlite"
) -> ColumnElement[bool]:
    return FilterCompiler(parse_filter(expression, model), columns, dialect).compile()


def dialect_of(session: AsyncSession) -> str:
    return str(session.get_bind().dialect.name)
