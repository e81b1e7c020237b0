"""API resources and scopes, within one organization."""

from __future__ import annotations

from collections.abc import Sequence

from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
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
