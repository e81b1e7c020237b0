"""UserInfo (OIDC Core §5.3, RFC 6750 §2-§3): the same claims as the ID token, for a
user access token carrying openid; every error answer."""

from __future__ import annotations

import httpx

from tests.conftest import bearer
from tests.conftest import get_token
from tests.oidc.conftest import LOCAL
from tests.oidc.conftest import Admin
from tests.oidc.conftest import oidc_app
from tests.oidc.conftest import profile_user
from tests.oidc.conftest import tokens
from tests.oidc.conftest import update_oidc
from tests.oidc.conftest import validate_id_token

URL = "/t/default/oauth2/userinfo"
CLAIMS = [f"{LOCAL}emailaddress", f"{LOCAL}givenname", f"{LOCAL}mobile"]


def _challenge(response: httpx.Response, status: int, error: str | None) -> str:
    assert response.status_code == status, response.text
    header = response.headers["www-authenticate"]
    assert header.startswith("Bearer")
    assert (f'error="{error}"' in header) if error else ("error=" not in header)
    assert response.headers["cache-control"] == "no-store"
    return header


async def test_userinfo_matches_id_token(admin: Admin) -> None:
    app = await oidc_app(admin, "ui", claims=CLAIMS)
    user = await profile_user(admin, "ada")
    body = await tokens(admin, app, "ada", "openid email profile")
    _, id_claims = await validate_id_token(admin.http, body["id_token"], app["clientId"])
    response = await admin.http.get(URL, headers=bearer(body["access_token"]))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    info = response.json()
    assert info == {"sub": user, "email": "ada@example.com", "given_name": "Ada"}
    assert {k: id_claims[k] for k in info} == info
    posted = await admin.http.post(URL, headers=bearer(body["access_token"]))
    assert posted.json() == info
    # RFC 6750 §2.2: the token in a form-encoded body.
    form = await admin.http.post(URL, data={"access_token": body["access_token"]})
    assert form.status_code == 200 and form.json() == info


async def test_userinfo_with_jwt_access_token_and_default_claims(admin: Admin) -> None:
    app = await oidc_app(admin, "jwt-ui")
    await update_oidc(admin, app, accessToken={"type": "JWT"})
    user = await profile_user(admin, "bo")
    body = await tokens(admin, app, "bo", "openid profile email")
    assert body["access_token"].count(".") == 2
    response = await admin.http.get(URL, headers=bearer(body["access_token"]))
    assert response.status_code == 200, response.text
    assert response.json() == {"sub": user}  # Asgardeo's default: only sub


async def test_userinfo_errors(admin: Admin) -> None:
    app = await oidc_app(admin, "ui-errors", claims=CLAIMS)
    await profile_user(admin, "cy")
    _challenge(await admin.http.get(URL), 401, None)
    _challenge(await admin.http.post(URL, json={"access_token": "x"}), 401, None)
    bad = await admin.http.get(URL, headers=bearer("not-a-real-token"))
    assert _challenge(bad, 401, "invalid_token") and bad.json()["error"] == "invalid_token"
    malformed = await admin.http.get(URL, headers={"Authorization": "Basic abc"})
    _challenge(malformed, 401, "invalid_request")
    app_token = await get_token(admin.http, "internal_login openid")
    refused = await admin.http.get(URL, headers=bearer(app_token))
    _challenge(refused, 401, "invalid_token")
    no_openid = await tokens(admin, app, "cy", "email profile")
    forbidden = await admin.http.get(URL, headers=bearer(no_openid["access_token"]))
    header = _challenge(forbidden, 403, "insufficient_scope")
    assert 'scope="openid"' in header and forbidden.json()["error"] == "insufficient_scope"
    good = (await tokens(admin, app, "cy", "openid"))["access_token"]
    twice = await admin.http.post(URL, headers=bearer(good), data={"access_token": good})
    assert twice.status_code == 400 and twice.json()["error"] == "invalid_request"


async def test_revoked_token_is_refused(admin: Admin) -> None:
    app = await oidc_app(admin, "ui-revoke")
    await profile_user(admin, "di")
    access = (await tokens(admin, app, "di", "openid"))["access_token"]
    revoke = await admin.http.post(
        "/t/default/oauth2/revoke",
        data={"token": access},
        auth=(app["clientId"], app["clientSecret"]),
    )
    assert revoke.status_code == 200
    _challenge(await admin.http.get(URL, headers=bearer(access)), 401, "invalid_token")
