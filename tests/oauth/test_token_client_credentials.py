"""client_credentials at the real token endpoint (RFC 6749 §4.4, CONTRACT §4.3/§4.7)."""

from __future__ import annotations

import httpx

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token

TOKEN = "/t/default/oauth2/token"


async def test_basic_auth_grants_requested_authorized_scopes(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials", "scope": "internal_application_mgt_view nope"},
        headers=basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["access_token", "scope", "token_type", "expires_in"]
    assert body["scope"] == "internal_application_mgt_view"
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"


async def test_client_secret_post(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": BOOT_CLIENT_ID,
            "client_secret": BOOT_CLIENT_SECRET,
            "scope": "internal_application_mgt_view",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == "internal_application_mgt_view"


async def test_no_scope_requested_has_no_scope_member(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers=basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
    )
    assert response.status_code == 200
    assert "scope" not in response.json()
    only_unknown = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials", "scope": "unknown_scope"},
        headers=basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
    )
    assert only_unknown.status_code == 200
    assert "scope" not in only_unknown.json()


async def test_wrong_secret_is_401_with_basic_challenge(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers=basic_auth(BOOT_CLIENT_ID, "wrong"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")
    unknown = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers=basic_auth("nobody", BOOT_CLIENT_SECRET),
    )
    assert unknown.status_code == 401
    assert unknown.json()["error"] == "invalid_client"


async def test_wrong_secret_over_post_is_invalid_client(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": BOOT_CLIENT_ID,
            "client_secret": "wrong",
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "www-authenticate" not in response.headers


async def test_token_verifies_on_protected_routes(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    token = await get_token(http, "internal_application_mgt_view")
    tenant = app.state.runegate.tenants.get("default")
    assert tenant is not None
    access = await app.state.runegate.token_verifier.verify(tenant, token)
    assert access.client_id == BOOT_CLIENT_ID
    assert access.scopes == frozenset({"internal_application_mgt_view"})
    assert access.subject == BOOT_CLIENT_ID
    assert access.subject_type == "application"
    assert bearer(token)["Authorization"].endswith(token)


async def test_basic_credentials_form_encoded_or_raw(make_app) -> None:  # type: ignore[no-untyped-def]
    """RFC 6749 §2.3.1 form-encodes id and secret inside Basic; raw values work too."""
    import base64
    from urllib.parse import quote_plus

    from runegate.crypto.hashing import keyed_hash
    from tests.conftest import SECRET_KEY
    from tests.oauth.conftest import make_client
    from tests.oauth.conftest import update_app

    app, http = await make_app()
    m2m = await make_client(app, "enc")
    secret = "s3cret+with/odd=chars&more"
    await update_app(app, m2m, client_secret_hash=keyed_hash(SECRET_KEY.encode(), secret))
    for value in (secret, quote_plus(secret)):
        raw = base64.b64encode(f"{m2m.client_id}:{value}".encode()).decode()
        response = await http.post(
            TOKEN,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {raw}"},
        )
        assert response.status_code == 200, (value, response.text)
