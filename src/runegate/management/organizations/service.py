"""Organization management: create, read, patch, put, delete, check-name, metadata.

Every operation sees only the organizations below the one the caller acts in (the root
organization, or the switched sub-organization under `/o/`). A new sub-organization is
provisioned like a root one, minus keys and administrator: the system API resources
(so its roles can carry `internal_org_*` scopes) and its `everyone`/`Administrator`
roles. The creator (a user) counts as an administrator of it and of its descendants.
"""

from __future__ import annotations

from typing import Any

from runegate import audit
from runegate.errors import Conflict
from runegate.management.common.unit_of_work import config_write
from runegate.management.organizations import errors
from runegate.management.organizations import views
from runegate.management.organizations.schemas import Attribute
from runegate.management.organizations.schemas import NameCheckResult
from runegate.management.organizations.schemas import OrganizationCreate
from runegate.management.organizations.schemas import OrganizationMetadata
from runegate.management.organizations.schemas import OrganizationPut
from runegate.management.organizations.schemas import OrganizationResponse
from runegate.management.organizations.schemas import PatchItem
from runegate.roles.provision import provision_roles
from runegate.state import AppState
from runegate.storage.models.organization import Organization
from runegate.storage.repositories.organizations import SubOrganizations
from runegate.tenancy.context import TenantContext
from runegate.tenancy.system_apis import ensure_system_apis

# Levels of sub-organizations below the root organization.
MAX_DEPTH = 8


def _clean_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or not cleaned.isprintable():
        raise errors.INVALID_REQUEST.error(reason="The organization name must be printable text.")
    return cleaned


def _attributes(items: list[Attribute]) -> list[dict[str, str]]:
    seen: set[str] = set()
    for item in items:
        if item.key in seen:
            raise errors.INVALID_REQUEST.error(reason=f"The attribute {item.key!r} is repeated.")
        seen.add(item.key)
    return [{"key": a.key, "value": a.value} for a in items]


async def _target(orgs: SubOrganizations, org_id: str) -> Organization:
    org = await orgs.find(org_id)
    if org is None:
        raise errors.NOT_FOUND.error(org_id=org_id)
    return org


async def create_organization(
    *, state: AppState, tenant: TenantContext, body: OrganizationCreate, creator: str | None
) -> OrganizationResponse:
    name = _clean_name(body.name)
    attributes = _attributes(body.attributes)
    async with config_write(state) as session:
        orgs = SubOrganizations(session, root_id=tenant.root_id, org_id=tenant.org_id)
        parent = await orgs.find_self_or_below(body.parentId or tenant.org_id)
        if parent is None:
            raise errors.INVALID_PARENT.error(parent_id=body.parentId)
        if parent.depth + 1 > MAX_DEPTH:
            raise errors.TOO_DEEP.error(max=MAX_DEPTH)
        try:
            org = await orgs.create(
                parent,
                name=name,
                description=body.description,
                type=body.type,
                attributes=attributes,
                created_by=creator,
            )
        except Conflict as exc:
            raise errors.NAME_CONFLICT.error(name=name) from exc
        sub = tenant.for_org(org.id)
        await ensure_system_apis(session, sub)
        await provision_roles(session, sub)
        await audit.record(
            session,
            tenant=tenant,
            action="organization.create",
            target_type="organization",
            target_id=org.id,
        )
        return views.to_response(org, tenant)


async def get_organization(
    *, state: AppState, tenant: TenantContext, org_id: str
) -> OrganizationResponse:
    async with state.db.read() as session:
        orgs = SubOrganizations(session, root_id=tenant.root_id, org_id=tenant.org_id)
        return views.to_response(await _target(orgs, org_id), tenant)


async def metadata(*, state: AppState, tenant: TenantContext) -> OrganizationMetadata:
    """The organization the caller acts in."""
    async with state.db.read() as session:
        orgs = SubOrganizations(session, root_id=tenant.root_id, org_id=tenant.org_id)
        org = await orgs.acting()
        response = views.to_response(org, tenant)
    return OrganizationMetadata(**response.model_dump())


async def check_name(*, state: AppState, tenant: TenantContext, name: str) -> NameCheckResult:
    async with state.db.read() as session:
        orgs = SubOrganizations(session, root_id=tenant.root_id, org_id=tenant.org_id)
        return NameCheckResult(available=not await orgs.name_taken(name.strip()))


def _apply(org: Organization, item: PatchItem) -> None:
    """One Asgardeo patch operation on a root-level field or `/attributes/<key>`."""
    op, path, value = item.operation, item.path, item.value
    if op != "REMOVE" and value is None:
        raise errors.INVALID_PATCH.error(reason=f"{op} {path} needs a value.")
    if path == "/name":
        if op == "REMOVE":
            raise errors.INVALID_PATCH.error(reason="The name cannot be removed.")
        org.name = _clean_name(value or "")
    elif path == "/description":
        org.description = None if op == "REMOVE" else value
    elif path == "/status":
        if op == "REMOVE" or value not in ("ACTIVE", "DISABLED"):
            raise errors.INVALID_PATCH.error(reason="The status is ACTIVE or DISABLED.")
        org.status = value
    elif path.startswith("/attributes/") and len(path) > len("/attributes/"):
        _patch_attribute(org, op, path.removeprefix("/attributes/"), value)
    else:
        raise errors.INVALID_PATCH.error(
            reason=f"Unsupported path {path[:80]!r}: use /name, /description, /status "
            "or /attributes/<key>."
        )


def _patch_attribute(org: Organization, op: str, key: str, value: str | None) -> None:
    current: list[Any] = [dict(a) for a in org.attributes or []]
    index = next((i for i, a in enumerate(current) if a.get("key") == key), None)
    if op == "ADD":
        if index is not None:
            raise errors.INVALID_PATCH.error(reason=f"The attribute {key!r} exists; use REPLACE.")
        current.append({"key": key, "value": value})
    elif index is None:
        raise errors.INVALID_PATCH.error(reason=f"The attribute {key!r} does not exist.")
    elif op == "REPLACE":
        current[index] = {"key": key, "value": value}
    else:
        del current[index]
    org.attributes = current


async def _save(
    state: AppState, tenant: TenantContext, org_id: str, change: Any
) -> OrganizationResponse:
    async with config_write(state) as session:
        orgs = SubOrganizations(session, root_id=tenant.root_id, org_id=tenant.org_id)
        org = await _target(orgs, org_id)
        change(org)
        if await orgs.name_taken(org.name, except_id=org.id):
            raise errors.NAME_CONFLICT.error(name=org.name)
        try:
            await orgs.flush()
        except Conflict as exc:
            raise errors.NAME_CONFLICT.error(name=org.name) from exc
        await audit.record(
            session,
            tenant=tenant,
            action="organization.update",
            target_type="organization",
            target_id=org.id,
        )
        await session.refresh(org)
        return views.to_response(org, tenant)


async def patch_organization(
    *, state: AppState, tenant: TenantContext, org_id: str, items: list[PatchItem]
) -> OrganizationResponse:
    if not items:
        raise errors.INVALID_PATCH.error(reason="The patch has no operations.")

    def change(org: Organization) -> None:
        for item in items:
            _apply(org, item)

    return await _save(state, tenant, org_id, change)


async def put_organization(
    *, state: AppState, tenant: TenantContext, org_id: str, body: OrganizationPut
) -> OrganizationResponse:
    name, attributes = _clean_name(body.name), _attributes(body.attributes)

    def change(org: Organization) -> None:
        org.name, org.description, org.status = name, body.description, body.status
        org.attributes = attributes

    return await _save(state, tenant, org_id, change)


async def delete_organization(*, state: AppState, tenant: TenantContext, org_id: str) -> None:
    """Refused while the organization has children or anything of its own in use."""
    async with config_write(state) as session:
        orgs = SubOrganizations(session, root_id=tenant.root_id, org_id=tenant.org_id)
        org = await _target(orgs, org_id)
        if await orgs.has_children(org):
            raise errors.HAS_CHILDREN.error(org_id=org_id)
        used = await orgs.in_use(org)
        if used:
            raise errors.IN_USE.error(org_id=org_id, what=", ".join(used))
        await orgs.delete(org)
        await audit.record(
            session,
            tenant=tenant,
            action="organization.delete",
            target_type="organization",
            target_id=org_id,
        )
