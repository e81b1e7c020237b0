"""Who may act in a sub-organization, and with which scopes (the organization switch).

- An application acts in a sub-organization it is shared with (`application_share`, or
  `shared_with_all` for every descendant of its organization).
- A user acts in the organization they belong to, with the scopes of their roles there.
- A user acts in an organization below their own when they are an administrator of
  their own organization (hold its `Administrator` role) or created that organization or
  one of its ancestors: they then hold the target's `Administrator` role scopes, as
  Asgardeo gives the creator and the root organization's administrators an administrator
  role in every descendant.
Every query is restricted to one root organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from runegate.roles.resolve import administrator_scopes
from runegate.roles.resolve import is_administrator
from runegate.roles.resolve import organization_role_scopes
from runegate.storage.db import Database
from runegate.storage.models.application import Application
from runegate.storage.models.application import ApplicationShare
from runegate.storage.models.organization import Organization
from runegate.storage.models.user import User
from runegate.tenancy.context import TenantContext


@dataclass(frozen=True, slots=True)
class OrgFacts:
    id: str
    name: str
    active: bool
    path: str


def _facts(org: Organization) -> OrgFacts:
    return OrgFacts(org.id, org.name, org.status == "ACTIVE", org.path)


def _ids(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


class OrganizationAccess:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _sub_org(self, tenant: TenantContext, condition: Any) -> OrgFacts | None:
        async with self.db.read() as session:
            org = await session.scalar(
                select(Organization).where(
                    Organization.root_id == tenant.root_id,
                    condition,
                    Organization.parent_id.is_not(None),
                )
            )
        return None if org is None else _facts(org)

    async def find(self, tenant: TenantContext, org_id: str) -> OrgFacts | None:
        """A sub-organization of the tenant's root organization (never the root)."""
        return await self._sub_org(tenant, Organization.id == org_id)

    async def find_by_name(self, tenant: TenantContext, name: str) -> OrgFacts | None:
        """A sub-organization of the tenant's root organization by its (unique) name."""
        return await self._sub_org(tenant, Organization.name == name)

    async def is_shared(self, tenant: TenantContext, application_id: str, org: OrgFacts) -> bool:
        """The root application is shared with `org` (by a row, or with everything below
        its organization)."""
        async with self.db.read() as session:
            app = await session.scalar(
                select(Application).where(
                    Application.org_id == tenant.root_id, Application.id == application_id
                )
            )
            if app is None:
                return False
            if app.shared_with_all and app.org_id in _ids(org.path) and app.org_id != org.id:
                return True
            row = await session.scalar(
                select(ApplicationShare.shared_org_id).where(
                    ApplicationShare.org_id == tenant.root_id,
                    ApplicationShare.application_id == application_id,
                    ApplicationShare.shared_org_id == org.id,
                )
            )
        return row is not None

    async def user_scopes(
        self, tenant: TenantContext, user_id: str, org: OrgFacts
    ) -> frozenset[str] | None:
        """The scopes a user holds in `org`, or None when they have no access to it."""
        ancestry = _ids(org.path)
        async with self.db.read() as session:
            user = await session.scalar(
                select(User).where(User.id == user_id, User.org_id.in_(ancestry))
            )
            if user is None or not user.active:
                return None
            if user.org_id == org.id:
                return await organization_role_scopes(session, org.id, user.id)
            below_home = ancestry[ancestry.index(user.org_id) + 1 :]
            created = await session.scalar(
                select(Organization.id)
                .where(
                    Organization.root_id == tenant.root_id,
                    Organization.id.in_(below_home),
                    Organization.created_by == user.id,
                )
                .limit(1)
            )
            if created is None and not await is_administrator(session, user.org_id, user.id):
                return None
            return await administrator_scopes(session, org.id)
