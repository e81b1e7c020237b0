"""Sign-in to a sub-organization through a shared application (`fidp=OrganizationSSO`).

`/t/{root}/oauth2/authorize?...&fidp=OrganizationSSO&orgId={sub-org id}` (or
`org={name}`): once the authorization request is valid for the root's application, the
rest of the flow (login form, SSO session, code) acts in that organization, so only its
users sign in and their scopes come from their roles there. Refusals are redirected to
the verified redirect URI (RFC 6749 §4.1.2.1). Without `orgId`/`org`, a page asks for
the organization's name and sends the same request again with `org`.
"""

from __future__ import annotations

from collections.abc import Mapping

from runegate.errors import InvalidRequest
from runegate.errors import UnauthorizedClient
from runegate.oauth.endpoints.authorize import AuthorizationRequest
from runegate.oauth.grants.base import OrganizationStore
from runegate.tenancy.context import TenantContext

ORGANIZATION_SSO = "OrganizationSSO"
UNKNOWN_ORG = "The organization does not exist or is disabled."
NOT_SHARED = "The application is not shared with the organization."
NO_ORG = "fidp=OrganizationSSO needs the orgId (or org) parameter."


def wants_organization(params: Mapping[str, str]) -> bool:
    return params.get("fidp") == ORGANIZATION_SSO


def needs_picker(areq: AuthorizationRequest) -> bool:
    """No organization named: the browser is asked for its name (never with prompt=none)."""
    params = areq.params
    return not params.get("orgId") and not params.get("org") and "none" not in areq.prompt


async def organization_tenant(
    tenant: TenantContext, areq: AuthorizationRequest, orgs: OrganizationStore | None
) -> TenantContext:
    """The sub-organization the sign-in acts in; InvalidRequest / UnauthorizedClient."""
    params = areq.params
    org_id, org_name = params.get("orgId"), params.get("org")
    if not org_id and not org_name:
        raise InvalidRequest(NO_ORG)
    org = None
    if orgs is not None:
        if org_id:
            org = await orgs.find(tenant, org_id)
        elif org_name:
            org = await orgs.find_by_name(tenant, org_name)
    if orgs is None or org is None or not org.active:
        raise InvalidRequest(UNKNOWN_ORG)
    if not await orgs.is_shared(tenant, areq.client.record.application_id, org):
        raise UnauthorizedClient(NOT_SHARED)
    return tenant.for_org(org.id, org.name)
