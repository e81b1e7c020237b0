"""Refresh tokens acting in a sub-organization, over HTTP on SQLite and PostgreSQL: the
refresh token of a `fidp=OrganizationSSO` sign-in and of a user's organization switch
gives tokens acting in the same organization again (JWT `org_id`/`org_name`, `/o/` APIs
only), rotates and detects reuse as at the root, narrows to the user's roles there now,
and is refused (`invalid_grant`) once the application is unshared, the organization
disabled, or the user disabled or deleted."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.organizations.conftest import ADMIN_PASSWORD
from tests.organizations.conftest import ADMIN_USER
from tests.organizations.conftest import ALL_ORG_SCOPES
from tests.organizations.conftest import b2b_app
from tests.organizations.conftest import switch
from tests.organizations.conftest import user_token
from tests.organizations.test_org_signin import SCOPE
from tests.organizations.test_org_signin import SSO
from tests.organizations.test_org_signin import Setup
from tests.organizations.test_org_signin import claims_of
from tests.organizations.test_org_signin import setup
from tests.organizations.test_org_signin import sign_in
from tests.signin.conftest import query_of

TOKEN = "/t/default/oauth2/token"
O_USERS = "/t/default/o/scim2/Users"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


async def refresh(
    http: httpx.AsyncClient, app: dict[str, Any], token: str, **extra: str
) -> httpx.Response:
    return await http.post(
        TOKEN,
        data={"grant_type": "refresh_token", "refresh_token": token, **extra},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )


def refused(response: httpx.Response, error: str = "invalid_grant") -> None:
    assert response.status_code == 400, response.text
    assert response.json()["error"] == error
    assert response.headers["cache-control"] == "no-store"


async def org_tokens(s: Setup, user: str) -> dict[str, Any]:
    """`user` signs in to the customer organization through the shared application."""
    answer, verifier = await sign_in(s, s.browser(), user, fidp=SSO, orgId=s.customer["id"])
    tokens = await s.exchange(query_of(answer)["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    return dict(tokens.json())


async def org_admin(s: Setup) -> dict[str, str]:
    """The root administrator's token switched into the customer organization, able to
    update users and delete roles there (the application is authorized for that)."""
    more = {
        "/o/scim2/Users": "internal_org_user_mgt_update",
        "/o/scim2/Roles": "internal_org_role_mgt_delete",
    }
    for identifier, scope in more.items():
        found = await s.orgs.get(
            "/t/default/api/server/v1/api-resources",
            params={"filter": f"identifier eq {identifier}"},
        )
        api_id = found.json()["APIResources"][0]["id"]
        added = await s.orgs.patch(
            f"/t/default/api/server/v1/applications/{s.app['id']}/authorized-apis/{api_id}",
            json={"addedScopes": [scope]},
        )
        assert added.status_code == 200, added.text
    root = await user_token(s.http, s.app, ADMIN_USER, ADMIN_PASSWORD)
    scopes = f"{ALL_ORG_SCOPES} {' '.join(more.values())}"
    switched = await switch(s.http, s.app, root, s.customer["id"], scopes)
    assert switched.status_code == 200, switched.text
    return bearer(switched.json()["access_token"])


async def test_a_sign_in_refresh_token_keeps_acting_in_the_organization(
    make_app: AppFactory,
) -> None:
    s = await setup(make_app)
    alice = await s.add_user(s.customer["id"], "alice", "internal_org_user_mgt_list")
    first = await org_tokens(s, "alice")
    renewed = await refresh(s.http, s.app, first["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert set(body["scope"].split()) == set(SCOPE.split())
    assert body["refresh_token"] != first["refresh_token"]  # rotated (renewRefreshToken)
    at = claims_of(body["access_token"])
    assert (at["sub"], at["org_id"], at["org_name"]) == (alice, s.customer["id"], "customer")
    id_claims = claims_of(body["id_token"])
    assert (id_claims["sub"], id_claims["org_id"]) == (alice, s.customer["id"])
    assert id_claims["auth_time"] == claims_of(first["id_token"])["auth_time"]
    assert id_claims["sid"] == claims_of(first["id_token"])["sid"]
    mine = bearer(body["access_token"])
    listed = await s.http.get(O_USERS, headers=mine)
    assert [u["userName"] for u in listed.json()["Resources"]] == ["alice"]
    assert (await s.http.get("/t/default/scim2/Users", headers=mine)).status_code == 403
    introspected = await s.introspect(body["refresh_token"])
    assert introspected["active"] is True and introspected["org_id"] == s.customer["id"]
    # A narrower scope is allowed; a wider one is invalid_scope (RFC 6749 §6).
    narrow = await refresh(s.http, s.app, body["refresh_token"], scope="openid")
    assert narrow.status_code == 200 and narrow.json()["scope"] == "openid"
    wide = await refresh(s.http, s.app, narrow.json()["refresh_token"], scope="openid profile x")
    refused(wide, "invalid_scope")
    # RFC 6749 §10.4: the rotated first token presented again ends the whole grant.
    refused(await refresh(s.http, s.app, first["refresh_token"]))
    refused(await refresh(s.http, s.app, narrow.json()["refresh_token"]))
    assert (await s.http.get(O_USERS, headers=mine)).status_code == 401


async def test_refresh_follows_the_users_roles_in_the_organization(make_app: AppFactory) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "alice", "internal_org_user_mgt_list")
    first = await org_tokens(s, "alice")
    admin = await org_admin(s)
    roles = await s.http.get("/t/default/o/scim2/v2/Roles", headers=admin)
    assert roles.status_code == 200, roles.text
    [role_id] = [r["id"] for r in roles.json()["Resources"] if r["displayName"] == "alice-role"]
    gone = await s.http.delete(f"/t/default/o/scim2/v2/Roles/{role_id}", headers=admin)
    assert gone.status_code == 204, gone.text
    renewed = await refresh(s.http, s.app, first["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["scope"] == "openid"  # the role's scope is no longer held


async def test_refresh_is_refused_once_the_application_is_unshared(make_app: AppFactory) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "alice")
    first = await org_tokens(s, "alice")
    stop = f"/t/default/api/server/v1/applications/{s.app['id']}/share/{s.customer['id']}"
    assert (await s.orgs.delete(stop)).status_code == 204
    refused(await refresh(s.http, s.app, first["refresh_token"]))


async def test_refresh_is_refused_in_a_disabled_organization(make_app: AppFactory) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "alice")
    first = await org_tokens(s, "alice")
    disable = await s.orgs.patch(
        f"/t/default/api/server/v1/organizations/{s.customer['id']}",
        json=[{"operation": "REPLACE", "path": "/status", "value": "DISABLED"}],
    )
    assert disable.status_code == 200, disable.text
    refused(await refresh(s.http, s.app, first["refresh_token"]))


async def test_refresh_is_refused_for_a_disabled_or_deleted_user(make_app: AppFactory) -> None:
    s = await setup(make_app)
    alice = await s.add_user(s.customer["id"], "alice")
    bob = await s.add_user(s.customer["id"], "bob")
    alice_tokens = await org_tokens(s, "alice")
    bob_tokens = await org_tokens(s, "bob")
    admin = await org_admin(s)
    disabled = await s.http.patch(
        f"{O_USERS}/{alice}",
        json={"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]},
        headers=admin,
    )
    assert disabled.status_code == 200, disabled.text
    refused(await refresh(s.http, s.app, alice_tokens["refresh_token"]))
    assert (await s.http.delete(f"{O_USERS}/{bob}", headers=admin)).status_code == 204
    refused(await refresh(s.http, s.app, bob_tokens["refresh_token"]))


async def test_another_client_cannot_redeem_an_organization_refresh_token(
    make_app: AppFactory,
) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "alice")
    first = await org_tokens(s, "alice")
    other = await b2b_app(
        s.orgs,
        name="other client",
        inboundProtocolConfiguration={"oidc": {"grantTypes": ["password", "refresh_token"]}},
    )
    refused(await refresh(s.http, other, first["refresh_token"]))
    # The refusal consumed nothing: the right client still refreshes.
    assert (await refresh(s.http, s.app, first["refresh_token"])).status_code == 200


async def test_a_switched_user_token_comes_with_a_refresh_token(make_app: AppFactory) -> None:
    s = await setup(make_app)
    root = await user_token(s.http, s.app, ADMIN_USER, ADMIN_PASSWORD)
    switched = await switch(s.http, s.app, root, s.customer["id"], "internal_org_user_mgt_list")
    assert switched.status_code == 200, switched.text
    first = switched.json()
    assert "refresh_token" in first  # the application lists refresh_token (as Asgardeo)
    renewed = await refresh(s.http, s.app, first["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert body["scope"] == "internal_org_user_mgt_list"
    at = claims_of(body["access_token"])
    assert (at["org_id"], at["org_name"]) == (s.customer["id"], "customer")
    headers = bearer(body["access_token"])
    assert (await s.http.get(O_USERS, headers=headers)).status_code == 200
    assert (await s.http.get("/t/default/scim2/Users", headers=headers)).status_code == 403
    stop = f"/t/default/api/server/v1/applications/{s.app['id']}/share/{s.customer['id']}"
    assert (await s.orgs.delete(stop)).status_code == 204
    refused(await refresh(s.http, s.app, body["refresh_token"]))


async def test_no_refresh_token_for_an_application_switch_or_without_the_grant(
    make_app: AppFactory,
) -> None:
    s = await setup(make_app)
    m2m = await b2b_app(s.orgs, name="m2m and password")  # no refresh_token grant
    share = f"/t/default/api/server/v1/applications/{m2m['id']}/share"
    assert (
        await s.orgs.post(share, json={"sharedOrganizations": [s.customer["id"]]})
    ).status_code == 200
    root = await user_token(s.http, m2m, ADMIN_USER, ADMIN_PASSWORD)
    by_user = await switch(s.http, m2m, root, s.customer["id"])
    assert by_user.status_code == 200 and "refresh_token" not in by_user.json()
    app_token = await s.http.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers=basic_auth(m2m["clientId"], m2m["clientSecret"]),
    )
    assert app_token.status_code == 200, app_token.text
    by_app = await switch(s.http, m2m, app_token.json()["access_token"], s.customer["id"])
    assert by_app.status_code == 200 and "refresh_token" not in by_app.json()
