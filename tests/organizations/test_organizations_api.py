"""`/t/{root}/api/server/v1/organizations`: create, list (filters, cursors, recursive),
get, PATCH, PUT, delete, check-name, metadata, and their error answers."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.management.test_cross_org import OTHER_ID
from tests.management.test_cross_org import OTHER_SECRET
from tests.management.test_cross_org import provision_other
from tests.organizations.conftest import ORG_SCOPES
from tests.organizations.conftest import ORGS
from tests.organizations.conftest import OrgAdmin


async def test_create_get_and_nest(orgs: OrgAdmin) -> None:
    response = await orgs.post(
        ORGS,
        json={
            "name": "ABC Builders",
            "description": "Building constructions",
            "attributes": [{"key": "Country", "value": "USA"}],
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["Location"].endswith(f"{ORGS}/{created['id']}")
    assert created["name"] == "ABC Builders"
    assert created["status"] == "ACTIVE"
    assert created["type"] == "TENANT"
    assert created["attributes"] == [{"key": "Country", "value": "USA"}]
    assert created["created"].endswith("Z")
    root_id = created["parent"]["id"]

    child = await orgs.create_org("ABC East", parentId=created["id"])
    assert child["parent"] == {"id": created["id"], "ref": f"{ORGS}/{created['id']}"}

    got = (await orgs.get(f"{ORGS}/{child['id']}")).json()
    assert got["id"] == child["id"] and got["name"] == "ABC East"

    meta = (await orgs.get(f"{ORGS}/metadata")).json()
    assert meta["id"] == root_id and meta["name"] == "default"
    assert "parent" not in meta


async def test_list_children_recursive_filters_and_cursors(orgs: OrgAdmin) -> None:
    a = await orgs.create_org("alpha", attributes=[{"key": "Country", "value": "LK"}])
    await orgs.create_org("bravo", attributes=[{"key": "Country", "value": "USA"}])
    await orgs.create_org("charlie")
    await orgs.create_org("alpha-child", parentId=a["id"])

    direct = (await orgs.get(ORGS)).json()
    assert [o["name"] for o in direct["organizations"]] == ["alpha", "bravo", "charlie"]
    assert direct["organizations"][0]["ref"] == f"{ORGS}/{a['id']}"
    everything = (await orgs.get(ORGS, params={"recursive": "true"})).json()
    assert [o["name"] for o in everything["organizations"]] == [
        "alpha",
        "alpha-child",
        "bravo",
        "charlie",
    ]

    by_attr = (await orgs.get(ORGS, params={"filter": "attributes.Country eq USA"})).json()
    assert [o["name"] for o in by_attr["organizations"]] == ["bravo"]
    by_name = (await orgs.get(ORGS, params={"filter": "name sw al", "recursive": "true"})).json()
    assert [o["name"] for o in by_name["organizations"]] == ["alpha", "alpha-child"]
    both = await orgs.get(ORGS, params={"filter": "name eq alpha and attributes.Country co L"})
    assert [o["name"] for o in both.json()["organizations"]] == ["alpha"]
    ordered = await orgs.get(ORGS, params={"filter": "name gt bravo"})
    assert [o["name"] for o in ordered.json()["organizations"]] == ["charlie"]

    page1 = (await orgs.get(ORGS, params={"limit": "2"})).json()
    assert [o["name"] for o in page1["organizations"]] == ["alpha", "bravo"]
    assert [link["rel"] for link in page1["links"]] == ["next"]
    after = parse_qs(urlsplit(page1["links"][0]["href"]).query)["after"][0]
    page2 = (await orgs.get(ORGS, params={"limit": "2", "after": after})).json()
    assert [o["name"] for o in page2["organizations"]] == ["charlie"]
    assert [link["rel"] for link in page2["links"]] == ["previous"]
    before = parse_qs(urlsplit(page2["links"][0]["href"]).query)["before"][0]
    back = (await orgs.get(ORGS, params={"limit": "2", "before": before})).json()
    assert [o["name"] for o in back["organizations"]] == ["alpha", "bravo"]

    keys = (await orgs.get(f"{ORGS}/meta-attributes")).json()
    assert keys["attributes"] == ["Country"]


async def test_patch_put_and_check_name(orgs: OrgAdmin) -> None:
    org = await orgs.create_org("patchme", attributes=[{"key": "Region", "value": "EU"}])
    url = f"{ORGS}/{org['id']}"
    assert (await orgs.post(f"{ORGS}/check-name", json={"name": "patchme"})).json() == {
        "available": False
    }
    response = await orgs.patch(
        url,
        json=[
            {"operation": "REPLACE", "path": "/name", "value": "patched"},
            {"operation": "ADD", "path": "/description", "value": "now described"},
            {"operation": "ADD", "path": "/attributes/Country", "value": "LK"},
            {"operation": "REPLACE", "path": "/attributes/Region", "value": "APAC"},
        ],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "patched" and body["description"] == "now described"
    assert body["attributes"] == [
        {"key": "Region", "value": "APAC"},
        {"key": "Country", "value": "LK"},
    ]
    removed = await orgs.patch(url, json=[{"operation": "REMOVE", "path": "/attributes/Region"}])
    assert removed.json()["attributes"] == [{"key": "Country", "value": "LK"}]
    assert (await orgs.post(f"{ORGS}/check-name", json={"name": "patchme"})).json() == {
        "available": True
    }

    put = await orgs.put(url, json={"name": "final", "status": "DISABLED", "attributes": []})
    assert put.status_code == 200, put.text
    assert put.json()["status"] == "DISABLED" and put.json()["name"] == "final"
    assert "description" not in put.json()
    # Every field GET returns is accepted back by PUT (CONTRACT §3).
    got = (await orgs.get(url)).json()
    back = {k: got[k] for k in ("name", "status", "attributes")}
    assert (await orgs.put(url, json=back)).status_code == 200


async def test_delete_refused_with_children_or_users(make_app: AppFactory) -> None:
    _app, http = await make_app()
    orgs = OrgAdmin(http, await get_token(http, ORG_SCOPES))
    parent = await orgs.create_org("parent")
    child = await orgs.create_org("child", parentId=parent["id"])

    refused = await orgs.delete(f"{ORGS}/{parent['id']}")
    assert refused.status_code == 400
    assert refused.json()["code"] == "ORG-60006"
    assert "child organizations" in refused.json()["description"]
    assert (await orgs.get(f"{ORGS}/{parent['id']}")).status_code == 200

    assert (await orgs.delete(f"{ORGS}/{child['id']}")).status_code == 204
    assert (await orgs.get(f"{ORGS}/{child['id']}")).status_code == 404
    assert (await orgs.delete(f"{ORGS}/{parent['id']}")).status_code == 204
    assert (await orgs.get(ORGS)).json()["organizations"] == []


async def test_error_answers(make_app: AppFactory) -> None:
    _app, http = await make_app()
    orgs = OrgAdmin(http, await get_token(http, ORG_SCOPES))
    org = await orgs.create_org("taken")

    assert (await http.get(ORGS)).status_code == 401
    assert (await http.get(ORGS)).headers["WWW-Authenticate"].startswith("Bearer")
    view_only = bearer(await get_token(http, "internal_organization_view"))
    forbidden = await http.post(ORGS, json={"name": "x"}, headers=view_only)
    assert forbidden.status_code == 403
    assert (await http.delete(f"{ORGS}/{org['id']}", headers=view_only)).status_code == 403
    assert (await http.get(ORGS, headers=view_only)).status_code == 200

    missing = await orgs.post(ORGS, json={"description": "no name"})
    assert missing.status_code == 400 and missing.json()["code"]
    blank = await orgs.post(ORGS, json={"name": "   "})
    assert blank.status_code == 400 and blank.json()["code"] == "ORG-60001"
    dup = await orgs.post(ORGS, json={"name": "taken"})
    assert dup.status_code == 409 and dup.json()["code"] == "ORG-60005"
    other = await orgs.create_org("other")
    rename = await orgs.patch(
        f"{ORGS}/{other['id']}", json=[{"operation": "REPLACE", "path": "/name", "value": "taken"}]
    )
    assert rename.status_code == 409
    assert (await orgs.get(f"{ORGS}/{other['id']}")).json()["name"] == "other"

    no_parent = await orgs.post(ORGS, json={"name": "orphan", "parentId": "no-such-org"})
    assert no_parent.status_code == 400 and no_parent.json()["code"] == "ORG-60004"
    unknown = await orgs.get(f"{ORGS}/no-such-org")
    assert unknown.status_code == 404 and unknown.json()["code"] == "ORG-60003"
    assert unknown.json()["traceId"]
    assert (await orgs.delete(f"{ORGS}/no-such-org")).status_code == 404

    for params in (
        {"filter": "colour eq red"},
        {"filter": "name zz x"},
        {"after": "!!!"},
        {"after": "YQ", "before": "YQ"},
        {"limit": "-1"},
    ):
        bad = await orgs.get(ORGS, params=params)
        assert bad.status_code == 400, params
    for patch in (
        [{"operation": "REMOVE", "path": "/name"}],
        [{"operation": "REPLACE", "path": "/parentId", "value": "x"}],
        [{"operation": "ADD", "path": "/attributes/k"}],
        [{"operation": "REMOVE", "path": "/attributes/missing"}],
        [{"operation": "MOVE", "path": "/name", "value": "x"}],
        [],
    ):
        bad = await orgs.patch(f"{ORGS}/{org['id']}", json=patch)
        assert bad.status_code == 400, patch
    assert (await orgs.get(f"{ORGS}/{org['id']}")).json()["name"] == "taken"
    bad_put = await orgs.put(f"{ORGS}/{org['id']}", json={"name": "x", "status": "GONE"})
    assert bad_put.status_code == 400


async def test_two_root_organizations_never_see_each_other(make_app: AppFactory) -> None:
    app, http = await make_app()
    await provision_other(app.state.runegate)
    default = OrgAdmin(http, await get_token(http, ORG_SCOPES))
    acme = OrgAdmin(
        http,
        await get_token(
            http,
            "internal_organization_view internal_organization_create "
            "internal_organization_update internal_organization_delete",
            org="acme",
            client_id=OTHER_ID,
            secret=OTHER_SECRET,
        ),
    )
    mine = await default.create_org("customer")
    acme_orgs = "/t/acme/api/server/v1/organizations"
    theirs = await acme.post(acme_orgs, json={"name": "customer"})
    assert theirs.status_code == 201  # names are per root organization
    for response in (
        await acme.get(f"{acme_orgs}/{mine['id']}"),
        await acme.delete(f"{acme_orgs}/{mine['id']}"),
        await acme.put(f"{acme_orgs}/{mine['id']}", json={"name": "x", "status": "ACTIVE"}),
    ):
        assert response.status_code == 404
    cross = await acme.post(acme_orgs, json={"name": "sneaky", "parentId": mine["id"]})
    assert cross.status_code == 400 and cross.json()["code"] == "ORG-60004"
    assert [o["id"] for o in (await acme.get(acme_orgs)).json()["organizations"]] == [
        theirs.json()["id"]
    ]
    assert (await default.get(f"{ORGS}/{mine['id']}")).json()["name"] == "customer"
    # A root token cannot use the root's own token on another root.
    assert (await default.get(acme_orgs)).status_code == 401
