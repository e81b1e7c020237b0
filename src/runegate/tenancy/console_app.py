"""The Console system application every organization gets (provisioning hook).

A public OIDC client (`CONSOLE`, authorization code with PKCE, consent skipped) whose
callback is `/t/{org}/console/callback`. It is authorized for every system API scope and
its associated role is `Administrator`, so the scopes a user's sign-in to the Console
can grant are those of the Administrator role (held directly or through a group).
System applications are hidden from the management API (neither listed nor editable).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.oauth.app_defaults import default_oidc
from runegate.storage.models.application import Application
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.storage.repositories.roles import RoleRepository
from runegate.tenancy.context import TenantContext
from runegate.tenancy.system_apis import authorize_system_apis

CONSOLE_CLIENT_ID = "CONSOLE"
CONSOLE_APP_NAME = "Console"
ADMINISTRATOR = "Administrator"
ORGANIZATION = "organization"  # the roles audience type (roles/service.py)


def console_callback(tenant: TenantContext) -> str:
    return f"{tenant.tenant_url}/console/callback"


def console_oidc(tenant: TenantContext) -> dict[str, object]:
    config = default_oidc(["authorization_code"], public_client=True)
    config["callbackURLs"] = [console_callback(tenant)]
    return config


async def ensure_console_app(session: AsyncSession, tenant: TenantContext) -> Application:
    """Create or converge the Console application (callback follows the public URL)."""
    apps = ApplicationRepository(session, tenant=tenant)
    roles = RoleRepository(session, tenant=tenant)
    admin_role = await roles.find_by_name(ORGANIZATION, tenant.org_id, ADMINISTRATOR)
    associated = [{"id": admin_role.id, "name": ADMINISTRATOR}] if admin_role else []
    settings = {
        "associatedRoles": {"allowedAudience": "ORGANIZATION", "roles": associated},
        "advancedConfigurations": {"skipLoginConsent": True, "skipLogoutConsent": True},
        "isManagementApp": False,
    }
    app = await apps.find_by_client_id(CONSOLE_CLIENT_ID)
    if app is None:
        app = await apps.add(
            Application(
                name=CONSOLE_APP_NAME,
                description="The administrator Console (system application).",
                template_id="single-page-application",
                client_id=CONSOLE_CLIENT_ID,
                public_client=True,
                oidc=console_oidc(tenant),
                settings=settings,
                is_system=True,
            )
        )
    else:
        app.oidc, app.settings, app.is_system = console_oidc(tenant), settings, True
        app.public_client, app.state = True, "ACTIVE"
    await apps.flush()
    await authorize_system_apis(session, tenant, app.id)
    return app
