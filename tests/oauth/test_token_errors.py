"""Bad input at the token endpoint gets RFC 6749 §5.2 errors, never a 500."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import basic_auth
from tests.oauth.conftest import make_client
from tests.oauth.conftest import update_app

TOKEN = "/t/default/oauth2/token"
BOOT = basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
FORM = {"content-type": "application/x-www-form-urlencoded"}


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert isinstance(body["error_description"], str)
    assert response.headers["cache-control"] == "no-store"


async def test_missing_grant_type(client: httpx.AsyncClient) -> None:
    response = await client.post(TOKEN, data={"scope": "x"}, headers=BOOT)
    assert_oauth_error(response, 400, "invalid_request")


async def test_empty_body(client: httpx.AsyncClient) -> None:
    response = await client.post(TOKEN, content=b"", headers={**BOOT, **FORM})
    assert_oauth_error(response, 400, "invalid_request")


async def test_unknown_grant_type(client: httpx.AsyncClient) -> None:
    response = await client.post(TOKEN, data={"grant_type": "magic\u00e9"}, headers=BOOT)
    assert_oauth_error(response, 400, "unsupported_grant_type")


@pytest.mark.parametrize(
    "body",
    [
        b"grant_type=client_credentials&grant_type=client_credentials",
        b"grant_type=client_credentials&scope=a&scope=b",
        b"grant_type=client_credentials&scope=&scope=b",
    ],
)
async def test_duplicated_parameters(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post(TOKEN, content=body, headers={**BOOT, **FORM})
    assert_oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "text/plain", "multipart/form-data; boundary=x"],
)
async def test_wrong_content_type(client: httpx.AsyncClient, content_type: str | None) -> None:
    headers = dict(BOOT)
    if content_type:
        headers["content-type"] = content_type
    response = await client.post(
        TOKEN, content=b'{"grant_type":"client_credentials"}', headers=headers
    )
    assert_oauth_error(response, 400, "invalid_request")


async def test_form_with_charset_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN,
        content=b"grant_type=client_credentials",
        headers={**BOOT, "content-type": "application/x-www-form-urlencoded; charset=UTF-8"},
    )
    assert response.status_code == 200


async def test_non_utf8_body(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN, content=b"grant_type=client_credentials&scope=\xff\xfe", headers={**BOOT, **FORM}
    )
    assert_oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize(
    "header",
    [
        "Basic",
        "Basic !!!notbase64",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic " + base64.b64encode(b":secret-only").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
        "Bearer something",
        "Digest username=x",
    ],
)
async def test_malformed_basic_header(client: httpx.AsyncClient, header: str) -> None:
    response = await client.post(
        TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": header}
    )
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")


async def test_no_client_authentication(client: httpx.AsyncClient) -> None:
    response = await client.post(TOKEN, data={"grant_type": "client_credentials"})
    assert_oauth_error(response, 401, "invalid_client")


async def test_two_authentication_methods(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials", "client_secret": BOOT_CLIENT_SECRET},
        headers=BOOT,
    )
    assert_oauth_error(response, 400, "invalid_request")


async def test_basic_and_different_body_client_id(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN, data={"grant_type": "client_credentials", "client_id": "other"}, headers=BOOT
    )
    assert_oauth_error(response, 401, "invalid_client")


async def test_invalid_scope_characters(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN, data={"grant_type": "client_credentials", "scope": 'a "b'}, headers=BOOT
    )
    assert_oauth_error(response, 400, "invalid_scope")


async def test_get_is_method_not_allowed(client: httpx.AsyncClient) -> None:
    response = await client.get(TOKEN)
    assert response.status_code == 405
    assert "error" in response.json()


async def test_unknown_assertion_type(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:x",
            "client_assertion": "a.b.c",
        },
    )
    assert_oauth_error(response, 401, "invalid_client")


async def test_malformed_assertion(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": "not-a-jwt",
        },
    )
    assert_oauth_error(response, 401, "invalid_client")


async def test_public_client_refused_for_client_credentials(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    public = await make_client(app, "spa", public=True)
    response = await http.post(
        TOKEN, data={"grant_type": "client_credentials", "client_id": public.client_id}
    )
    assert_oauth_error(response, 400, "unauthorized_client")
    with_secret = await http.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers=basic_auth(public.client_id, "anything"),
    )
    assert_oauth_error(with_secret, 401, "invalid_client")


async def test_grant_not_enabled_for_client(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    web = await make_client(app, "webapp", grant_types=["authorization_code"])
    response = await http.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers=basic_auth(web.client_id, web.secret),
    )
    assert_oauth_error(response, 400, "unauthorized_client")


async def test_revoked_application_cannot_authenticate(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    m2m = await make_client(app, "m2m")
    await update_app(app, m2m, state="REVOKED")
    response = await http.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers=basic_auth(m2m.client_id, m2m.secret),
    )
    assert_oauth_error(response, 401, "invalid_client")
