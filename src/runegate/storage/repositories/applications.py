"""Applications and their API authorizations, within one organization."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from runegate.storage.models.api_resource import ApiScope
from runegate.storage.models.application import Application
from runegate.storage.models.application import ApplicationShare
from runegate.storage.models.application import AuthorizedApi
from runegate.storage.models.application import AuthorizedScope
from runegate.storage.models.token import IssuedToken
from runegate.storage.repositories.base import TenantRepository


class ApplicationRepository(TenantRepository[Application]):
    model = Application
    not_found = "The application does not exist."
    conflict = "An application with the same name or client id already exists."

    def visible(self) -> Select[Application]:
        """Its own applications; in a sub-organization also the root organization's
        applications shared with it (read-only there)."""
        if not self.tenant.switched:
            return self.select()
        shared = select(ApplicationShare.application_id).where(
            ApplicationShare.org_id == self.tenant.root_id,
            ApplicationShare.shared_org_id == self.org_id,
        )
        from_root = and_(
            Application.org_id == self.tenant.root_id,
            or_(Application.shared_with_all, Application.id.in_(shared)),
        )
        return select(Application).where(or_(Application.org_id == self.org_id, from_root))

    async def find_visible(self, app_id: str) -> Application | None:
        found: Application | None = await self.session.scalar(
            self.visible().where(Application.id == app_id)
        )
        return found

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


class ShareRepository(TenantRepository[ApplicationShare]):
    """Which sub-organizations the applications of `org_id` are shared with."""

    model = ApplicationShare
    not_found = "The application is not shared with this organization."

    async def shared_org_ids(self, application_id: str) -> list[str]:
        stmt = select(ApplicationShare.shared_org_id).where(
            ApplicationShare.org_id == self.org_id,
            ApplicationShare.application_id == application_id,
        )
        return list((await self.session.scalars(stmt)).all())

    async def share(self, application_id: str, org_ids: Sequence[str]) -> None:
        have = set(await self.shared_org_ids(application_id))
        new = [
            ApplicationShare(application_id=application_id, shared_org_id=org_id)
            for org_id in dict.fromkeys(org_ids)
            if org_id not in have
        ]
        await self.add_many(new)

    async def unshare(self, application_id: str, org_ids: Sequence[str] | None = None) -> None:
        """Stop sharing with `org_ids` (all when None); tokens the application issued in
        those organizations are revoked."""
        stmt = delete(ApplicationShare).where(
            ApplicationShare.org_id == self.org_id,
            ApplicationShare.application_id == application_id,
        )
        revoke = update(IssuedToken).where(
            IssuedToken.org_id == self.tenant.root_id,
            IssuedToken.application_id == application_id,
            IssuedToken.acting_org_id.is_not(None),
        )
        if org_ids is not None:
            stmt = stmt.where(ApplicationShare.shared_org_id.in_(org_ids))
            revoke = revoke.where(IssuedToken.acting_org_id.in_(org_ids))
        await self.session.execute(stmt)
        await self.session.execute(revoke.values(revoked=True))
