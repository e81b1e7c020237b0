"""/Users and /Me operations (RFC 7644 §3.3 to §3.6), framework-free.

Implements: RFC 7644 §3.3 (create), §3.4 (query), §3.5.1 (PUT), §3.5.2 (PATCH),
§3.6 (DELETE), §3.14 (versions), §3.11 (/Me).
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from scim2_models import Context
from scim2_models import PatchOp
from scim2_models import SCIMException
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.errors import InvalidInput
from runegate.errors import ScimError
from runegate.identity import lockout
from runegate.identity import users as service
from runegate.identity.users import UserProfile
from runegate.identity.users import profile_document
from runegate.roles.holders import wanted
from runegate.scim.columns import USER_COLUMNS
from runegate.scim.cursor import listing
from runegate.scim.cursor import page_rows
from runegate.scim.errors import InvalidValue
from runegate.scim.errors import Mutability
from runegate.scim.errors import Uniqueness
from runegate.scim.errors import from_scim_exception
from runegate.scim.mapping import render
from runegate.scim.mapping import render_listed
from runegate.scim.mapping import requested_lock
from runegate.scim.mapping import user_dict
from runegate.scim.mapping import user_profile
from runegate.scim.mapping import validate
from runegate.scim.models import ScimUser
from runegate.scim.query import ListQuery
from runegate.scim.query import response_parameters
from runegate.scim.result import ScimResult
from runegate.scim.result import check_if_match
from runegate.scim.result import parse_version
from runegate.scim.result import resource_result
from runegate.scim.user_extras import UserExtras
from runegate.scim.user_extras import user_extras
from runegate.storage.models.user import User
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext


def scim_base(tenant: TenantContext) -> str:
    switched = "/o" if tenant.org_id != tenant.root_id else ""
    return f"{tenant.tenant_url}{switched}/scim2"


def as_scim(exc: InvalidInput) -> ScimError:
    return exc if isinstance(exc, ScimError) else InvalidValue(exc.description)


PASSWORD_PATHS = ("password", "urn:ietf:params:scim:schemas:core:2.0:user:password")


def _password_of(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    found = [v for k, v in value.items() if k.lower() == "password" and isinstance(v, str)]
    return found[-1] if found else None


def passwords_in(body: Any) -> list[str]:
    """The password a Users or /Me body sets (POST/PUT body or PATCH operations), so the
    route hashes it before the write transaction opens (`identity.passwords.prehashed`).
    A password this misses is still hashed, inside the transaction."""
    if not isinstance(body, dict):
        return []
    last = _password_of(body)
    operations = body.get("Operations")
    for op in operations if isinstance(operations, list) else []:
        if not isinstance(op, dict):
            continue
        path, value = op.get("path"), op.get("value")
        if isinstance(path, str) and path.lower() in PASSWORD_PATHS and isinstance(value, str):
            last = value
        elif path is None:
            last = _password_of(value) or last
    return [last] if last else []


async def _is_locked(session: AsyncSession, tenant: TenantContext, user_id: str) -> bool:
    return user_id in await lockout.locked_users(session, tenant, [user_id], datetime.now(UTC))


def _document(user: User, extras: UserExtras, base: str) -> dict[str, Any]:
    groups, roles = extras.groups.get(user.id, []), extras.roles.get(user.id, ())
    return user_dict(user, groups, base, roles, locked=user.id in extras.locked)


async def _full(session: AsyncSession, tenant: TenantContext, user: User) -> dict[str, Any]:
    base = scim_base(tenant)
    return _document(user, await user_extras(session, tenant, [user.id], base), base)


async def _apply_lock(
    session: AsyncSession,
    tenant: TenantContext,
    user_id: str,
    resource: Any,
    self_service: bool,
    *,
    removable: bool = False,
) -> None:
    """accountLocked written (true locks, false unlocks) when it differs from the state;
    with `removable` (PATCH), removing it unlocks too. A PUT without it changes nothing."""
    wanted = requested_lock(resource)
    if wanted is None and removable:
        wanted = False
    if wanted is None or wanted == await _is_locked(session, tenant, user_id):
        return
    if self_service:
        raise Mutability("accountLocked cannot be changed through /Me.")
    await lockout.set_locked(session, tenant, user_id, wanted, datetime.now(UTC))


async def _unique(session: AsyncSession, tenant: TenantContext, name: str, own: str) -> None:
    found = await UserRepository(session, tenant=tenant).find_by_username(name)
    if found is not None and found.id != own:
        raise Uniqueness(f"A user with the userName {name[:100]!r} already exists.")


async def _respond(
    session: AsyncSession, tenant: TenantContext, user: User, status: int, params: Any = None
) -> ScimResult:
    body = render(ScimUser, await _full(session, tenant, user), params)
    return resource_result(status, body, user.version)


async def create(
    session: AsyncSession, tenant: TenantContext, body: Any, query: ListQuery
) -> ScimResult:
    resource = validate(ScimUser, body, Context.RESOURCE_CREATION_REQUEST)
    profile, password, invite = user_profile(resource)
    if profile.active is None:
        profile.active = True  # a new user is active unless said otherwise
    await _unique(session, tenant, profile.user_name, "")
    try:
        user = await service.create_user(session, tenant, profile, password=password, invite=invite)
    except InvalidInput as exc:
        raise as_scim(exc) from exc
    await _apply_lock(session, tenant, user.id, resource, self_service=False)
    return await _respond(session, tenant, user, 201, response_parameters(query, ScimUser))


async def get(
    session: AsyncSession,
    tenant: TenantContext,
    user_id: str,
    query: ListQuery,
    if_none_match: str | None = None,
) -> ScimResult:
    user = await service.get_user(session, tenant, user_id)
    wanted = parse_version(if_none_match)
    if if_none_match is not None and (wanted is None or wanted == user.version):
        return ScimResult(304, None, {"ETag": f'W/"{user.version}"'})
    return await _respond(session, tenant, user, 200, response_parameters(query, ScimUser))


async def search(
    session: AsyncSession,
    tenant: TenantContext,
    query: ListQuery,
    *,
    keys: tuple[bytes, ...] = (),
) -> ScimResult:
    """`keys`: the server secrets that seal cursors (RFC 9865), for `query.cursor`."""
    params = response_parameters(query, ScimUser)
    repository = UserRepository(session, tenant=tenant)
    total, rows, cursors = await page_rows(repository, tenant, query, ScimUser, USER_COLUMNS, keys)
    ids, base = [u.id for u in rows], scim_base(tenant)
    with_roles = wanted(query.attributes, query.excluded_attributes)
    extras = await user_extras(session, tenant, ids, base, with_roles=with_roles)
    resources = [render_listed(ScimUser, _document(u, extras, base), params) for u in rows]
    return listing(query, total, resources, cursors)


async def _write(
    session: AsyncSession,
    tenant: TenantContext,
    user: User,
    resource: Any,
    query: ListQuery,
    caller_jti: str | None,
    *,
    removable: bool = False,
) -> ScimResult:
    """`caller_jti`: /Me, the user's own token (its grant survives a password change)."""
    profile, password, _invite = user_profile(resource)
    if caller_jti is not None:
        refuse_privileged(user, profile)
    await _unique(session, tenant, profile.user_name, user.id)
    self_service = caller_jti is not None
    await _apply_lock(session, tenant, user.id, resource, self_service, removable=removable)
    try:
        user = await service.update_user(
            session, tenant, user.id, profile, password=password, caller_jti=caller_jti
        )
    except InvalidInput as exc:
        raise as_scim(exc) from exc
    return await _respond(session, tenant, user, 200, response_parameters(query, ScimUser))


async def replace(
    session: AsyncSession,
    tenant: TenantContext,
    user_id: str,
    body: Any,
    query: ListQuery,
    if_match: str | None = None,
    *,
    caller_jti: str | None = None,
) -> ScimResult:
    """RFC 7644 §3.5.1: readOnly values are ignored, immutable ones must not change."""
    user = await service.get_user(session, tenant, user_id)
    check_if_match(if_match, user.version)
    resource = validate(ScimUser, body, Context.RESOURCE_REPLACEMENT_REQUEST)
    original = ScimUser.model_validate(await _full(session, tenant, user))
    try:
        resource.replace(original)
    except SCIMException as exc:
        raise from_scim_exception(exc) from exc
    if resource.password == original.password:
        resource.password = None
    return await _write(session, tenant, user, resource, query, caller_jti)


async def patch(
    session: AsyncSession,
    tenant: TenantContext,
    user_id: str,
    body: Any,
    query: ListQuery,
    if_match: str | None = None,
    *,
    caller_jti: str | None = None,
) -> ScimResult:
    """RFC 7644 §3.5.2: add, replace and remove, applied all or nothing."""
    user = await service.get_user(session, tenant, user_id)
    check_if_match(if_match, user.version)
    resource = ScimUser.model_validate(await _full(session, tenant, user))
    operations = validate(PatchOp[ScimUser], body, Context.RESOURCE_PATCH_REQUEST)
    try:
        operations.patch(resource)
    except SCIMException as exc:
        raise from_scim_exception(exc) from exc
    return await _write(session, tenant, user, resource, query, caller_jti, removable=True)


async def delete(
    session: AsyncSession, tenant: TenantContext, user_id: str, if_match: str | None = None
) -> ScimResult:
    user = await service.get_user(session, tenant, user_id)
    check_if_match(if_match, user.version)
    await service.delete_user(session, tenant, user.id, expected_version=None)
    return ScimResult(204)


# `roles` is read-only for everyone (ScimUser): a write of it never reaches here.
PRIVILEGED = ("entitlements", "x509Certificates")


def refuse_privileged(user: User, profile: UserProfile) -> None:
    """/Me: a user cannot change its userName, active, externalId or entitlements."""
    before = profile_document(user)
    changed = [
        name
        for name, old, new in (
            ("userName", user.user_name_ci, profile.user_name.lower()),
            ("active", user.active, profile.active is not False),
            ("externalId", user.external_id, profile.external_id),
            *((k, before.get(k), profile.document.get(k)) for k in PRIVILEGED),
        )
        if old != new
    ]
    if changed:
        raise Mutability(f"{changed[0]} cannot be changed through /Me.")
