"""Back-channel logout (OIDC Back-Channel Logout 1.0) to a real HTTP receiver: a logout
token verified against the JWKS, sent to every application of the ended session that
registered `logout.backChannelLogoutUrl`, retried after a failure, after the user's
answer (never blocking it); on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from runegate.crypto import jwt
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.oidc.test_logout import LOGOUT
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import Admin
from tests.signin.conftest import Browser
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of

pytestmark = pytest.mark.storage
EVENT = "http://schemas.openid.net/event/backchannel-logout"
APPS = "/t/default/api/server/v1/applications"
BOUND = 15.0  # seconds: one failed attempt, then the 1 s retry, on a loaded machine


@dataclass
class Receiver:
    """A real HTTP server on a loopback port that records POSTed forms; the first
    `failures` requests of a path get 503."""

    port: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    received: list[tuple[str, dict[str, list[str]], str]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def posts(self, path: str) -> list[dict[str, list[str]]]:
        return [form for p, form, _ in self.received if p == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            ctype = self.headers.get("Content-Type", "")
            state.received.append((self.path, parse_qs(body), ctype))
            left = state.failures.get(self.path, 0)
            if left:
                state.failures[self.path] = left - 1
            self.send_response(503 if left else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
async def signin(make_app: AppFactory) -> AsyncIterator[Signin]:
    app, http = await make_app()
    scopes = f"{ADMIN_SCOPES} internal_user_mgt_update"
    ctx = Signin(app, Admin(http, bearer(await get_token(http, scopes))))
    yield ctx
    for client in ctx.browsers:
        await client.aclose()


async def app_with_backchannel(signin: Signin, name: str, url: str | None) -> dict[str, Any]:
    app = await signin.app_with_code(name, skip_consent=True)
    if url is not None:
        oidc = f"{APPS}/{app['id']}/inbound-protocols/oidc"
        config = (await signin.admin.call("GET", oidc)).json()
        config["logout"] = {"backChannelLogoutUrl": url}
        put = await signin.admin.call("PUT", oidc, json=config)
        assert put.status_code == 200, put.text
    return app


async def sign_in(signin: Signin, browser: Browser, app: dict[str, Any], user: str) -> str:
    verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge))
    if 'name="password"' in page.text:
        page = await browser.login(page, user)
    code = query_of(page)["code"]
    tokens = await signin.exchange(app, code, verifier)
    assert tokens.status_code == 200, tokens.text
    return str(tokens.json()["id_token"])


async def eventually(check: Any) -> None:
    deadline = time.monotonic() + BOUND
    while not check():
        assert time.monotonic() < deadline, "no back-channel logout in time"
        await asyncio.sleep(0.05)


async def verified(signin: Signin, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a logout token, its signature checked against the JWKS."""
    jwks = (await signin.admin.http.get("/t/default/oauth2/jwks")).json()
    return jwt.verify(token, jwt.keys_from_jwks(jwks), jwt.SUPPORTED_ALGORITHMS)


async def test_logout_notifies_every_application_of_the_session(
    signin: Signin, receiver: Receiver
) -> None:
    first = await app_with_backchannel(signin, "bc-first", receiver.url("/first"))
    second = await app_with_backchannel(signin, "bc-second", receiver.url("/second"))
    silent = await app_with_backchannel(signin, "bc-silent", None)
    elsewhere = await app_with_backchannel(signin, "bc-elsewhere", receiver.url("/elsewhere"))
    await signin.admin.user("bea")
    await signin.admin.user("otto")
    browser = signin.browser()
    id_token = await sign_in(signin, browser, first, "bea")
    await sign_in(signin, browser, second, "bea")  # SSO: no password again
    await sign_in(signin, browser, silent, "bea")
    await sign_in(signin, signin.browser(), elsewhere, "otto")  # another user's session
    receiver.failures["/second"] = 1  # the first delivery fails: it is retried
    hint_claims = (await verified(signin, id_token))[1]

    answer = await browser.http.get(LOGOUT, params={"id_token_hint": id_token})
    assert answer.status_code == 200 and "You are signed out" in answer.text

    await eventually(lambda: receiver.posts("/first") and len(receiver.posts("/second")) == 2)
    for path, app in (("/first", first), ("/second", second)):
        form = receiver.posts(path)[-1]
        assert list(form) == ["logout_token"]
        header, claims = await verified(signin, form["logout_token"][0])
        assert header["typ"] == "logout+jwt" and header["kid"]
        assert claims["iss"] == hint_claims["iss"]
        assert claims["aud"] == app["clientId"]
        assert claims["sub"] == hint_claims["sub"] and claims["sid"] == hint_claims["sid"]
        assert claims["events"] == {EVENT: {}}
        assert "nonce" not in claims
        assert claims["iat"] <= time.time() + 5 and claims["jti"]
    retried = [f["logout_token"][0] for f in receiver.posts("/second")]
    jtis = {(await verified(signin, token))[1]["jti"] for token in retried}
    assert len(jtis) == 1  # the retry carries the same jti, so receivers can ignore repeats
    assert all(ctype == "application/x-www-form-urlencoded" for _, _, ctype in receiver.received)
    assert receiver.posts("/elsewhere") == []  # otto's session did not end


async def test_disabling_a_user_notifies_and_an_unreachable_receiver_never_blocks(
    signin: Signin, receiver: Receiver
) -> None:
    # Nothing listens on the dead URL's port: deliveries fail in the background.
    dead = await app_with_backchannel(signin, "bc-dead", "http://127.0.0.1:9/gone")
    live = await app_with_backchannel(signin, "bc-live", receiver.url("/live"))
    uid = await signin.admin.user("dora")
    browser = signin.browser()
    await sign_in(signin, browser, dead, "dora")
    id_token = await sign_in(signin, browser, live, "dora")
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    disabled = await signin.admin.call("PATCH", f"/t/default/scim2/Users/{uid}", json=patch)
    assert disabled.status_code == 200, disabled.text
    await eventually(lambda: receiver.posts("/live"))
    claims = (await verified(signin, receiver.posts("/live")[0]["logout_token"][0]))[1]
    assert claims["sub"] == uid and claims["sid"] == (await verified(signin, id_token))[1]["sid"]
