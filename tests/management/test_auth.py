"""Every management route: 401 without a token (WWW-Authenticate: Bearer), 403 with a
valid token lacking the operation's scope, and the catalog's scope admits the call."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.management.conftest import APIS
from tests.management.conftest import APPS

APP = f"{APPS}/00000000-0000-0000-0000-000000000000"
API = f"{APIS}/00000000-0000-0000-0000-000000000000"
# (method, path, scope) exactly as the catalog (§2.1, §2.2) says.
ROUTES = [
    ("GET", APPS, "internal_application_mgt_view"),
    ("POST", APPS, "internal_application_mgt_create"),
    ("GET", APP, "internal_application_mgt_view"),
    ("PATCH", APP, "internal_application_mgt_update"),
    ("DELETE", APP, "internal_application_mgt_delete"),
    ("GET", f"{APP}/inbound-protocols/oidc", "internal_application_mgt_view"),
    ("PUT", f"{APP}/inbound-protocols/oidc", "internal_application_mgt_update"),
    ("DELETE", f"{APP}/inbound-protocols/oidc", "internal_application_mgt_delete"),
    (
        "POST",
        f"{APP}/inbound-protocols/oidc/regenerate-secret",
        "internal_application_mgt_client_secret_create",
    ),
    ("POST", f"{APP}/inbound-protocols/oidc/revoke", "internal_application_mgt_create"),
    ("GET", f"{APP}/authorized-apis", "internal_application_mgt_view"),
    ("POST", f"{APP}/authorized-apis", "internal_application_mgt_update"),
    ("PATCH", f"{APP}/authorized-apis/x", "internal_application_mgt_update"),
    ("DELETE", f"{APP}/authorized-apis/x", "internal_application_mgt_update"),
    ("POST", APIS, "internal_api_resource_create"),
    ("GET", APIS, "internal_api_resource_view"),
    ("GET", API, "internal_api_resource_view"),
    ("PATCH", API, "internal_api_resource_update"),
    ("DELETE", API, "internal_api_resource_delete"),
    ("GET", f"{API}/scopes", "internal_api_resource_view"),
    ("PUT", f"{API}/scopes", "internal_api_resource_update"),
    ("DELETE", f"{API}/scopes/x", "internal_api_resource_delete"),
    ("GET", "/t/default/api/server/v1/scopes", "internal_api_resource_view"),
    ("POST", f"{APP}/share", "internal_shared_application_create"),
    ("GET", f"{APP}/share", "internal_shared_application_view"),
    ("DELETE", f"{APP}/share/x", "internal_shared_application_delete"),
    ("GET", f"{APP}/shared-apps", "internal_shared_application_view"),
    ("DELETE", f"{APP}/shared-apps", "internal_shared_application_delete"),
]


def _template(path: str) -> str:
    return (
        path.replace("/t/default/", "/t/{org}/")
        .replace("00000000-0000-0000-0000-000000000000", "{id}")
        .replace("/x", "/{name}")
    )


async def test_table_covers_every_management_route(make_app: AppFactory) -> None:
    app, _ = await make_app()
    served = set()
    mine = ("applications", "api-resources", "scopes")
    for path, operations in app.openapi()["paths"].items():
        if path.split("/")[6:7] not in [[m] for m in mine]:
            continue
        for name in ("applicationId", "apiResourceId"):
            path = path.replace(f"{{{name}}}", "{id}")
        for name in ("apiId", "scopeName", "sharedOrganizationId"):
            path = path.replace(f"{{{name}}}", "{name}")
        served |= {(method.upper(), path) for method in operations}
    assert served == {(m, _template(p)) for m, p, _ in ROUTES}


@pytest.fixture
async def http(make_app: AppFactory) -> httpx.AsyncClient:
    _app, client = await make_app()
    return client


async def test_401_403_and_scope_on_every_route(http: httpx.AsyncClient) -> None:
    unrelated = bearer(await get_token(http, "internal_user_mgt_list"))
    for method, path, scope in ROUTES:
        where = f"{method} {path}"
        body = {} if method in ("POST", "PUT", "PATCH") else None
        anonymous = await http.request(method, path, json=body)
        assert anonymous.status_code == 401, where
        assert anonymous.headers["WWW-Authenticate"].startswith("Bearer"), where

        bogus = await http.request(method, path, json=body, headers=bearer("not-a-token"))
        assert bogus.status_code == 401, where
        assert 'error="invalid_token"' in bogus.headers["WWW-Authenticate"], where

        forbidden = await http.request(method, path, json=body, headers=unrelated)
        assert forbidden.status_code == 403, where
        assert 'error="insufficient_scope"' in forbidden.headers["WWW-Authenticate"], where
        assert forbidden.json()["traceId"], where

        token = bearer(await get_token(http, scope))
        allowed = await http.request(method, path, json=body, headers=token)
        assert allowed.status_code not in (401, 403), (where, allowed.text)


async def test_regenerate_secret_accepts_the_docs_scope(http: httpx.AsyncClient) -> None:
    path = f"{APP}/inbound-protocols/oidc/regenerate-secret"
    token = await get_token(http, "internal_application_mgt_create")
    response = await http.post(path, headers=bearer(token))
    assert response.status_code == 404  # authorized; the application does not exist
