"""Two organizations: ids of one are 404 in the other, never its data."""

from __future__ import annotations

import httpx

from runegate.crypto.hashing import keyed_hash
from runegate.oauth.app_defaults import default_oidc
from runegate.state import AppState
from runegate.storage.models.application import Application
from runegate.storage.repositories.api_resources import ScopeRepository
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.service import provision_org
from runegate.tenancy.system_apis import ensure_system_apis
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.management.conftest import ADMIN_SCOPES
from tests.management.conftest import Admin

OTHER_ID = "acme-automation"
OTHER_SECRET = "acme-automation-secret-0123456789abcdef"


async def provision_other(state: AppState) -> None:
    """A second organization with an M2M app authorized for every system scope."""
    async with state.db.write() as session:
        result = await provision_org(session, "acme", base_url=state.settings.base_url)
        apps = ApplicationRepository(session, tenant=result.tenant)
        app = await apps.add(
            Application(
                name="acme automation",
                template_id="m2m-application",
                client_id=OTHER_ID,
                client_secret_hash=keyed_hash(state.settings.secret_keys[0], OTHER_SECRET),
                oidc=default_oidc(["client_credentials"]),
            )
        )
        scopes = ScopeRepository(session, tenant=result.tenant)
        for resource in await ensure_system_apis(session, result.tenant):
            await apps.authorize(app.id, resource.id, await scopes.of_resource(resource.id))
    state.caches.invalidate()


async def test_ids_of_another_organization_are_404(make_app: AppFactory) -> None:
    app, http = await make_app()
    await provision_other(app.state.runegate)
    root = Admin(http, await get_token(http, ADMIN_SCOPES))
    acme_token = await get_token(
        http, ADMIN_SCOPES, org="acme", client_id=OTHER_ID, secret=OTHER_SECRET
    )
    acme = Admin(http, acme_token)
    mine = await root.create_app(name="root-app", templateId="m2m-application")
    api = await root.create_api("root-api", "root:read")
    base = "/t/acme/api/server/v1"

    theirs = await acme.post(f"{base}/applications", json={"name": "root-app"})
    assert theirs.status_code == 201  # names are per organization
    for response in (
        await acme.get(f"{base}/applications/{mine['id']}"),
        await acme.patch(f"{base}/applications/{mine['id']}", json={"name": "stolen"}),
        await acme.delete(f"{base}/applications/{mine['id']}"),
        await acme.get(f"{base}/applications/{mine['id']}/inbound-protocols/oidc"),
        await acme.post(
            f"{base}/applications/{mine['id']}/inbound-protocols/oidc/regenerate-secret"
        ),
        await acme.get(f"{base}/api-resources/{api['id']}"),
        await acme.delete(f"{base}/api-resources/{api['id']}"),
        await acme.post(
            f"{base}/applications/{theirs.json()['id']}/authorized-apis",
            json={"id": api["id"], "scopes": ["root:read"]},
        ),
    ):
        assert response.status_code == 404, response.text
        assert "root-app" not in response.text and "root:read" not in response.text
    listed = (await acme.get(f"{base}/applications")).json()
    assert {a["name"] for a in listed["applications"]} == {"acme automation", "root-app"}
    assert mine["id"] not in {a["id"] for a in listed["applications"]}
    scopes = (await acme.get(f"{base}/scopes", params={"filter": "name eq root:read"})).json()
    assert scopes == []
    assert (await root.get(f"/t/default/api/server/v1/applications/{mine['id']}")).json()[
        "name"
    ] == "root-app"  # untouched

    # A token of one organization is not valid in another.
    wrong = await http.get(
        f"{base}/applications", headers=bearer(root.headers["Authorization"][7:])
    )
    assert wrong.status_code == 401


async def test_unknown_organization_is_404(admin: Admin) -> None:
    response = await admin.http.get("/t/nowhere/api/server/v1/applications")
    assert response.status_code == 404 and response.json()["code"] == "ORG-60003"
    assert isinstance(admin.http, httpx.AsyncClient)
