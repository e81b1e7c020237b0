"""RP-initiated logout: the checks of a logout request, as an ordered list of steps.

Implements: OIDC RP-Initiated Logout 1.0 §2 (`id_token_hint`, `client_id`,
`post_logout_redirect_uri`, `state`; an expired ID token is still a valid hint, its
signature and issuer must verify), §3 (the redirect URI must be registered for the
client, else no redirect), §6 (without a hint the OP asks the user to confirm).
Callback URLs are matched as the authorization endpoint matches them (exact, or
Asgardeo's `regexp=`).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import Protocol

from runegate.crypto import jwt
from runegate.errors import IdpError
from runegate.management.applications.callback_urls import redirect_uri_allowed
from runegate.oauth.endpoints.authorize import SigninClient
from runegate.oauth.endpoints.authorize import SigninClients
from runegate.tenancy.context import TenantContext

BAD_HINT = "The id_token_hint is invalid."


class LogoutError(IdpError):
    """A logout request that cannot be honoured: shown on a page, never redirected."""

    status = 400
    default_description = "The logout request is invalid."


class HintKeys(Protocol):
    """The organization's verifying keys (`oauth.key_store.KeyStore.verifying_keys`)."""

    async def verifying_keys(self, org_id: str) -> Sequence[jwt.VerifyingKey]: ...


@dataclass(frozen=True, slots=True)
class LogoutRequest:
    client: SigninClient | None
    redirect_uri: str | None  # verified against the client's callback URLs
    state: str | None
    hint_subject: str | None  # `sub` of a verified id_token_hint
    params: Mapping[str, str]


async def check_id_token_hint(tenant: TenantContext, raw: str, keys: HintKeys) -> dict[str, Any]:
    """The hint's claims once its signature (an organization key) and issuer verify.

    Expiry is not checked (RP-Initiated Logout §2: the hint may have expired).
    """
    try:
        _header, claims = jwt.verify(
            raw, await keys.verifying_keys(tenant.root_id), jwt.SUPPORTED_ALGORITHMS
        )
    except jwt.JwtError:
        raise LogoutError(BAD_HINT, detail="id_token_hint does not verify") from None
    if claims.get("iss") != tenant.issuer or not isinstance(claims.get("sub"), str):
        raise LogoutError(BAD_HINT, detail="id_token_hint of another issuer or without sub")
    return claims


def audiences(claims: Mapping[str, Any]) -> list[str]:
    aud = claims.get("aud")
    values = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    return [str(value) for value in values]


def client_id_of(params: Mapping[str, str], claims: Mapping[str, Any] | None) -> str | None:
    """`client_id`, which must be an audience of the hint when both are sent (§2)."""
    client_id = params.get("client_id")
    if claims is None:
        return client_id
    named = audiences(claims)
    if client_id is not None:
        if client_id not in named:
            raise LogoutError("The client_id does not match the id_token_hint.")
        return client_id
    azp = claims.get("azp")
    return str(azp) if isinstance(azp, str) else (named[0] if named else None)


async def find_client(
    tenant: TenantContext, client_id: str | None, clients: SigninClients
) -> SigninClient | None:
    if client_id is None:
        return None
    client = await clients.find(tenant, client_id)
    if client is None or not client.record.active or not client.enabled:
        raise LogoutError("The application is unknown or disabled.")
    return client


def check_redirect(client: SigninClient | None, params: Mapping[str, str]) -> str | None:
    """RP-Initiated Logout §3: only a URI registered for the identified client."""
    uri = params.get("post_logout_redirect_uri")
    if uri is None:
        return None
    if client is None:
        raise LogoutError("post_logout_redirect_uri needs client_id or id_token_hint.")
    if not redirect_uri_allowed(list(client.callback_urls), uri):
        raise LogoutError("The post_logout_redirect_uri is not registered for this application.")
    return uri


async def validate_logout(
    tenant: TenantContext, params: Mapping[str, str], clients: SigninClients, keys: HintKeys
) -> LogoutRequest:
    """Run the checks in order; LogoutError on the first that fails."""
    hint = params.get("id_token_hint")
    claims = await check_id_token_hint(tenant, hint, keys) if hint else None
    client = await find_client(tenant, client_id_of(params, claims), clients)
    redirect_uri = check_redirect(client, params)
    return LogoutRequest(
        client=client,
        redirect_uri=redirect_uri,
        state=params.get("state"),
        hint_subject=str(claims["sub"]) if claims else None,
        params=dict(params),
    )
