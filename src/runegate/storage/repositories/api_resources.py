"""API resources and scopes, within one organization."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy import select

from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.models.application import AuthorizedApi
from runegate.storage.models.application import AuthorizedScope
from runegate.storage.repositories.base import TenantRepository


class ApiResourceRepository(TenantRepository[ApiResource]):
    model = ApiResource
    not_found = "The API resource does not exist."
    conflict = "An API resource with this identifier already exists."

    async def find_by_identifier(self, identifier: str) -> ApiResource | None:
        return await self.find_by(identifier=identifier)


class ScopeRepository(TenantRepository[ApiScope]):
    model = ApiScope
    not_found = "The scope does not exist."
    conflict = "A scope with this name already exists in the organization."

    async def of_resource(self, api_resource_id: str) -> Sequence[ApiScope]:
        stmt = self.select().where(ApiScope.api_resource_id == api_resource_id)
        return await self.list(stmt.order_by(ApiScope.name))

    async def find_by_name(self, name: str) -> ApiScope | None:
        return await self.find_by(name=name)

    async def remove_from_authorizations(self, scope_ids: Sequence[str]) -> None:
        """Deleting a scope removes it from every application's authorization."""
        if scope_ids:
            await self.session.execute(
                delete(AuthorizedScope).where(
                    AuthorizedScope.org_id == self.org_id, AuthorizedScope.scope_id.in_(scope_ids)
                )
            )

    async def delete_scopes(self, scope_ids: Sequence[str]) -> None:
        await self.remove_from_authorizations(scope_ids)
        if scope_ids:
            await self.session.execute(
                delete(ApiScope).where(ApiScope.org_id == self.org_id, ApiScope.id.in_(scope_ids))
            )

    async def subscribed_application_ids(self, api_resource_id: str) -> Sequence[str]:
        stmt = select(AuthorizedApi.application_id).where(
            AuthorizedApi.org_id == self.org_id, AuthorizedApi.api_resource_id == api_resource_id
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def delete_resource(self, api_resource_id: str) -> None:
        """Delete the resource, its scopes and every authorization for it."""
        scope_ids = [s.id for s in await self.of_resource(api_resource_id)]
        await self.delete_scopes(scope_ids)
        await self.session.execute(
            delete(AuthorizedApi).where(
                AuthorizedApi.org_id == self.org_id,
                AuthorizedApi.api_resource_id == api_resource_id,
            )
        )
        await ApiResourceRepository(self.session, tenant=self.tenant).delete(api_resource_id)
