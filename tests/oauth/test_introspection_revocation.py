"""Introspection (RFC 7662) and revocation (RFC 7009) over real HTTP."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import httpx
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from runegate.oauth.housekeeping import purge
from runegate.oauth.tokens import mint_user_access_token
from runegate.oauth.tokens import mint_user_token
from runegate.storage.models.token import IssuedToken
from runegate.storage.models.token import RevokedJti
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import basic_auth
from tests.oauth.conftest import Client
from tests.oauth.conftest import make_client
from tests.oauth.conftest import root_tenant
from tests.oauth.conftest import server_of
from tests.oauth.conftest import state_of

INTROSPECT = "/t/default/oauth2/introspect"
REVOKE = "/t/default/oauth2/revoke"
BOOT = basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)


async def mint(http: httpx.AsyncClient, client: Client, scope: str = "") -> str:
    data = {"grant_type": "client_credentials", "scope": scope}
    response = await http.post(
        "/t/default/oauth2/token", data=data, headers=basic_auth(client.client_id, client.secret)
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def test_introspection_of_active_opaque_token(client: httpx.AsyncClient) -> None:
    token = await client.post(
        "/t/default/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "internal_application_mgt_view"},
        headers=BOOT,
    )
    raw = token.json()["access_token"]
    response = await client.post(INTROSPECT, data={"token": raw}, headers=BOOT)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["active"] is True
    assert body["scope"] == "internal_application_mgt_view"
    assert body["client_id"] == BOOT_CLIENT_ID == body["sub"]
    assert body["aud"][0] == BOOT_CLIENT_ID
    assert len(body["aud"]) == 2  # the client and the system API of the granted scope
    assert body["token_type"] == "Bearer"
    assert body["iss"] == "http://testserver/t/default/oauth2/token"
    assert body["exp"] - body["iat"] == 3600
    assert body["nbf"] == body["iat"]
    assert len(body["jti"]) == 32


async def test_introspection_requires_client_authentication(client: httpx.AsyncClient) -> None:
    response = await client.post(INTROSPECT, data={"token": "x"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    wrong = await client.post(INTROSPECT, data={"token": "x"}, headers=basic_auth("a", "b"))
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Basic")
    missing = await client.post(INTROSPECT, data={}, headers=BOOT)
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


async def test_unknown_and_expired_tokens_are_inactive(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    m2m = await make_client(app, "exp")
    raw = await mint(http, m2m)
    unknown = await http.post(INTROSPECT, data={"token": "nope" * 10}, headers=BOOT)
    assert unknown.json() == {"active": False}
    async with state_of(app).db.write() as session:
        await session.execute(
            update(IssuedToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=5))
        )
    expired = await http.post(INTROSPECT, data={"token": raw}, headers=BOOT)
    assert expired.json() == {"active": False}
    report = await purge(state_of(app).db)
    assert report.tokens >= 1


async def test_revocation_of_opaque_token(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    owner = await make_client(app, "owner")
    other = await make_client(app, "other")
    raw = await mint(http, owner)
    # Another client cannot revoke it (RFC 7009 §2.1); the answer is still 200.
    foreign = await http.post(
        REVOKE, data={"token": raw}, headers=basic_auth(other.client_id, other.secret)
    )
    assert foreign.status_code == 200
    assert (await http.post(INTROSPECT, data={"token": raw}, headers=BOOT)).json()["active"]
    mine = basic_auth(owner.client_id, owner.secret)
    done = await http.post(
        REVOKE, data={"token": raw, "token_type_hint": "access_token"}, headers=mine
    )
    assert done.status_code == 200
    assert done.headers["cache-control"] == "no-store"
    assert (await http.post(INTROSPECT, data={"token": raw}, headers=BOOT)).json() == {
        "active": False
    }
    tenant = await root_tenant(app)
    try:
        await state_of(app).token_verifier.verify(tenant, raw)
    except Exception as exc:
        assert type(exc).__name__ == "InvalidToken"
    else:
        raise AssertionError("revoked token verified")
    unknown = await http.post(REVOKE, data={"token": "unknown-token"}, headers=mine)
    assert unknown.status_code == 200


async def test_revocation_errors(client: httpx.AsyncClient) -> None:
    missing = await client.post(REVOKE, data={}, headers=BOOT)
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"
    hint = await client.post(
        REVOKE, data={"token": "x", "token_type_hint": "id_token"}, headers=BOOT
    )
    assert hint.status_code == 400
    assert hint.json()["error"] == "unsupported_token_type"
    unauthenticated = await client.post(REVOKE, data={"token": "x"})
    assert unauthenticated.status_code == 401


async def test_revoked_jwt_goes_on_the_deny_list(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    client = await make_client(app, "jwtrev", access_token={"type": "JWT"})
    raw = await mint(http, client)
    assert (await http.post(INTROSPECT, data={"token": raw}, headers=BOOT)).json()["active"]
    await http.post(
        REVOKE, data={"token": raw}, headers=basic_auth(client.client_id, client.secret)
    )
    assert (await http.post(INTROSPECT, data={"token": raw}, headers=BOOT)).json() == {
        "active": False
    }
    async with state_of(app).db.read() as session:
        denied = await session.scalar(select(func.count()).select_from(RevokedJti))
    assert denied == 1


async def test_public_client_revokes_with_client_id(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    spa = await make_client(app, "spa", public=True, grant_types=["authorization_code"])
    response = await http.post(REVOKE, data={"token": "whatever", "client_id": spa.client_id})
    assert response.status_code == 200


async def test_minted_user_token(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    server = server_of(state_of(app))
    tenant = await root_tenant(app)
    record = await server.clients.by_client_id(tenant.root_id, BOOT_CLIENT_ID)
    assert record is not None
    issued = await mint_user_access_token(
        server.issuer, tenant, record, user_id="user-123", scopes=["internal_login"]
    )
    raw = await mint_user_token(
        state_of(app), tenant, client_id=BOOT_CLIENT_ID, user_id="u2", scopes=["a", "b"]
    )
    assert (await state_of(app).token_verifier.verify(tenant, raw)).scopes == {"a", "b"}
    access = await state_of(app).token_verifier.verify(tenant, issued.access_token)
    assert access.subject_type == "user"
    assert access.user_id == "user-123" == access.subject
    assert access.scopes == frozenset({"internal_login"})
    body = (await http.post(INTROSPECT, data={"token": issued.access_token}, headers=BOOT)).json()
    assert body["sub"] == "user-123"
