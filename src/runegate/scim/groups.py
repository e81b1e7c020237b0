"""/Groups operations (RFC 7644 §3.3 to §3.6), framework-free. Members are users."""

from __future__ import annotations

from typing import Any

from scim2_models import Context
from scim2_models import PatchOp
from scim2_models import SCIMException
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.errors import InvalidInput
from runegate.identity import groups as service
from runegate.identity.names import with_domain
from runegate.roles.holders import for_page
from runegate.roles.holders import roles_of_groups
from runegate.scim.columns import GROUP_COLUMNS
from runegate.scim.cursor import listing
from runegate.scim.cursor import page_rows
from runegate.scim.errors import Uniqueness
from runegate.scim.errors import from_scim_exception
from runegate.scim.mapping import group_dict
from runegate.scim.mapping import group_profile
from runegate.scim.mapping import render
from runegate.scim.mapping import render_listed
from runegate.scim.mapping import validate
from runegate.scim.models import ScimGroup
from runegate.scim.query import ListQuery
from runegate.scim.query import response_parameters
from runegate.scim.result import ScimResult
from runegate.scim.result import check_if_match
from runegate.scim.result import parse_version
from runegate.scim.result import resource_result
from runegate.scim.users import as_scim
from runegate.scim.users import scim_base
from runegate.storage.models.user import Group
from runegate.storage.repositories.users import GroupRepository
from runegate.tenancy.context import TenantContext


async def _full(session: AsyncSession, tenant: TenantContext, group: Group) -> dict[str, Any]:
    members = await GroupRepository(session, tenant=tenant).members(group.id)
    base = scim_base(tenant)
    roles = await roles_of_groups(session, tenant, [group.id], base)
    return group_dict(group, members, base, roles.get(group.id, ()))


async def _unique(session: AsyncSession, tenant: TenantContext, name: str, own: str) -> None:
    found = await GroupRepository(session, tenant=tenant).find_by_name(name)
    if found is not None and found.id != own:
        raise Uniqueness(
            f"Group with name: {with_domain(name[:100])} already exists in the system."
        )


async def _respond(
    session: AsyncSession, tenant: TenantContext, group: Group, status: int, params: Any = None
) -> ScimResult:
    body = render(ScimGroup, await _full(session, tenant, group), params)
    return resource_result(status, body, group.version)


async def create(
    session: AsyncSession, tenant: TenantContext, body: Any, query: ListQuery
) -> ScimResult:
    profile = group_profile(validate(ScimGroup, body, Context.RESOURCE_CREATION_REQUEST))
    await _unique(session, tenant, profile.display_name, "")
    try:
        group = await service.create_group(session, tenant, profile)
    except InvalidInput as exc:
        raise as_scim(exc) from exc
    return await _respond(session, tenant, group, 201, response_parameters(query, ScimGroup))


async def get(
    session: AsyncSession,
    tenant: TenantContext,
    group_id: str,
    query: ListQuery,
    if_none_match: str | None = None,
) -> ScimResult:
    group = await GroupRepository(session, tenant=tenant).get(group_id)
    wanted = parse_version(if_none_match)
    if if_none_match is not None and (wanted is None or wanted == group.version):
        return ScimResult(304, None, {"ETag": f'W/"{group.version}"'})
    return await _respond(session, tenant, group, 200, response_parameters(query, ScimGroup))


async def search(
    session: AsyncSession,
    tenant: TenantContext,
    query: ListQuery,
    *,
    keys: tuple[bytes, ...] = (),
) -> ScimResult:
    """`keys`: the server secrets that seal cursors (RFC 9865), for `query.cursor`."""
    params = response_parameters(query, ScimGroup)
    repo = GroupRepository(session, tenant=tenant)
    total, rows, cursors = await page_rows(repo, tenant, query, ScimGroup, GROUP_COLUMNS, keys)
    base = scim_base(tenant)
    selection = (query.attributes, query.excluded_attributes)
    roles = await for_page(roles_of_groups, session, tenant, [g.id for g in rows], base, selection)
    members = await repo.members_of([g.id for g in rows])

    def listed(group: Group) -> Any:
        body = group_dict(group, members.get(group.id, []), base, roles.get(group.id, ()))
        return render_listed(ScimGroup, body, params)

    return listing(query, total, [listed(g) for g in rows], cursors)


async def _write(
    session: AsyncSession, tenant: TenantContext, group: Group, resource: Any, query: ListQuery
) -> ScimResult:
    profile = group_profile(resource)
    await _unique(session, tenant, profile.display_name, group.id)
    try:
        group = await service.update_group(session, tenant, group.id, profile)
    except InvalidInput as exc:
        raise as_scim(exc) from exc
    return await _respond(session, tenant, group, 200, response_parameters(query, ScimGroup))


async def replace(
    session: AsyncSession,
    tenant: TenantContext,
    group_id: str,
    body: Any,
    query: ListQuery,
    if_match: str | None = None,
) -> ScimResult:
    group = await GroupRepository(session, tenant=tenant).get(group_id)
    check_if_match(if_match, group.version)
    resource = validate(ScimGroup, body, Context.RESOURCE_REPLACEMENT_REQUEST)
    try:
        resource.replace(ScimGroup.model_validate(await _full(session, tenant, group)))
    except SCIMException as exc:
        raise from_scim_exception(exc) from exc
    return await _write(session, tenant, group, resource, query)


async def patch(
    session: AsyncSession,
    tenant: TenantContext,
    group_id: str,
    body: Any,
    query: ListQuery,
    if_match: str | None = None,
) -> ScimResult:
    """RFC 7644 §3.5.2: e.g. `add members`, `remove members[value eq "..."]`."""
    group = await GroupRepository(session, tenant=tenant).get(group_id)
    check_if_match(if_match, group.version)
    resource = ScimGroup.model_validate(await _full(session, tenant, group))
    operations = validate(PatchOp[ScimGroup], body, Context.RESOURCE_PATCH_REQUEST)
    try:
        operations.patch(resource)
    except SCIMException as exc:
        raise from_scim_exception(exc) from exc
    return await _write(session, tenant, group, resource, query)


async def delete(
    session: AsyncSession, tenant: TenantContext, group_id: str, if_match: str | None = None
) -> ScimResult:
    group = await GroupRepository(session, tenant=tenant).get(group_id)
    check_if_match(if_match, group.version)
    await service.delete_group(session, tenant, group.id, expected_version=None)
    return ScimResult(204)
