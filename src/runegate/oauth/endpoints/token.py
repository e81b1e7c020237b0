"""The token endpoint, as an ordered list of named steps.

Implements: RFC 6749 §3.2 (token endpoint), §5.1 (response, `Cache-Control: no-store`),
§5.2 (error responses).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from runegate.errors import InvalidRequest
from runegate.errors import UnauthorizedClient
from runegate.errors import UnsupportedGrantType
from runegate.oauth.client_auth import AuthenticatedClient
from runegate.oauth.client_auth import ClientAuthenticator
from runegate.oauth.grants import GRANTS
from runegate.oauth.grants.base import Grant
from runegate.oauth.grants.base import GrantContext
from runegate.oauth.grants.base import GrantServices
from runegate.oauth.request import OAuthRequest
from runegate.oauth.request import printable
from runegate.oauth.scopes import parse_scope
from runegate.roles.org_access import OrgFacts

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def select_grant(req: OAuthRequest) -> Grant:
    grant_type = req.params.get("grant_type")
    if not grant_type:
        raise InvalidRequest("The grant_type parameter is missing.")
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise UnsupportedGrantType(f"The grant type {printable(grant_type)} is not supported.")
    return grant


def check_grant_allowed(client: AuthenticatedClient, grant: Grant) -> None:
    if grant.grant_type not in client.record.grant_types:
        raise UnauthorizedClient("The client is not allowed to use this grant type.")


# Grants served at a sub-organization's token endpoint (`/t/{root}/o/{org-id}/oauth2/token`).
ORGANIZATION_GRANTS = frozenset({"password"})


async def enter_organization(
    req: OAuthRequest, sub_org: str, services: GrantServices
) -> tuple[OAuthRequest, OrgFacts]:
    """The request acts in the sub-organization of the path (unknown or disabled: 400)."""
    org = await services.orgs.find(req.tenant, sub_org) if services.orgs else None
    if org is None or not org.active:
        raise InvalidRequest("The organization does not exist.")
    return replace(req, tenant=req.tenant.for_org(org.id, org.name)), org


def check_organization_grant(grant: Grant) -> None:
    if grant.grant_type not in ORGANIZATION_GRANTS:
        raise UnsupportedGrantType("The grant type is not supported for an organization.")


async def check_shared(
    client: AuthenticatedClient, services: GrantServices, req: OAuthRequest, org: OrgFacts
) -> None:
    assert services.orgs is not None
    if not await services.orgs.is_shared(req.tenant, client.record.application_id, org):
        raise UnauthorizedClient("The application is not shared with the organization.")


async def token(
    req: OAuthRequest,
    authenticator: ClientAuthenticator,
    services: GrantServices,
    *,
    sub_org: str | None = None,
) -> dict[str, Any]:
    org = None
    if sub_org is not None:
        req, org = await enter_organization(req, sub_org, services)
    grant = select_grant(req)
    if org is not None:
        check_organization_grant(grant)
    client = await authenticator.authenticate(req)
    check_grant_allowed(client, grant)
    if org is not None:
        await check_shared(client, services, req, org)
    scopes = parse_scope(req.params.get("scope"))
    return await grant.handle(GrantContext(req, client, scopes, services))
