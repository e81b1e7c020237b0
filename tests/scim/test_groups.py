"""/Groups: CRUD, members through PATCH, uniqueness, and the user's `groups`."""

from __future__ import annotations

from tests.scim.conftest import BASE
from tests.scim.conftest import GROUP
from tests.scim.conftest import Scim
from tests.scim.conftest import assert_scim_error


async def test_group_lifecycle(scim: Scim) -> None:
    alice = await scim.user("alice")
    bob = await scim.user("bob")
    body = {
        "schemas": [GROUP],
        "displayName": "DEFAULT/manager",
        "members": [{"value": alice["id"], "display": "Alice A."}],
    }
    created = await scim.post("/Groups", body)
    assert created.status_code == 201, created.text
    group = created.json()
    assert group["displayName"] == "manager"
    assert group["members"] == [
        {
            "value": alice["id"],
            "display": "Alice A.",
            "$ref": f"http://testserver{BASE}/Users/{alice['id']}",
            "type": "User",
        }
    ]
    by_display = await scim.get("/Groups", params={"filter": 'members.display eq "alice a."'})
    assert [g["id"] for g in by_display.json()["Resources"]] == [group["id"]]
    assert group["meta"]["resourceType"] == "Group"
    body = {"schemas": [GROUP], "displayName": "managers", "members": [{"value": bob["id"]}]}
    replaced = await scim.request("PUT", f"/Groups/{group['id']}", json=body)
    assert replaced.status_code == 200, replaced.text
    assert [m["value"] for m in replaced.json()["members"]] == [bob["id"]]
    assert (await scim.get(f"/Users/{alice['id']}")).json().get("groups") is None
    assert (await scim.request("DELETE", f"/Groups/{group['id']}")).status_code == 204
    assert_scim_error(await scim.get(f"/Groups/{group['id']}"), 404, None)
    assert (await scim.get(f"/Users/{bob['id']}")).status_code == 200


async def test_duplicate_group_name(scim: Scim) -> None:
    await scim.group("manager")
    response = await scim.post("/Groups", {"schemas": [GROUP], "displayName": "Manager"})
    assert_scim_error(response, 409, "uniqueness")
    assert "DEFAULT/Manager already exists" in response.json()["detail"]


async def test_unknown_member_changes_nothing(scim: Scim) -> None:
    body = {"schemas": [GROUP], "displayName": "ghosts", "members": [{"value": "nope"}]}
    assert_scim_error(await scim.post("/Groups", body), 400, "invalidValue")
    listed = (await scim.get("/Groups")).json()
    assert listed["totalResults"] == 0


async def test_patch_members_without_resending_the_list(scim: Scim) -> None:
    users = [await scim.user(f"m{i}") for i in range(3)]
    group = await scim.group("team", [users[0]["id"]])
    add = await scim.patch(
        f"/Groups/{group['id']}",
        [{"op": "add", "path": "members", "value": [{"value": users[1]["id"]}]}],
    )
    assert add.status_code == 200, add.text
    assert {m["value"] for m in add.json()["members"]} == {users[0]["id"], users[1]["id"]}
    remove = await scim.patch(
        f"/Groups/{group['id']}",
        [{"op": "remove", "path": f'members[value eq "{users[0]["id"]}"]'}],
    )
    assert remove.status_code == 200, remove.text
    assert [m["value"] for m in remove.json()["members"]] == [users[1]["id"]]
    rename = await scim.patch(
        f"/Groups/{group['id']}", [{"op": "replace", "path": "displayName", "value": "crew"}]
    )
    assert rename.json()["displayName"] == "crew"
    assert rename.json()["meta"]["version"] == 'W/"4"'
    ghost = await scim.patch(
        f"/Groups/{group['id']}", [{"op": "add", "path": "members", "value": [{"value": "x"}]}]
    )
    assert_scim_error(ghost, 400, "invalidValue")
    user = (await scim.get(f"/Users/{users[1]['id']}")).json()
    assert [g["display"] for g in user["groups"]] == ["crew"]


async def test_group_listing_and_paging(scim: Scim) -> None:
    for name in ["b", "a", "c"]:
        await scim.group(name)
    page = (await scim.get("/Groups", params={"count": 2, "startIndex": 2})).json()
    assert page["totalResults"] == 3
    assert [g["displayName"] for g in page["Resources"]] == ["b", "c"]
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'displayName eq "A"',
    }
    found = (await scim.post("/Groups/.search", body)).json()
    assert [g["displayName"] for g in found["Resources"]] == ["a"]
