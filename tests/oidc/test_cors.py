"""CORS on token, userinfo, revoke (the applications' allowedOrigins), JWKS and
discovery (any origin); preflights; nothing for other origins or other endpoints."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from runegate.oauth.app_defaults import default_oidc
from runegate.storage import changes
from runegate.storage.models.application import Application
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.service import provision_org
from tests.conftest import basic_auth
from tests.oidc.conftest import Admin
from tests.oidc.conftest import oidc_app
from tests.oidc.conftest import profile_user
from tests.oidc.conftest import tokens
from tests.oidc.conftest import update_oidc

SPA = "https://spa.example.com"
OTHER = "https://evil.example.net"
TOKEN = "/t/default/oauth2/token"
ACAO = "access-control-allow-origin"


def preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def _spa_app(admin: Admin, name: str = "spa") -> dict[str, Any]:
    app = await oidc_app(admin, name)
    await update_oidc(admin, app, allowedOrigins=[SPA + "/"])
    await profile_user(admin, f"{name}-user")
    return app


def _allowed(response: httpx.Response, origin: str) -> None:
    assert response.headers[ACAO] == origin
    assert "origin" in response.headers["vary"].lower()
    assert "www-authenticate" in response.headers["access-control-expose-headers"].lower()


async def test_allowed_origin_on_token_userinfo_revoke(admin: Admin) -> None:
    app = await _spa_app(admin)
    form = {"grant_type": "password", "username": "spa-user", "password": "Secret-Passw0rd"}
    auth = basic_auth(app["clientId"], app["clientSecret"])
    issued = await admin.http.post(
        TOKEN, data={**form, "scope": "openid"}, headers={**auth, "Origin": SPA}
    )
    assert issued.status_code == 200
    _allowed(issued, SPA)
    # Error answers carry the headers too, so the application can read them.
    failed = await admin.http.post(TOKEN, data={"grant_type": "password"}, headers={"Origin": SPA})
    assert failed.status_code == 401
    _allowed(failed, SPA)
    access = issued.json()["access_token"]
    headers = {"Authorization": f"Bearer {access}", "Origin": SPA}
    info = await admin.http.get("/t/default/oauth2/userinfo", headers=headers)
    assert info.status_code == 200
    _allowed(info, SPA)
    revoke = await admin.http.post(
        "/t/default/oauth2/revoke", data={"token": access}, headers={**auth, "Origin": SPA}
    )
    _allowed(revoke, SPA)


async def test_unknown_origin_gets_no_cors_headers(admin: Admin) -> None:
    app = await _spa_app(admin)
    body = await tokens(admin, app, "spa-user", "openid")
    for origin in (OTHER, "null", "https://spa.example.com.evil.net", "http://spa.example.com"):
        response = await admin.http.get(
            "/t/default/oauth2/userinfo",
            headers={"Authorization": f"Bearer {body['access_token']}", "Origin": origin},
        )
        assert response.status_code == 200
        assert ACAO not in response.headers and "origin" in response.headers["vary"].lower()
        denied = await admin.http.options(TOKEN, headers=preflight(origin))
        assert denied.status_code == 403 and ACAO not in denied.headers
    # Not a CORS endpoint: introspection is for confidential servers.
    introspect = await admin.http.post(
        "/t/default/oauth2/introspect",
        data={"token": body["access_token"]},
        headers={**basic_auth(app["clientId"], app["clientSecret"]), "Origin": SPA},
    )
    assert introspect.status_code == 200 and ACAO not in introspect.headers


async def test_preflight(admin: Admin) -> None:
    await _spa_app(admin)
    response = await admin.http.options(TOKEN, headers=preflight(SPA))
    assert response.status_code == 204
    assert response.headers[ACAO] == SPA
    assert response.headers["access-control-allow-methods"] == "POST"
    assert response.headers["access-control-allow-headers"] == "Authorization, Content-Type"
    assert int(response.headers["access-control-max-age"]) > 0
    assert "origin" in response.headers["vary"].lower()
    info = await admin.http.options("/t/default/oauth2/userinfo", headers=preflight(SPA, "GET"))
    assert info.status_code == 204 and info.headers["access-control-allow-methods"] == "GET, POST"
    wrong_method = await admin.http.options(TOKEN, headers=preflight(SPA, "DELETE"))
    assert wrong_method.status_code == 403 and ACAO not in wrong_method.headers


async def test_origin_removed_takes_effect(admin: Admin) -> None:
    app = await _spa_app(admin)
    assert (await admin.http.options(TOKEN, headers=preflight(SPA))).status_code == 204
    await update_oidc(admin, app, allowedOrigins=[])
    assert (await admin.http.options(TOKEN, headers=preflight(SPA))).status_code == 403


async def test_public_documents_allow_any_origin(admin: Admin) -> None:
    for path in (
        "/t/default/oauth2/jwks",
        "/t/default/oauth2/token/.well-known/openid-configuration",
    ):
        response = await admin.http.get(path, headers={"Origin": OTHER})
        assert response.status_code == 200 and response.headers[ACAO] == "*"
        options = await admin.http.options(path, headers=preflight(OTHER, "GET"))
        assert options.status_code == 204 and options.headers[ACAO] == "*"
    unknown_org = await admin.http.options("/t/nosuchorg/oauth2/token", headers=preflight(SPA))
    assert ACAO not in unknown_org.headers


async def test_origins_are_per_organization(env: tuple[FastAPI, Admin]) -> None:
    app, admin = env
    await _spa_app(admin)
    state = app.state.runegate
    async with state.db.write() as session:
        other = (await provision_org(session, "other", base_url="http://testserver")).tenant
        oidc = default_oidc(["client_credentials"])
        oidc["allowedOrigins"] = [OTHER]
        row = Application(name="other-spa", client_id="other-spa-client", oidc=oidc)
        await ApplicationRepository(session, tenant=other).add(row)
        await changes.bump(session)
    state.caches.invalidate()
    default_token, other_token = "/t/default/oauth2/token", "/t/other/oauth2/token"
    assert (await admin.http.options(other_token, headers=preflight(OTHER))).status_code == 204
    assert (await admin.http.options(other_token, headers=preflight(SPA))).status_code == 403
    assert (await admin.http.options(default_token, headers=preflight(OTHER))).status_code == 403
    assert (await admin.http.options(default_token, headers=preflight(SPA))).status_code == 204
