"""Service-layer setters for an application's access-token settings.

The settings live in the application's stored OIDC configuration in Asgardeo's layout
(`oidc["accessToken"]`, see oauth/app_defaults.py): `type` ("Default" =
opaque, or "JWT"), `applicationAccessTokenExpiryInSeconds`,
`userAccessTokenExpiryInSeconds`, plus Runegate's `signingAlgorithm` (RS256, PS256,
ES256) for JWT access tokens. The change counter is bumped, so every worker drops its
cached client record within 1 s (the caller's worker: call `state.caches.invalidate()`).
"""

from __future__ import annotations

import copy
from typing import Any
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.crypto.keys import ALGORITHMS
from runegate.errors import InvalidInput
from runegate.errors import NotFound
from runegate.storage import changes
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.context import TenantContext

TokenType = Literal["Default", "JWT"]
MAX_LIFETIME = 10 * 365 * 24 * 3600


def _check(lifetime: int | None, name: str) -> None:
    if lifetime is not None and not 1 <= lifetime <= MAX_LIFETIME:
        raise InvalidInput(f"{name} must be between 1 and {MAX_LIFETIME} seconds.")


async def set_access_token_settings(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    client_id: str,
    token_type: TokenType | None = None,
    application_lifetime: int | None = None,
    user_lifetime: int | None = None,
    signing_alg: str | None = None,
) -> dict[str, Any]:
    """Update the application's `accessToken` settings; returns the new settings."""
    _check(application_lifetime, "applicationAccessTokenExpiryInSeconds")
    _check(user_lifetime, "userAccessTokenExpiryInSeconds")
    if token_type is not None and token_type not in ("Default", "JWT"):
        raise InvalidInput("The access token type must be Default or JWT.")
    if signing_alg is not None and signing_alg not in ALGORITHMS:
        raise InvalidInput(f"The signing algorithm must be one of {', '.join(ALGORITHMS)}.")
    app = await ApplicationRepository(session, tenant=tenant).find_by_client_id(client_id)
    if app is None:
        raise NotFound("The application does not exist.")
    oidc = copy.deepcopy(app.oidc or {})
    access: dict[str, Any] = oidc.setdefault("accessToken", {})
    updates = {
        "type": token_type,
        "applicationAccessTokenExpiryInSeconds": application_lifetime,
        "userAccessTokenExpiryInSeconds": user_lifetime,
        "signingAlgorithm": signing_alg,
    }
    access.update({key: value for key, value in updates.items() if value is not None})
    app.oidc = oidc  # a new object, so the JSON column is written
    await session.flush()
    await changes.bump(session)
    return dict(access)
