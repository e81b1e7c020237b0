"""Applications and their API authorizations, within one organization."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy import select

from runegate.storage.models.api_resource import ApiScope
from runegate.storage.models.application import Application
from runegate.storage.models.application import AuthorizedApi
from runegate.storage.models.application import AuthorizedScope
from runegate.storage.repositories.base import TenantRepository


class ApplicationRepository(TenantRepository[Application]):
    model = Application
    not_found = "The application does not exist."
    conflict = "An application with the same name or client id already exists."

    async def find_by_client_id(self, client_id: str) -> Application | None:
        return await self.find_by(client_id=client_id)

    async def authorized_apis(self, application_id: str) -> Sequence[AuthorizedApi]:
        stmt = select(AuthorizedApi).where(
            AuthorizedApi.org_id == self.org_id, AuthorizedApi.application_id == application_id
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def authorized_scopes(self, application_id: str) -> Sequence[ApiScope]:
        stmt = (
            select(ApiScope)
            .join(AuthorizedScope, AuthorizedScope.scope_id == ApiScope.id)
            .where(
                AuthorizedScope.org_id == self.org_id,
                AuthorizedScope.application_id == application_id,
                ApiScope.org_id == self.org_id,
            )
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def authorize(
        self,
        application_id: str,
        api_resource_id: str,
        scopes: Sequence[ApiScope],
        policy_id: str = "RBAC",
    ) -> None:
        """Authorize (or re-authorize) the application for a resource and these scopes."""
        existing = await self.session.get(AuthorizedApi, (application_id, api_resource_id))
        if existing is None:
            self.session.add(
                AuthorizedApi(
                    org_id=self.org_id,
                    application_id=application_id,
                    api_resource_id=api_resource_id,
                    policy_id=policy_id,
                )
            )
        have = {s.id for s in await self.authorized_scopes(application_id)}
        for scope in scopes:
            if scope.id not in have and scope.org_id == self.org_id:
                self.session.add(
                    AuthorizedScope(
                        org_id=self.org_id,
                        application_id=application_id,
                        scope_id=scope.id,
                        api_resource_id=api_resource_id,
                    )
                )
        await self.flush()

    async def remove_scopes(self, application_id: str, scope_ids: Sequence[str]) -> None:
        await self.session.execute(
            delete(AuthorizedScope).where(
                AuthorizedScope.org_id == self.org_id,
                AuthorizedScope.application_id == application_id,
                AuthorizedScope.scope_id.in_(scope_ids),
            )
        )

    async def unauthorize(self, application_id: str, api_resource_id: str) -> int:
        await self.session.execute(
            delete(AuthorizedScope).where(
                AuthorizedScope.org_id == self.org_id,
                AuthorizedScope.application_id == application_id,
                AuthorizedScope.api_resource_id == api_resource_id,
            )
        )
        result = await self.session.execute(
            delete(AuthorizedApi).where(
                AuthorizedApi.org_id == self.org_id,
                AuthorizedApi.application_id == application_id,
                AuthorizedApi.api_resource_id == api_resource_id,
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def delete_with_authorizations(self, application_id: str) -> None:
        """Delete the application and every authorization it holds."""
        for model in (AuthorizedScope, AuthorizedApi):
            await self.session.execute(
                delete(model).where(
                    model.org_id == self.org_id, model.application_id == application_id
                )
            )
        await self.delete(application_id)
