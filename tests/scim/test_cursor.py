"""Cursor paging of /Users and /Groups (RFC 9865): keyset pages, sealed cursors."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from runegate.crypto.sealed import seal
from runegate.scim.cursor import CURSOR_TIMEOUT
from runegate.scim.cursor import PURPOSE
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.management.test_cross_org import OTHER_ID
from tests.management.test_cross_org import OTHER_SECRET
from tests.management.test_cross_org import provision_other
from tests.scim.conftest import SCIM_SCOPES
from tests.scim.conftest import Scim
from tests.scim.conftest import assert_scim_error

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Family names: two users share one (ties broken by id), two have none (they come last).
FAMILY = ["Zeta", "Alpha", None, "Mu", "Alpha", "Beta", None, "Kappa", "Delta", "Omega", "Eta"]


@pytest.fixture
async def crowd(scim: Scim) -> Scim:
    for i, family in enumerate(FAMILY):
        name = {"givenName": f"G{i}", "familyName": family} if family else {"givenName": f"G{i}"}
        kind = "staff" if i % 3 else "guest"
        await scim.user(f"{kind}.{i:02d}", name=name, title=kind)
    return scim


async def walk(
    scim: Scim, path: str = "/Users", *, backward_check: bool = True, **params: Any
) -> list[dict[str, Any]]:
    """Every page from an empty cursor to the last (no nextCursor); checks each page."""
    seen: list[dict[str, Any]] = []
    pages: list[list[str]] = []
    cursor = ""
    while True:
        response = await scim.get(path, params={**params, "cursor": cursor})
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["schemas"] == [LIST]
        assert "startIndex" not in page
        assert page["itemsPerPage"] == len(page["Resources"])
        if cursor == "":
            assert "previousCursor" not in page
        else:
            assert set(page["previousCursor"]) <= UNRESERVED
        seen.extend(page["Resources"])
        pages.append([r["id"] for r in page["Resources"]])
        if "nextCursor" not in page:
            break
        assert set(page["nextCursor"]) <= UNRESERVED
        cursor = page["nextCursor"]
    assert all(p for p in pages)
    if backward_check and len(pages) > 1:
        # previousCursor of the last page leads back to the page before it.
        back = await scim.get(path, params={**params, "cursor": page["previousCursor"]})
        assert back.status_code == 200, back.text
        assert [r["id"] for r in back.json()["Resources"]] == pages[-2]
    return seen


def _names(resources: list[dict[str, Any]]) -> list[str]:
    return [r["userName"] for r in resources]


async def _all_by_index(scim: Scim, **params: Any) -> list[str]:
    response = await scim.get("/Users", params={**params, "count": 100})
    assert response.status_code == 200, response.text
    return _names(response.json()["Resources"])


async def test_walk_every_user_once_in_order(crowd: Scim) -> None:
    everyone = await _all_by_index(crowd)
    assert len(everyone) == 12  # the admin user and the crowd
    for count in (1, 3, 5, 12, 100):
        seen = await walk(crowd, count=count)
        assert _names(seen) == sorted(everyone) == everyone
    first = await crowd.get("/Users", params={"cursor": "", "count": 5})
    assert first.json()["totalResults"] == 12
    second = await crowd.get("/Users", params={"cursor": first.json()["nextCursor"], "count": 5})
    assert second.json()["totalResults"] == 12 and second.json()["itemsPerPage"] == 5


async def test_a_bare_cursor_parameter_starts(crowd: Scim) -> None:
    """RFC 9865 §2's own example: `?filter=...&cursor&count=10`."""
    response = await crowd.get("/Users?filter=userName%20sw%20%22staff%22&cursor&count=3")
    assert response.status_code == 200, response.text
    page = response.json()
    assert _names(page["Resources"]) == ["staff.01", "staff.02", "staff.04"]
    assert page["totalResults"] == 7 and "nextCursor" in page and "startIndex" not in page


async def test_walk_with_filter_and_descending(crowd: Scim) -> None:
    by_index = await _all_by_index(crowd, filter='userName sw "staff"', sortOrder="descending")
    seen = await walk(crowd, count=2, filter='userName sw "staff"', sortOrder="descending")
    assert _names(seen) == by_index == sorted(by_index, reverse=True)
    assert len(seen) == 7
    page = await crowd.get(
        "/Users", params={"filter": 'title eq "guest"', "cursor": "", "count": 2}
    )
    assert page.json()["totalResults"] == 4
    assert len(await walk(crowd, count=2, filter='title eq "guest"')) == 4


@pytest.mark.parametrize("order", ["ascending", "descending"])
async def test_walk_sorted_by_a_nullable_attribute(crowd: Scim, order: str) -> None:
    seen = await walk(crowd, count=2, sortBy="name.familyName", sortOrder=order)
    assert len({r["id"] for r in seen}) == len(seen) == 12
    keyed = [r for r in seen if r.get("name", {}).get("familyName")]
    families = [r["name"]["familyName"].lower() for r in keyed]
    assert families == sorted(families, reverse=order == "descending")
    # Users without a familyName (the admin and two of the crowd) come last, by id.
    rest = seen[len(keyed) :]
    assert len(rest) == 3 and not any(r.get("name", {}).get("familyName") for r in rest)
    ties = [r["id"] for r in keyed if r["name"]["familyName"] == "Alpha"]
    assert ties == sorted(ties, reverse=order == "descending")
    assert [r["id"] for r in rest] == sorted((r["id"] for r in rest), reverse=order == "descending")


async def test_walk_sorted_by_created(crowd: Scim) -> None:
    seen = await walk(crowd, count=4, sortBy="meta.created")
    assert len({r["id"] for r in seen}) == 12
    created = [r["meta"]["created"] for r in seen]
    assert created == sorted(created)


async def test_post_search_with_cursor(crowd: Scim) -> None:
    body: dict[str, Any] = {
        "schemas": [SEARCH],
        "filter": 'userName sw "staff"',
        "attributes": ["userName"],
        "cursor": "",
        "count": 4,
    }
    first = await crowd.post("/Users/.search", body)
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["totalResults"] == 7 and page["itemsPerPage"] == 4
    assert "name" not in page["Resources"][0]
    second = await crowd.post("/Users/.search", {**body, "cursor": page["nextCursor"]})
    assert second.status_code == 200, second.text
    rest = second.json()
    assert "nextCursor" not in rest and rest["itemsPerPage"] == 3
    names = _names(page["Resources"]) + _names(rest["Resources"])
    assert names == sorted(names) and len(set(names)) == 7
    # The same cursor through GET: the query is the same (filter, order), so it is accepted.
    same = await crowd.get(
        "/Users", params={"filter": 'userName sw "staff"', "cursor": page["nextCursor"]}
    )
    assert _names(same.json()["Resources"]) == _names(rest["Resources"])


async def test_count_zero(crowd: Scim) -> None:
    first = await crowd.get("/Users", params={"cursor": "", "count": 0})
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["totalResults"] == 12 and page["itemsPerPage"] == 0 and page["Resources"] == []
    # The position is kept: the cursor it returns starts at the beginning.
    after = await crowd.get("/Users", params={"cursor": page["nextCursor"], "count": 3})
    assert _names(after.json()["Resources"]) == (await _all_by_index(crowd))[:3]
    middle = await crowd.get("/Users", params={"cursor": after.json()["nextCursor"], "count": 0})
    assert middle.json()["itemsPerPage"] == 0 and "nextCursor" in middle.json()
    nothing = await crowd.get(
        "/Users", params={"filter": 'userName eq "nobody"', "cursor": "", "count": 0}
    )
    assert nothing.json()["totalResults"] == 0 and "nextCursor" not in nothing.json()


async def test_groups_by_cursor(scim: Scim) -> None:
    for name in ("ops", "eng", "sales", "hr", "legal"):
        await scim.group(name)
    seen = await walk(scim, "/Groups", count=2)
    assert [g["displayName"] for g in seen] == ["eng", "hr", "legal", "ops", "sales"]
    down = await walk(scim, "/Groups", count=3, sortOrder="descending")
    assert [g["displayName"] for g in down] == ["sales", "ops", "legal", "hr", "eng"]
    body = {"schemas": [SEARCH], "filter": 'displayName sw "e"', "cursor": "", "count": 1}
    found = await scim.post("/Groups/.search", body)
    assert found.status_code == 200, found.text
    assert [g["displayName"] for g in found.json()["Resources"]] == ["eng"]
    assert "nextCursor" not in found.json()


async def test_a_cursor_of_another_query_is_refused(crowd: Scim) -> None:
    staff = {"filter": 'title eq "staff"', "cursor": "", "count": 2}
    first = await crowd.get("/Users", params=staff)
    cursor = first.json()["nextCursor"]
    for params in (
        {"filter": 'title eq "guest"'},  # another filter
        {},  # no filter
        {"filter": 'title eq "staff"', "sortOrder": "descending"},
        {"filter": 'title eq "staff"', "sortBy": "name.familyName"},
    ):
        response = await crowd.get("/Users", params={**params, "cursor": cursor})
        assert_scim_error(response, 400, "invalidCursor")
    users = await crowd.get("/Users", params={"cursor": "", "count": 1})
    groups = await crowd.get("/Groups", params={"cursor": users.json()["nextCursor"]})
    assert_scim_error(groups, 400, "invalidCursor")  # a /Users cursor on /Groups


async def test_a_cursor_of_another_organization_is_refused(make_app: AppFactory) -> None:
    app, http = await make_app()
    await provision_other(app.state.runegate)
    root = Scim(http, bearer(await get_token(http, SCIM_SCOPES)))
    for i in range(3):
        await root.user(f"root.{i}")
    cursor = (await root.get("/Users", params={"cursor": "", "count": 1})).json()["nextCursor"]
    acme_token = await get_token(
        http, SCIM_SCOPES, org="acme", client_id=OTHER_ID, secret=OTHER_SECRET
    )
    response = await http.get(
        "/t/acme/scim2/Users", params={"cursor": cursor}, headers=bearer(acme_token)
    )
    assert_scim_error(response, 400, "invalidCursor")
    own = await http.get("/t/acme/scim2/Users", params={"cursor": ""}, headers=bearer(acme_token))
    assert own.status_code == 200, own.text
    assert "root.0" not in _names(own.json()["Resources"])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_tampered_garbage_and_expired_cursors(crowd: Scim) -> None:
    cursor = (await crowd.get("/Users", params={"cursor": "", "count": 2})).json()["nextCursor"]
    data, _, mac = cursor.partition(".")
    payload = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    forged = _b64(payload.replace(b'"b":false', b'"b":true')) + "." + mac
    for bad in (
        "garbage",
        "not a cursor at all!",
        cursor[:-2],
        cursor + "x",
        forged,
        "." + mac,
        "é",
        "x" * 20000,
    ):
        response = await crowd.get("/Users", params={"cursor": bad})
        assert_scim_error(response, 400, "invalidCursor")
        assert "start again with an empty cursor" in response.json()["detail"]
    search = await crowd.post("/Users/.search", {"schemas": [SEARCH], "cursor": 12})
    assert_scim_error(search, 400, "invalidCursor")


async def test_expired_cursor(make_app: AppFactory) -> None:
    app, http = await make_app()
    scim = Scim(http, bearer(await get_token(http, SCIM_SCOPES)))
    keys = app.state.runegate.settings.secret_keys
    # Sealed with the server secret, as the server seals them, but past cursorTimeout.
    for lifetime, scim_type in ((-1, "expiredCursor"), (60, "invalidCursor")):
        sealed = seal(keys, PURPOSE, {"s": "x", "b": False, "p": None}, lifetime=lifetime)
        response = await scim.get("/Users", params={"cursor": sealed})
        assert_scim_error(response, 400, scim_type)  # fresh but of no query: invalid
    expired = seal(keys, PURPOSE, {"s": "x", "b": False, "p": None}, lifetime=-1)
    detail = (await scim.get("/Users", params={"cursor": expired})).json()["detail"]
    assert str(CURSOR_TIMEOUT) in detail


async def test_cursor_and_start_index_together(crowd: Scim) -> None:
    response = await crowd.get("/Users", params={"cursor": "", "startIndex": 2})
    assert_scim_error(response, 400, "invalidValue")
    assert "startIndex and cursor" in response.json()["detail"]
    body = {"schemas": [SEARCH], "cursor": "", "startIndex": 3}
    assert_scim_error(await crowd.post("/Groups/.search", body), 400, "invalidValue")
    root = await crowd.post("/.search", {"schemas": [SEARCH], "cursor": ""})
    assert_scim_error(root, 400, "invalidValue")
    # Without cursor, index paging is unchanged (the default method).
    page = (await crowd.get("/Users", params={"startIndex": 2, "count": 3})).json()
    assert page["startIndex"] == 2 and "nextCursor" not in page


async def test_service_provider_config_advertises_pagination(scim: Scim) -> None:
    response = await scim.get("/ServiceProviderConfig")
    assert response.status_code == 200, response.text
    assert response.json()["pagination"] == {
        "cursor": True,
        "index": True,
        "defaultPaginationMethod": "index",
        "defaultPageSize": 100,
        "maxPageSize": 100,
        "cursorTimeout": CURSOR_TIMEOUT,
    }
