"""The organization switch grant (Asgardeo's `organization_switch`).

A client of the root organization exchanges an access token (`token`) for one that acts
in a sub-organization (`switching_organization`), RFC 6749 §4.5 extension grant. The
client must be shared with that organization, and the token's subject must have access
to it: for a user, scopes = requested ∩ authorized for the application ∩ granted by the
user's roles in that organization; for an application's own token (client_credentials),
requested ∩ the application's authorized `internal_org_*` scopes. Every refusal is
`invalid_grant` with one generic description (the reason goes to `detail`). As Asgardeo
(its grant handler issues one for user tokens only), a user's switched token comes with
a refresh token when the application lists the `refresh_token` grant; refreshing it
keeps the organization and re-applies these rules (`grants/refresh_token.py`).
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar

from runegate.errors import InvalidGrant
from runegate.errors import InvalidRequest
from runegate.errors import InvalidToken
from runegate.http.auth import AccessToken
from runegate.oauth.grants.base import GrantContext
from runegate.oauth.grants.base import add_refresh_token
from runegate.oauth.grants.base import token_response
from runegate.oauth.grants.password import user_scopes
from runegate.oauth.refresh import new_grant_id
from runegate.roles.org_access import OrgFacts

REFUSED = "The token cannot be switched to this organization."


async def granted_scopes(
    ctx: GrantContext, presented: AccessToken, org: OrgFacts
) -> tuple[tuple[str, ...], str]:
    """The switched token's scopes and subject type (a user's, or the application's own)."""
    record, orgs = ctx.client.record, ctx.services.orgs
    if presented.subject_type == "user" and presented.user_id and orgs is not None:
        held = await orgs.user_scopes(ctx.request.tenant, presented.user_id, org)
        if held is None:
            raise InvalidGrant(REFUSED, detail="the user has no access to it")
        return user_scopes(ctx.requested_scopes, record.scopes, held), "user"
    if presented.application_id != record.application_id:
        raise InvalidGrant(REFUSED, detail="an application token of another client")
    granted = tuple(
        s for s in ctx.requested_scopes if s.startswith("internal_org_") and s in record.scopes
    )
    return granted, "application"


class OrganizationSwitchGrant:
    grant_type: ClassVar[str] = "organization_switch"
    parameters: ClassVar[frozenset[str]] = frozenset({"scope", "token", "switching_organization"})

    async def handle(self, ctx: GrantContext) -> dict[str, Any]:
        raw = ctx.request.params.get("token")
        org_id = ctx.request.params.get("switching_organization")
        if not raw or not org_id:
            raise InvalidRequest("The token and switching_organization parameters are required.")
        tenant, record = ctx.request.tenant, ctx.client.record
        orgs, verifier = ctx.services.orgs, ctx.services.verifier
        if orgs is None or verifier is None:
            raise InvalidGrant(REFUSED, detail="organization switch is not configured")
        try:
            presented = await verifier.verify(tenant, raw)
        except InvalidToken as exc:
            raise InvalidGrant(REFUSED, detail="the presented token is not valid") from exc
        org = await orgs.find(tenant, org_id)
        if org is None or not org.active:
            raise InvalidGrant(REFUSED, detail="unknown or disabled organization")
        if not await orgs.is_shared(tenant, record.application_id, org):
            raise InvalidGrant(REFUSED, detail="the application is not shared with it")
        granted, subject_type = await granted_scopes(ctx, presented, org)
        acting, grant_id = tenant.for_org(org.id, org.name), new_grant_id()
        issued = await ctx.issuer.issue(
            acting,
            record,
            granted,
            subject=presented.subject,
            subject_type=subject_type,
            grant_id=grant_id,
        )
        body = token_response(issued)
        if subject_type == "user":  # as Asgardeo: user tokens only
            await add_refresh_token(
                ctx,
                body,
                user_id=presented.subject,
                scopes=granted,
                grant_id=grant_id,
                acting=acting,
            )
        return body
