"""Organizations. Root organizations are found by name (the `/t/{name}` segment);
sub-organizations only within their root organization."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.errors import Conflict
from runegate.errors import NotFound
from runegate.storage.models.base import new_id
from runegate.storage.models.organization import Organization


class OrganizationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_root(self, name: str) -> Organization | None:
        stmt = select(Organization).where(
            Organization.name == name, Organization.parent_id.is_(None)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def list_roots(self) -> Sequence[Organization]:
        stmt = (
            select(Organization).where(Organization.parent_id.is_(None)).order_by(Organization.name)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def create_root(self, name: str, description: str | None = None) -> Organization:
        org_id = new_id()
        org = Organization(
            id=org_id, name=name, handle=name, root_id=org_id, description=description
        )
        self.session.add(org)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise Conflict(f"An organization named {name!r} already exists.") from exc
        return org

    async def get_in_root(self, root_id: str, org_id: str) -> Organization:
        """A sub-organization (or the root itself) that belongs to `root_id`."""
        stmt = select(Organization).where(
            Organization.root_id == root_id, Organization.id == org_id
        )
        org = (await self.session.execute(stmt)).scalar_one_or_none()
        if org is None:
            raise NotFound("The organization does not exist.")
        return org
