"""The repository base: adds the organization id to every select, insert, update and
delete, and turns integrity errors and missing rows into domain errors. Repositories
never commit; services own the unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import ClassVar
from typing import Generic
from typing import TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import any_
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.errors import Conflict
from runegate.errors import NotFound
from runegate.storage.models.base import Base
from runegate.storage.models.user import ResourceCount
from runegate.tenancy.context import TenantContext

M = TypeVar("M", bound=Base)


def among(session: AsyncSession, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(:values)`, one array parameter:
    the ids of a 100-entry page bind, render and parse as one value, not 100 (same plan)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(list(values))  # type: ignore[no-any-return]


def is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def among_param(column: Any, name: str, postgresql: bool) -> ColumnElement[bool]:
    """`among` for a statement built once and reused: the values come with each
    execution as parameter `name` (a list), an array on PostgreSQL, an expanding IN on
    SQLite. A reused statement keeps its cache key, so it is neither rebuilt nor keyed
    again per request."""
    if postgresql:
        return column == any_(bindparam(name, type_=ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(bindparam(name, expanding=True))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class SeekOrder:
    """A keyset order: a sort expression (None: the id alone), its direction, and
    whether it can be NULL. Ties are broken by the id in the same direction; rows whose
    key is NULL come after all the others, ordered by id."""

    key: Any | None
    descending: bool = False
    nullable: bool = False


@dataclass(frozen=True)
class SeekPosition:
    """Where a keyset walk stands: a row's key (and whether it is NULL) and id."""

    id: str
    key: Any = None
    null: bool = False


@dataclass
class SeekPage(Generic[M]):
    rows: list[M] = field(default_factory=list)
    positions: list[SeekPosition] = field(default_factory=list)
    more: bool = False  # another row lies beyond the last one, in the walk's direction
    total: int = 0


class TenantRepository(Generic[M]):
    """CRUD for one model, always restricted to one organization (`org_id`)."""

    model: ClassVar[type[Any]]
    not_found: ClassVar[str] = "The resource does not exist."
    conflict: ClassVar[str] = "The resource conflicts with an existing one."
    # The `resource_count` kind kept by triggers for this table, if any.
    counted: ClassVar[str | None] = None

    def __init__(self, session: AsyncSession, *, tenant: TenantContext) -> None:
        self.session = session
        self.tenant = tenant
        self.org_id = tenant.org_id

    def select(self) -> Select[M]:
        return select(self.model).where(self.model.org_id == self.org_id)

    async def find(self, row_id: str) -> M | None:
        result = await self.session.execute(self.select().where(self.model.id == row_id))
        return result.scalar_one_or_none()

    async def get(self, row_id: str) -> M:
        row = await self.find(row_id)
        if row is None:
            raise NotFound(self.not_found)
        return row

    async def find_by(self, **criteria: Any) -> M | None:
        stmt = self.select().filter_by(**criteria)
        return (await self.session.execute(stmt)).scalars().first()

    async def list(self, stmt: Select[M] | None = None) -> Sequence[M]:
        return (
            (await self.session.execute(stmt if stmt is not None else self.select()))
            .scalars()
            .all()
        )

    async def page(
        self,
        where: ColumnElement[bool] | None,
        order_by: Sequence[Any],
        offset: int,
        limit: int,
    ) -> tuple[int, Sequence[M]]:
        """A filtered, sorted page and the total count of matches.

        The page's ids are chosen first, then only those rows are read: with an index
        that fits the filter and the order, OFFSET skips index entries (an index-only
        scan on PostgreSQL) instead of table rows. A page that is not full tells the
        total by itself (no count: `userName eq` costs one query)."""
        ids: Select[Any] = select(self.model.id).where(self.model.org_id == self.org_id)
        if where is not None:
            ids = ids.where(where)
        rows: Sequence[M] = []
        if limit > 0:
            chosen = ids.order_by(*order_by).offset(offset).limit(limit).subquery()
            stmt = self.select().join(chosen, self.model.id == chosen.c.id).order_by(*order_by)
            rows = await self.list(stmt)
            if len(rows) < limit and (rows or offset == 0):
                return offset + len(rows), rows
        return await self.total(ids, filtered=where is not None), rows

    async def seek(
        self,
        where: ColumnElement[bool] | None,
        order: SeekOrder,
        after: SeekPosition | None,
        *,
        backward: bool = False,
        limit: int,
    ) -> SeekPage[M]:
        """Keyset paging: up to `limit` rows strictly after `after` in `order` (the
        `limit` rows just before it with `backward`), in `order`, and the total count of
        matches; `more` tells whether rows lie beyond the page in the walk's direction.

        The bound is a row comparison `(key, id) > (:key, :id)`, which both databases
        answer from an index on `(org_id, key, id)` (see the migration): a page deep in
        the table costs what the first page costs. One row more than asked is read to
        tell whether there is a next page."""
        base: Select[Any] = select(self.model.id).where(self.model.org_id == self.org_id)
        if where is not None:
            base = base.where(where)
        page: SeekPage[M] = SeekPage()
        want = limit + 1
        for null in self._segments(order, after, backward):
            found = await self._seek_segment(base, order, after, null, backward, want)
            for row, key, row_id in found:
                page.rows.append(row)
                page.positions.append(SeekPosition(row_id, None if null else key, null))
            want -= len(found)
            if want <= 0:
                break
        page.more = len(page.rows) > limit
        del page.rows[limit:], page.positions[limit:]
        if backward:
            page.rows.reverse()
            page.positions.reverse()
        if after is None and not backward and not page.more:
            page.total = len(page.rows)
        else:
            page.total = await self.total(base, filtered=where is not None)
        return page

    @staticmethod
    def _segments(order: SeekOrder, after: SeekPosition | None, backward: bool) -> Sequence[bool]:
        """The parts of the walk still ahead (False: keyed rows, True: NULL keys)."""
        parts = [False, True] if order.nullable and order.key is not None else [False]
        if backward:
            parts.reverse()
        if after is not None and after.null != parts[0]:
            return parts[1:]
        return parts

    async def _seek_segment(
        self,
        base: Select[Any],
        order: SeekOrder,
        after: SeekPosition | None,
        null: bool,
        backward: bool,
        limit: int,
    ) -> Sequence[tuple[M, Any, str]]:
        descending = order.descending != backward
        keyed = order.key is not None and not null
        columns = [order.key, self.model.id] if keyed else [self.model.id]
        stmt = base.with_only_columns(*columns)
        if order.key is not None:
            stmt = stmt.where(order.key.is_(None) if null else order.key.is_not(None))
        if after is not None and after.null == null:
            here = tuple_(*columns)
            there = tuple_(*([after.key, after.id] if keyed else [after.id]))
            stmt = stmt.where(here < there if descending else here > there)
        stmt = stmt.order_by(*(c.desc() if descending else c.asc() for c in columns))
        chosen = stmt.limit(limit).subquery()
        picked = list(chosen.c)
        rows = self.select().add_columns(picked[0] if keyed else literal(None), picked[-1])
        rows = rows.join(chosen, self.model.id == picked[-1])
        rows = rows.order_by(*(c.desc() if descending else c.asc() for c in picked))
        return [(row, key, row_id) for row, key, row_id in (await self.session.execute(rows)).all()]

    async def total(self, ids: Select[Any], *, filtered: bool) -> int:
        """How many rows `ids` selects; unfiltered, the trigger-kept count when there is one."""
        if not filtered and self.counted is not None:
            stored = await self.session.scalar(
                select(ResourceCount.total).where(
                    ResourceCount.org_id == self.org_id, ResourceCount.kind == self.counted
                )
            )
            if stored is not None:
                return int(stored)
        return await self.count(ids)

    async def count(self, stmt: Select[Any] | None = None) -> int:
        base = stmt if stmt is not None else self.select()
        counted = select(func.count()).select_from(base.order_by(None).subquery())
        return int((await self.session.execute(counted)).scalar_one())

    async def add(self, row: M) -> M:
        row.org_id = self.org_id  # type: ignore[attr-defined]
        self.session.add(row)
        await self.flush()
        return row

    async def add_many(self, rows: Sequence[M]) -> None:
        """Insert several rows with one flush (batched INSERTs)."""
        for row in rows:
            row.org_id = self.org_id  # type: ignore[attr-defined]
        self.session.add_all(rows)
        await self.flush()

    async def flush(self) -> None:
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise Conflict(self.conflict, detail=str(exc.orig)) from exc

    async def update_where(self, row_id: str, **values: Any) -> int:
        stmt = (
            update(self.model)
            .where(self.model.org_id == self.org_id, self.model.id == row_id)
            .values(**values)
        )
        try:
            result = await self.session.execute(stmt)
        except IntegrityError as exc:
            raise Conflict(self.conflict, detail=str(exc.orig)) from exc
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, row_id: str) -> None:
        stmt = delete(self.model).where(self.model.org_id == self.org_id, self.model.id == row_id)
        result = await self.session.execute(stmt)
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotFound(self.not_found)
