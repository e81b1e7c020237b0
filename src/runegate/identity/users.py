"""The user service: create, replace, delete, passwords, search.

Callers own the unit of work (`db.write()`); functions here flush but never commit.
Disabling, deleting or re-passwording a user revokes the user's tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from runegate import audit
from runegate.errors import InvalidInput
from runegate.identity.errors import PreconditionFailed
from runegate.identity.passwords import PasswordPolicy
from runegate.identity.passwords import hash_for
from runegate.identity.passwords import verify_password_async
from runegate.identity.revocation import end_user_access
from runegate.identity.revocation import grant_of_token
from runegate.mail.outbox import enqueue_account_mail
from runegate.storage.models.organization import Organization
from runegate.storage.models.user import User
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext

# Keys of `User.attributes` that Runegate keeps for itself (never part of a profile).
INTERNAL_PREFIX = "runegate:"
PENDING_INVITATION = "runegate:pendingInvitation"
ACTIVE_UNSET = "runegate:activeUnset"
WSO2_SCHEMA = "urn:scim:wso2:schema"


@dataclass(slots=True)
class UserProfile:
    """What a client may write about a user (SCIM attributes, without id/meta/password)."""

    user_name: str
    active: bool | None = True  # None: not set (the user is not disabled)
    external_id: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    display_name: str | None = None
    emails: list[dict[str, Any]] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)


def active_is_set(user: User) -> bool:
    return not user.attributes.get(ACTIVE_UNSET)


def profile_document(user: User) -> dict[str, Any]:
    return {k: v for k, v in user.attributes.items() if not k.startswith(INTERNAL_PREFIX)}


def _internal(user: User) -> dict[str, Any]:
    return {k: v for k, v in user.attributes.items() if k.startswith(INTERNAL_PREFIX)}


async def password_policy(session: AsyncSession, tenant: TenantContext) -> PasswordPolicy:
    org = await session.get(Organization, tenant.org_id)
    return PasswordPolicy.from_attributes(org.attributes if org else [])


def _apply(user: User, profile: UserProfile) -> None:
    user.user_name = profile.user_name
    user.user_name_ci = profile.user_name.lower()
    user.active = profile.active is not False
    user.external_id = profile.external_id
    user.given_name = profile.given_name
    user.family_name = profile.family_name
    user.display_name = profile.display_name
    user.emails = list(profile.emails)
    internal = {k: v for k, v in _internal(user).items() if k != ACTIVE_UNSET}
    if profile.active is None:
        internal[ACTIVE_UNSET] = True
    user.attributes = {**profile.document, **internal}


async def _set_password(
    session: AsyncSession, tenant: TenantContext, user: User, password: str
) -> None:
    (await password_policy(session, tenant)).check(password, user.user_name)
    user.password_hash = await hash_for(password)  # prepared before the transaction


async def create_user(
    session: AsyncSession,
    tenant: TenantContext,
    profile: UserProfile,
    *,
    password: str | None = None,
    invite: bool = False,
) -> User:
    """Create a user; `invite` creates it inactive, pending the invitation (no password)."""
    repo = UserRepository(session, tenant=tenant)
    user = User(attributes={})
    _apply(user, profile)
    recipient = primary_email(profile.emails)
    if invite:
        if recipient is None:
            raise InvalidInput("askPassword needs an email address to send the invitation to.")
        user.active = False
        user.attributes = {**user.attributes, PENDING_INVITATION: True}
    elif password is not None:
        await _set_password(session, tenant, user, password)
    await repo.add(user)
    await repo.replace_emails(user.id, profile.emails)
    if invite and recipient is not None:
        enqueue_account_mail(
            session, tenant.org_id, kind="invite", user_id=user.id, recipient=recipient
        )
    elif recipient is not None and _asks_verification(profile):
        enqueue_account_mail(
            session, tenant.org_id, kind="verify", user_id=user.id, recipient=recipient
        )
    await audit.record(
        session, tenant=tenant, action="user.create", target_type="user", target_id=user.id
    )
    return user


def _asks_verification(profile: UserProfile) -> bool:
    """Asgardeo's `urn:scim:wso2:schema` verifyEmail flag."""
    wso2 = profile.document.get(WSO2_SCHEMA)
    return isinstance(wso2, dict) and wso2.get("verifyEmail") is True


def _email_change(user: User, before: str | None, profile: UserProfile) -> str | None:
    """The new primary address when it changed; a changed address is no longer verified."""
    after = primary_email(profile.emails)
    if after is None or (before or "").lower() == after.lower():
        return None
    wso2 = user.attributes.get(WSO2_SCHEMA)
    if isinstance(wso2, dict) and EMAIL_VERIFIED in wso2:
        rest = {k: v for k, v in wso2.items() if k != EMAIL_VERIFIED}
        user.attributes = {**user.attributes, WSO2_SCHEMA: rest}
    return after


def primary_email(emails: Sequence[dict[str, Any]]) -> str | None:
    """The primary email value, else the first one."""
    values = [e for e in emails if e.get("value")]
    for email in values:
        if email.get("primary"):
            return str(email["value"])
    return str(values[0]["value"]) if values else None


def check_version(version: int, expected: int | None) -> None:
    """RFC 7644 §3.14: refuse a write made against another version (If-Match)."""
    if expected is not None and version != expected:
        raise PreconditionFailed()


async def update_user(
    session: AsyncSession,
    tenant: TenantContext,
    user_id: str,
    profile: UserProfile,
    *,
    password: str | None = None,
    expected_version: int | None = None,
    caller_jti: str | None = None,
) -> User:
    """Replace a user's profile (and password, when given); bumps the version.

    Disabling a user or setting its password ends the user's SSO sessions and revokes
    its tokens (`end_user_access`). `caller_jti`: the access token of a user changing
    their own profile (/Me), whose grant and session survive the password change.
    """
    repo = UserRepository(session, tenant=tenant)
    user = await repo.get(user_id)
    check_version(user.version, expected_version)
    was_active = user.active
    email_before = primary_email(user.emails)
    _apply(user, profile)
    changed_email = _email_change(user, email_before, profile)
    if password is not None:
        await _set_password(session, tenant, user, password)
        user.attributes = {k: v for k, v in user.attributes.items() if k != PENDING_INVITATION}
    user.version += 1
    await repo.flush()
    await repo.replace_emails(user.id, profile.emails)
    if password is not None or (was_active and not user.active):
        keep = await grant_of_token(session, tenant, caller_jti) if caller_jti else None
        await end_user_access(session, tenant, user.id, keep_grant=keep)
    if changed_email is not None and _asks_verification(profile):
        enqueue_account_mail(
            session, tenant.org_id, kind="verify", user_id=user.id, recipient=changed_email
        )
    await audit.record(
        session, tenant=tenant, action="user.update", target_type="user", target_id=user.id
    )
    return user


async def delete_user(
    session: AsyncSession, tenant: TenantContext, user_id: str, *, expected_version: int | None
) -> None:
    repo = UserRepository(session, tenant=tenant)
    user = await repo.get(user_id)
    check_version(user.version, expected_version)
    await end_user_access(session, tenant, user.id)  # back-channel logout before the rows go
    await repo.delete(user.id)
    await audit.record(
        session, tenant=tenant, action="user.delete", target_type="user", target_id=user.id
    )


async def get_user(session: AsyncSession, tenant: TenantContext, user_id: str) -> User:
    return await UserRepository(session, tenant=tenant).get(user_id)


async def search_users(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    where: ColumnElement[bool] | None,
    order_by: Sequence[Any],
    offset: int,
    limit: int,
) -> tuple[int, Sequence[User]]:
    return await UserRepository(session, tenant=tenant).page(where, order_by, offset, limit)


async def authenticate(
    session: AsyncSession, tenant: TenantContext, user_name: str, password: str
) -> User | None:
    """The active user with this userName and password, or None (argon2id off-loop).

    A bare check without lockout: sign-in paths use `RoleUserStore.authenticate`
    (roles/store.py), which counts failures and honours locks."""
    user = await UserRepository(session, tenant=tenant).find_by_username(user_name)
    ok = await verify_password_async(user.password_hash if user else None, password)
    return user if ok and user is not None and user.active else None


async def set_own_password(
    session: AsyncSession,
    tenant: TenantContext,
    user_id: str,
    password: str,
    *,
    keep_grant: str | None = None,
    keep_sid: str | None = None,
) -> User:
    """A password chosen through an invitation or recovery link (or My Account), under
    the organization's policy: accepts a pending invitation (the user becomes active) and
    ends every SSO session and token the user holds, but the caller's own grant or
    session (`end_user_access`)."""
    repo = UserRepository(session, tenant=tenant)
    user = await repo.get(user_id)
    await _set_password(session, tenant, user, password)
    if user.attributes.get(PENDING_INVITATION):
        user.active = True
        user.attributes = {k: v for k, v in user.attributes.items() if k != PENDING_INVITATION}
    user.version += 1
    await repo.flush()
    await end_user_access(session, tenant, user.id, keep_grant=keep_grant, keep_sid=keep_sid)
    return user


EMAIL_VERIFIED = "emailVerified"


async def mark_email_verified(
    session: AsyncSession, tenant: TenantContext, user_id: str, email: str
) -> User | None:
    """Record that the user proved `email` (`urn:scim:wso2:schema` emailVerified); None
    when the address is no longer the user's."""
    repo = UserRepository(session, tenant=tenant)
    user = await repo.get(user_id)
    if email.lower() not in {str(e.get("value", "")).lower() for e in user.emails}:
        return None
    wso2 = dict(user.attributes.get(WSO2_SCHEMA) or {})
    wso2[EMAIL_VERIFIED] = True
    wso2.pop("verifyEmail", None)
    user.attributes = {**user.attributes, WSO2_SCHEMA: wso2}
    user.version += 1
    await repo.flush()
    return user
