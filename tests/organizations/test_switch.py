"""The organization switch grant and the `/t/{root}/o/...` organization APIs: a root
administrator creates customers, shares an application, switches, manages users there,
and nothing crosses organizations."""

from __future__ import annotations

import base64
import json

from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token
from tests.organizations.conftest import ADMIN_PASSWORD
from tests.organizations.conftest import ADMIN_USER
from tests.organizations.conftest import ORG_SCOPES
from tests.organizations.conftest import ORGS
from tests.organizations.conftest import OrgAdmin
from tests.organizations.conftest import b2b_app
from tests.organizations.conftest import switch
from tests.organizations.conftest import user_token

O_USERS = "/t/default/o/scim2/Users"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USERS = "/t/default/scim2/Users"


async def _setup(make_app: AppFactory):  # type: ignore[no-untyped-def]
    _app, http = await make_app()
    orgs = OrgAdmin(http, await get_token(http, ORG_SCOPES))
    a = await orgs.create_org("customer-a")
    b = await orgs.create_org("customer-b")
    app = await b2b_app(orgs)
    shared = await orgs.post(
        f"/t/default/api/server/v1/applications/{app['id']}/share",
        json={"shareWithAllChildren": False, "sharedOrganizations": [a["id"], b["id"]]},
    )
    assert shared.status_code == 200, shared.text
    root = await user_token(http, app, ADMIN_USER, ADMIN_PASSWORD)
    return http, orgs, a, b, app, root


async def _switched(http, app, root, org_id, scope=None):  # type: ignore[no-untyped-def]
    response = await switch(http, app, root, org_id, *([scope] if scope else []))
    assert response.status_code == 200, response.text
    return response.json()


async def test_root_admin_switches_and_manages_users_in_isolation(make_app: AppFactory) -> None:
    http, orgs, a, b, app, root = await _setup(make_app)
    token_a = await _switched(http, app, root, a["id"])
    assert "internal_org_user_mgt_create" in token_a["scope"].split()
    # Not authorized for the application: dropped, as every grant does.
    assert "internal_org_user_mgt_update" not in token_a["scope"].split()
    a_headers = bearer(token_a["access_token"])
    b_headers = bearer((await _switched(http, app, root, b["id"]))["access_token"])

    created = await http.post(
        O_USERS, json={"userName": "alice", "password": "Wonder-Land-42x"}, headers=a_headers
    )
    assert created.status_code == 201, created.text
    alice = created.json()["id"]
    same_name = await http.post(
        O_USERS, json={"userName": "alice", "password": "Other-Land-42x"}, headers=b_headers
    )
    assert same_name.status_code == 201  # user names are per organization
    in_a = (await http.get(O_USERS, headers=a_headers)).json()
    assert [u["id"] for u in in_a["Resources"]] == [alice]
    in_b = (await http.get(O_USERS, headers=b_headers)).json()
    assert [u["id"] for u in in_b["Resources"]] == [same_name.json()["id"]]
    assert (await http.get(f"{O_USERS}/{alice}", headers=b_headers)).status_code == 404
    assert (await http.delete(f"{O_USERS}/{alice}", headers=b_headers)).status_code == 404

    root_headers = bearer(await get_token(http, "internal_user_mgt_list internal_user_mgt_view"))
    root_users = (await http.get(USERS, headers=root_headers)).json()
    assert "alice" not in [u["userName"] for u in root_users["Resources"]]
    assert (await http.get(f"{USERS}/{alice}", headers=root_headers)).status_code == 404

    # The same organization APIs on groups and roles stay in the switched organization.
    group = await http.post(
        "/t/default/o/scim2/Groups",
        json={"displayName": "staff", "members": [{"value": alice}]},
        headers=a_headers,
    )
    assert group.status_code == 201, group.text
    b_groups = (await http.get("/t/default/o/scim2/Groups", headers=b_headers)).json()
    assert b_groups["totalResults"] == 0
    cross = await http.post(
        "/t/default/o/scim2/Groups",
        json={"displayName": "staff", "members": [{"value": alice}]},
        headers=b_headers,
    )
    assert cross.status_code == 400  # alice is not a user of customer-b
    roles_a = (await http.get("/t/default/o/scim2/v2/Roles", headers=a_headers)).json()
    assert {r["displayName"] for r in roles_a["Resources"]} >= {"everyone", "Administrator"}

    # Nested organizations from the switched organization.
    child = await http.post(
        "/t/default/o/api/server/v1/organizations", json={"name": "a-east"}, headers=a_headers
    )
    assert child.status_code == 201, child.text
    assert child.json()["parent"]["id"] == a["id"]
    listed = await http.get("/t/default/o/api/server/v1/organizations", headers=b_headers)
    assert listed.json()["organizations"] == []
    assert (await http.get(f"{ORGS}/{child.json()['id']}", headers=orgs.headers)).status_code == 200


async def test_tokens_are_valid_only_on_their_side(make_app: AppFactory) -> None:
    http, _orgs, a, _b, app, root = await _setup(make_app)
    switched = bearer((await _switched(http, app, root, a["id"]))["access_token"])
    root_token = bearer(await get_token(http, "internal_user_mgt_list internal_org_user_mgt_list"))
    on_org = await http.get(O_USERS, headers=root_token)
    assert on_org.status_code == 403
    assert (await http.get(USERS, headers=switched)).status_code == 403
    assert (await http.get(O_USERS)).status_code == 401
    narrow = await _switched(http, app, root, a["id"], "internal_org_user_mgt_create")
    assert narrow["scope"] == "internal_org_user_mgt_create"
    refused = await http.get(O_USERS, headers=bearer(narrow["access_token"]))
    assert refused.status_code == 403
    unknown_api = await http.get("/t/default/o/api/server/v1/audit-logs", headers=switched)
    assert unknown_api.status_code == 404


async def test_switch_refusals(make_app: AppFactory) -> None:
    http, orgs, a, b, app, root = await _setup(make_app)
    c = await orgs.create_org("customer-c")  # not shared
    cases = {
        "not shared": await switch(http, app, root, c["id"]),
        "unknown org": await switch(http, app, root, "no-such-org"),
        "the root itself": await switch(http, app, root, a["parent"]["id"]),
        "bad token": await switch(http, app, "not-a-token", a["id"]),
    }
    for reason, response in cases.items():
        assert response.status_code == 400, reason
        assert response.json()["error"] == "invalid_grant", reason
    missing = await http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "organization_switch", "token": root},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"

    # A user of customer-a may not switch to customer-b (a sibling) or the root's APIs.
    a_headers = bearer((await _switched(http, app, root, a["id"]))["access_token"])
    await http.post(
        O_USERS, json={"userName": "bob", "password": "Builder-Land-42x"}, headers=a_headers
    )
    disabled = await orgs.patch(
        f"{ORGS}/{b['id']}", json=[{"operation": "REPLACE", "path": "/status", "value": "DISABLED"}]
    )
    assert disabled.status_code == 200
    assert (await switch(http, app, root, b["id"])).json()["error"] == "invalid_grant"

    # An ordinary root user (no administrator role, creator of nothing) has no access.
    users = bearer(await get_token(http, "internal_user_mgt_create"))
    made = await http.post(
        USERS, json={"userName": "carol", "password": "Singer-Land-42x"}, headers=users
    )
    assert made.status_code == 201, made.text
    carol = await user_token(http, app, "carol", "Singer-Land-42x")
    refused = await switch(http, app, carol, a["id"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


async def test_m2m_switch_and_jwt_claims(make_app: AppFactory) -> None:
    http, orgs, a, _b, app, _root = await _setup(make_app)
    oidc_url = f"/t/default/api/server/v1/applications/{app['id']}/inbound-protocols/oidc"
    config = (await orgs.get(oidc_url)).json()
    config["accessToken"]["type"] = "JWT"
    assert (await orgs.put(oidc_url, json=config)).status_code == 200
    m2m = await http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "internal_org_user_mgt_list"},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    assert m2m.status_code == 200, m2m.text
    switched = await _switched(
        http,
        app,
        m2m.json()["access_token"],
        a["id"],
        "internal_org_user_mgt_list internal_user_mgt_list",
    )
    # M2M: requested ∩ the application's authorized internal_org_* scopes.
    assert switched["scope"] == "internal_org_user_mgt_list"
    payload = switched["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["org_id"] == a["id"] and claims["org_name"] == "customer-a"
    listed = await http.get(O_USERS, headers=bearer(switched["access_token"]))
    assert listed.status_code == 200 and listed.json()["totalResults"] == 0


async def test_role_changes_reach_the_switch_at_once(make_app: AppFactory) -> None:
    """The switch caches who administers their organization: a role change clears it."""
    http, _orgs, a, _b, app, root = await _setup(make_app)
    users = bearer(await get_token(http, "internal_user_mgt_create"))
    made = await http.post(
        USERS, json={"userName": "dave", "password": "Diver-Land-42x"}, headers=users
    )
    assert made.status_code == 201, made.text
    dave_id = made.json()["id"]
    dave = await user_token(http, app, "dave", "Diver-Land-42x")
    assert (await switch(http, app, dave, a["id"])).json()["error"] == "invalid_grant"
    assert (await switch(http, app, root, a["id"])).status_code == 200

    roles = "/t/default/scim2/v2/Roles"
    manage = bearer(await get_token(http, "internal_role_mgt_view internal_role_mgt_update"))
    found = await http.get(
        roles, params={"filter": 'displayName eq "Administrator"'}, headers=manage
    )
    assert found.status_code == 200, found.text
    administrator = found.json()["Resources"][0]["id"]

    async def patch(operation: dict[str, object]) -> None:
        body = {"schemas": [PATCH_OP], "Operations": [operation]}
        answer = await http.patch(f"{roles}/{administrator}", json=body, headers=manage)
        assert answer.status_code == 200, answer.text

    await patch({"op": "add", "path": "users", "value": [dave_id]})
    granted = await switch(http, app, dave, a["id"])
    assert granted.status_code == 200, granted.text
    assert "internal_org_user_mgt_create" in granted.json()["scope"].split()
    await patch({"op": "remove", "path": f'users[value eq "{dave_id}"]'})
    assert (await switch(http, app, dave, a["id"])).json()["error"] == "invalid_grant"
    assert (await switch(http, app, root, a["id"])).status_code == 200
