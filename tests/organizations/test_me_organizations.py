"""`/api/users/v1/me/organizations`: the organizations the signed-in user may switch to."""

from __future__ import annotations

from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token
from tests.organizations.conftest import ADMIN_PASSWORD
from tests.organizations.conftest import ADMIN_USER
from tests.organizations.conftest import ORG_SCOPES
from tests.organizations.conftest import OrgAdmin
from tests.organizations.conftest import b2b_app

ME = "/t/default/api/users/v1/me/organizations"


async def _login(http, app, username, password):  # type: ignore[no-untyped-def]
    response = await http.post(
        "/t/default/oauth2/token",
        data={
            "grant_type": "password",
            "username": username,
            "password": password,
            "scope": "internal_login",
        },
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


async def test_me_organizations(make_app: AppFactory) -> None:
    _app, http = await make_app()
    orgs = OrgAdmin(http, await get_token(http, ORG_SCOPES))
    a = await orgs.create_org("customer-a")
    await orgs.create_org("customer-b")
    await orgs.create_org("a-east", parentId=a["id"])
    app = await b2b_app(orgs)
    admin = await _login(http, app, ADMIN_USER, ADMIN_PASSWORD)
    mine = (await http.get(ME, headers=admin)).json()
    assert [o["name"] for o in mine["organizations"]] == ["a-east", "customer-a", "customer-b"]
    named = await http.get(ME, params={"filter": "name sw customer"}, headers=admin)
    assert [o["name"] for o in named.json()["organizations"]] == ["customer-a", "customer-b"]
    page = (await http.get(ME, params={"limit": "1"}, headers=admin)).json()
    assert [link["rel"] for link in page["links"]] == ["next"]

    users = bearer(await get_token(http, "internal_user_mgt_create"))
    made = await http.post(
        "/t/default/scim2/Users",
        json={"userName": "carol", "password": "Singer-Land-42x"},
        headers=users,
    )
    assert made.status_code == 201, made.text
    carol = await _login(http, app, "carol", "Singer-Land-42x")
    assert (await http.get(ME, headers=carol)).json()["organizations"] == []

    assert (await http.get(ME)).status_code == 401
    no_login = bearer(await get_token(http, "internal_organization_view"))
    assert (await http.get(ME, headers=no_login)).status_code == 403
    assert (await http.get(ME, params={"filter": "bad"}, headers=admin)).status_code == 400
