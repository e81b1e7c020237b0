"""Sign-in fixtures: the real app, a management admin, and browsers (httpx clients that
carry cookies) that read and submit the hosted forms."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import BASE_URL
from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import PASSWORD
from tests.roles.conftest import Admin

ORG = "default"
AUTHORIZE = f"/t/{ORG}/oauth2/authorize"
TOKEN = f"/t/{ORG}/oauth2/token"
CALLBACK = "https://app.example/callback"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": values.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and values.get("type") == "hidden":
            self.forms[-1]["fields"][values["name"]] = values.get("value", "")


def hidden_form(html: str) -> tuple[str, dict[str, str]]:
    parser = FormParser()
    parser.feed(html)
    assert parser.forms, html
    form = parser.forms[0]
    return str(form["action"]), dict(form["fields"])


def query_of(response: httpx.Response) -> dict[str, str]:
    assert response.status_code in (302, 303), response.text
    location = response.headers["location"]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@dataclass
class Browser:
    http: httpx.AsyncClient

    async def authorize(self, **params: str) -> httpx.Response:
        return await self.http.get(f"{AUTHORIZE}?{urlencode(params)}")

    async def submit(self, page: httpx.Response, **fields: str) -> httpx.Response:
        assert page.status_code in (200, 400), page.text
        action, hidden = hidden_form(page.text)
        return await self.http.post(action, data={**hidden, **fields})

    async def login(
        self, page: httpx.Response, user: str, password: str = PASSWORD
    ) -> httpx.Response:
        assert 'name="password"' in page.text, page.text
        return await self.submit(page, username=user, password=password)

    async def approve(self, page: httpx.Response) -> httpx.Response:
        assert 'value="approve"' in page.text, page.text
        return await self.submit(page, decision="approve")


@dataclass
class Signin:
    app: FastAPI
    admin: Admin
    browsers: list[httpx.AsyncClient] = field(default_factory=list)

    def browser(self) -> Browser:
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        self.browsers.append(client)
        return Browser(client)

    async def app_with_code(
        self,
        name: str,
        *,
        public: bool = False,
        callbacks: list[str] | None = None,
        skip_consent: bool = False,
        pkce: dict[str, bool] | None = None,
        grants: list[str] | None = None,
        native: bool | None = None,
    ) -> dict[str, Any]:
        oidc: dict[str, Any] = {
            "grantTypes": grants or ["authorization_code"],
            "callbackURLs": callbacks or [CALLBACK],
            "publicClient": public,
        }
        if pkce:
            oidc["pkce"] = pkce
        if public:
            oidc["clientAuthentication"] = {"tokenEndpointAuthMethod": "none"}
        advanced: dict[str, bool] = {"skipLoginConsent": skip_consent}
        if native is not None:
            advanced["enableAPIBasedAuthentication"] = native
        body: dict[str, Any] = {
            "name": name,
            "inboundProtocolConfiguration": {"oidc": oidc},
            "advancedConfigurations": advanced,
        }
        response = await self.admin.call("POST", f"/t/{ORG}/api/server/v1/applications", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def exchange(
        self, app: dict[str, Any], code: str, verifier: str | None, **extra: str
    ) -> httpx.Response:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
        if verifier is not None:
            data["code_verifier"] = verifier
        data.update(extra)
        headers: dict[str, str] = {}
        if app.get("clientSecret"):
            headers = basic_auth(app["clientId"], app["clientSecret"])
        else:
            data.setdefault("client_id", app["clientId"])
        return await self.admin.http.post(TOKEN, data=data, headers=headers)

    async def introspect(self, app: dict[str, Any], token: str) -> dict[str, Any]:
        response = await self.admin.http.post(
            f"/t/{ORG}/oauth2/introspect",
            data={"token": token},
            headers=basic_auth(app["clientId"], app["clientSecret"]),
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def signed_in(self, app: dict[str, Any], user: str) -> tuple[Browser, str]:
        """A browser that went through login and consent; returns it and the code."""
        browser = self.browser()
        _verifier, challenge = pkce_pair()
        page = await browser.authorize(**code_params(app, challenge))
        consent = await browser.login(page, user)
        redirect = await browser.approve(consent)
        return browser, query_of(redirect)["code"]


def code_params(app: dict[str, Any], challenge: str, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": app["clientId"],
        "redirect_uri": CALLBACK,
        "scope": "openid",
        "state": "st-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return params


@pytest.fixture
async def signin(make_app: AppFactory) -> Any:
    app, http = await make_app()
    admin = Admin(http, bearer(await get_token(http, ADMIN_SCOPES)))
    ctx = Signin(app, admin)
    yield ctx
    for client in ctx.browsers:
        await client.aclose()
