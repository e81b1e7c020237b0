"""The repository base: adds the organization id to every select, insert, update and
delete, and turns integrity errors and missing rows into domain errors. Repositories
never commit; services own the unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import ClassVar
from typing import Generic
from typing import TypeVar

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
from runegate.tenancy.context import TenantContext

M = TypeVar("M", bound=Base)


class TenantRepository(Generic[M]):
    """CRUD for one model, always restricted to one organization (`org_id`)."""

    model: ClassVar[type[Any]]
    not_found: ClassVar[str] = "The resource does not exist."
    conflict: ClassVar[str] = "The resource conflicts with an existing one."

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

    async def count(self, stmt: Select[M] | None = None) -> int:
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
