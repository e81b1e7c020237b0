"""Real responses of the P0 operations validate against Asgardeo's reference API
definitions (the upstream WSO2 files in ../shared/reference, beside the repository)."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.management.conftest import APIS
from tests.management.conftest import APPS
from tests.management.conftest import SCOPES
from tests.management.conftest import Admin

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REFERENCE = SHARED / "reference" / "asgardeo-openapi" / "upstream-wso2-is"
pytestmark = pytest.mark.skipif(
    not REFERENCE.is_dir(),
    reason=f"reference API definitions not found at {REFERENCE} (shared/ beside the repo)",
)
PREFIX = "/t/default/api/server/v1"


@cache
def reference(name: str) -> Any:
    return schemathesis.openapi.from_dict(yaml.safe_load((REFERENCE / name).read_text()))


def check(name: str, method: str, path: str, response: httpx.Response) -> None:
    """Validate `response` against the reference operation `method path`."""
    assert response.status_code < 500, response.text
    operation = reference(name)[path][method]
    actual = response.request.url.path.removeprefix(PREFIX).split("/")
    params = {t[1:-1]: a for t, a in zip(path.split("/"), actual, strict=True) if t.startswith("{")}
    case = operation.Case(path_parameters=params)
    case.validate_response(response, checks=[status_code_conformance, response_schema_conformance])


async def test_application_operations_match_the_reference(admin: Admin) -> None:
    name = "application-management.yaml"
    app = await admin.create_app(
        name="ref-app",
        templateId="b9c5e11e-fc78-484b-9bec-015d247561b8",
        advancedConfigurations={"skipLoginConsent": True},
        inboundProtocolConfiguration={
            "oidc": {
                "grantTypes": ["authorization_code", "client_credentials"],
                "callbackURLs": ["https://app.example.com/cb"],
            }
        },
    )
    api = await admin.create_api("ref-api", "ref:read")
    app_url = f"{APPS}/{app['id']}"
    await admin.post(f"{app_url}/authorized-apis", json={"id": api["id"], "scopes": ["ref:read"]})

    listed = await admin.get(APPS, params={"limit": 1, "attributes": "advancedConfigurations"})
    check(name, "GET", "/applications", listed)
    check(name, "GET", "/applications/{applicationId}", await admin.get(app_url))
    check(name, "GET", "/applications/{applicationId}", await admin.get(f"{APPS}/missing"))
    oidc_url = f"{app_url}/inbound-protocols/oidc"
    check(
        name,
        "GET",
        "/applications/{applicationId}/inbound-protocols/oidc",
        await admin.get(oidc_url),
    )
    regenerated = await admin.post(f"{oidc_url}/regenerate-secret")
    check(
        name,
        "POST",
        "/applications/{applicationId}/inbound-protocols/oidc/regenerate-secret",
        regenerated,
    )
    authorized = await admin.get(f"{app_url}/authorized-apis")
    assert authorized.json()
    check(name, "GET", "/applications/{applicationId}/authorized-apis", authorized)
    check(
        name,
        "PATCH",
        "/applications/{applicationId}",
        await admin.patch(app_url, json={"description": "d"}),
    )
    bad = await admin.post(APPS, json={"name": "ref-app"})
    assert bad.status_code == 409
    check(name, "POST", "/applications", bad)


async def test_api_resource_operations_match_the_reference(admin: Admin) -> None:
    name = "api-resources.yaml"
    created = await admin.post(
        APIS,
        json={
            "name": "Ref",
            "identifier": "https://ref.example.com",
            "description": "d",
            "scopes": [{"name": "ref:write", "displayName": "Write", "description": "w"}],
        },
    )
    check(name, "POST", "/api-resources", created)
    url = f"{APIS}/{created.json()['id']}"
    check(name, "GET", "/api-resources", await admin.get(APIS, params={"limit": 2}))
    check(name, "GET", "/api-resources/{apiResourceId}", await admin.get(url))
    check(name, "GET", "/api-resources/{apiResourceId}/scopes", await admin.get(f"{url}/scopes"))
    check(name, "GET", "/scopes", await admin.get(SCOPES))
    check(
        name, "PATCH", "/api-resources/{apiResourceId}", await admin.patch(url, json={"name": "R"})
    )
    conflict = await admin.post(APIS, json={"name": "x", "identifier": "https://ref.example.com"})
    check(name, "POST", "/api-resources", conflict)
    assert PREFIX in APIS


def test_the_check_rejects_a_body_that_breaks_the_reference() -> None:
    request = httpx.Request("GET", f"http://testserver{APPS}")
    wrong = httpx.Response(200, json={"totalResults": "many"}, request=request)
    wrong.elapsed = timedelta(0)
    with pytest.raises(FailureGroup, match="schema"):
        check("application-management.yaml", "GET", "/applications", wrong)
