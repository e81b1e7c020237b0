"""OIDC inbound protocol: GET-modify-PUT round trip, unsupported settings, callback URLs,
regenerate-secret and revoke."""

from __future__ import annotations

from typing import Any

from runegate.management.applications.callback_urls import redirect_uri_allowed
from runegate.storage.models.application import Application
from tests.management.conftest import APPS
from tests.management.conftest import Admin
from tests.management.conftest import client_token

WEB = "b9c5e11e-fc78-484b-9bec-015d247561b8"


async def web_app(admin: Admin, **oidc: Any) -> tuple[str, str]:
    config = {
        "grantTypes": ["authorization_code", "refresh_token", "client_credentials"],
        "callbackURLs": ["https://app.example.com/callback"],
        **oidc,
    }
    created = await admin.create_app(
        name="web", templateId=WEB, inboundProtocolConfiguration={"oidc": config}
    )
    return created["id"], f"{APPS}/{created['id']}/inbound-protocols/oidc"


async def test_get_modify_put_round_trip(admin: Admin) -> None:
    _, url = await web_app(admin)
    original = (await admin.get(url)).json()
    assert "clientSecret" not in original and original["state"] == "ACTIVE"
    assert original["accessToken"]["type"] == "Default"

    # Unchanged GET body is accepted back by PUT, and stored as it was.
    put = await admin.put(url, json=original)
    assert put.status_code == 200, put.text
    assert (await admin.get(url)).json() == original

    changed = dict(original)
    changed["callbackURLs"] = [
        "regexp=(https://app\\.example\\.com/cb1|https://app\\.example\\.com/cb2)"
    ]
    changed["allowedOrigins"] = ["https://app.example.com"]
    changed["accessToken"] = {
        **original["accessToken"],
        "type": "JWT",
        "userAccessTokenExpiryInSeconds": 900,
        "applicationAccessTokenExpiryInSeconds": 600,
    }
    changed["refreshToken"] = {
        **original["refreshToken"],
        "expiryInSeconds": 7200,
        "renewRefreshToken": False,
    }
    changed["idToken"] = {
        **original["idToken"],
        "expiryInSeconds": 1200,
        "audience": ["https://api.example.com"],
    }
    changed["clientAuthentication"] = {
        "tokenEndpointAuthMethod": "client_secret_post",
        "tokenEndpointAllowReusePvtKeyJwt": False,
    }
    changed["logout"] = {"backChannelLogoutUrl": "https://app.example.com/bc"}
    changed["pkce"] = {"mandatory": True, "supportPlainTransformAlgorithm": False}
    put = await admin.put(url, json=changed)
    assert put.status_code == 200, put.text
    stored = (await admin.get(url)).json()
    for key in (
        "callbackURLs",
        "allowedOrigins",
        "accessToken",
        "refreshToken",
        "idToken",
        "logout",
        "pkce",
    ):
        assert stored[key] == changed[key], key
    assert stored["clientAuthentication"]["tokenEndpointAuthMethod"] == "client_secret_post"


UNIMPLEMENTED: list[tuple[tuple[str, ...], object]] = [
    (("hybridFlow", "enable"), True),
    (("accessToken", "bindingType"), "cookie"),
    (("accessToken", "validateTokenBinding"), True),
    (("refreshToken", "gracefulRefreshTokenRotationEnabled"), True),
    (("idToken", "encryption"), {"enabled": True, "algorithm": "RSA-OAEP"}),
    (("pushAuthorizationRequest", "requirePushAuthorizationRequest"), True),
    (("subject", "subjectType"), "pairwise"),
    (("isFAPIApplication",), True),
    (("scopeValidators",), ["Role based scope validator"]),
    (("validateRequestObjectSignature",), True),
]


async def test_unimplemented_settings_are_refused_naming_the_field(admin: Admin) -> None:
    _, url = await web_app(admin)
    before = (await admin.get(url)).json()
    for path, value in UNIMPLEMENTED:
        body = dict(before)
        target = body
        for key in path[:-1]:
            target[key] = dict(target.get(key) or {})
            target = target[key]
        target[path[-1]] = value
        response = await admin.put(url, json=body)
        assert response.status_code == 400, (path, response.text)
        error = response.json()
        assert error["code"] == "APP-60012" and path[0] in error["description"], path
    assert (await admin.get(url)).json() == before  # failed requests change nothing


BAD_VALUES: list[tuple[str, object, str]] = [
    ("callbackURLs", ["https://app.example.com/cb#frag"], "fragment"),
    ("callbackURLs", ["http://app.example.com/cb"], "loopback"),
    ("callbackURLs", ["/relative"], "absolute"),
    ("callbackURLs", ["javascript:alert(1)"], "scheme"),
    ("callbackURLs", ["regexp=(a+)+$"], "exponential"),
    ("callbackURLs", ["regexp=(https://a|https://b"], "regular expression"),
    ("callbackURLs", ["regexp=" + "a" * 2000], "longer"),
    ("callbackURLs", [], "callbackURLs"),
    ("allowedOrigins", ["https://app.example.com/path"], "origin"),
    ("grantTypes", ["urn:openid:params:grant-type:ciba"], "not supported"),
    ("grantTypes", [], "grantTypes"),
    ("accessToken", {"type": "Bearer"}, "accessToken.type"),
    ("accessToken", {"applicationAccessTokenExpiryInSeconds": 0}, "between"),
    ("idToken", {"idTokenSignedResponseAlg": "none"}, "RS256"),
    ("clientSecret", "attempt-to-set-a-secret-here", "regenerate-secret"),
    ("clientId", "another-client-id", "cannot be changed"),
    ("surprise", True, "surprise"),
    ("publicClient", "yes", "publicClient"),
]


async def test_bad_inbound_values(admin: Admin) -> None:
    _, url = await web_app(admin)
    before = (await admin.get(url)).json()
    for field, value, needle in BAD_VALUES:
        response = await admin.put(url, json={**before, field: value})
        assert response.status_code == 400, (field, value, response.text)
        assert needle in response.json()["description"], (field, value)
    assert (await admin.get(url)).json() == before


async def test_native_and_loopback_callbacks_are_accepted(admin: Admin) -> None:
    _, url = await web_app(admin)
    body = (await admin.get(url)).json()
    body["callbackURLs"] = [
        "com.example.app:/oauth2redirect",
        "http://127.0.0.1:8080/cb",
        "http://localhost/cb",
    ]
    assert (await admin.put(url, json=body)).status_code == 200


def test_regexp_callbacks_fullmatch() -> None:
    registered = ["regexp=(https://app\\.example\\.com/cb1|https://app\\.example\\.com/cb2)"]
    assert redirect_uri_allowed(registered, "https://app.example.com/cb1")
    assert not redirect_uri_allowed(registered, "https://app.example.com/cb1/evil")
    assert not redirect_uri_allowed(registered, "https://evil.com/?https://app.example.com/cb2")
    assert redirect_uri_allowed(["https://a.example/cb"], "https://a.example/cb")
    assert not redirect_uri_allowed(["https://a.example/cb"], "https://a.example/cb2")
    assert not redirect_uri_allowed(registered, "https://app.example.com/cb1" + "x" * 3000)


async def test_regenerate_secret_and_revoke(admin: Admin) -> None:
    created = await admin.create_app(name="rotating", templateId="m2m-application")
    app_id, client_id, old = created["id"], created["clientId"], created["clientSecret"]
    base = f"{APPS}/{app_id}/inbound-protocols/oidc"
    token = await client_token(admin.http, client_id, old, "")
    assert token.status_code == 200
    old_token = token.json()["access_token"]

    regenerated = await admin.post(f"{base}/regenerate-secret")
    assert regenerated.status_code == 200, regenerated.text
    new = regenerated.json()["clientSecret"]
    assert new and new != old and regenerated.json()["clientId"] == client_id
    assert "clientSecret" not in (await admin.get(base)).json()
    assert (await client_token(admin.http, client_id, old, "")).status_code == 401
    assert (await client_token(admin.http, client_id, new, "")).status_code == 200
    # Tokens issued under the old secret are invalid now.
    introspected = await admin.http.get(f"{APPS}", headers={"Authorization": f"Bearer {old_token}"})
    assert introspected.status_code == 401

    revoked = await admin.post(f"{base}/revoke")
    assert revoked.status_code == 200
    assert (await admin.get(base)).json()["state"] == "REVOKED"
    assert (await client_token(admin.http, client_id, new, "")).status_code in (400, 401)
    again = (await admin.post(f"{base}/regenerate-secret")).json()
    assert again["state"] == "ACTIVE"
    assert (await client_token(admin.http, client_id, again["clientSecret"], "")).status_code == 200


async def test_public_client_has_no_secret_to_regenerate(admin: Admin) -> None:
    created = await admin.create_app(
        name="spa",
        templateId="6a90e4b0-fbff-42d7-bfde-1efd98f07cd7",
        inboundProtocolConfiguration={
            "oidc": {"grantTypes": ["authorization_code"], "callbackURLs": ["https://spa.example"]}
        },
    )
    response = await admin.post(f"{APPS}/{created['id']}/inbound-protocols/oidc/regenerate-secret")
    assert response.status_code == 400 and response.json()["code"] == "APP-60013"


async def test_delete_and_recreate_inbound(admin: Admin) -> None:
    app_id, url = await web_app(admin)
    assert (await admin.delete(url)).status_code == 204
    assert (await admin.get(url)).status_code == 404
    assert (await admin.delete(url)).status_code == 404
    assert (await admin.get(f"{APPS}/{app_id}")).json()["inboundProtocols"] == []
    put = await admin.put(url, json={"grantTypes": ["client_credentials"], "callbackURLs": []})
    assert put.status_code == 200, put.text
    assert put.json()["clientSecret"]  # a new confidential inbound: its secret, shown once
    assert "clientSecret" not in (await admin.get(url)).json()


async def test_private_extras_stored_by_other_code_do_not_break_get(admin: Admin) -> None:
    app_id, url = await web_app(admin)
    state = admin.http._transport.app.state.runegate  # type: ignore[attr-defined]
    async with state.db.write() as session:
        app = await session.get(Application, app_id)
        assert app is not None
        app.oidc = {
            **app.oidc,
            "internalNote": 1,
            "accessToken": {**app.oidc["accessToken"], "x": 2},
        }
    response = await admin.get(url)
    assert response.status_code == 200, response.text
    assert "internalNote" not in response.json() and "x" not in response.json()["accessToken"]
