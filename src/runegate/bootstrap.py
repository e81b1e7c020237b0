"""Bootstrap: converge the root organization, its administrator, the system API
resources and (optionally) the bootstrap M2M application. Safe to run again and
concurrently: a database lock serializes it, and it never touches any other data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.config import Settings
from runegate.crypto.hashing import keyed_hash
from runegate.oauth.app_defaults import default_oidc
from runegate.oauth.signing_keys import configure_secrets
from runegate.secret_check import verify_secret_key
from runegate.storage import changes
from runegate.storage.db import Database
from runegate.storage.models.application import Application
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.context import TenantContext
from runegate.tenancy.service import provision_org
from runegate.tenancy.system_apis import authorize_system_apis

BOOTSTRAP_LOCK = 0x52554E45  # "RUNE"
BOOTSTRAP_APP_NAME = "Runegate Bootstrap"


@dataclass(frozen=True, slots=True)
class BootstrapReport:
    root_org: str
    org_created: bool
    admin_username: str
    generated_admin_password: str | None
    bootstrap_client_id: str | None


async def run_bootstrap(settings: Settings, db: Database) -> BootstrapReport:
    await verify_secret_key(db, settings.secret_keys)
    # Provisioning encrypts the new organization's signing keys: with these settings'
    # secrets, not with those of whichever app last configured this process.
    configure_secrets(lambda: settings.secret_keys)
    async with db.write() as session:
        await db.lock(session, BOOTSTRAP_LOCK)
        password = settings.admin_password
        result = await provision_org(
            session,
            settings.root_org,
            base_url=settings.base_url,
            admin_username=settings.admin_username,
            admin_password=password.get_secret_value() if password else None,
        )
        client_id = None
        if settings.bootstrap_client_id and settings.bootstrap_client_secret:
            client_id = settings.bootstrap_client_id
            secret_hash = keyed_hash(
                settings.secret_keys[0], settings.bootstrap_client_secret.get_secret_value()
            )
            await ensure_bootstrap_app(session, result.tenant, client_id, secret_hash)
            await changes.bump(session)
    return BootstrapReport(
        root_org=settings.root_org,
        org_created=result.created,
        admin_username=result.admin_username,
        generated_admin_password=result.admin_password,
        bootstrap_client_id=client_id,
    )


async def ensure_bootstrap_app(
    session: AsyncSession, tenant: TenantContext, client_id: str, secret_hash: str
) -> Application:
    """The bootstrap M2M app: exactly these credentials, every system scope."""
    apps = ApplicationRepository(session, tenant=tenant)
    app = await apps.find_by_client_id(client_id)
    if app is None:
        app = await apps.find_by(name=BOOTSTRAP_APP_NAME)
    if app is None:
        app = await apps.add(
            Application(
                name=BOOTSTRAP_APP_NAME,
                description="Created by bootstrap from RUNEGATE_BOOTSTRAP_CLIENT_ID.",
                template_id="m2m-application",
                client_id=client_id,
                client_secret_hash=secret_hash,
                oidc=default_oidc(["client_credentials"]),
                settings={"isManagementApp": True},
                is_system=False,
            )
        )
    elif app.client_id != client_id or app.client_secret_hash != secret_hash:
        app.client_id = client_id
        app.client_secret_hash = secret_hash
        app.secret_generation += 1
    app.state = "ACTIVE"
    await authorize_system_apis(session, tenant, app.id)
    return app
