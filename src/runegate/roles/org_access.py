"""Who may act in a sub-organization, and with which scopes (the organization switch).

- An application acts in a sub-organization it is shared with (`application_share`, or
  `shared_with_all` for every descendant of its organization).
- A user acts in the organization they belong to, with the scopes of their roles there.
- A user acts in an organization below their own when they are an administrator of
  their own organization (hold its `Administrator` role) or created that organization or
  one of its ancestors: they then hold the target's `Administrator` role scopes, as
  Asgardeo gives the creator and the root organization's administrators an administrator
  role in every descendant.
Every query is restricted to one root organization. The role facts (is the user an
administrator of their own organization, which scopes does an organization's
`Administrator` role carry) are cached in the worker on the `roles` channel, as the role
scopes of `roles/store.py`; the user, the organization and the share are read each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.cache import Cache
from runegate.cache import CacheRegistry
from runegate.identity.users import PENDING_INVITATION
from runegate.roles.resolve import administrator_scopes
from runegate.roles.resolve import is_administrator
from runegate.roles.resolve import organization_role_scopes
from runegate.storage.changes import ROLES
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


def _ids(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


MAX_CACHED = 50_000


class OrganizationAccess:
    def __init__(self, db: Database, caches: CacheRegistry) -> None:
        """`caches`: the app's registry, so a role change anywhere clears these facts
        (a private registry would never be told)."""
        self.db = db
        self._admins: Cache[bool] = Cache(caches, "org_administrators", MAX_CACHED, ROLES)
        self._admin_scopes: Cache[frozenset[str]] = Cache(
            caches, "org_administrator_scopes", MAX_CACHED, ROLES
        )

    async def _sub_org(self, tenant: TenantContext, condition: Any) -> OrgFacts | None:
        """One statement: a pooled connection without a transaction (`Database.autocommit`)."""
        async with self.db.autocommit() as conn:
            row = (
                await conn.execute(
                    select(
                        Organization.id, Organization.name, Organization.status, Organization.path
                    ).where(
                        Organization.root_id == tenant.root_id,
                        condition,
                        Organization.parent_id.is_not(None),
                    )
                )
            ).first()
        return None if row is None else OrgFacts(row.id, row.name, row.status == "ACTIVE", row.path)

    async def find(self, tenant: TenantContext, org_id: str) -> OrgFacts | None:
        """A sub-organization of the tenant's root organization (never the root)."""
        return await self._sub_org(tenant, Organization.id == org_id)

    async def find_by_name(self, tenant: TenantContext, name: str) -> OrgFacts | None:
        """A sub-organization of the tenant's root organization by its (unique) name."""
        return await self._sub_org(tenant, Organization.name == name)

    async def is_shared(self, tenant: TenantContext, application_id: str, org: OrgFacts) -> bool:
        """The root application is shared with `org` (by a row, or with everything below
        its organization): one statement, without a transaction."""
        shared_row = exists(
            select(ApplicationShare.shared_org_id).where(
                ApplicationShare.org_id == tenant.root_id,
                ApplicationShare.application_id == application_id,
                ApplicationShare.shared_org_id == org.id,
            )
        )
        async with self.db.autocommit() as conn:
            found = (
                await conn.execute(
                    select(Application.org_id, Application.shared_with_all, shared_row).where(
                        Application.org_id == tenant.root_id, Application.id == application_id
                    )
                )
            ).first()
        if found is None:
            return False
        app_org, with_all, by_row = found
        if with_all and app_org in _ids(org.path) and app_org != org.id:
            return True
        return bool(by_row)

    async def user_scopes(
        self, tenant: TenantContext, user_id: str, org: OrgFacts
    ) -> frozenset[str] | None:
        """The scopes a user holds in `org`, or None when they have no access to it."""
        ancestry = _ids(org.path)
        async with self.db.read() as session:
            user = await session.scalar(
                select(User).where(User.id == user_id, User.org_id.in_(ancestry))
            )
            if user is None or not user.active or user.attributes.get(PENDING_INVITATION):
                return None
            if user.org_id == org.id:
                return await organization_role_scopes(session, org.id, user.id)
            if not await self._is_administrator(session, user.org_id, user.id):
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
                if created is None:
                    return None
            return await self._administrator_scopes(session, org.id)

    async def _is_administrator(self, session: AsyncSession, org_id: str, user_id: str) -> bool:
        key, generation = (org_id, user_id), self._admins.generation
        found = self._admins.get(key)
        if found is None:
            found = await is_administrator(session, org_id, user_id)
            self._admins.set(key, found, generation)
        return found

    async def _administrator_scopes(self, session: AsyncSession, org_id: str) -> frozenset[str]:
        generation = self._admin_scopes.generation
        found = self._admin_scopes.get(org_id)
        if found is None:
            found = await administrator_scopes(session, org_id)
            self._admin_scopes.set(org_id, found, generation)
        return found
