"""PATCH (RFC 7644 §3.5.2) on users: the RFC's examples, value filters, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.scim.conftest import Scim
from tests.scim.conftest import assert_scim_error

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / name).read_text()))


@pytest.fixture
async def user(scim: Scim) -> dict[str, Any]:
    return await scim.user(
        "patchme",
        emails=[
            {"value": "p@work.example", "type": "work", "primary": True},
            {"value": "p@home.example", "type": "home"},
        ],
        nickName="pm",
    )


async def test_rfc_add_emails(scim: Scim, user: dict[str, Any]) -> None:
    body = fixture("rfc7644-3.5.2.1-patch_op-add_emails.json")
    response = await scim.request("PATCH", f"/Users/{user['id']}", json=body)
    assert response.status_code == 200, response.text
    values = [e["value"] for e in response.json()["emails"]]
    assert "babs@jensen.org" in values and len(values) == 3
    assert await scim.names('emails eq "babs@jensen.org"') == ["patchme"]


async def test_value_path_replace(scim: Scim, user: dict[str, Any]) -> None:
    response = await scim.patch(
        f"/Users/{user['id']}",
        [{"op": "replace", "path": 'emails[type eq "work"].value', "value": "new@work.example"}],
    )
    assert response.status_code == 200, response.text
    emails = {e["type"]: e["value"] for e in response.json()["emails"]}
    assert emails == {"work": "new@work.example", "home": "p@home.example"}
    assert await scim.names('emails.value eq "new@work.example"') == ["patchme"]
    assert await scim.names('emails.value eq "p@work.example"') == []


async def test_replace_without_path_and_remove(scim: Scim, user: dict[str, Any]) -> None:
    response = await scim.patch(
        f"/Users/{user['id']}",
        [
            {"op": "replace", "value": {"displayName": "Patched", "title": "Boss"}},
            {"op": "remove", "path": "nickName"},
            {"op": "remove", "path": 'emails[type eq "home"]'},
        ],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["displayName"] == "Patched" and body["title"] == "Boss"
    assert "nickName" not in body
    assert [e["type"] for e in body["emails"]] == ["work"]


async def test_enterprise_extension_paths(scim: Scim, user: dict[str, Any]) -> None:
    urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    response = await scim.patch(
        f"/Users/{user['id']}", [{"op": "add", "path": f"{urn}:employeeNumber", "value": "7"}]
    )
    assert response.status_code == 200, response.text
    assert response.json()[urn] == {"employeeNumber": "7"}
    assert await scim.names(f'{urn}:employeeNumber eq "7"') == ["patchme"]


async def test_patch_errors_change_nothing(scim: Scim, user: dict[str, Any]) -> None:
    path = f"/Users/{user['id']}"
    no_target = await scim.patch(
        path, [{"op": "replace", "path": 'emails[type eq "other"].value', "value": "x@y.z"}]
    )
    assert no_target.status_code == 400 and no_target.json()["scimType"] in (
        "noTarget",
        "invalidValue",
    )
    bad_path = await scim.patch(path, [{"op": "replace", "path": "nosuch", "value": "x"}])
    assert_scim_error(bad_path, 400, "invalidPath")
    read_only = await scim.patch(path, [{"op": "replace", "path": "id", "value": "x"}])
    assert_scim_error(read_only, 400, "mutability")
    wrong_type = await scim.patch(path, [{"op": "replace", "path": "active", "value": "maybe"}])
    assert_scim_error(wrong_type, 400, "invalidValue")
    remove_required = await scim.patch(path, [{"op": "remove", "path": "userName"}])
    assert remove_required.status_code == 400
    bad_op = await scim.patch(path, [{"op": "frobnicate", "path": "nickName"}])
    assert bad_op.status_code == 400
    no_schema = await scim.request("PATCH", path, json={"Operations": []})
    assert no_schema.status_code == 400
    # One bad operation after a good one: nothing is applied.
    mixed = await scim.patch(
        path,
        [
            {"op": "replace", "path": "nickName", "value": "changed"},
            {"op": "replace", "path": "nosuch", "value": "x"},
        ],
    )
    assert mixed.status_code == 400
    after = (await scim.get(path)).json()
    assert after["nickName"] == "pm"
    assert after["meta"]["version"] == 'W/"1"'


async def test_patch_username_to_taken_is_uniqueness(scim: Scim, user: dict[str, Any]) -> None:
    await scim.user("other")
    response = await scim.patch(
        f"/Users/{user['id']}", [{"op": "replace", "path": "userName", "value": "OTHER"}]
    )
    assert_scim_error(response, 409, "uniqueness")
