"""Rows to wire models for the organization management API."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from runegate.management.organizations.schemas import AttributeOut
from runegate.management.organizations.schemas import BasicOrganization
from runegate.management.organizations.schemas import OrganizationResponse
from runegate.management.organizations.schemas import ParentRef
from runegate.storage.models.organization import Organization
from runegate.tenancy.context import TenantContext


def base_path(tenant: TenantContext) -> str:
    """`/t/{root}/api/server/v1/organizations`, or its `/o/` form for a switched token."""
    org_prefix = "/o" if tenant.org_id != tenant.root_id else ""
    return f"/t/{tenant.root_name}{org_prefix}/api/server/v1/organizations"


def timestamp(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite returns naive UTC datetimes
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def attributes_of(org: Organization) -> list[AttributeOut]:
    raw: list[Any] = org.attributes or []
    return [
        AttributeOut(key=str(a["key"]), value=str(a.get("value", "")))
        for a in raw
        if isinstance(a, dict) and "key" in a
    ]


def to_response(org: Organization, tenant: TenantContext) -> OrganizationResponse:
    path = base_path(tenant)
    parent = ParentRef(id=org.parent_id, ref=f"{path}/{org.parent_id}") if org.parent_id else None
    return OrganizationResponse(
        id=org.id,
        name=org.name,
        description=org.description,
        status=org.status,
        created=timestamp(org.created_at),
        lastModified=timestamp(org.updated_at),
        type=org.type,
        parent=parent,
        attributes=attributes_of(org),
    )


def to_basic(org: Organization, tenant: TenantContext) -> BasicOrganization:
    attributes = attributes_of(org)
    return BasicOrganization(
        id=org.id,
        name=org.name,
        status=org.status,
        ref=f"{base_path(tenant)}/{org.id}",
        attributes=attributes or None,
    )
