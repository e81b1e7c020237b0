"""Application management: create, list, get, patch, delete.

Services take keyword-only arguments and own the unit of work; routers stay thin.
"""

from __future__ import annotations

import re
from typing import Any

from runegate import audit
from runegate.crypto.hashing import keyed_hash
from runegate.crypto.hashing import random_secret
from runegate.identity.revocation import end_application_access
from runegate.management.applications import errors as app_errors
from runegate.management.applications import oidc
from runegate.management.applications import views
from runegate.management.applications.certificates import check_certificate
from runegate.management.applications.oidc_schemas import OidcConfig
from runegate.management.applications.schemas import ApplicationCreate
from runegate.management.applications.schemas import ApplicationCreated
from runegate.management.applications.schemas import ApplicationFields
from runegate.management.applications.schemas import ApplicationPatch
from runegate.management.applications.schemas import ApplicationResponse
from runegate.management.applications.templates import Template
from runegate.management.applications.templates import template_for
from runegate.management.common.unit_of_work import config_write
from runegate.state import AppState
from runegate.storage.models.application import Application
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.context import TenantContext

CLIENT_ID_PATTERN = re.compile(r"[A-Za-z0-9._~@-]{3,255}")
MIN_SUPPLIED_SECRET = 16
SETTINGS_FIELDS = tuple(
    name for name in ApplicationFields.model_fields if name not in {"description", "templateId"}
)


def new_client_id() -> str:
    return random_secret(21)  # 28 URL-safe characters, like Asgardeo's client ids


def settings_of(body: ApplicationFields, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ApplicationModel fields kept in `Application.settings` (JSON)."""
    if body.advancedConfigurations and body.advancedConfigurations.certificate:
        check_certificate(body.advancedConfigurations.certificate)
    out = dict(current or {})
    dumped = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    for name in SETTINGS_FIELDS:
        if name in dumped:
            out[name] = dumped[name]
    return out


def initial_oidc(body: ApplicationCreate, template: Template) -> OidcConfig | None:
    given = body.inboundProtocolConfiguration.oidc if body.inboundProtocolConfiguration else None
    if given is None and not template.has_oidc:
        return None
    base = template.oidc_defaults()
    overlay = given.model_dump(exclude_unset=True) if given else {}
    merged = OidcConfig.model_validate(oidc.merge(base, overlay))
    return oidc.validate(merged, template)


def check_supplied_credentials(config: OidcConfig) -> None:
    if config.clientId is not None and not CLIENT_ID_PATTERN.fullmatch(config.clientId):
        raise app_errors.INVALID_OIDC.error(
            field="clientId", reason="use 3-255 letters, digits and . _ ~ @ -"
        )
    if config.clientSecret is not None:
        if config.publicClient:
            raise app_errors.INVALID_OIDC.error(
                field="clientSecret", reason="public clients have no secret"
            )
        if len(config.clientSecret) < MIN_SUPPLIED_SECRET:
            raise app_errors.INVALID_OIDC.error(
                field="clientSecret", reason=f"must have at least {MIN_SUPPLIED_SECRET} characters"
            )


async def create_application(
    *, state: AppState, tenant: TenantContext, body: ApplicationCreate, template_id: str | None
) -> ApplicationCreated:
    template_id = body.templateId or template_id
    template = template_for(template_id)
    if not template.supported:
        raise app_errors.UNSUPPORTED_TEMPLATE.error(template_id=template_id)
    config = initial_oidc(body, template)
    secret = None
    if config is not None:
        check_supplied_credentials(config)
        if not config.publicClient:
            secret = config.clientSecret or random_secret()
    client_id = (config.clientId if config else None) or new_client_id()
    app = Application(
        name=body.name,
        description=body.description,
        template_id=template_id,
        client_id=client_id,
        client_secret_hash=keyed_hash(state.settings.secret_keys[0], secret) if secret else None,
        public_client=bool(config and config.publicClient),
        oidc=oidc.to_stored(config) if config else {},
        settings={
            **settings_of(body),
            "isManagementApp": body.isManagementApp,
            "isB2BSelfServiceApp": body.isB2BSelfServiceApp,
        },
    )
    async with config_write(state) as session:
        apps = ApplicationRepository(session, tenant=tenant)
        await check_unique(apps, name=body.name, client_id=client_id)
        await apps.add(app)
        await audit.record(
            session,
            tenant=tenant,
            action="application.create",
            target_type="application",
            target_id=app.id,
        )
    return ApplicationCreated(
        id=app.id,
        name=app.name,
        templateId=app.template_id,
        clientId=client_id if config else None,
        clientSecret=secret,
        self=views.app_path(tenant, app.id),
    )


async def check_unique(
    apps: ApplicationRepository, *, name: str | None, client_id: str | None, own_id: str = ""
) -> None:
    if name is not None:
        other = await apps.find_by(name=name)
        if other is not None and other.id != own_id:
            raise app_errors.APPLICATION_EXISTS.error(name=name)
    if client_id is not None:
        other = await apps.find_by_client_id(client_id)
        if other is not None and other.id != own_id:
            raise app_errors.CLIENT_ID_EXISTS.error(client_id=client_id)


async def load(apps: ApplicationRepository, app_id: str) -> Application:
    app = await apps.find(app_id)
    if app is None or app.is_system:  # system applications are not managed here
        raise app_errors.APPLICATION_NOT_FOUND.error(app_id=app_id)
    return app


async def get_application(
    *, state: AppState, tenant: TenantContext, app_id: str
) -> ApplicationResponse:
    async with state.db.read() as session:
        app = await ApplicationRepository(session, tenant=tenant).find_visible(app_id)
    if app is None:
        raise app_errors.APPLICATION_NOT_FOUND.error(app_id=app_id)
    return views.to_response(app, tenant)


async def patch_application(
    *, state: AppState, tenant: TenantContext, app_id: str, body: ApplicationPatch
) -> None:
    async with config_write(state) as session:
        apps = ApplicationRepository(session, tenant=tenant)
        app = await load(apps, app_id)
        fields = body.model_fields_set
        if "name" in fields and body.name is not None:
            await check_unique(apps, name=body.name, client_id=None, own_id=app.id)
            app.name = body.name
        if "description" in fields:
            app.description = body.description
        if "templateId" in fields:
            app.template_id = body.templateId
        app.settings = settings_of(body, app.settings)
        await apps.flush()
        await audit.record(
            session,
            tenant=tenant,
            action="application.update",
            target_type="application",
            target_id=app.id,
        )


async def delete_application(*, state: AppState, tenant: TenantContext, app_id: str) -> None:
    async with config_write(state) as session:
        apps = ApplicationRepository(session, tenant=tenant)
        app = await load(apps, app_id)
        if app.is_system:
            raise app_errors.INVALID_REQUEST.error(reason="System applications cannot be deleted.")
        await end_application_access(session, tenant, app.id)
        await apps.delete_with_authorizations(app.id)
        await audit.record(
            session,
            tenant=tenant,
            action="application.delete",
            target_type="application",
            target_id=app.id,
        )
