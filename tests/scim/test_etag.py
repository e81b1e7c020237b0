"""Versions and ETags (RFC 7644 §3.14): If-Match on writes, If-None-Match on reads."""

from __future__ import annotations

from tests.scim.conftest import GROUP
from tests.scim.conftest import USER
from tests.scim.conftest import Scim
from tests.scim.conftest import assert_scim_error


async def test_if_none_match(scim: Scim) -> None:
    user = await scim.user("etag")
    path = f"/Users/{user['id']}"
    same = await scim.get(path, headers={"If-None-Match": 'W/"1"'})
    assert same.status_code == 304 and same.content == b""
    assert same.headers["etag"] == 'W/"1"'
    other = await scim.get(path, headers={"If-None-Match": 'W/"7"'})
    assert other.status_code == 200


async def test_if_match_on_writes(scim: Scim) -> None:
    user = await scim.user("etag2", nickName="a")
    path = f"/Users/{user['id']}"
    change = [{"op": "replace", "path": "nickName", "value": "b"}]
    stale = await scim.patch(path, change, headers={"If-Match": 'W/"9"'})
    assert_scim_error(stale, 412, None)
    assert (await scim.get(path)).json()["nickName"] == "a"
    ok = await scim.patch(path, change, headers={"If-Match": 'W/"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == 'W/"2"'
    body = {"schemas": [USER], "userName": "etag2"}
    put_stale = await scim.request("PUT", path, json=body, headers={"If-Match": 'W/"1"'})
    assert_scim_error(put_stale, 412, None)
    put_any = await scim.request("PUT", path, json=body, headers={"If-Match": "*"})
    assert put_any.status_code == 200 and put_any.json()["meta"]["version"] == 'W/"3"'
    delete_stale = await scim.request("DELETE", path, headers={"If-Match": 'W/"2"'})
    assert_scim_error(delete_stale, 412, None)
    assert (await scim.request("DELETE", path, headers={"If-Match": 'W/"3"'})).status_code == 204


async def test_group_versions(scim: Scim) -> None:
    group = await scim.group("versioned")
    path = f"/Groups/{group['id']}"
    body = {"schemas": [GROUP], "displayName": "renamed"}
    stale = await scim.request("PUT", path, json=body, headers={"If-Match": '"5"'})
    assert_scim_error(stale, 412, None)
    ok = await scim.request("PUT", path, json=body, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == 'W/"2"'
    assert (await scim.get(path, headers={"If-None-Match": 'W/"2"'})).status_code == 304
