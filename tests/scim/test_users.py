"""/Users: create, read, replace, delete, errors, scopes and content types."""

from __future__ import annotations

from tests.conftest import bearer
from tests.conftest import get_token
from tests.scim.conftest import BASE
from tests.scim.conftest import SCIM_JSON
from tests.scim.conftest import USER
from tests.scim.conftest import Scim
from tests.scim.conftest import assert_scim_error

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


async def test_create_get_and_meta(scim: Scim) -> None:
    created = await scim.user(
        "kim@example.com",
        name={"givenName": "Kim", "familyName": "Lee"},
        emails=[{"value": "kim@example.com", "type": "work", "primary": True}],
        phoneNumbers=[{"value": "+1 555 0100", "type": "mobile"}],
        **{ENTERPRISE: {"employeeNumber": "42", "department": "R&D"}},
    )
    assert "password" not in created
    assert created["userName"] == "kim@example.com"
    assert created["schemas"] == [USER, ENTERPRISE]
    assert created[ENTERPRISE] == {"employeeNumber": "42", "department": "R&D"}
    meta = created["meta"]
    assert meta["resourceType"] == "User"
    assert meta["version"] == 'W/"1"'
    assert meta["location"] == f"http://testserver{BASE}/Users/{created['id']}"
    response = await scim.get(f"/Users/{created['id']}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(SCIM_JSON)
    assert response.headers["etag"] == 'W/"1"'
    assert response.json() == created


async def test_create_answers_location_header(scim: Scim) -> None:
    response = await scim.post("/Users", {"schemas": [USER], "userName": "loc"})
    assert response.status_code == 201
    assert response.headers["location"] == response.json()["meta"]["location"]


async def test_default_domain_prefix_is_accepted_and_stripped(scim: Scim) -> None:
    created = await scim.user("DEFAULT/dom@example.com")
    assert created["userName"] == "dom@example.com"
    assert await scim.names('userName eq "DEFAULT/dom@example.com"') == ["dom@example.com"]
    assert await scim.names('userName eq "dom@example.com"', domain="DEFAULT") == [
        "dom@example.com"
    ]
    assert await scim.names("userName pr", domain="OTHERSTORE") == []
    response = await scim.post("/Users", {"schemas": [USER], "userName": "LDAP/x"})
    assert_scim_error(response, 400, "invalidValue")


async def test_duplicate_username_is_uniqueness_case_insensitively(scim: Scim) -> None:
    await scim.user("dup")
    response = await scim.post("/Users", {"schemas": [USER], "userName": "DUP"})
    assert_scim_error(response, 409, "uniqueness")
    listed = await scim.get("/Users")
    assert listed.json()["totalResults"] == 2  # admin + dup: nothing added


async def test_bad_input_errors(scim: Scim) -> None:
    missing = await scim.post("/Users", {"schemas": [USER]})
    assert_scim_error(missing, 400, "invalidValue")
    wrong_type = await scim.post("/Users", {"schemas": [USER], "userName": "t", "active": "x"})
    assert_scim_error(wrong_type, 400, "invalidValue")
    not_json = await scim.request(
        "POST", "/Users", content=b"{nope", headers={"content-type": SCIM_JSON}
    )
    assert_scim_error(not_json, 400, "invalidSyntax")
    not_object = await scim.post("/Users", [1, 2])
    assert_scim_error(not_object, 400, "invalidSyntax")
    xml = await scim.request(
        "POST", "/Users", content=b"<user/>", headers={"content-type": "application/xml"}
    )
    assert_scim_error(xml, 415, None)
    assert (await scim.get("/Users")).json()["totalResults"] == 1


async def test_weak_password_is_refused(scim: Scim) -> None:
    for password in ["short1A", "alllowercase1", "ALLUPPER1", "NoDigitsHere", "Weakuser1x"]:
        body = {"schemas": [USER], "userName": "weakuser1", "password": password}
        assert_scim_error(await scim.post("/Users", body), 400, "invalidValue")
    ok = {"schemas": [USER], "userName": "weakuser1", "password": "Str0ng-enough"}
    assert (await scim.post("/Users", ok)).status_code == 201


async def test_read_only_attributes_are_ignored_on_create(scim: Scim) -> None:
    body = {
        "schemas": [USER],
        "userName": "ro",
        "id": "chosen-by-client",
        "meta": {"version": 'W/"99"'},
        "groups": [{"value": "x"}],
    }
    response = await scim.post("/Users", body)
    assert response.status_code == 201
    created = response.json()
    assert created["id"] != "chosen-by-client"
    assert created["meta"]["version"] == 'W/"1"'
    assert "groups" not in created


async def test_ask_password_creates_inactive_user(scim: Scim) -> None:
    body = {
        "schemas": [USER, "urn:scim:wso2:schema"],
        "userName": "invitee@example.com",
        "emails": [{"value": "invitee@example.com", "primary": True}],
        "urn:scim:wso2:schema": {"askPassword": True},
    }
    response = await scim.post("/Users", body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["active"] is False
    assert created["urn:scim:wso2:schema"] == {"askPassword": True}
    assert await scim.names('userName eq "invitee@example.com" and active eq false') == [
        "invitee@example.com"
    ]


async def test_replace_and_delete(scim: Scim) -> None:
    user = await scim.user("rep", displayName="Before", nickName="nick")
    body = {"schemas": [USER], "userName": "rep", "displayName": "After"}
    response = await scim.request("PUT", f"/Users/{user['id']}", json=body)
    assert response.status_code == 200, response.text
    replaced = response.json()
    assert replaced["displayName"] == "After"
    assert "nickName" not in replaced
    assert replaced["meta"]["version"] == 'W/"2"'
    assert replaced["meta"]["created"] == user["meta"]["created"]
    assert (await scim.request("DELETE", f"/Users/{user['id']}")).status_code == 204
    assert_scim_error(await scim.get(f"/Users/{user['id']}"), 404, None)
    assert_scim_error(await scim.request("DELETE", f"/Users/{user['id']}"), 404, None)


async def test_replace_to_taken_username_changes_nothing(scim: Scim) -> None:
    await scim.user("taken")
    user = await scim.user("mine", displayName="Mine")
    body = {"schemas": [USER], "userName": "Taken", "displayName": "Changed"}
    response = await scim.request("PUT", f"/Users/{user['id']}", json=body)
    assert_scim_error(response, 409, "uniqueness")
    assert (await scim.get(f"/Users/{user['id']}")).json()["displayName"] == "Mine"


async def test_attributes_and_excluded_attributes(scim: Scim) -> None:
    user = await scim.user("sel", displayName="Sel", nickName="s")
    only = (await scim.get(f"/Users/{user['id']}", params={"attributes": "displayName"})).json()
    assert only["displayName"] == "Sel"
    assert "nickName" not in only
    assert only["id"] == user["id"]  # returned: always
    excluded = await scim.get(f"/Users/{user['id']}", params={"excludedAttributes": "nickName"})
    assert "nickName" not in excluded.json() and excluded.json()["displayName"] == "Sel"


async def test_accepts_application_json(scim: Scim) -> None:
    response = await scim.request(
        "POST",
        "/Users",
        content=b'{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"js"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 201
    assert response.headers["content-type"].startswith(SCIM_JSON)


async def test_401_and_403_in_scim_format(scim: Scim) -> None:
    http = scim.http
    no_token = await http.get(f"{BASE}/Users")
    assert_scim_error(no_token, 401, None)
    assert no_token.headers["www-authenticate"].startswith("Bearer")
    bad = await http.get(f"{BASE}/Users", headers=bearer("not-a-token"))
    assert_scim_error(bad, 401, None)
    view_only = await get_token(http, "internal_user_mgt_view")
    forbidden = await http.get(f"{BASE}/Users", headers=bearer(view_only))
    assert_scim_error(forbidden, 403, None)
    create = await http.post(
        f"{BASE}/Users", json={"schemas": [USER], "userName": "x"}, headers=bearer(view_only)
    )
    assert_scim_error(create, 403, None)


async def test_list_groups_of_user(scim: Scim) -> None:
    user = await scim.user("member")
    group = await scim.group("staff", [user["id"]])
    fetched = (await scim.get(f"/Users/{user['id']}")).json()
    assert fetched["groups"] == [
        {
            "value": group["id"],
            "display": "staff",
            "$ref": f"http://testserver{BASE}/Groups/{group['id']}",
        }
    ]


async def test_pagination_and_count_cap(scim: Scim) -> None:
    for i in range(5):
        await scim.user(f"page{i}")
    page = (await scim.get("/Users", params={"startIndex": 2, "count": 2})).json()
    assert page["totalResults"] == 6
    assert page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert [r["userName"] for r in page["Resources"]] == ["page0", "page1"]
    none = (await scim.get("/Users", params={"count": 0})).json()
    assert none["totalResults"] == 6 and none["Resources"] == []
    capped = (await scim.get("/Users", params={"count": 1000})).json()
    assert capped["itemsPerPage"] == 6
    low = (await scim.get("/Users", params={"startIndex": -3, "count": 1})).json()
    assert low["startIndex"] == 1
    assert_scim_error(await scim.get("/Users", params={"count": "x"}), 400, "invalidValue")


def test_passwords_found_before_the_write_transaction() -> None:
    """The routes hash these before `db.write()` (the last one a PATCH sets wins)."""
    from runegate.scim.users import passwords_in

    assert passwords_in({"userName": "a", "password": "P1"}) == ["P1"]
    assert passwords_in({"userName": "a", "PassWord": "P2"}) == ["P2"]
    ops = [
        {"op": "replace", "path": "password", "value": "P3"},
        {"op": "replace", "value": {"password": "P4", "nickName": "n"}},
        {"op": "replace", "path": "nickName", "value": "m"},
    ]
    assert passwords_in({"Operations": ops}) == ["P4"]
    assert passwords_in({"Operations": ops[:1]}) == ["P3"]
    assert passwords_in({"userName": "a"}) == [] and passwords_in(["x"]) == []
