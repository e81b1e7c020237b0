"""Against a real `runegate serve` over TCP: password grant with openid, the ID token
validated against the served JWKS, userinfo and CORS as a browser application sees them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.live.server import free_port
from tests.live.server import live_server
from tests.oidc.conftest import LOCAL
from tests.oidc.conftest import PASSWORD
from tests.oidc.conftest import PROFILE
from tests.oidc.conftest import left_half_hash

pytestmark = pytest.mark.slow  # starts a server; runs once in CI (`make test`)
SPA = "https://spa.example.com"
SCOPES = "internal_user_mgt_create internal_application_mgt_create internal_application_mgt_view"
SCOPES += " internal_application_mgt_update"


def _admin(http: httpx.Client) -> dict[str, str]:
    response = http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "client_credentials", "scope": SCOPES},
        auth=(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _spa_app(http: httpx.Client, admin: dict[str, str]) -> tuple[str, str]:
    apps = "/t/default/api/server/v1/applications"
    body = {
        "name": "live-spa",
        "inboundProtocolConfiguration": {"oidc": {"grantTypes": ["password"]}},
        "claimConfiguration": {"requestedClaims": [{"claim": {"uri": f"{LOCAL}emailaddress"}}]},
    }
    created = http.post(apps, json=body, headers=admin)
    assert created.status_code == 201, created.text
    app = created.json()
    url = f"{apps}/{app['id']}/inbound-protocols/oidc"
    config = http.get(url, headers=admin).json()
    updated = http.put(url, json={**config, "allowedOrigins": [SPA]}, headers=admin)
    assert updated.status_code == 200, updated.text
    return app["clientId"], app["clientSecret"]


def test_sign_in_with_password_grant_over_tcp(tmp_path: Path) -> None:
    port = free_port(24310, 24340)
    with live_server(f"sqlite:///{tmp_path}/live.db", tmp_path, port=port) as (base, _proc):
        http = httpx.Client(base_url=base, timeout=10)
        admin = _admin(http)
        user = http.post(
            "/t/default/scim2/Users",
            json={"userName": "ada", "password": PASSWORD, **PROFILE},
            headers=admin,
        )
        assert user.status_code == 201, user.text
        client_id, secret = _spa_app(http, admin)
        issued = http.post(
            "/t/default/oauth2/token",
            data={
                "grant_type": "password",
                "username": "ada",
                "password": PASSWORD,
                "scope": "openid email",
            },
            auth=(client_id, secret),
            headers={"Origin": SPA},
        )
        assert issued.status_code == 200, issued.text
        assert issued.headers["access-control-allow-origin"] == SPA
        body = issued.json()
        jwks = http.get("/t/default/oauth2/jwks", headers={"Origin": SPA})
        assert jwks.headers["access-control-allow-origin"] == "*"
        claims = jwt.decode(
            body["id_token"], KeySet.import_key_set(jwks.json()), algorithms=["RS256"]
        ).claims
        assert claims["iss"] == f"{base}/t/default/oauth2/token"
        assert claims["aud"] == client_id and claims["sub"] == user.json()["id"]
        assert claims["at_hash"] == left_half_hash(body["access_token"])
        assert claims["email"] == "ada@example.com"
        info = http.get(
            "/t/default/oauth2/userinfo",
            headers={"Authorization": f"Bearer {body['access_token']}", "Origin": SPA},
        )
        assert info.status_code == 200, info.text
        assert info.json() == {"sub": claims["sub"], "email": "ada@example.com"}
        assert info.headers["access-control-allow-origin"] == SPA
