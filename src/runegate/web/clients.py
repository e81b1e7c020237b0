"""Applications as the authorization endpoint sees them: the token service's client
record plus the sign-in settings (callback URLs, PKCE, consent, enabled)."""

from __future__ import annotations

from typing import Any

from runegate.oauth.clients import ClientStore
from runegate.oauth.endpoints.authorize import SigninClient
from runegate.storage.db import Database
from runegate.storage.models.application import Application
from runegate.tenancy.context import TenantContext


class ApplicationClients:
    def __init__(self, db: Database, clients: ClientStore) -> None:
        self.db = db
        self.clients = clients

    async def find(self, tenant: TenantContext, client_id: str) -> SigninClient | None:
        record = await self.clients.by_client_id(tenant.org_id, client_id)
        if record is None:
            return None
        async with self.db.read() as session:
            app = await session.get(Application, record.application_id)
        if app is None or app.org_id != tenant.org_id:
            return None
        oidc: dict[str, Any] = app.oidc or {}
        settings: dict[str, Any] = app.settings or {}
        pkce: dict[str, Any] = oidc.get("pkce") or {}
        advanced: dict[str, Any] = settings.get("advancedConfigurations") or {}
        return SigninClient(
            record=record,
            name=app.name,
            callback_urls=tuple(str(url) for url in oidc.get("callbackURLs") or ()),
            pkce_mandatory=bool(pkce.get("mandatory")),
            pkce_plain=bool(pkce.get("supportPlainTransformAlgorithm")),
            skip_consent=bool(advanced.get("skipLoginConsent")),
            enabled=settings.get("applicationEnabled", True) is not False,
            api_based_auth=advanced.get("enableAPIBasedAuthentication") is True,
        )
