"""Refresh tokens from the authorization code grant: issued when the app lists
`refresh_token`, the refreshed ID token keeps `sid` and `auth_time` (OIDC Core §12.2),
and a replayed code revokes the refresh token with the rest of its grant."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.conftest import basic_auth
from tests.signin.conftest import TOKEN
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of


def claims(id_token: str) -> dict[str, Any]:
    payload = id_token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def test_code_grant_refresh_keeps_session_and_replay_revokes(signin: Signin) -> None:
    app = await signin.app_with_code(
        "web-rt", grants=["authorization_code", "refresh_token"], skip_consent=True
    )
    await signin.admin.user("rhea")
    browser = signin.browser()
    verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge, nonce="n-1"))
    code = query_of(await browser.login(page, "rhea"))["code"]
    first = (await signin.exchange(app, code, verifier)).json()
    assert first["refresh_token"]
    refreshed = await signin.admin.http.post(
        TOKEN,
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    assert refreshed.status_code == 200, refreshed.text
    before, after = claims(first["id_token"]), claims(refreshed.json()["id_token"])
    assert after["sid"] == before["sid"] and after["auth_time"] == before["auth_time"]
    assert "nonce" not in after
    replay = await signin.exchange(app, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    newest = refreshed.json()["refresh_token"]
    assert (await signin.introspect(app, newest)) == {"active": False}
