"""Against a live server: a burst of password logins meets the bounded verification pool
(one thread, two waiting) and is partly refused with 503 + Retry-After, while
client_credentials requests sent during the burst all succeed (issue 9 item 4)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.live.server import free_port
from tests.live.server import live_server

BOOT = (BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
PASSWORD = "Quick-Passw0rd"
LOGINS, TOKENS, ROUNDS = 40, 20, 5
ADMIN_SCOPES = "internal_user_mgt_create internal_application_mgt_create"


async def _setup(http: httpx.AsyncClient) -> dict[str, Any]:
    got = await http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "client_credentials", "scope": ADMIN_SCOPES},
        auth=BOOT,
    )
    headers = {"Authorization": f"Bearer {got.json()['access_token']}"}
    user = await http.post(
        "/t/default/scim2/Users",
        json={"userName": "burst", "password": PASSWORD},
        headers=headers,
    )
    assert user.status_code == 201, user.text
    body = {
        "name": "burst-app",
        "inboundProtocolConfiguration": {"oidc": {"grantTypes": ["password"]}},
    }
    app = await http.post("/t/default/api/server/v1/applications", json=body, headers=headers)
    assert app.status_code == 201, app.text
    return dict(app.json())


async def _round(
    http: httpx.AsyncClient, app: dict[str, Any]
) -> tuple[list[httpx.Response], list[httpx.Response]]:
    creds = (app["clientId"], app["clientSecret"])
    logins = [
        http.post(
            "/t/default/oauth2/token",
            data={"grant_type": "password", "username": "burst", "password": PASSWORD},
            auth=creds,
        )
        for _ in range(LOGINS)
    ]
    tokens = [
        http.post("/t/default/oauth2/token", data={"grant_type": "client_credentials"}, auth=BOOT)
        for _ in range(TOKENS)
    ]
    done = await asyncio.gather(*logins, *tokens)
    return list(done[:LOGINS]), list(done[LOGINS:])


async def test_logins_burst_does_not_starve_client_credentials(
    database_url: str, tmp_path: Path
) -> None:
    env = {"RUNEGATE_PASSWORD_VERIFY_THREADS": "1", "RUNEGATE_PASSWORD_VERIFY_QUEUE": "2"}
    with live_server(database_url, tmp_path, port=free_port(), **env) as (base, _proc):
        limits = httpx.Limits(max_connections=LOGINS + TOKENS)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
            app = await _setup(http)
            refused: list[httpx.Response] = []
            signed_in = tokens_ok = 0
            for _ in range(ROUNDS):  # bounded: until a burst overflows the pool
                logins, tokens = await _round(http, app)
                assert [t.status_code for t in tokens] == [200] * TOKENS
                tokens_ok += len(tokens)
                assert {r.status_code for r in logins} <= {200, 503}
                signed_in += sum(r.status_code == 200 for r in logins)
                refused += [r for r in logins if r.status_code == 503]
                if refused:
                    break
    assert refused, "no login was refused: the pool did not bound the burst"
    assert signed_in > 0 and tokens_ok >= TOKENS
    body = refused[0].json()
    assert body["error"] == "temporarily_unavailable", body
    assert refused[0].headers["retry-after"] == "1"
    assert refused[0].headers["cache-control"] == "no-store"
