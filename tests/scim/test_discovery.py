"""Discovery endpoints (RFC 7644 §4): public, and true to what is implemented."""

from __future__ import annotations

import httpx

from tests.scim.conftest import BASE
from tests.scim.conftest import SCIM_JSON
from tests.scim.conftest import assert_scim_error


async def test_service_provider_config_is_public_and_truthful(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/ServiceProviderConfig")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(SCIM_JSON)
    body = response.json()
    assert body["patch"] == {"supported": True}
    assert body["bulk"] == {"supported": True, "maxOperations": 1000, "maxPayloadSize": 1048576}
    assert body["filter"] == {"supported": True, "maxResults": 100}
    assert body["sort"] == {"supported": True}
    assert body["etag"] == {"supported": True}
    assert body["changePassword"] == {"supported": True}
    assert body["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    assert body["meta"]["location"] == f"http://testserver{BASE}/ServiceProviderConfig"


async def test_resource_types(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/ResourceTypes")
    assert response.status_code == 200
    types = {r["id"]: r for r in response.json()["Resources"]}
    assert types["User"]["endpoint"] == "/Users"
    assert types["User"]["schema"] == "urn:ietf:params:scim:schemas:core:2.0:User"
    extensions = {e["schema"] for e in types["User"]["schemaExtensions"]}
    assert extensions == {
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        "urn:scim:wso2:schema",
    }
    assert types["Group"]["endpoint"] == "/Groups"
    one = await client.get(f"{BASE}/ResourceTypes/Group")
    assert one.status_code == 200 and one.json()["id"] == "Group"
    assert_scim_error(await client.get(f"{BASE}/ResourceTypes/Nope"), 404, None)


async def test_schemas(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/Schemas")
    assert response.status_code == 200
    ids = [s["id"] for s in response.json()["Resources"]]
    assert "urn:ietf:params:scim:schemas:core:2.0:User" in ids
    assert "urn:ietf:params:scim:schemas:core:2.0:Group" in ids
    user = await client.get(f"{BASE}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
    attrs = {a["name"]: a for a in user.json()["attributes"]}
    assert attrs["password"]["returned"] == "never"
    assert attrs["userName"]["uniqueness"] == "server"
    assert attrs["userName"]["caseExact"] is False
    assert_scim_error(await client.get(f"{BASE}/Schemas/urn:nope"), 404, None)


async def test_unknown_organization_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/t/nosuchorg/scim2/ServiceProviderConfig")
    assert_scim_error(response, 404, None)


async def test_unknown_scim_path_is_scim_404(client: httpx.AsyncClient) -> None:
    assert_scim_error(await client.get(f"{BASE}/Nothing"), 404, None)
