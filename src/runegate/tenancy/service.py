"""Provisioning: a complete organization (system API resources, administrator, keys)."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.crypto.hashing import hash_password
from runegate.crypto.hashing import random_secret
from runegate.errors import InvalidInput
from runegate.storage import changes
from runegate.storage.models.organization import Organization
from runegate.storage.models.user import User
from runegate.storage.repositories.organizations import OrganizationRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext
from runegate.tenancy.names import ORG_NAME_RULE
from runegate.tenancy.names import is_valid_org_name
from runegate.tenancy.system_apis import ensure_system_apis

# Hooks that other packages register to complete a new organization (signing keys, ...).
ProvisionHook = Callable[[AsyncSession, TenantContext], Awaitable[None]]
PROVISION_HOOKS: list[ProvisionHook] = []


@dataclass(frozen=True, slots=True)
class ProvisionedOrg:
    org: Organization
    tenant: TenantContext
    created: bool
    admin_username: str
    admin_password: str | None  # set only when generated now; print once


def tenant_for(org: Organization, base_url: str) -> TenantContext:
    return TenantContext(root_id=org.root_id, root_name=org.name, org_id=org.id, base_url=base_url)


async def ensure_admin(
    session: AsyncSession, tenant: TenantContext, username: str, password: str | None
) -> str | None:
    """Create the administrator if missing; returns a generated password, if any."""
    users = UserRepository(session, tenant=tenant)
    if await users.find_by_username(username) is not None:
        return None
    generated = None
    if password is None:
        password = generated = random_secret(18)
    await users.add(
        User(
            user_name=username,
            password_hash=hash_password(password),
            display_name=username,
            attributes={"runegate:admin": True},
        )
    )
    return generated


async def provision_org(
    session: AsyncSession,
    name: str,
    *,
    base_url: str,
    admin_username: str = "admin",
    admin_password: str | None = None,
    must_create: bool = False,
) -> ProvisionedOrg:
    """Create (or converge) a root organization with everything it needs."""
    if not is_valid_org_name(name):
        raise InvalidInput(f"Invalid organization name {name[:80]!r}: {ORG_NAME_RULE}.")
    orgs = OrganizationRepository(session)
    org = await orgs.find_root(name)
    created = org is None
    if org is None:
        org = await orgs.create_root(name)
    elif must_create:
        raise InvalidInput(f"An organization named {name!r} already exists.")
    tenant = tenant_for(org, base_url)
    await ensure_system_apis(session, tenant)
    generated = await ensure_admin(session, tenant, admin_username, admin_password)
    import runegate.roles.provision  # noqa: F401  (registers the roles hook)

    for hook in PROVISION_HOOKS:
        await hook(session, tenant)
    from runegate.tenancy.console_app import ensure_console_app

    await ensure_console_app(session, tenant)  # last: it needs the Administrator role
    await changes.bump(session)
    return ProvisionedOrg(org, tenant, created, admin_username, generated)
