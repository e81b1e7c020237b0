"""API authorization of applications: POST/GET/PATCH/DELETE .../authorized-apis."""

from __future__ import annotations

from tests.management.conftest import APIS
from tests.management.conftest import APPS
from tests.management.conftest import Admin
from tests.management.conftest import client_token


async def test_authorize_patch_and_remove(admin: Admin) -> None:
    app = await admin.create_app(name="worker", templateId="m2m-application")
    api = await admin.create_api("orders", "orders:read", "orders:write", "orders:admin")
    url = f"{APPS}/{app['id']}/authorized-apis"
    assert (await admin.get(url)).json() == []

    created = await admin.post(url, json={"id": api["id"], "scopes": ["orders:read"]})
    assert created.status_code == 201, created.text
    listed = (await admin.get(url)).json()
    assert len(listed) == 1
    entry = listed[0]
    assert entry["id"] == api["id"] and entry["identifier"] == "orders"
    assert entry["displayName"] == "orders" and entry["policyId"] == "RBAC"
    assert entry["type"] == "BUSINESS"
    assert [s["name"] for s in entry["authorizedScopes"]] == ["orders:read"]

    again = await admin.post(url, json={"id": api["id"], "scopes": ["orders:write"]})
    assert again.status_code == 409 and again.json()["code"] == "APP-60016"

    patched = await admin.patch(
        f"{url}/{api['id']}",
        json={"addedScopes": ["orders:write", "orders:admin"], "removedScopes": ["orders:read"]},
    )
    assert patched.status_code == 200, patched.text
    scopes = [s["name"] for s in (await admin.get(url)).json()[0]["authorizedScopes"]]
    assert scopes == ["orders:admin", "orders:write"]
    token = await client_token(
        admin.http, app["clientId"], app["clientSecret"], "orders:read orders:write"
    )
    assert token.json()["scope"] == "orders:write"

    unknown = await admin.patch(f"{url}/{api['id']}", json={"addedScopes": ["orders:nope"]})
    assert unknown.status_code == 400 and unknown.json()["code"] == "APP-60017"

    assert (await admin.delete(f"{url}/{api['id']}")).status_code == 204
    assert (await admin.get(url)).json() == []
    missing = await admin.delete(f"{url}/{api['id']}")
    assert missing.status_code == 404 and missing.json()["code"] == "APP-60015"
    missing = await admin.patch(f"{url}/{api['id']}", json={"addedScopes": ["orders:read"]})
    assert missing.status_code == 404


async def test_bad_authorizations(admin: Admin) -> None:
    app = await admin.create_app(name="worker", templateId="m2m-application")
    api = await admin.create_api("orders", "orders:read")
    other = await admin.create_api("billing", "billing:read")
    url = f"{APPS}/{app['id']}/authorized-apis"
    response = await admin.post(url, json={"id": "no-such-api", "scopes": []})
    assert response.status_code == 404 and response.json()["code"] == "APP-60014"
    response = await admin.post(url, json={"id": api["id"], "scopes": ["billing:read"]})
    assert response.status_code == 400 and "billing:read" in response.json()["description"]
    response = await admin.post(url, json={"id": api["id"], "policyIdentifier": "ABAC"})
    assert response.status_code == 400
    response = await admin.post(url, json={"id": api["id"], "scopes": "orders:read"})
    assert response.status_code == 400
    response = await admin.post(f"{APPS}/nope/authorized-apis", json={"id": api["id"]})
    assert response.status_code == 404 and response.json()["code"] == "APP-60006"
    assert (await admin.get(url)).json() == []
    assert other["id"]


async def test_system_api_authorization(admin: Admin) -> None:
    """Authorizing a system API lets an application call management APIs."""
    app = await admin.create_app(name="automation", templateId="m2m-application")
    system = (
        await admin.get(APIS, params={"filter": "identifier eq /api/server/v1/applications"})
    ).json()["APIResources"][0]
    assert system["type"] == "SYSTEM"
    response = await admin.post(
        f"{APPS}/{app['id']}/authorized-apis",
        json={"id": system["id"], "scopes": ["internal_application_mgt_view"]},
    )
    assert response.status_code == 201
    token = await client_token(
        admin.http,
        app["clientId"],
        app["clientSecret"],
        "internal_application_mgt_view internal_application_mgt_delete",
    )
    assert token.json()["scope"] == "internal_application_mgt_view"
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert (await admin.http.get(APPS, headers=headers)).status_code == 200
    denied = await admin.http.delete(f"{APPS}/{app['id']}", headers=headers)
    assert denied.status_code == 403
