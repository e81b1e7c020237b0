"""SCIM Users and Groups show their roles (read-only), as Asgardeo does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event

from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import PATCH
from tests.roles.conftest import Admin
from tests.roles.conftest import assert_scim_error

USERS = "/t/default/scim2/Users"
GROUPS = "/t/default/scim2/Groups"


def _names(resource: dict[str, Any]) -> list[str]:
    return [r["display"] for r in resource.get("roles", [])]


async def _setup(admin: Admin) -> dict[str, Any]:
    api = await admin.api("https://bookings.example", "bookings:read")
    app = await admin.app("bookings", api, ["bookings:read"], "APPLICATION")
    kate, lou = await admin.user("kate"), await admin.user("lou")
    group = await admin.group("travellers", kate)
    audience = {"value": app["id"], "type": "application"}
    reader = await admin.role("reader", audience=audience, groups=[group])
    auditor = await admin.role("auditor", users=[kate], groups=[group])
    return {"app": app, "kate": kate, "lou": lou, "group": group, "roles": (reader, auditor)}


async def test_users_and_groups_show_their_roles(admin: Admin) -> None:
    found = await _setup(admin)
    reader, auditor = found["roles"]
    kate = (await admin.call("GET", f"{USERS}/{found['kate']}")).json()
    # Direct (auditor), through the group (reader, auditor once) and everyone.
    assert _names(kate) == ["auditor", "everyone", "reader"]
    by_name = {r["display"]: r for r in kate["roles"]}
    assert by_name["reader"] == {
        "value": reader["id"],
        "display": "reader",
        "$ref": f"http://testserver/t/default/scim2/v2/Roles/{reader['id']}",
        "audienceValue": found["app"]["id"],
        "audienceType": "application",
        "audienceDisplay": "bookings",
    }
    assert by_name["auditor"]["audienceType"] == "organization"
    assert by_name["auditor"]["audienceValue"] == auditor["audience"]["value"]
    assert by_name["auditor"]["audienceDisplay"] == auditor["audience"]["display"]
    lou = (await admin.call("GET", f"{USERS}/{found['lou']}")).json()
    assert _names(lou) == ["everyone"]
    group = (await admin.call("GET", f"{GROUPS}/{found['group']}")).json()
    assert _names(group) == ["auditor", "reader"]  # a group does not hold everyone


async def test_list_pages_and_attribute_selection(admin: Admin) -> None:
    found = await _setup(admin)
    listed = (await admin.call("GET", USERS, params={"filter": 'userName eq "kate"'})).json()
    assert _names(listed["Resources"][0]) == ["auditor", "everyone", "reader"]
    for params, shown in (
        ({"excludedAttributes": "roles"}, False),
        ({"attributes": "userName"}, False),
        ({"attributes": "roles"}, True),
        ({"attributes": "roles.display,userName"}, True),
    ):
        page = (await admin.call("GET", USERS, params=params)).json()["Resources"]
        assert all(("roles" in user) is shown for user in page), (params, page)
        one = (await admin.call("GET", f"{USERS}/{found['kate']}", params=params)).json()
        assert ("roles" in one) is shown
    groups = (await admin.call("GET", GROUPS)).json()["Resources"]
    assert [_names(g) for g in groups] == [["auditor", "reader"]]
    bare = (await admin.call("GET", GROUPS, params={"excludedAttributes": "roles"})).json()
    assert "roles" not in bare["Resources"][0]


async def test_roles_are_read_only_on_users_and_groups(admin: Admin) -> None:
    found = await _setup(admin)
    reader, _auditor = found["roles"]
    claim = [{"value": reader["id"]}]
    # POST and PUT ignore a read-only attribute (RFC 7644 §3.5.1).
    body = {"userName": "mia", "password": "Secret-Passw0rd", "roles": claim}
    created = await admin.call("POST", USERS, json=body)
    assert created.status_code == 201, created.text
    assert _names(created.json()) == ["everyone"]
    put = await admin.call(
        "PUT", f"{USERS}/{found['lou']}", json={"userName": "lou", "roles": claim}
    )
    assert put.status_code == 200, put.text
    assert _names(put.json()) == ["everyone"]
    put_group = {"displayName": "travellers", "members": [{"value": found["kate"]}], "roles": []}
    replaced = await admin.call("PUT", f"{GROUPS}/{found['group']}", json=put_group)
    assert replaced.status_code == 200, replaced.text
    assert _names(replaced.json()) == ["auditor", "reader"]
    # PATCH naming roles is refused (RFC 7644 §3.5.2: mutability), nothing changed.
    add = {"schemas": [PATCH], "Operations": [{"op": "add", "path": "roles", "value": claim}]}
    assert_scim_error(
        await admin.call("PATCH", f"{USERS}/{found['lou']}", json=add), 400, "mutability"
    )
    assert_scim_error(
        await admin.call("PATCH", f"{GROUPS}/{found['group']}", json=add), 400, "mutability"
    )
    lou = (await admin.call("GET", f"{USERS}/{found['lou']}")).json()
    assert _names(lou) == ["everyone"]


@contextmanager
def _statements(app: FastAPI) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "change_version" not in statement:  # the cache poll runs beside the request
            seen.append(statement)

    engine = app.state.runegate.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_list_pages_cost_the_same_queries_for_any_size(make_app: AppFactory) -> None:
    app, http = await make_app()
    admin = Admin(http, bearer(await get_token(http, ADMIN_SCOPES)))
    users = [await admin.user(f"u{i}") for i in range(6)]
    for i in range(3):
        await admin.role(f"r{i}", users=users[i:], groups=[await admin.group(f"g{i}", *users)])
    # Full pages only (a short page needs no count query): 1 resource, then every one.
    for path, sizes in ((USERS, (1, 6)), (GROUPS, (1, 3))):
        counts = []
        for size in sizes:
            await admin.call("GET", path, params={"count": str(size)})  # warm the caches
            tries = []
            for _ in range(3):  # the fewest: background tasks share the engine
                with _statements(app) as seen:
                    page = await admin.call("GET", path, params={"count": str(size)})
                assert page.status_code == 200 and page.json()["itemsPerPage"] == size
                tries.append(len(seen))
            counts.append(min(tries))
        assert counts[0] == counts[1], (path, counts)


WSO2 = "urn:scim:wso2:schema"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


async def test_listed_users_are_the_documents_get_answers(admin: Admin) -> None:
    """A page (unfiltered, `eq` filters, .search) shows each user as GET by id does:
    many groups and roles, a locked user, a user without emails or groups."""
    found = await _setup(admin)
    kate, lou = found["kate"], found["lou"]
    for name in ("zeta", "alpha", "Mid"):
        await admin.role(f"role-{name}", users=[kate], groups=[await admin.group(name, kate)])
    emails = {"emails": [{"value": "kate@example.com", "primary": True}, {"value": "k@x.org"}]}
    ops = [
        {"op": "add", "value": emails},
        {"op": "replace", "path": f"{WSO2}:accountLocked", "value": True},
    ]
    patched = await admin.call(
        "PATCH", f"{USERS}/{kate}", json={"schemas": [PATCH], "Operations": ops}
    )
    assert patched.status_code == 200, patched.text
    for user_id, filters in (
        (kate, ['userName eq "KATE"', 'emails.value eq "k@x.org"', 'emails eq "kate@example.com"']),
        (lou, ['userName eq "lou"']),
    ):
        one = (await admin.call("GET", f"{USERS}/{user_id}")).json()
        for expression in filters:
            listed = await admin.call("GET", USERS, params={"filter": expression})
            assert listed.json()["Resources"] == [one], expression
            body = {"schemas": [SEARCH], "filter": expression}
            searched = await admin.call("POST", f"{USERS}/.search", json=body)
            assert searched.json()["Resources"] == [one], expression
        page = (await admin.call("GET", USERS, params={"count": "50"})).json()["Resources"]
        assert [u for u in page if u["id"] == user_id] == [one]
    shown = (await admin.call("GET", f"{USERS}/{kate}")).json()
    assert [g["display"] for g in shown["groups"]] == ["alpha", "Mid", "travellers", "zeta"]
    assert _names(shown) == ["auditor", "everyone", "reader", "role-alpha", "role-Mid", "role-zeta"]
    assert shown[WSO2]["accountLocked"] is True
    assert "emails" not in (await admin.call("GET", f"{USERS}/{lou}")).json()
