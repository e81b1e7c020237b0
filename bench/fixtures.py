"""What the benchmark needs inside a fresh Runegate, created through the public APIs.

An API resource with two scopes and M2M applications authorized for one of them: opaque
tokens, JWT ES256 and JWT RS256. A JWT variant the token service cannot issue yet is
reported as unavailable (with the reason) instead of failing the run.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bench.wrk import HarnessError

ORG = "default"
APPS = f"/t/{ORG}/api/server/v1/applications"
APIS = f"/t/{ORG}/api/server/v1/api-resources"
TOKEN = f"/t/{ORG}/oauth2/token"
INTROSPECT = f"/t/{ORG}/oauth2/introspect"
ADMIN_SCOPES = (
    "internal_application_mgt_view internal_application_mgt_create "
    "internal_application_mgt_update internal_api_resource_view internal_api_resource_create"
)
API_IDENTIFIER = "urn:runegate:bench"
SCOPE = "bench:read"
GRANT_BODY = f"grant_type=client_credentials&scope={SCOPE}"
CACHE_SECONDS = 5.0  # other workers drop cached client records within 1 s


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@dataclass(frozen=True, slots=True)
class Client:
    name: str
    client_id: str
    secret: str
    app_id: str = ""

    @property
    def authorization(self) -> str:
        return basic(self.client_id, self.secret)


@dataclass(frozen=True, slots=True)
class Variant:
    """A client of one token format, or the reason it is not available."""

    client: Client | None
    note: str = ""


def token_response(
    http: httpx.Client, auth: str, body: str = GRANT_BODY, path: str = TOKEN
) -> httpx.Response:
    headers = {"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"}
    return http.post(path, content=body, headers=headers)


def admin_headers(http: httpx.Client, boot: Client) -> dict[str, str]:
    body = f"grant_type=client_credentials&scope={ADMIN_SCOPES.replace(' ', '+')}"
    answer = token_response(http, boot.authorization, body)
    if answer.status_code != 200:
        raise HarnessError(f"bootstrap token: {answer.status_code} {answer.text[:300]}")
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _ok(answer: httpx.Response, what: str) -> dict[str, object]:
    if answer.status_code not in (200, 201):
        raise HarnessError(f"{what}: {answer.status_code} {answer.text[:300]}")
    return dict(answer.json()) if answer.content else {}


def create_api(http: httpx.Client, headers: dict[str, str]) -> str:
    body = {
        "name": "bench",
        "identifier": API_IDENTIFIER,
        "scopes": [{"name": s, "displayName": s} for s in (SCOPE, "bench:write")],
    }
    return str(_ok(http.post(APIS, json=body, headers=headers), "create API resource")["id"])


def create_client(http: httpx.Client, headers: dict[str, str], name: str, api_id: str) -> Client:
    body = {"name": name, "templateId": "m2m-application"}
    created = _ok(http.post(APPS, json=body, headers=headers), f"create application {name}")
    grant = {"id": api_id, "policyIdentifier": "RBAC", "scopes": [SCOPE]}
    url = f"{APPS}/{created['id']}/authorized-apis"
    _ok(http.post(url, json=grant, headers=headers), f"authorize {name}")
    return Client(name, str(created["clientId"]), str(created["clientSecret"]), str(created["id"]))


def jwt_alg(token: str) -> str | None:
    """The `alg` of a compact JWS, or None when `token` is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except ValueError:
        return None
    return str(header.get("alg")) if isinstance(header, dict) else None


def issued_alg(http: httpx.Client, client: Client) -> str | None:
    """The `alg` of a fresh token of `client` ("" when the request fails, None if opaque)."""
    answer = token_response(http, client.authorization)
    if answer.status_code != 200:
        return ""
    return jwt_alg(str(answer.json().get("access_token", "")))


def _switch_to_jwt(http: httpx.Client, headers: dict[str, str], client: Client, alg: str) -> int:
    """GET-modify-PUT of the OIDC inbound: JWT access tokens, `signingAlgorithm` if taken."""
    url = f"{APPS}/{client.app_id}/inbound-protocols/oidc"
    config = _ok(http.get(url, headers=headers), "read OIDC configuration")
    access = dict(config.get("accessToken") or {})  # type: ignore[call-overload]
    access.update(type="JWT", signingAlgorithm=alg)
    put = http.put(url, json={**config, "accessToken": access}, headers=headers)
    if put.status_code != 200:
        # The management API may not take the algorithm: then JWT alone.
        del access["signingAlgorithm"]
        put = http.put(url, json={**config, "accessToken": access}, headers=headers)
    return put.status_code


def make_jwt_variant(
    http: httpx.Client,
    headers: dict[str, str],
    api_id: str,
    alg: str,
    set_alg: Callable[[str, str], str] | None = None,
) -> Variant:
    """An app whose access tokens are JWTs signed with `alg`, if the service supports it.

    `set_alg(client_id, alg)` is the fallback when the management API cannot choose the
    algorithm (the bench uses `runegate app set-token`); it returns "" or an error.
    """
    client = create_client(http, headers, f"bench-jwt-{alg.lower()}", api_id)
    status = _switch_to_jwt(http, headers, client, alg)
    if status != 200:
        return Variant(None, f"JWT access tokens rejected ({status})")
    got = issued_alg(http, client)
    if got is None:
        return Variant(None, "the token service issues no JWT access tokens yet")
    if got != alg and set_alg is not None:
        problem = set_alg(client.client_id, alg)
        if problem:
            return Variant(None, f"cannot select {alg}: {problem}")
        deadline = time.monotonic() + CACHE_SECONDS
        while (got := issued_alg(http, client)) != alg and time.monotonic() < deadline:
            time.sleep(0.2)
    if got != alg:
        return Variant(None, f"cannot select {alg} yet (tokens are {got or 'refused'})")
    return Variant(client)


def opaque_token(http: httpx.Client, client: Client) -> str:
    answer = token_response(http, client.authorization)
    body = _ok(answer, "opaque token")
    token = str(body.get("access_token", ""))
    if not token or jwt_alg(token) is not None or body.get("scope") != SCOPE:
        raise HarnessError(f"unexpected opaque token response: {answer.text[:300]}")
    return token


def introspection_works(http: httpx.Client, client: Client, token: str) -> str:
    """'' when introspection answers active=true for `token`, else the reason."""
    headers = {
        "Authorization": client.authorization,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    answer = http.post(INTROSPECT, content=f"token={token}", headers=headers)
    if answer.status_code != 200:
        return f"introspection answers {answer.status_code}"
    if answer.json().get("active") is not True:
        return "introspection does not report the token active"
    return ""
