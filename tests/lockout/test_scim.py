"""Administrators see and change a lock through SCIM (`urn:scim:wso2:schema`
accountLocked): false unlocks, true locks until unlocked; users cannot unlock themselves."""

from __future__ import annotations

from tests.lockout.conftest import PATCH_OP
from tests.lockout.conftest import WSO2
from tests.lockout.conftest import Org
from tests.lockout.conftest import is_locked


async def test_unlock_through_scim_patch(org: Org) -> None:
    kim = await org.admin.user("kim")
    await org.fail("kim", 5)
    listed = await org.admin.call(
        "GET", "/t/default/scim2/Users", params={"filter": 'userName eq "kim"'}
    )
    assert is_locked(listed.json()["Resources"][0])
    unlocked = await org.set_locked(kim, False)
    assert unlocked.status_code == 200, unlocked.text
    assert unlocked.json()[WSO2]["accountLocked"] is False
    assert (await org.password("kim")).status_code == 200
    assert [e["targetId"] for e in await org.audit("user.unlock")] == [kim]
    # The count was cleared too: four new failures do not lock.
    await org.fail("kim", 4)
    assert (await org.password("kim")).status_code == 200


async def test_lock_through_scim_holds_until_unlocked(org: Org) -> None:
    lee = await org.admin.user("lee")
    locked = await org.set_locked(lee, True)
    assert locked.status_code == 200, locked.text
    assert is_locked(locked.json())
    assert (await org.password("lee")).status_code == 400
    # An unrelated PATCH keeps the lock; PUT without accountLocked keeps it too.
    body = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "displayName", "value": "Lee"}],
    }
    assert is_locked(
        (await org.admin.call("PATCH", f"/t/default/scim2/Users/{lee}", json=body)).json()
    )
    put = await org.admin.call("PUT", f"/t/default/scim2/Users/{lee}", json={"userName": "lee"})
    assert put.status_code == 200, put.text
    assert is_locked(put.json())
    # PUT with accountLocked false unlocks.
    body_put = {"userName": "lee", WSO2: {"accountLocked": False}}
    put = await org.admin.call("PUT", f"/t/default/scim2/Users/{lee}", json=body_put)
    assert put.status_code == 200, put.text
    assert not is_locked(put.json())
    assert (await org.password("lee")).status_code == 200
    assert [e["reason"] for e in await org.audit("user.lock")] == ["by an administrator"]


async def test_patch_remove_unlocks(org: Org) -> None:
    max_ = await org.admin.user("max")
    await org.fail("max", 5)
    body = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "remove", "path": f"{WSO2}:accountLocked"}],
    }
    removed = await org.admin.call("PATCH", f"/t/default/scim2/Users/{max_}", json=body)
    assert removed.status_code == 200, removed.text
    assert not is_locked(removed.json())
    assert (await org.password("max")).status_code == 200


async def test_lock_on_create_and_bad_value(org: Org) -> None:
    body = {"userName": "ned", "password": "Secret-Passw0rd", WSO2: {"accountLocked": True}}
    created = await org.admin.call("POST", "/t/default/scim2/Users", json=body)
    assert created.status_code == 201, created.text
    assert is_locked(created.json())
    assert (await org.password("ned")).status_code == 400
    bad = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "value": {WSO2: {"accountLocked": "maybe"}}}],
    }
    refused = await org.admin.call(
        "PATCH", f"/t/default/scim2/Users/{created.json()['id']}", json=bad
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
