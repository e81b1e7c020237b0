"""Application CRUD, listing (offset pagination, filters, attributes) and templates."""

from __future__ import annotations

from tests.management.conftest import APPS
from tests.management.conftest import Admin

SPA = "6a90e4b0-fbff-42d7-bfde-1efd98f07cd7"
OIDC_WEB = "b9c5e11e-fc78-484b-9bec-015d247561b8"
SAML = "776a73da-fd8e-490b-84ff-93009f8ede85"


async def test_create_get_patch_delete(admin: Admin) -> None:
    created = await admin.create_app(
        name="pickup",
        description="Pickup app",
        templateId=OIDC_WEB,
        accessUrl="https://pickup.example.com/login",
        advancedConfigurations={"skipLoginConsent": True, "enableAPIBasedAuthentication": False},
        associatedRoles={"allowedAudience": "APPLICATION", "roles": []},
        inboundProtocolConfiguration={
            "oidc": {
                "grantTypes": ["authorization_code", "refresh_token"],
                "callbackURLs": ["https://pickup.example.com/callback"],
            }
        },
    )
    app_id = created["id"]
    got = await admin.get(f"{APPS}/{app_id}")
    assert got.status_code == 200
    body = got.json()
    assert body["name"] == "pickup" and body["description"] == "Pickup app"
    assert body["clientId"] == created["clientId"] and "clientSecret" not in body
    assert body["templateId"] == OIDC_WEB and body["access"] == "WRITE"
    assert body["advancedConfigurations"] == {
        "skipLoginConsent": True,
        "enableAPIBasedAuthentication": False,
    }
    assert body["associatedRoles"]["allowedAudience"] == "APPLICATION"
    assert body["inboundProtocols"] == [
        {
            "type": "oauth2",
            "name": "oauth2",
            "self": f"/api/server/v1/applications/{app_id}/inbound-protocols/oidc",
        }
    ]

    patched = await admin.patch(
        f"{APPS}/{app_id}", json={"name": "pickup-2", "description": "renamed"}
    )
    assert patched.status_code == 200, patched.text
    body = (await admin.get(f"{APPS}/{app_id}")).json()
    assert (body["name"], body["description"]) == ("pickup-2", "renamed")
    assert body["advancedConfigurations"]["skipLoginConsent"] is True  # untouched by PATCH

    assert (await admin.delete(f"{APPS}/{app_id}")).status_code == 204
    missing = await admin.get(f"{APPS}/{app_id}")
    assert missing.status_code == 404
    error = missing.json()
    assert error["code"] == "APP-60006" and error["message"] == "Application not found."
    assert app_id in error["description"] and error["traceId"]
    assert (await admin.delete(f"{APPS}/{app_id}")).status_code == 404


async def test_templates_imply_their_defaults(admin: Admin) -> None:
    spa = await admin.create_app(
        name="spa",
        templateId=SPA,
        inboundProtocolConfiguration={
            "oidc": {
                "grantTypes": ["authorization_code"],
                "callbackURLs": ["http://localhost:3000"],
            }
        },
    )
    assert "clientSecret" not in spa  # public client: no secret
    config = (await admin.get(f"{APPS}/{spa['id']}/inbound-protocols/oidc")).json()
    assert config["publicClient"] is True and config["pkce"]["mandatory"] is True

    m2m = await admin.create_app(name="m2m", templateId="m2m-application")
    config = (await admin.get(f"{APPS}/{m2m['id']}/inbound-protocols/oidc")).json()
    assert config["grantTypes"] == ["client_credentials"] and config["publicClient"] is False

    via_query = await admin.post(f"{APPS}?template=m2m-application", json={"name": "m2m-q"})
    assert via_query.status_code == 201 and via_query.json()["clientSecret"]

    bad = await admin.post(
        APPS,
        json={
            "name": "m2m-bad",
            "templateId": "m2m-application",
            "inboundProtocolConfiguration": {"oidc": {"grantTypes": ["password"]}},
        },
    )
    assert bad.status_code == 400 and "grantTypes" in bad.json()["description"]

    saml = await admin.post(APPS, json={"name": "saml", "templateId": SAML})
    assert saml.status_code == 400 and saml.json()["code"] == "APP-60010"


async def test_app_without_inbound_protocol(admin: Admin) -> None:
    created = await admin.create_app(name="bare")
    assert "clientId" not in created
    body = (await admin.get(f"{APPS}/{created['id']}")).json()
    assert body["inboundProtocols"] == [] and "clientId" not in body
    missing = await admin.get(f"{APPS}/{created['id']}/inbound-protocols/oidc")
    assert missing.status_code == 404 and missing.json()["code"] == "APP-60009"


async def test_creator_supplied_credentials(admin: Admin) -> None:
    secret = "supplied-secret-0123456789"
    created = await admin.create_app(
        name="own-creds",
        templateId="m2m-application",
        inboundProtocolConfiguration={
            "oidc": {
                "grantTypes": ["client_credentials"],
                "clientId": "my-client",
                "clientSecret": secret,
            }
        },
    )
    assert created["clientId"] == "my-client" and created["clientSecret"] == secret
    again = await admin.post(
        APPS,
        json={
            "name": "own-creds-2",
            "inboundProtocolConfiguration": {
                "oidc": {"grantTypes": ["client_credentials"], "clientId": "my-client"}
            },
        },
    )
    assert again.status_code == 409 and again.json()["code"] == "APP-60008"
    short = await admin.post(
        APPS,
        json={
            "name": "short",
            "inboundProtocolConfiguration": {
                "oidc": {"grantTypes": ["client_credentials"], "clientSecret": "short"}
            },
        },
    )
    assert short.status_code == 400 and "clientSecret" in short.json()["description"]


BAD_BODIES: list[tuple[dict[str, object], str]] = [
    ({"name": "x", "unknownField": 1}, "unknownField"),
    ({"name": 42}, "name"),
    ({"description": "no name"}, "name"),
    ({"name": "x", "associatedRoles": {"allowedAudience": "WORLD"}}, "allowedAudience"),
    (
        {"name": "x", "advancedConfigurations": {"certificate": {"type": "PEM", "value": "x"}}},
        "certificate",
    ),
    (
        {
            "name": "x",
            "advancedConfigurations": {
                "certificate": {"type": "JWKS", "value": "http://example.com/jwks"}
            },
        },
        "https",
    ),
]


async def test_bad_create_bodies(admin: Admin) -> None:
    for body, needle in BAD_BODIES:
        response = await admin.post(APPS, json=body)
        assert response.status_code == 400, (body, response.text)
        error = response.json()
        assert needle in error["description"] and error["code"] and error["traceId"], body
    listed = (await admin.get(APPS, params={"filter": "name eq x"})).json()
    assert listed["totalResults"] == 0  # a failed request changes nothing


async def test_duplicate_name_is_409_and_changes_nothing(admin: Admin) -> None:
    await admin.create_app(name="dup", templateId="m2m-application")
    again = await admin.post(APPS, json={"name": "dup", "templateId": "m2m-application"})
    assert again.status_code == 409 and again.json()["code"] == "APP-60007"
    other = await admin.create_app(name="other", templateId="m2m-application")
    rename = await admin.patch(f"{APPS}/{other['id']}", json={"name": "dup"})
    assert rename.status_code == 409
    assert (await admin.get(f"{APPS}/{other['id']}")).json()["name"] == "other"


async def test_list_pagination_filters_and_attributes(admin: Admin) -> None:
    for name in ("alpha-one", "alpha-two", "beta-one", "gamma"):
        await admin.create_app(name=name, templateId="m2m-application")
    page = (await admin.get(APPS, params={"limit": 2, "offset": 0})).json()
    assert page["totalResults"] == 5  # plus the bootstrap application
    assert page["count"] == 2 and page["startIndex"] == 1
    assert [link["rel"] for link in page["links"]] == ["next"]
    assert "offset=2" in page["links"][0]["href"] and "limit=2" in page["links"][0]["href"]
    second = (await admin.get(APPS, params={"limit": 2, "offset": 2})).json()
    assert {link["rel"] for link in second["links"]} == {"next", "previous"}
    names = [a["name"] for a in page["applications"] + second["applications"]]
    assert len(set(names)) == 4

    async def names_for(expression: str) -> list[str]:
        response = await admin.get(APPS, params={"filter": expression})
        assert response.status_code == 200, response.text
        return sorted(a["name"] for a in response.json()["applications"])

    assert await names_for("name sw alpha") == ["alpha-one", "alpha-two"]
    assert await names_for("name ew one") == ["alpha-one", "beta-one"]
    assert await names_for("name co ph") == ["alpha-one", "alpha-two"]
    assert await names_for("name eq gamma") == ["gamma"]
    assert await names_for("name sw alpha and name ew two or name eq gamma") == [
        "alpha-two",
        "gamma",
    ]
    assert await names_for("name co %") == []  # LIKE wildcards are literal
    gamma = (await admin.get(APPS, params={"filter": "name eq gamma"})).json()["applications"][0]
    assert await names_for(f"clientId eq {gamma['clientId']}") == ["gamma"]

    bad = await admin.get(APPS, params={"filter": "owner eq me"})
    assert bad.status_code == 400 and bad.json()["code"] == "APP-60004"
    bad = await admin.get(APPS, params={"filter": "name like x"})
    assert bad.status_code == 400 and bad.json()["code"] == "APP-60004"
    by_name = await admin.get(APPS, params={"sortBy": "name", "sortOrder": "DESC", "limit": 2})
    assert [a["name"] for a in by_name.json()["applications"]] == ["gamma", "beta-one"]
    sorted_ = await admin.get(APPS, params={"sortBy": "createdTime"})
    assert sorted_.status_code == 400 and sorted_.json()["code"] == "APP-60003"

    with_attrs = await admin.get(
        APPS, params={"filter": "name eq gamma", "attributes": "advancedConfigurations,templateId"}
    )
    item = with_attrs.json()["applications"][0]
    assert item["templateId"] == "m2m-application" and item["self"].endswith(item["id"])
    bad = await admin.get(APPS, params={"attributes": "secrets"})
    assert bad.status_code == 400


async def test_trailing_slash_create_as_in_asgardeo_docs(admin: Admin) -> None:
    response = await admin.post(f"{APPS}/", json={"name": "slash", "templateId": "m2m-application"})
    assert response.status_code == 201, response.text
    assert response.headers["Location"].endswith(response.json()["id"])
