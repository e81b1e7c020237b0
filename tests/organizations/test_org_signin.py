"""Browser sign-in to a sub-organization through a shared application:
`/t/{root}/oauth2/authorize?...&fidp=OrganizationSSO&orgId=...` (web/org_signin.py).

The hosted login page authenticates a user of that organization only; the code,
exchanged at the root's token endpoint, gives tokens acting in the organization with the
scopes of the user's roles there; SSO sessions never cross organizations; unknown,
disabled and unshared organizations are refused at the redirect URI."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx

from tests.conftest import BASE_URL
from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token
from tests.organizations.conftest import ADMIN_PASSWORD
from tests.organizations.conftest import ADMIN_USER
from tests.organizations.conftest import ORG_SCOPES
from tests.organizations.conftest import OrgAdmin
from tests.organizations.conftest import b2b_app
from tests.organizations.conftest import switch
from tests.organizations.conftest import user_token
from tests.signin.conftest import CALLBACK
from tests.signin.conftest import Browser
from tests.signin.conftest import code_params
from tests.signin.conftest import hidden_form
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of

ROLE = "urn:ietf:params:scim:schemas:extension:2.0:Role"
PASSWORD = "Wonder-Land-42x"
SCOPE = "openid internal_org_user_mgt_list"
SSO = "OrganizationSSO"


def claims_of(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


class Setup:
    def __init__(self, fastapi: Any, http: httpx.AsyncClient) -> None:
        self.fastapi = fastapi
        self.http = http
        self.browsers: list[httpx.AsyncClient] = []

    def browser(self) -> Browser:
        transport = httpx.ASGITransport(app=self.fastapi, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        self.browsers.append(client)
        return Browser(client)

    async def exchange(self, code: str, verifier: str) -> httpx.Response:
        return await self.http.post(
            "/t/default/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "code_verifier": verifier,
            },
            headers=basic_auth(self.app["clientId"], self.app["clientSecret"]),
        )

    async def introspect(self, token: str) -> dict[str, Any]:
        answer = await self.http.post(
            "/t/default/oauth2/introspect",
            data={"token": token},
            headers=basic_auth(self.app["clientId"], self.app["clientSecret"]),
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def add_user(self, org_id: str, username: str, *scopes: str) -> str:
        """A user of `org_id` (through `/o/scim2/Users`), with a role carrying `scopes`."""
        root = await user_token(self.http, self.app, ADMIN_USER, ADMIN_PASSWORD)
        switched = await switch(self.http, self.app, root, org_id)
        assert switched.status_code == 200, switched.text
        admin = bearer(switched.json()["access_token"])
        made = await self.http.post(
            "/t/default/o/scim2/Users",
            json={"userName": username, "password": PASSWORD},
            headers=admin,
        )
        assert made.status_code == 201, made.text
        if scopes:
            role = await self.http.post(
                "/t/default/o/scim2/v2/Roles",
                json={
                    "schemas": [ROLE],
                    "displayName": f"{username}-role",
                    "permissions": [{"value": s} for s in scopes],
                    "users": [{"value": made.json()["id"]}],
                },
                headers=admin,
            )
            assert role.status_code == 201, role.text
        return str(made.json()["id"])

    app: dict[str, Any]
    orgs: OrgAdmin
    customer: dict[str, Any]
    other: dict[str, Any]
    unshared: dict[str, Any]


async def setup(make_app: AppFactory, *, skip_consent: bool = True) -> Setup:
    fastapi, http = await make_app()
    s = Setup(fastapi, http)
    s.orgs = OrgAdmin(http, await get_token(http, ORG_SCOPES))
    s.customer = await s.orgs.create_org("customer")
    s.other = await s.orgs.create_org("other-customer")
    s.unshared = await s.orgs.create_org("unshared")
    s.app = await b2b_app(
        s.orgs,
        inboundProtocolConfiguration={
            "oidc": {
                "grantTypes": [
                    "authorization_code",
                    "refresh_token",
                    "password",
                    "organization_switch",
                ],
                "callbackURLs": [CALLBACK],
                "accessToken": {"type": "JWT"},
            }
        },
        advancedConfigurations={"skipLoginConsent": skip_consent},
    )
    share = f"/t/default/api/server/v1/applications/{s.app['id']}/share"
    ids = [s.customer["id"], s.other["id"]]
    assert (await s.orgs.post(share, json={"sharedOrganizations": ids})).status_code == 200
    return s


async def sign_in(
    s: Setup, browser: Browser, user: str, password: str = PASSWORD, **extra: str
) -> tuple[httpx.Response, str]:
    """The authorize request, then the login form; returns the last answer and verifier."""
    verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(s.app, challenge, scope=SCOPE, **extra))
    assert page.status_code == 200, page.text
    return await browser.login(page, user, password), verifier


async def test_sub_organization_user_signs_in_with_the_code_flow(make_app: AppFactory) -> None:
    s = await setup(make_app)
    alice = await s.add_user(s.customer["id"], "alice", "internal_org_user_mgt_list")
    browser = s.browser()
    answer, verifier = await sign_in(s, browser, "alice", fidp=SSO, orgId=s.customer["id"])
    redirected = query_of(answer)
    assert redirected["state"] == "st-123"
    tokens = await s.exchange(redirected["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    # The scopes of alice's roles in the organization (as its password grant computes).
    assert set(body["scope"].split()) == set(SCOPE.split())
    assert "refresh_token" in body  # refreshed in test_org_refresh.py
    id_claims = claims_of(body["id_token"])
    assert id_claims["sub"] == alice
    assert (id_claims["org_id"], id_claims["org_name"]) == (s.customer["id"], "customer")
    at_claims = claims_of(body["access_token"])
    assert (at_claims["org_id"], at_claims["org_name"]) == (s.customer["id"], "customer")
    mine = bearer(body["access_token"])
    listed = await s.http.get("/t/default/o/scim2/Users", headers=mine)
    assert listed.status_code == 200, listed.text
    assert [u["userName"] for u in listed.json()["Resources"]] == ["alice"]
    assert (await s.http.get("/t/default/scim2/Users", headers=mine)).status_code == 403
    introspected = await s.introspect(body["access_token"])
    assert introspected["active"] is True and introspected["org_id"] == s.customer["id"]
    # The code is one-time, as every code.
    again = await s.exchange(redirected["code"], verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    # The organization's SSO session: a second request needs no login ...
    verifier, challenge = pkce_pair()
    params = code_params(s.app, challenge, scope=SCOPE, fidp=SSO, orgId=s.customer["id"])
    sso = query_of(await browser.authorize(**params))
    assert (await s.exchange(sso["code"], verifier)).status_code == 200
    # ... but it does not sign alice in at the root, nor in another organization.
    _v, challenge = pkce_pair()
    root_page = await browser.authorize(**code_params(s.app, challenge))
    assert root_page.status_code == 200 and 'name="password"' in root_page.text
    other_page = await browser.authorize(
        **code_params(s.app, challenge, fidp=SSO, orgId=s.other["id"])
    )
    assert other_page.status_code == 200 and 'name="password"' in other_page.text


async def test_organization_by_name_and_roles_bound_the_scopes(make_app: AppFactory) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "bob")  # no role: no organization API scope
    answer, verifier = await sign_in(s, s.browser(), "bob", fidp=SSO, org="customer")
    tokens = await s.exchange(query_of(answer)["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    assert tokens.json()["scope"] == "openid"
    assert claims_of(tokens.json()["id_token"])["org_id"] == s.customer["id"]


async def test_users_sign_in_only_in_their_own_organization(make_app: AppFactory) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "alice")
    await s.add_user(s.other["id"], "olga", "internal_org_user_mgt_list")
    # The root's administrator is not a user of the customer organization.
    refused, _v = await sign_in(
        s, s.browser(), ADMIN_USER, ADMIN_PASSWORD, fidp=SSO, orgId=s.customer["id"]
    )
    assert refused.status_code == 400 and "incorrect" in refused.text
    # alice is not a user of the root ...
    refused, _v = await sign_in(s, s.browser(), "alice")
    assert refused.status_code == 400 and "incorrect" in refused.text
    # ... nor of the other customer, whose own user signs in there.
    refused, _v = await sign_in(s, s.browser(), "alice", fidp=SSO, orgId=s.other["id"])
    assert refused.status_code == 400 and "incorrect" in refused.text
    answer, verifier = await sign_in(s, s.browser(), "olga", fidp=SSO, orgId=s.other["id"])
    tokens = await s.exchange(query_of(answer)["code"], verifier)
    assert claims_of(tokens.json()["id_token"])["org_id"] == s.other["id"]
    listed = await s.http.get(
        "/t/default/o/scim2/Users", headers=bearer(tokens.json()["access_token"])
    )
    assert listed.status_code == 200, listed.text
    assert [u["userName"] for u in listed.json()["Resources"]] == ["olga"]


async def test_refusals_are_redirected_to_the_client(make_app: AppFactory) -> None:
    s = await setup(make_app)
    browser = s.browser()
    _v, challenge = pkce_pair()

    async def refused(**extra: str) -> dict[str, str]:
        answer = await browser.authorize(**code_params(s.app, challenge, **extra))
        query = query_of(answer)
        assert answer.headers["location"].startswith(CALLBACK)
        assert query["state"] == "st-123"
        return query

    unknown = await refused(fidp=SSO, orgId="00000000-0000-0000-0000-000000000000")
    assert unknown["error"] == "invalid_request"
    assert (await refused(fidp=SSO, org="nobody"))["error"] == "invalid_request"
    # No organization named, and no page may be shown (prompt=none).
    assert (await refused(fidp=SSO, prompt="none"))["error"] == "invalid_request"
    assert (await refused(fidp=SSO, orgId=s.unshared["id"]))["error"] == "unauthorized_client"
    disable = await s.orgs.patch(
        f"/t/default/api/server/v1/organizations/{s.other['id']}",
        json=[{"operation": "REPLACE", "path": "/status", "value": "DISABLED"}],
    )
    assert disable.status_code == 200, disable.text
    assert (await refused(fidp=SSO, orgId=s.other["id"]))["error"] == "invalid_request"
    # Before the redirect URI is verified, the error page (never a redirect).
    page = await browser.authorize(
        **code_params(
            s.app,
            challenge,
            fidp=SSO,
            orgId=s.customer["id"],
            redirect_uri="https://evil.example/cb",
        )
    )
    assert page.status_code == 400 and "location" not in page.headers


async def test_a_code_stops_working_when_the_share_ends(make_app: AppFactory) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "alice")
    answer, verifier = await sign_in(s, s.browser(), "alice", fidp=SSO, orgId=s.customer["id"])
    code = query_of(answer)["code"]
    stop = f"/t/default/api/server/v1/applications/{s.app['id']}/share/{s.customer['id']}"
    assert (await s.orgs.delete(stop)).status_code == 204
    refused = await s.exchange(code, verifier)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"


async def test_a_root_session_does_not_sign_in_to_a_sub_organization(
    make_app: AppFactory,
) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "alice")
    browser = s.browser()
    answer, verifier = await sign_in(s, browser, ADMIN_USER, ADMIN_PASSWORD)
    root = await s.exchange(query_of(answer)["code"], verifier)
    assert root.status_code == 200 and "refresh_token" in root.json()
    assert claims_of(root.json()["id_token"])["org_name"] == "default"
    _v, challenge = pkce_pair()
    page = await browser.authorize(
        **code_params(s.app, challenge, scope=SCOPE, fidp=SSO, orgId=s.customer["id"])
    )
    # The organization's own login form (named after it), not the root's session.
    assert page.status_code == 200 and 'name="password"' in page.text
    assert "<strong>customer</strong> account" in page.text
    signed_in = await browser.login(page, "alice", PASSWORD)
    assert "code" in query_of(signed_in)
    # Both sessions live side by side: the root one still answers without a login.
    _v, challenge = pkce_pair()
    assert "code" in query_of(await browser.authorize(**code_params(s.app, challenge)))


async def test_app_native_authentication_refuses_an_organization(make_app: AppFactory) -> None:
    s = await setup(make_app)
    _v, challenge = pkce_pair()
    params = code_params(s.app, challenge, fidp=SSO, orgId=s.customer["id"])
    refused = await s.http.post(
        "/t/default/oauth2/authorize",
        data={**params, "response_mode": "direct"},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "ABA-60001"
    assert "login page only" in refused.json()["description"]


async def test_the_organization_picker_asks_for_the_name(make_app: AppFactory) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "alice", "internal_org_user_mgt_list")
    browser = s.browser()
    verifier, challenge = pkce_pair()
    picker = await browser.authorize(**code_params(s.app, challenge, scope=SCOPE, fidp=SSO))
    assert picker.status_code == 200 and 'name="org"' in picker.text
    action, fields = hidden_form(picker.text)
    assert action == "/t/default/oauth2/authorize" and fields["fidp"] == SSO
    # A name that is no organization ends at the client, as an unknown orgId.
    unknown = await browser.http.get(action, params={**fields, "org": "nobody"})
    assert query_of(unknown)["error"] == "invalid_request"
    page = await browser.http.get(action, params={**fields, "org": "customer"})
    answer = await browser.login(page, "alice", PASSWORD)
    tokens = await s.exchange(query_of(answer)["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    assert set(tokens.json()["scope"].split()) == set(SCOPE.split())
    assert claims_of(tokens.json()["id_token"])["org_id"] == s.customer["id"]


async def test_consent_is_asked_and_remembered_in_the_organization(make_app: AppFactory) -> None:
    s = await setup(make_app, skip_consent=False)
    await s.add_user(s.customer["id"], "alice", "internal_org_user_mgt_list")
    browser = s.browser()
    consent, verifier = await sign_in(s, browser, "alice", fidp=SSO, orgId=s.customer["id"])
    assert "internal_org_user_mgt_list" in consent.text
    answer = await browser.approve(consent)
    tokens = await s.exchange(query_of(answer)["code"], verifier)
    assert claims_of(tokens.json()["id_token"])["org_id"] == s.customer["id"]
    # Remembered for alice in her organization: the next request needs neither page.
    verifier, challenge = pkce_pair()
    params = code_params(s.app, challenge, scope=SCOPE, fidp=SSO, orgId=s.customer["id"])
    again = query_of(await browser.authorize(**params))
    assert (await s.exchange(again["code"], verifier)).status_code == 200
