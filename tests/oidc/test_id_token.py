"""ID tokens (OIDC Core §2, §3.1.3.6, §5.4) from the password grant, validated like a
client validates them: against the JWKS, with iss, aud, azp and at_hash."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from runegate.oauth.service import server_of
from tests.oauth.conftest import root_tenant
from tests.oidc.conftest import LOCAL
from tests.oidc.conftest import Admin
from tests.oidc.conftest import left_half_hash
from tests.oidc.conftest import oidc_app
from tests.oidc.conftest import profile_user
from tests.oidc.conftest import tokens
from tests.oidc.conftest import validate_id_token

PROTOCOL = {"iss", "aud", "azp", "iat", "nbf", "exp", "jti", "auth_time", "at_hash", "amr"}
ORG = {"org_id", "org_name"}


async def test_password_grant_id_token_defaults_to_sub_only(admin: Admin) -> None:
    app = await oidc_app(admin, "plain")
    user = await profile_user(admin, "ada")
    body = await tokens(admin, app, "ada", "openid profile email")
    header, claims = await validate_id_token(admin.http, body["id_token"], app["clientId"])
    assert header["typ"] == "JWT"
    assert claims["sub"] == user
    assert claims["aud"] == app["clientId"]
    assert claims["at_hash"] == left_half_hash(body["access_token"])
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["amr"] == ["pwd"] and "nonce" not in claims
    # Asgardeo's default: no user attribute without a claim configuration.
    assert set(claims) == PROTOCOL | ORG | {"sub"}


async def test_no_openid_scope_no_id_token(admin: Admin) -> None:
    app = await oidc_app(admin, "no-openid", claims=[f"{LOCAL}emailaddress"])
    await profile_user(admin, "bob")
    body = await tokens(admin, app, "bob", "profile email")
    assert "id_token" not in body


REQUESTED = [
    f"{LOCAL}emailaddress",
    "http://wso2.org/oidc/claim/given_name",
    "family_name",
    f"{LOCAL}mobile",
    f"{LOCAL}locality",
    "http://example.com/unknown",
]
# granted scopes -> the user claims released (requested AND covered by a scope)
MATRIX: list[tuple[str, dict[str, Any]]] = [
    ("openid", {}),
    ("openid email", {"email": "ada@example.com"}),
    ("openid profile", {"given_name": "Ada", "family_name": "Lovelace"}),
    ("openid phone", {"phone_number": "+44 20 7946 0000"}),
    (
        "openid address",
        {"address": {"locality": "London", "street_address": "12 St James's Sq", "country": "GB"}},
    ),
    (
        "openid email phone",
        {"email": "ada@example.com", "phone_number": "+44 20 7946 0000"},
    ),
]


async def test_claim_release_matrix(admin: Admin) -> None:
    app = await oidc_app(admin, "claims", claims=REQUESTED)
    await profile_user(admin, "ada")
    for scope, expected in MATRIX:
        body = await tokens(admin, app, "ada", scope)
        _, claims = await validate_id_token(admin.http, body["id_token"], app["clientId"])
        released = {k: v for k, v in claims.items() if k not in PROTOCOL | ORG | {"sub"}}
        assert released == expected, scope
    # Not requested (nickname, middle_name, locale): never released, whatever the scope.
    body = await tokens(admin, app, "ada", "openid profile email phone address")
    _, claims = await validate_id_token(admin.http, body["id_token"], app["clientId"])
    assert not {"nickname", "middle_name", "locale", "preferred_username"} & set(claims)


async def test_claim_configuration_change_applies_to_next_token(admin: Admin) -> None:
    app = await oidc_app(admin, "changing")
    await profile_user(admin, "fay")
    first = await tokens(admin, app, "fay", "openid email")
    _, claims = await validate_id_token(admin.http, first["id_token"], app["clientId"])
    assert "email" not in claims
    requested = [{"claim": {"uri": f"{LOCAL}emailaddress"}, "mandatory": True}]
    patch = {"claimConfiguration": {"dialect": "LOCAL", "requestedClaims": requested}}
    url = f"/t/default/api/server/v1/applications/{app['id']}"
    assert (await admin.call("PATCH", url, json=patch)).status_code == 200
    second = await tokens(admin, app, "fay", "openid email")
    _, claims = await validate_id_token(admin.http, second["id_token"], app["clientId"])
    assert claims["email"] == "ada@example.com"


async def test_missing_attribute_is_left_out(admin: Admin) -> None:
    app = await oidc_app(admin, "sparse", claims=[f"{LOCAL}emailaddress", f"{LOCAL}nickname"])
    await profile_user(admin, "cy", emails=[], nickName=None)
    body = await tokens(admin, app, "cy", "openid email profile")
    _, claims = await validate_id_token(admin.http, body["id_token"], app["clientId"])
    assert "email" not in claims and "nickname" not in claims


async def test_application_id_token_settings(admin: Admin) -> None:
    extra = "https://api.example.com"
    app = await oidc_app(
        admin, "es", expiryInSeconds=120, audience=[extra], idTokenSignedResponseAlg="ES256"
    )
    await profile_user(admin, "dee")
    body = await tokens(admin, app, "dee", "openid")
    header, claims = await validate_id_token(
        admin.http, body["id_token"], app["clientId"], alg="ES256"
    )
    assert header["alg"] == "ES256"
    assert claims["aud"] == [app["clientId"], extra]
    assert claims["exp"] - claims["iat"] == 120


async def test_issue_with_nonce_sid_and_auth_time(env: tuple[FastAPI, Admin]) -> None:
    """The function the authorization_code grant calls (signature documented there)."""
    fastapi_app, admin = env
    app = await oidc_app(admin, "direct", claims=[f"{LOCAL}emailaddress"])
    user = await profile_user(admin, "eve")
    server = server_of(fastapi_app.state.runegate)
    tenant = await root_tenant(fastapi_app)
    client = await server.clients.by_client_id(tenant.root_id, app["clientId"])
    assert client is not None
    token = await server.id_tokens.issue(
        tenant,
        client,
        user_id=user,
        scopes=["openid", "email"],
        access_token="an-access-token",
        nonce="n-0S6_WzA2Mj",
        auth_time=1_700_000_000,
        sid="session-1",
        code="a-code",
    )
    _, claims = await validate_id_token(admin.http, token, app["clientId"])
    assert claims["nonce"] == "n-0S6_WzA2Mj" and claims["sid"] == "session-1"
    assert claims["auth_time"] == 1_700_000_000
    assert claims["at_hash"] == left_half_hash("an-access-token")
    assert claims["c_hash"] == left_half_hash("a-code")
    assert claims["email"] == "ada@example.com" and claims["sub"] == user
