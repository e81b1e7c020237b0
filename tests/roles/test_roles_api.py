"""Roles v2 over HTTP: CRUD, list, filter, .search, PUT, PATCH, errors, auth."""

from __future__ import annotations

from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ROLE_SCHEMA
from tests.roles.conftest import Admin
from tests.roles.conftest import assert_scim_error


async def test_create_get_and_location(admin: Admin) -> None:
    user = await admin.user("alice")
    group = await admin.group("staff")
    role = await admin.role(
        "auditor",
        permissions=[{"value": "internal_user_mgt_view"}],
        users=[{"value": user}],
        groups=[{"value": group}],
    )
    assert role["schemas"] == [ROLE_SCHEMA]
    assert role["audience"]["type"] == "organization"
    assert [p["value"] for p in role["permissions"]] == ["internal_user_mgt_view"]
    assert [u["value"] for u in role["users"]] == [user]
    assert role["users"][0]["display"] == "alice"
    assert [g["value"] for g in role["groups"]] == [group]
    assert role["meta"]["resourceType"] == "Role"
    response = await admin.call("GET", f"{admin.roles}/{role['id']}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/scim+json")
    assert response.json()["displayName"] == "auditor"
    assert role["meta"]["location"].endswith(f"/t/default/scim2/v2/Roles/{role['id']}")


async def test_application_audience_and_permission_bound(admin: Admin) -> None:
    api = await admin.api("https://bookings.example", "bookings:read", "bookings:write")
    app = await admin.app("bookings-app", api, ["bookings:read"], "APPLICATION")
    audience = {"value": app["id"], "type": "application"}
    role = await admin.role("reader", audience=audience, permissions=["bookings:read"])
    assert role["audience"] == {
        "value": app["id"],
        "display": "bookings-app",
        "type": "application",
    }
    assert role["associatedApplications"] == [{"value": app["id"], "display": "bookings-app"}]
    # bookings:write exists but is not authorized for the audience application.
    refused = await admin.create_role("writer", audience=audience, permissions=["bookings:write"])
    assert_scim_error(refused, 400, "invalidValue")
    # The same name may exist once per audience.
    assert (await admin.create_role("reader")).status_code == 201
    duplicate = await admin.create_role("READER", audience=audience)
    assert_scim_error(duplicate, 409, "uniqueness")


async def test_bad_input_changes_nothing(admin: Admin) -> None:
    cases = [
        {"permissions": [{"value": "no_such_scope"}]},
        {"users": [{"value": "00000000-0000-0000-0000-000000000000"}]},
        {"groups": [{"value": "00000000-0000-0000-0000-000000000000"}]},
        {"audience": {"value": "another-org-id", "type": "organization"}},
        {"audience": {"value": "no-such-app", "type": "application"}},
        {"audience": {"value": "x", "type": "tenant"}},
    ]
    for extra in cases:
        assert_scim_error(await admin.create_role("bad", **extra), 400, "invalidValue")
    listed = await admin.call("GET", admin.roles, params={"filter": 'displayName eq "bad"'})
    assert listed.json()["totalResults"] == 0
    missing_name = await admin.call("POST", admin.roles, json={"schemas": [ROLE_SCHEMA]})
    assert_scim_error(missing_name, 400, "invalidValue")
    not_json = await admin.call("POST", admin.roles, content=b"{")
    assert_scim_error(not_json, 400, "invalidSyntax")


async def test_list_filter_paging_and_search(admin: Admin) -> None:
    for name in ("team-a", "team-b", "team-c", "other"):
        await admin.role(name)
    page = await admin.call(
        "GET", admin.roles, params={"filter": 'displayName sw "team"', "startIndex": 2, "count": 1}
    )
    body = page.json()
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (3, 2, 1)
    assert body["Resources"][0]["displayName"] == "team-b"
    search = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'displayName eq "OTHER" and audience.type eq "organization"',
    }
    found = await admin.call("POST", f"{admin.roles}/.search", json=search)
    assert [r["displayName"] for r in found.json()["Resources"]] == ["other"]
    everything = await admin.call("GET", admin.roles)
    names = {r["displayName"] for r in everything.json()["Resources"]}
    assert {"everyone", "Administrator", "team-a", "other"} <= names
    bad = await admin.call("GET", admin.roles, params={"filter": 'permissions eq "x"'})
    assert_scim_error(bad, 400, "invalidFilter")


async def test_put_replaces_everything_but_audience(admin: Admin) -> None:
    user = await admin.user("bob")
    role = await admin.role("ops", permissions=["internal_user_mgt_view"], users=[{"value": user}])
    url = f"{admin.roles}/{role['id']}"
    body = {
        "schemas": [ROLE_SCHEMA],
        "displayName": "ops2",
        "permissions": ["internal_group_mgt_view"],
    }
    replaced = await admin.call("PUT", url, json=body)
    assert replaced.status_code == 200, replaced.text
    got = replaced.json()
    assert got["displayName"] == "ops2" and got["users"] == []
    assert [p["value"] for p in got["permissions"]] == ["internal_group_mgt_view"]
    moved = {**body, "audience": {"value": "elsewhere", "type": "application"}}
    assert_scim_error(await admin.call("PUT", url, json=moved), 400, "invalidValue")
    stale = await admin.call("PUT", url, json=body, headers={**admin.headers, "If-Match": 'W/"1"'})
    assert stale.status_code == 412


async def test_patch_paths(admin: Admin) -> None:
    u1, u2 = await admin.user("carol"), await admin.user("dave")
    g1 = await admin.group("devs")
    role = await admin.role("dev")
    rid = role["id"]
    response = await admin.patch_role(
        rid,
        {"op": "add", "path": "users", "value": [{"value": u1}, {"value": u2}]},
        {"op": "add", "path": "groups", "value": [{"value": g1}]},
        {"op": "add", "path": "permissions", "value": [{"value": "internal_user_mgt_view"}]},
        {"op": "replace", "path": "displayName", "value": "developers"},
    )
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["displayName"] == "developers"
    assert {u["value"] for u in got["users"]} == {u1, u2}
    response = await admin.patch_role(
        rid,
        {"op": "remove", "path": f'users[value eq "{u1}"]'},
        {"op": "remove", "path": f'groups[value eq "{g1}"]'},
        {"op": "replace", "value": {"permissions": [{"value": "internal_group_mgt_view"}]}},
    )
    got = response.json()
    assert [u["value"] for u in got["users"]] == [u2] and got["groups"] == []
    assert [p["value"] for p in got["permissions"]] == ["internal_group_mgt_view"]
    cleared = await admin.patch_role(rid, {"op": "remove", "path": "permissions"})
    assert cleared.json()["permissions"] == []
    errors = [
        ({"op": "remove", "path": f'users[value eq "{u1}"]'}, "noTarget"),
        ({"op": "add", "path": "audience", "value": {}}, "invalidPath"),
        ({"op": "move", "path": "users", "value": []}, "invalidValue"),
        ({"op": "add", "path": "permissions", "value": ["nope"]}, "invalidValue"),
    ]
    for operation, scim_type in errors:
        assert_scim_error(await admin.patch_role(rid, operation), 400, scim_type)
    after = await admin.call("GET", f"{admin.roles}/{rid}")
    assert after.json()["permissions"] == [] and after.json()["displayName"] == "developers"


async def test_delete(admin: Admin) -> None:
    role = await admin.role("temp")
    url = f"{admin.roles}/{role['id']}"
    assert (await admin.call("DELETE", url)).status_code == 204
    assert_scim_error(await admin.call("GET", url), 404, None)
    assert_scim_error(await admin.call("DELETE", url), 404, None)


async def test_401_and_403(admin: Admin) -> None:
    role = await admin.role("guarded")
    url = f"{admin.roles}/{role['id']}"
    anonymous = await admin.http.get(admin.roles)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert_scim_error(anonymous, 401, None)
    viewer = bearer(await get_token(admin.http, "internal_role_mgt_view"))
    assert (await admin.http.get(url, headers=viewer)).status_code == 200
    checks = [
        ("POST", admin.roles, {"schemas": [ROLE_SCHEMA], "displayName": "x"}),
        ("PUT", url, {"schemas": [ROLE_SCHEMA], "displayName": "x"}),
        ("PATCH", url, {"schemas": [], "Operations": []}),
        ("DELETE", url, None),
    ]
    for method, path, body in checks:
        denied = await admin.http.request(method, path, json=body, headers=viewer)
        assert_scim_error(denied, 403, None)
    nothing = bearer(await get_token(admin.http, "internal_user_mgt_view"))
    assert_scim_error(await admin.http.get(admin.roles, headers=nothing), 403, None)


async def test_duplicate_names_within_an_audience_conflict(admin: Admin) -> None:
    await admin.role("alpha")
    beta = await admin.role("beta")
    url = f"{admin.roles}/{beta['id']}"
    put = await admin.call("PUT", url, json={"schemas": [ROLE_SCHEMA], "displayName": "ALPHA"})
    assert_scim_error(put, 409, "uniqueness")
    renamed = {"op": "replace", "path": "displayName", "value": "alpha"}
    assert_scim_error(await admin.patch_role(beta["id"], renamed), 409, "uniqueness")
    assert_scim_error(await admin.create_role("Alpha"), 409, "uniqueness")
    after = (await admin.call("GET", url)).json()
    assert after["displayName"] == "beta" and after["meta"] == beta["meta"]
