"""Two organizations never see each other's roles; bootstrap's administrator role."""

from __future__ import annotations

from fastapi import FastAPI

from runegate.bootstrap import run_bootstrap
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import Admin
from tests.roles.conftest import assert_scim_error
from tests.roles.conftest import granted


async def _two_orgs(make_app: AppFactory) -> tuple[Admin, Admin]:
    _app, http = await make_app()
    _other_app, other_http = await make_app(root_org="other")
    first = Admin(http, bearer(await get_token(http, ADMIN_SCOPES)))
    token = await get_token(other_http, ADMIN_SCOPES, org="other")
    return first, Admin(other_http, bearer(token), org="other")


async def test_roles_are_isolated_between_organizations(make_app: AppFactory) -> None:
    mine, theirs = await _two_orgs(make_app)
    my_user = await mine.user("lena")
    role = await mine.role("private", users=[my_user])
    their_url = f"{theirs.roles}/{role['id']}"
    assert_scim_error(await theirs.call("GET", their_url), 404, None)
    assert_scim_error(await theirs.call("DELETE", their_url), 404, None)
    body = {"schemas": role["schemas"], "displayName": "stolen"}
    assert_scim_error(await theirs.call("PUT", their_url, json=body), 404, None)
    listed = await theirs.call("GET", theirs.roles, params={"filter": 'displayName eq "private"'})
    assert listed.json()["totalResults"] == 0
    # Users, groups and audiences of another organization are refused.
    my_group = await mine.group("crew")
    for extra in (
        {"users": [my_user]},
        {"groups": [my_group]},
        {"audience": {"value": role["audience"]["value"], "type": "organization"}},
    ):
        assert_scim_error(await theirs.create_role("x", **extra), 400, "invalidValue")
    # A token of one organization is not valid in the other.
    crossed = await mine.http.get(theirs.roles, headers=mine.headers)
    assert crossed.status_code == 401
    assert (await mine.call("GET", f"{mine.roles}/{role['id']}")).status_code == 200


async def test_bootstrap_admin_holds_administrator_role(make_app: AppFactory) -> None:
    app, http = await make_app()
    admin = Admin(http, bearer(await get_token(http, ADMIN_SCOPES)))
    await _rerun_bootstrap(app)
    found = await admin.call(
        "GET", admin.roles, params={"filter": 'displayName eq "Administrator"'}
    )
    assert found.json()["totalResults"] == 1
    role = found.json()["Resources"][0]
    assert [u["display"] for u in role["users"]] == ["admin"]
    permissions = {p["value"] for p in role["permissions"]}
    assert {"internal_role_mgt_view", "internal_application_mgt_create"} <= permissions
    system = await admin.call("GET", "/t/default/api/server/v1/scopes")
    assert system.status_code == 200
    assert permissions == {s["name"] for s in system.json()}
    # An application listing the Administrator role gives the admin its system scopes.
    api = await admin.api("https://ops.example", "ops:run")
    ops = await admin.app("ops", api, ["ops:run"], "ORGANIZATION")
    apps = f"/t/default/api/server/v1/applications/{ops['id']}"
    listing = {
        "associatedRoles": {"allowedAudience": "ORGANIZATION", "roles": [{"id": role["id"]}]}
    }
    assert (await admin.call("PATCH", apps, json=listing)).status_code == 200
    roles_api = await admin.call(
        "GET",
        "/t/default/api/server/v1/api-resources",
        params={"filter": "identifier eq /scim2/Roles"},
    )
    authorize = {
        "id": roles_api.json()["APIResources"][0]["id"],
        "scopes": ["internal_role_mgt_view"],
    }
    assert (await admin.call("POST", f"{apps}/authorized-apis", json=authorize)).status_code == 201
    wanted = "internal_role_mgt_view ops:run"
    scopes = await granted(http, ops, "admin", wanted, password="admin-password-for-tests")
    assert scopes == {"internal_role_mgt_view"}  # ops:run is in no role of the admin


async def _rerun_bootstrap(app: FastAPI) -> None:
    """Bootstrap converges: running it again keeps one role and one membership."""
    state = app.state.runegate
    await run_bootstrap(state.settings, state.db)


async def test_references_to_another_organization_change_nothing(make_app: AppFactory) -> None:
    mine, theirs = await _two_orgs(make_app)
    my_user, my_group = await mine.user("lena"), await mine.group("crew")
    api = await mine.api("https://mine.example", "mine:read")
    my_app = await mine.app("mine", api, ["mine:read"], "APPLICATION")
    role = await theirs.role("theirs", users=[await theirs.user("tom")])
    url = f"{theirs.roles}/{role['id']}"
    for operation in (
        {"op": "add", "path": "users", "value": [{"value": my_user}]},
        {"op": "add", "path": "groups", "value": [{"value": my_group}]},
        # A scope that exists only in the other organization is unknown here.
        {"op": "add", "path": "permissions", "value": [{"value": "mine:read"}]},
    ):
        assert_scim_error(await theirs.patch_role(role["id"], operation), 400, "invalidValue")
    foreign_app = {"value": my_app["id"], "type": "application"}
    for extra in ({"audience": foreign_app}, {"permissions": ["mine:read"]}):
        assert_scim_error(await theirs.create_role("x", **extra), 400, "invalidValue")
    assert (await theirs.call("GET", url)).json() == role
    listed = await theirs.call("GET", theirs.roles, params={"filter": 'displayName eq "x"'})
    assert listed.json()["totalResults"] == 0
