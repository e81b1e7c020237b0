"""Application sharing: share with a list or with every child (also ones created
later), list shares, unshare one or all; unsharing revokes the tokens issued there."""

from __future__ import annotations

from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.organizations.conftest import ADMIN_PASSWORD
from tests.organizations.conftest import ADMIN_USER
from tests.organizations.conftest import ORG_SCOPES
from tests.organizations.conftest import OrgAdmin
from tests.organizations.conftest import b2b_app
from tests.organizations.conftest import switch
from tests.organizations.conftest import user_token

APPS = "/t/default/api/server/v1/applications"
O_USERS = "/t/default/o/scim2/Users"


async def test_share_list_and_unshare_revokes(make_app: AppFactory) -> None:
    _app, http = await make_app()
    orgs = OrgAdmin(http, await get_token(http, ORG_SCOPES))
    a = await orgs.create_org("customer-a")
    b = await orgs.create_org("customer-b")
    app = await b2b_app(orgs)
    share = f"{APPS}/{app['id']}/share"
    assert (await orgs.get(share)).json() == {"organizations": []}
    ok = await orgs.post(share, json={"sharedOrganizations": [a["id"]]})
    assert ok.status_code == 200
    listed = (await orgs.get(share)).json()["organizations"]
    assert [o["id"] for o in listed] == [a["id"]]
    apps = (await orgs.get(f"{APPS}/{app['id']}/shared-apps")).json()
    assert apps == {"sharedApplications": [{"applicationId": app["id"], "organizationId": a["id"]}]}

    root = await user_token(http, app, ADMIN_USER, ADMIN_PASSWORD)
    assert (await switch(http, app, root, b["id"])).status_code == 400
    switched = await switch(http, app, root, a["id"])
    headers = bearer(switched.json()["access_token"])
    assert (await http.get(O_USERS, headers=headers)).status_code == 200
    other = await orgs.create_app(name="root only", templateId="m2m-application")
    o_apps = "/t/default/o/api/server/v1/applications"
    seen = (await http.get(o_apps, headers=headers)).json()
    assert [x["id"] for x in seen["applications"]] == [app["id"]]
    assert (await http.get(f"{o_apps}/{app['id']}", headers=headers)).json()["name"] == app["name"]
    assert (await http.get(f"{o_apps}/{other['id']}", headers=headers)).status_code == 404
    b_token = await switch(http, app, root, b["id"])
    assert b_token.status_code == 400  # not shared with customer-b

    gone = await orgs.delete(f"{APPS}/{app['id']}/share/{a['id']}")
    assert gone.status_code == 204
    assert (await http.get(O_USERS, headers=headers)).status_code == 401
    assert (await switch(http, app, root, a["id"])).json()["error"] == "invalid_grant"
    assert (await orgs.get(share)).json() == {"organizations": []}
    again = await orgs.delete(f"{APPS}/{app['id']}/share/{a['id']}")
    assert again.status_code == 404 and again.json()["code"] == "APP-60020"


async def test_share_with_all_children_includes_later_ones(make_app: AppFactory) -> None:
    _app, http = await make_app()
    orgs = OrgAdmin(http, await get_token(http, ORG_SCOPES))
    a = await orgs.create_org("customer-a")
    app = await b2b_app(orgs)
    share = f"{APPS}/{app['id']}/share"
    assert (await orgs.post(share, json={"shareWithAllChildren": True})).status_code == 200
    later = await orgs.create_org("customer-later")
    nested = await orgs.create_org("later-east", parentId=later["id"])
    listed = [o["name"] for o in (await orgs.get(share)).json()["organizations"]]
    assert listed == ["customer-a", "customer-later", "later-east"]
    root = await user_token(http, app, ADMIN_USER, ADMIN_PASSWORD)
    for org in (a, later, nested):
        assert (await switch(http, app, root, org["id"])).status_code == 200, org["name"]

    # Unsharing one of "all" keeps the others.
    kept = await switch(http, app, root, later["id"])
    assert (await orgs.delete(f"{APPS}/{app['id']}/share/{a['id']}")).status_code == 204
    listed = [o["name"] for o in (await orgs.get(share)).json()["organizations"]]
    assert listed == ["customer-later", "later-east"]
    kept_headers = bearer(kept.json()["access_token"])
    assert (await http.get(O_USERS, headers=kept_headers)).status_code == 200

    assert (await orgs.delete(f"{APPS}/{app['id']}/shared-apps")).status_code == 204
    assert (await orgs.get(share)).json() == {"organizations": []}
    assert (await http.get(O_USERS, headers=kept_headers)).status_code == 401
    assert (await switch(http, app, root, nested["id"])).status_code == 400


async def test_sharing_error_answers(make_app: AppFactory) -> None:
    _app, http = await make_app()
    orgs = OrgAdmin(http, await get_token(http, ORG_SCOPES))
    app = await b2b_app(orgs)
    share = f"{APPS}/{app['id']}/share"
    bad = await orgs.post(share, json={"sharedOrganizations": ["no-such-org"]})
    assert bad.status_code == 400 and bad.json()["code"] == "APP-60019"
    assert (await orgs.post(share, json={"shareWithAll": True})).status_code == 400
    missing = await orgs.post(f"{APPS}/no-such-app/share", json={})
    assert missing.status_code == 404 and missing.json()["code"] == "APP-60006"
    assert (await orgs.get(f"{APPS}/no-such-app/shared-apps")).status_code == 404
    assert (await http.get(share)).status_code == 401
    view_only = bearer(await get_token(http, "internal_shared_application_view"))
    assert (await http.get(share, headers=view_only)).status_code == 200
    assert (await http.post(share, json={}, headers=view_only)).status_code == 403
    assert (
        await http.delete(f"{APPS}/{app['id']}/shared-apps", headers=view_only)
    ).status_code == 403
