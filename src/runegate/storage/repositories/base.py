"""The repository base: adds the organization id to every select, insert, update and
delete, and turns integrity errors and missing rows into domain errors. Repositories
never commit; services own the unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import ClassVar
from typing import Generic
from typing import TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.errors import Conflict
from runegate.errors import NotFound
from runegate.storage.models.base import Base
from runegate.storage.models.user import ResourceCount
from runegate.tenancy.context import TenantContext

M = TypeVar("M", bound=Base)


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
