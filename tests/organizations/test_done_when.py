"""Issue 11's end-to-end scenario: a root administrator creates a customer organization,
shares an application with it, switches into it, creates a user there through
`/o/scim2/Users` and gives them a role; that user signs in to the shared application at
the organization's token endpoint and works in their organization only."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token
from tests.organizations.conftest import ADMIN_PASSWORD
from tests.organizations.conftest import ADMIN_USER
from tests.organizations.conftest import ORG_SCOPES
from tests.organizations.conftest import OrgAdmin
from tests.organizations.conftest import b2b_app
from tests.organizations.conftest import switch
from tests.organizations.conftest import user_token

ROLE = "urn:ietf:params:scim:schemas:extension:2.0:Role"
PASSWORD = "Wonder-Land-42x"


async def org_sign_in(
    http: httpx.AsyncClient, app: dict[str, Any], org_id: str, username: str, **extra: str
) -> httpx.Response:
    data = {"grant_type": "password", "username": username, "password": PASSWORD, **extra}
    return await http.post(
        f"/t/default/o/{org_id}/oauth2/token",
        data=data,
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )


async def test_customer_user_signs_in_to_the_shared_application(make_app: AppFactory) -> None:
    _app, http = await make_app()
    orgs = OrgAdmin(http, await get_token(http, ORG_SCOPES))
    customer = await orgs.create_org("customer")
    other = await orgs.create_org("other-customer")
    app = await b2b_app(orgs)
    share = f"/t/default/api/server/v1/applications/{app['id']}/share"
    assert (
        await orgs.post(share, json={"sharedOrganizations": [customer["id"]]})
    ).status_code == 200

    root = await user_token(http, app, ADMIN_USER, ADMIN_PASSWORD)
    switched = await switch(http, app, root, customer["id"])
    assert switched.status_code == 200, switched.text
    admin = bearer(switched.json()["access_token"])
    made = await http.post(
        "/t/default/o/scim2/Users", json={"userName": "alice", "password": PASSWORD}, headers=admin
    )
    assert made.status_code == 201, made.text
    alice = made.json()["id"]

    # Without a role alice signs in, but gets no organization API scope.
    plain = await org_sign_in(
        http, app, customer["id"], "alice", scope="internal_org_user_mgt_list"
    )
    assert plain.status_code == 200, plain.text
    assert "scope" not in plain.json()
    role = await http.post(
        "/t/default/o/scim2/v2/Roles",
        json={
            "schemas": [ROLE],
            "displayName": "support",
            "permissions": [{"value": "internal_org_user_mgt_list"}],
            "users": [{"value": alice}],
        },
        headers=admin,
    )
    assert role.status_code == 201, role.text

    signed_in = await org_sign_in(
        http, app, customer["id"], "alice", scope="openid internal_org_user_mgt_list"
    )
    assert signed_in.status_code == 200, signed_in.text
    body = signed_in.json()
    assert set(body["scope"].split()) == {"openid", "internal_org_user_mgt_list"}
    assert "id_token" in body and "refresh_token" not in body
    mine = bearer(body["access_token"])
    listed = await http.get("/t/default/o/scim2/Users", headers=mine)
    assert listed.status_code == 200
    assert [u["userName"] for u in listed.json()["Resources"]] == ["alice"]
    assert (await http.get("/t/default/scim2/Users", headers=mine)).status_code == 403
    introspected = await http.post(
        "/t/default/oauth2/introspect",
        data={"token": body["access_token"]},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    assert introspected.json()["active"] is True

    # alice exists only in her organization.
    at_root = await http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "password", "username": "alice", "password": PASSWORD},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    assert at_root.status_code == 400 and at_root.json()["error"] == "invalid_grant"
    elsewhere = await org_sign_in(http, app, other["id"], "alice")
    assert elsewhere.status_code == 400
    assert elsewhere.json()["error"] == "unauthorized_client"  # not shared with it

    # Unsharing ends alice's session tokens and her sign-ins.
    assert (
        await orgs.delete(f"/t/default/api/server/v1/applications/{app['id']}/shared-apps")
    ).status_code == 204
    assert (await http.get("/t/default/o/scim2/Users", headers=mine)).status_code == 401
    assert (await org_sign_in(http, app, customer["id"], "alice")).json()["error"] == (
        "unauthorized_client"
    )


async def test_organization_token_endpoint_errors(make_app: AppFactory) -> None:
    _app, http = await make_app()
    orgs = OrgAdmin(http, await get_token(http, ORG_SCOPES))
    customer = await orgs.create_org("customer")
    app = await b2b_app(orgs)
    share = f"/t/default/api/server/v1/applications/{app['id']}/share"
    assert (
        await orgs.post(share, json={"sharedOrganizations": [customer["id"]]})
    ).status_code == 200
    unknown = await org_sign_in(http, app, "00000000-0000-0000-0000-000000000000", "alice")
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_request"
    wrong = await org_sign_in(http, app, customer["id"], "nobody")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    m2m = await http.post(
        f"/t/default/o/{customer['id']}/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    assert m2m.status_code == 400 and m2m.json()["error"] == "unsupported_grant_type"
    bad_client = await http.post(
        f"/t/default/o/{customer['id']}/oauth2/token",
        data={"grant_type": "password", "username": "a", "password": "b"},
        headers=basic_auth(app["clientId"], "wrong-secret"),
    )
    assert bad_client.status_code == 401 and bad_client.json()["error"] == "invalid_client"
    assert (await http.post("/t/default/o/not-an-id/oauth2/token")).status_code == 404
