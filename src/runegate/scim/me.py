"""/Me (RFC 7644 §3.11): the authenticated user's own resource, with a user token.

A user may change its own profile and password, but not privileged attributes
(`userName`, `active`, `externalId`, `roles`, `entitlements`, `x509Certificates`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.errors import Forbidden
from runegate.http.auth import Access
from runegate.scim import users
from runegate.scim.query import ListQuery
from runegate.scim.result import ScimResult


def own_id(access: Access) -> str:
    token = access.token
    if token.subject_type != "user":
        raise Forbidden("/Me needs an access token issued to a user.")
    return token.user_id or token.subject


async def get(
    session: AsyncSession, access: Access, query: ListQuery, if_none_match: str | None
) -> ScimResult:
    return await users.get(session, access.tenant, own_id(access), query, if_none_match)


async def replace(
    session: AsyncSession, access: Access, body: Any, query: ListQuery, if_match: str | None
) -> ScimResult:
    return await users.replace(
        session, access.tenant, own_id(access), body, query, if_match, caller_jti=access.token.jti
    )


async def patch(
    session: AsyncSession, access: Access, body: Any, query: ListQuery, if_match: str | None
) -> ScimResult:
    return await users.patch(
        session, access.tenant, own_id(access), body, query, if_match, caller_jti=access.token.jti
    )
