"""OAuth2/OIDC inbound protocol of an application: GET/PUT/DELETE, regenerate-secret,
revoke.

regenerate-secret issues a new 256-bit secret, shown once, and increments
`secret_generation`: the token service treats tokens of an older generation as invalid
(Asgardeo: existing secrets and tokens are revoked); the tokens are also marked revoked
(`identity.revocation.end_application_access`). revoke sets the client REVOKED until the
next regeneration.
"""

from __future__ import annotations

from runegate import audit
from runegate.crypto.hashing import keyed_hash
from runegate.crypto.hashing import random_secret
from runegate.identity.revocation import end_application_access
from runegate.management.applications import errors as app_errors
from runegate.management.applications import oidc
from runegate.management.applications.oidc_schemas import OidcConfig
from runegate.management.applications.service import load
from runegate.management.applications.templates import template_for
from runegate.management.common.unit_of_work import config_write
from runegate.state import AppState
from runegate.storage.models.application import Application
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.context import TenantContext

ACTIVE = "ACTIVE"
REVOKED = "REVOKED"


def current_config(app: Application) -> OidcConfig:
    if not app.oidc:
        raise app_errors.INBOUND_NOT_FOUND.error(app_id=app.id)
    return oidc.from_stored(app.oidc, client_id=app.client_id, state=app.state)


async def get_oidc(*, state: AppState, tenant: TenantContext, app_id: str) -> OidcConfig:
    async with state.db.read() as session:
        app = await load(ApplicationRepository(session, tenant=tenant), app_id)
    return current_config(app)


def check_put(app: Application, body: OidcConfig) -> None:
    if body.clientId is not None and app.oidc and body.clientId != app.client_id:
        raise app_errors.INVALID_OIDC.error(field="clientId", reason="cannot be changed")
    if body.clientSecret is not None:
        raise app_errors.INVALID_OIDC.error(
            field="clientSecret", reason="use POST .../oidc/regenerate-secret to change it"
        )


async def put_oidc(
    *, state: AppState, tenant: TenantContext, app_id: str, body: OidcConfig
) -> OidcConfig:
    """Replace the configuration; a new confidential inbound gets a secret, shown once."""
    config = oidc.validate(body, template_for(None))
    secret = None
    async with config_write(state) as session:
        apps = ApplicationRepository(session, tenant=tenant)
        app = await load(apps, app_id)
        check_put(app, body)
        template = template_for(app.template_id)
        oidc.check_grants(config, template)
        created = not app.oidc
        if config.publicClient and app.client_secret_hash is not None:
            app.client_secret_hash = None
            app.secret_generation += 1
        elif not config.publicClient and created:
            secret = random_secret()
            app.client_secret_hash = keyed_hash(state.settings.secret_keys[0], secret)
            app.state = ACTIVE
        app.public_client = config.publicClient
        app.oidc = oidc.to_stored(config)
        await apps.flush()
        await audit.record(
            session,
            tenant=tenant,
            action="application.oidc.update",
            target_type="application",
            target_id=app.id,
        )
    result = current_config(app)
    result.clientSecret = secret
    return result


async def delete_oidc(*, state: AppState, tenant: TenantContext, app_id: str) -> None:
    async with config_write(state) as session:
        apps = ApplicationRepository(session, tenant=tenant)
        app = await load(apps, app_id)
        current_config(app)
        app.oidc = {}
        app.client_secret_hash = None
        app.secret_generation += 1
        await apps.flush()
        await end_application_access(session, tenant, app.id)
        await audit.record(
            session,
            tenant=tenant,
            action="application.oidc.delete",
            target_type="application",
            target_id=app.id,
        )


async def regenerate_secret(*, state: AppState, tenant: TenantContext, app_id: str) -> OidcConfig:
    secret = random_secret()
    async with config_write(state) as session:
        apps = ApplicationRepository(session, tenant=tenant)
        app = await load(apps, app_id)
        current_config(app)
        if app.public_client:
            raise app_errors.NO_CLIENT_SECRET.error(app_id=app.id)
        app.client_secret_hash = keyed_hash(state.settings.secret_keys[0], secret)
        app.secret_generation += 1
        app.state = ACTIVE
        await apps.flush()
        await end_application_access(session, tenant, app.id)
        await audit.record(
            session,
            tenant=tenant,
            action="application.secret.regenerate",
            target_type="application",
            target_id=app.id,
        )
    result = current_config(app)
    result.clientSecret = secret
    return result


async def revoke(*, state: AppState, tenant: TenantContext, app_id: str) -> None:
    async with config_write(state) as session:
        apps = ApplicationRepository(session, tenant=tenant)
        app = await load(apps, app_id)
        current_config(app)
        app.state = REVOKED
        app.secret_generation += 1  # Asgardeo: the client's secrets and tokens are revoked
        await apps.flush()
        await end_application_access(session, tenant, app.id)
        await audit.record(
            session,
            tenant=tenant,
            action="application.revoke",
            target_type="application",
            target_id=app.id,
        )
