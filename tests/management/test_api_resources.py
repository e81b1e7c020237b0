"""API resources and scopes: create, list (cursor pagination, filters), get, patch,
delete, scopes GET/PUT/DELETE, GET /scopes; system resources are read-only."""

from __future__ import annotations

from tests.management.conftest import APIS
from tests.management.conftest import APPS
from tests.management.conftest import SCOPES
from tests.management.conftest import Admin


async def test_create_get_patch_delete(admin: Admin) -> None:
    created = await admin.post(
        APIS,
        json={
            "name": "Bookings API",
            "identifier": "https://api.example.com/bookings",
            "description": "Bookings",
            "requiresAuthorization": True,
            "scopes": [
                {"name": "bookings:read", "displayName": "Read", "description": "Read bookings"},
                {"name": "bookings:write"},
            ],
        },
    )
    assert created.status_code == 200, created.text
    body = created.json()
    assert body["type"] == "BUSINESS" and body["self"].endswith(body["id"])
    assert body["scopes"][1] == {
        "id": body["scopes"][1]["id"],
        "name": "bookings:write",
        "displayName": "bookings:write",
    }
    url = f"{APIS}/{body['id']}"
    assert (await admin.get(url)).json() == body

    patched = await admin.patch(
        url,
        json={
            "name": "Bookings",
            "description": "All bookings",
            "addedScopes": [{"name": "bookings:admin", "displayName": "Admin"}],
        },
    )
    assert patched.status_code == 204, patched.text
    got = (await admin.get(url)).json()
    assert got["name"] == "Bookings" and got["description"] == "All bookings"
    assert [s["name"] for s in got["scopes"]] == [
        "bookings:admin",
        "bookings:read",
        "bookings:write",
    ]
    removed = await admin.patch(url, json={"removedScopes": ["bookings:admin"]})
    assert removed.status_code == 400 and removed.json()["code"] == "APR-60009"

    assert (await admin.delete(url)).status_code == 204
    missing = await admin.get(url)
    assert missing.status_code == 404 and missing.json()["code"] == "APR-60004"
    scopes = (await admin.get(SCOPES, params={"filter": "name sw bookings"})).json()
    assert scopes == []


async def test_conflicts_and_bad_input(admin: Admin) -> None:
    await admin.create_api("bookings", "bookings:read")
    same_id = await admin.post(APIS, json={"name": "Other", "identifier": "bookings"})
    assert same_id.status_code == 409 and same_id.json()["code"] == "APR-60005"
    same_scope = await admin.post(
        APIS, json={"name": "B2", "identifier": "b2", "scopes": [{"name": "bookings:read"}]}
    )
    assert same_scope.status_code == 409 and same_scope.json()["code"] == "APR-60006"
    system_scope = await admin.post(
        APIS,
        json={
            "name": "B3",
            "identifier": "b3",
            "scopes": [{"name": "internal_application_mgt_view"}],
        },
    )
    assert system_scope.status_code == 409
    # The failed requests created nothing.
    listed = (await admin.get(APIS, params={"filter": "identifier sw b"})).json()
    assert [r["identifier"] for r in listed["APIResources"]] == ["bookings"]
    for body in (
        {"name": "x", "identifier": "has space"},
        {"name": "x", "identifier": "x", "scopes": [{"name": "bad scope"}]},
        {"name": "x", "identifier": "x", "scopes": [{"name": "a"}, {"name": "a"}]},
        {"name": "x"},
        {"name": "x", "identifier": "x", "extra": 1},
        {"name": "x", "identifier": "x", "requiresAuthorization": "no"},
    ):
        response = await admin.post(APIS, json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["traceId"]


async def test_scopes_put_get_delete_and_authorizations(admin: Admin) -> None:
    api = await admin.create_api("orders", "orders:read", "orders:write")
    app = await admin.create_app(name="w", templateId="m2m-application")
    read_id = api["scopes"][0]["id"]
    await admin.post(
        f"{APPS}/{app['id']}/authorized-apis",
        json={"id": api["id"], "scopes": ["orders:read", "orders:write"]},
    )
    url = f"{APIS}/{api['id']}/scopes"
    put = await admin.put(
        url, json=[{"name": "orders:read", "displayName": "Read orders"}, {"name": "orders:list"}]
    )
    assert put.status_code == 204, put.text
    scopes = (await admin.get(url)).json()
    assert [(s["name"], s["displayName"]) for s in scopes] == [
        ("orders:list", "orders:list"),
        ("orders:read", "Read orders"),
    ]
    assert next(s["id"] for s in scopes if s["name"] == "orders:read") == read_id  # kept
    authorized = (await admin.get(f"{APPS}/{app['id']}/authorized-apis")).json()
    assert [s["name"] for s in authorized[0]["authorizedScopes"]] == ["orders:read"]

    assert (await admin.delete(f"{url}/orders:read")).status_code == 204
    authorized = (await admin.get(f"{APPS}/{app['id']}/authorized-apis")).json()
    assert authorized[0]["authorizedScopes"] == []
    missing = await admin.delete(f"{url}/orders:read")
    assert missing.status_code == 404 and missing.json()["code"] == "APR-60007"

    other = await admin.create_api("billing", "billing:read")
    clash = await admin.put(url, json=[{"name": "billing:read"}])
    assert clash.status_code == 409
    assert [s["name"] for s in (await admin.get(url)).json()] == ["orders:list"]
    assert other["id"]

    await admin.delete(f"{APIS}/{api['id']}")
    assert (await admin.get(f"{APPS}/{app['id']}/authorized-apis")).json() == []


async def test_system_resources_are_read_only(admin: Admin) -> None:
    listed = await admin.get(APIS, params={"filter": "type eq SYSTEM", "limit": 50})
    system = listed.json()["APIResources"]
    assert system and all(r["type"] == "SYSTEM" for r in system)
    url = f"{APIS}/{system[0]['id']}"
    for response in (
        await admin.patch(url, json={"name": "mine"}),
        await admin.delete(url),
        await admin.put(f"{url}/scopes", json=[]),
    ):
        assert response.status_code == 403 and response.json()["code"] == "APR-60008"
    assert (await admin.get(url)).json()["name"] == system[0]["name"]


async def test_cursor_pagination_and_filters(admin: Admin) -> None:
    for index in range(5):
        await admin.create_api(f"svc-{index}", f"svc{index}:read")
    query = {"filter": "identifier sw svc-", "limit": 2}
    first = (await admin.get(APIS, params=query)).json()
    assert first["totalResults"] == 5 and len(first["APIResources"]) == 2
    assert [link["rel"] for link in first["links"]] == ["next"]
    seen = [r["identifier"] for r in first["APIResources"]]
    page = first
    while any(link["rel"] == "next" for link in page["links"]):
        href = next(link["href"] for link in page["links"] if link["rel"] == "next")
        response = await admin.get(href)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [r["identifier"] for r in page["APIResources"]]
    assert sorted(seen) == [f"svc-{i}" for i in range(5)] and len(seen) == 5
    previous = next(link["href"] for link in page["links"] if link["rel"] == "previous")
    back = (await admin.get(previous)).json()
    assert [r["identifier"] for r in back["APIResources"]] == seen[2:4]

    exact = (await admin.get(APIS, params={"filter": "identifier eq svc-3"})).json()
    assert [r["identifier"] for r in exact["APIResources"]] == ["svc-3"]
    both = await admin.get(APIS, params={"filter": "identifier eq svc-3 or name eq svc-1"})
    assert sorted(r["name"] for r in both.json()["APIResources"]) == ["svc-1", "svc-3"]
    props = (
        await admin.get(APIS, params={"filter": "identifier eq svc-3", "attributes": "properties"})
    ).json()
    assert props["APIResources"][0]["properties"] == []
    assert (await admin.get(APIS, params={"after": "!!!"})).status_code == 400
    assert (await admin.get(APIS, params={"filter": "owner eq x"})).status_code == 400
    assert (await admin.get(APIS, params={"attributes": "secrets"})).status_code == 400


async def test_scopes_listing(admin: Admin) -> None:
    await admin.create_api("svc-0", "svc0:read")
    await admin.create_api("svc-1", "svc1:read")
    for expression, expected in [
        ("name eq svc0:read", ["svc0:read"]),
        ("name sw svc", ["svc0:read", "svc1:read"]),
        ("name ew 1:read", ["svc1:read"]),
    ]:
        response = await admin.get(SCOPES, params={"filter": expression})
        assert response.status_code == 200
        assert [s["name"] for s in response.json()] == expected, expression
    everything = [s["name"] for s in (await admin.get(SCOPES)).json()]
    assert "internal_application_mgt_view" in everything and "svc0:read" in everything
