"""/Bulk (RFC 7644 §3.7): bulkId references, failOnErrors, limits."""

from __future__ import annotations

from typing import Any

from tests.conftest import bearer
from tests.conftest import get_token
from tests.scim.conftest import BASE
from tests.scim.conftest import GROUP
from tests.scim.conftest import USER
from tests.scim.conftest import Scim
from tests.scim.conftest import assert_scim_error

BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"


def bulk(*operations: dict[str, Any], fail_on: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [BULK], "Operations": list(operations)}
    if fail_on is not None:
        body["failOnErrors"] = fail_on
    return body


def create_user(bulk_id: str, name: str) -> dict[str, Any]:
    return {
        "method": "POST",
        "path": "/Users",
        "bulkId": bulk_id,
        "data": {"schemas": [USER], "userName": name},
    }


async def test_bulk_ids_resolve_in_order(scim: Scim) -> None:
    body = bulk(
        create_user("u1", "bulk1"),
        create_user("u2", "bulk2"),
        {
            "method": "POST",
            "path": "/Groups",
            "bulkId": "g1",
            "data": {
                "schemas": [GROUP],
                "displayName": "bulkers",
                "members": [{"value": "bulkId:u1"}, {"value": "bulkId:u2"}],
            },
        },
        {
            "method": "PATCH",
            "path": "/Users/bulkId:u2",
            "data": {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "nickName", "value": "two"}],
            },
        },
    )
    response = await scim.post("/Bulk", body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["schemas"] == [BULK_RESPONSE]
    ops = result["Operations"]
    assert [op["status"] for op in ops] == ["201", "201", "201", "200"]
    assert ops[0]["bulkId"] == "u1"
    assert ops[0]["location"].startswith(f"http://testserver{BASE}/Users/")
    assert ops[0]["version"] == 'W/"1"'
    group = (await scim.get("/Groups", params={"filter": 'displayName eq "bulkers"'})).json()
    created = {op["location"].rsplit("/", 1)[1] for op in ops[:2]}
    assert {m["value"] for m in group["Resources"][0]["members"]} == created
    assert await scim.names('nickName eq "two"') == ["bulk2"]


async def test_fail_on_errors_stops(scim: Scim) -> None:
    body = bulk(
        create_user("a", "dupe"),
        create_user("b", "dupe"),
        create_user("c", "dupe"),
        create_user("d", "fine"),
        fail_on=2,
    )
    ops = (await scim.post("/Bulk", body)).json()["Operations"]
    assert [op["status"] for op in ops] == ["201", "409", "409"]
    assert ops[1]["response"]["scimType"] == "uniqueness"
    assert ops[1]["response"]["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert await scim.names('userName eq "fine"') == []


async def test_operation_errors(scim: Scim) -> None:
    body = bulk(
        {"method": "DELETE", "path": "/Users/nope"},
        {"method": "PATCH", "path": "/Users/bulkId:undefined", "data": {}},
        {"method": "POST", "path": "/Users", "data": {"schemas": [USER], "userName": "nobid"}},
        {"method": "GET", "path": "/Users"},
        {"method": "POST", "path": "/Roles", "bulkId": "r", "data": {}},
    )
    ops = (await scim.post("/Bulk", body)).json()["Operations"]
    assert [op["status"] for op in ops] == ["404", "400", "400", "400", "400"]
    assert ops[1]["response"]["scimType"] == "invalidValue"


async def test_limits_and_syntax(scim: Scim) -> None:
    too_many = bulk(*[create_user(f"x{i}", f"x{i}") for i in range(1001)])
    assert_scim_error(await scim.post("/Bulk", too_many), 413, None)
    assert await scim.names('userName sw "x"') == []
    big = bulk(create_user("big", "big" + "x" * 1_100_000))
    assert_scim_error(await scim.post("/Bulk", big), 413, None)
    assert_scim_error(await scim.post("/Bulk", {"Operations": []}), 400, "invalidSyntax")
    bad = bulk(create_user("a", "a"), fail_on=0)
    assert_scim_error(await scim.post("/Bulk", bad), 400, "invalidValue")


async def test_bulk_scopes(scim: Scim) -> None:
    only_bulk = await get_token(scim.http, "internal_bulk_resource_create")
    response = await scim.http.post(
        f"{BASE}/Bulk", json=bulk(create_user("s", "scoped")), headers=bearer(only_bulk)
    )
    assert response.status_code == 200
    assert response.json()["Operations"][0]["status"] == "403"
    no_bulk = await get_token(scim.http, "internal_user_mgt_create")
    denied = await scim.http.post(
        f"{BASE}/Bulk", json=bulk(create_user("s", "scoped")), headers=bearer(no_bulk)
    )
    assert_scim_error(denied, 403, None)
