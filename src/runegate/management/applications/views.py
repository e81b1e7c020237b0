"""Rows to wire models for the application management API."""

from __future__ import annotations

from typing import Any

from runegate.management.applications.schemas import ApplicationListItem
from runegate.management.applications.schemas import ApplicationResponse
from runegate.management.applications.schemas import InboundProtocolItem
from runegate.storage.models.application import Application
from runegate.tenancy.context import TenantContext

API_PATH = "/api/server/v1"


def apps_path(tenant: TenantContext) -> str:
    return f"/t/{tenant.root_name}{API_PATH}/applications"


def app_path(tenant: TenantContext, app_id: str) -> str:
    return f"{apps_path(tenant)}/{app_id}"


def inbound(app: Application, tenant: TenantContext) -> list[InboundProtocolItem]:
    if not app.oidc:
        return []
    self_path = f"{API_PATH}/applications/{app.id}/inbound-protocols/oidc"
    return [InboundProtocolItem(type="oauth2", name="oauth2", self=self_path)]


def to_response(app: Application, tenant: TenantContext) -> ApplicationResponse:
    s: dict[str, Any] = app.settings or {}
    return ApplicationResponse.model_validate(
        {
            **{k: v for k, v in s.items() if k in ApplicationResponse.model_fields},
            "id": app.id,
            "name": app.name,
            "description": app.description,
            "templateId": app.template_id,
            "clientId": app.client_id if app.oidc else None,
            "applicationEnabled": s.get("applicationEnabled", True),
            "inboundProtocols": inbound(app, tenant),
            "access": "WRITE",
        }
    )


DEFAULT_ATTRIBUTES = frozenset({"clientId", "templateId"})
OPTIONAL_ATTRIBUTES = frozenset(
    {
        "advancedConfigurations",
        "templateId",
        "templateVersion",
        "clientId",
        "issuer",
        "associatedRoles.allowedAudience",
        "applicationEnabled",
    }
)


def to_list_item(
    app: Application, tenant: TenantContext, attributes: frozenset[str]
) -> ApplicationListItem:
    s: dict[str, Any] = app.settings or {}
    values: dict[str, Any] = {
        "id": app.id,
        "name": app.name,
        "description": app.description,
        "image": s.get("imageUrl"),
        "accessUrl": s.get("accessUrl"),
        "access": "WRITE",
        "self": app_path(tenant, app.id),
    }
    wanted = attributes | DEFAULT_ATTRIBUTES
    if "clientId" in wanted and app.oidc:
        values["clientId"] = app.client_id
    if "templateId" in wanted:
        values["templateId"] = app.template_id
    for name in ("advancedConfigurations", "templateVersion", "applicationEnabled"):
        if name in wanted:
            values[name] = s.get(name)
    if "associatedRoles.allowedAudience" in wanted:
        audience = (s.get("associatedRoles") or {}).get("allowedAudience", "ORGANIZATION")
        values["associatedRoles"] = {"allowedAudience": audience}
    return ApplicationListItem.model_validate(values)
