"""`/t/{org}/api/server/v1/identity-governance`: the account.lock.handler connector,
its reads and writes, and its error answers (401, 403, 400, 404)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import bearer
from tests.conftest import get_token
from tests.lockout.conftest import CATEGORY
from tests.lockout.conftest import CONNECTOR
from tests.lockout.conftest import Org

BASE = "/t/default/api/server/v1/identity-governance"


def _values(connector: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in connector["properties"]}


def _error(response: httpx.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    if code is not None:
        body = response.json()
        assert body["code"] == code and body["traceId"], body


async def test_reads_show_the_defaults(org: Org) -> None:
    categories = await org.admin.call("GET", BASE)
    assert categories.status_code == 200, categories.text
    [category] = categories.json()
    assert category["id"] == CATEGORY and category["name"] == "Login Attempts Security"
    assert category["connectors"][0]["id"] == CONNECTOR
    connector = (await org.admin.call("GET", org.connector_url)).json()
    assert connector["name"] == "account.lock.handler"
    assert _values(connector) == {
        "account.lock.handler.enable": "true",
        "account.lock.handler.On.Failure.Max.Attempts": "5",
        "account.lock.handler.Time": "15",
        "account.lock.handler.login.fail.timeout.ratio": "1",
        "account.lock.handler.notification.manageInternally": "true",
        "account.lock.handler.runegate.failure.window": "15",
    }
    listed = await org.admin.call("GET", f"{BASE}/{CATEGORY}/connectors")
    assert [c["id"] for c in listed.json()] == [CONNECTOR]
    whole = await org.admin.call("GET", f"{BASE}/{CATEGORY}")
    assert whole.json()["connectors"][0]["properties"] == connector["properties"]


async def test_update_many_and_revert(org: Org) -> None:
    response = await org.set_policy(On__Failure__Max__Attempts="3", enable="FALSE")
    assert response.status_code == 200, response.text
    values = _values((await org.admin.call("GET", org.connector_url)).json())
    assert values["account.lock.handler.On.Failure.Max.Attempts"] == "3"
    assert values["account.lock.handler.enable"] == "false"
    body = {
        "operation": "UPDATE",
        "connectors": [
            {"id": CONNECTOR, "properties": [{"name": "account.lock.handler.Time", "value": "30"}]}
        ],
    }
    many = await org.admin.call("PATCH", f"{BASE}/{CATEGORY}/connectors", json=body)
    assert many.status_code == 200, many.text
    revert = await org.admin.call(
        "POST",
        f"{BASE}/{CATEGORY}/connectors/revert",
        params={"connectorId": CONNECTOR},
        json={"properties": ["account.lock.handler.enable"]},
    )
    assert revert.status_code == 200, revert.text
    values = _values((await org.admin.call("GET", org.connector_url)).json())
    assert values["account.lock.handler.enable"] == "true"
    assert values["account.lock.handler.Time"] == "30"
    assert values["account.lock.handler.On.Failure.Max.Attempts"] == "3"


async def test_without_token_401_without_scope_403(org: Org) -> None:
    http = org.admin.http
    _error(await http.get(org.connector_url), 401)
    _error(await http.patch(org.connector_url, json={"operation": "UPDATE", "properties": []}), 401)
    viewer = bearer(await get_token(http, "internal_idp_view"))
    assert (await http.get(org.connector_url, headers=viewer)).status_code == 200
    body = {
        "operation": "UPDATE",
        "properties": [{"name": "account.lock.handler.Time", "value": "1"}],
    }
    _error(await http.patch(org.connector_url, json=body, headers=viewer), 403)
    other = bearer(await get_token(http, "internal_user_mgt_view"))
    _error(await http.get(BASE, headers=other), 403)
    values = _values((await org.admin.call("GET", org.connector_url)).json())
    assert values["account.lock.handler.Time"] == "15"  # nothing changed


async def test_bad_input_is_400_and_changes_nothing(org: Org) -> None:
    for name, value in (
        ("account.lock.handler.On.Failure.Max.Attempts", "0"),
        ("account.lock.handler.On.Failure.Max.Attempts", "five"),
        ("account.lock.handler.Time", "-1"),
        ("account.lock.handler.Time", "nan"),
        ("account.lock.handler.enable", "yes"),
        ("account.lock.handler.login.fail.timeout.ratio", "0.5"),
        ("account.lock.handler.unknown", "1"),
    ):
        body = {
            "operation": "UPDATE",
            "properties": [
                {"name": "account.lock.handler.Time", "value": "20"},
                {"name": name, "value": value},
            ],
        }
        _error(await org.admin.call("PATCH", org.connector_url, json=body), 400, "IDG-60001")
    for body in (
        {"operation": "DELETE", "properties": []},
        {"properties": []},
        {"operation": "UPDATE", "properties": [{"name": "x"}]},
        [],
    ):
        response = await org.admin.call("PATCH", org.connector_url, json=body)
        _error(response, 400)
        assert "code" in response.json()
    revert = await org.admin.call(
        "POST",
        f"{BASE}/{CATEGORY}/connectors/revert",
        params={"connectorId": CONNECTOR},
        json={"properties": ["nope"]},
    )
    _error(revert, 400, "IDG-60001")
    values = _values((await org.admin.call("GET", org.connector_url)).json())
    assert values["account.lock.handler.Time"] == "15"


async def test_unknown_category_or_connector_is_404(org: Org) -> None:
    _error(await org.admin.call("GET", f"{BASE}/bm9wZQ"), 404, "IDG-50001")
    _error(await org.admin.call("GET", f"{BASE}/bm9wZQ/connectors"), 404, "IDG-50001")
    _error(await org.admin.call("GET", f"{BASE}/{CATEGORY}/connectors/bm9wZQ"), 404, "IDG-50002")
    body = {"operation": "UPDATE", "properties": []}
    response = await org.admin.call("PATCH", f"{BASE}/{CATEGORY}/connectors/bm9wZQ", json=body)
    _error(response, 404, "IDG-50002")
    empty = {"operation": "UPDATE", "connectors": []}
    response = await org.admin.call("PATCH", f"{BASE}/bm9wZQ/connectors", json=empty)
    _error(response, 404, "IDG-50001")
