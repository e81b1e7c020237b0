"""Schemathesis against Runegate's own OpenAPI document, every surface: management, SCIM,
OAuth (token, introspection, revocation, JWKS, authorize), OIDC (discovery, userinfo), the
hosted sign-in and account pages. Each operation gets a fixed number of derandomized
examples, valid (positive) and schema-violating (negative), sent over real HTTP with a token
that holds every system scope (Basic client credentials on the token endpoints). No answer
may be a 5xx, an undocumented status, another content type or a body that violates the
documented schema (each surface's error format is the documented `default`)."""

from __future__ import annotations

from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from runegate.tenancy.system_apis import system_apis
from tests.conftest import BASE_URL
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token

EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 3}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CLIENT_AUTHENTICATED = ("/oauth2/token", "/oauth2/introspect", "/oauth2/revoke")
SURFACES = (
    "/api/server/v1/",
    "/scim2/",
    "/oauth2/",
    "/authenticationendpoint/",
    "/accountrecovery/",
)


def all_scopes() -> str:
    return " ".join(s.name for api in system_apis() for s in api.scopes)


def collect_cases(
    operation: Any, mode: GenerationMode, fixed: dict[str, str], headers: dict[str, str]
) -> list[Any]:
    cases: list[Any] = []

    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed, headers=headers))
    def draw(case: Any) -> None:
        cases.append(case)

    try:
        draw()
    except Unsatisfiable:  # negative mode: nothing of this operation can be made invalid
        assert mode is GenerationMode.NEGATIVE, operation.path
    return cases


def modes(operation: Any) -> list[GenerationMode]:
    """Negative examples for JSON bodies only: hypothesis finds few schema-violating
    form bodies that can still be form-encoded (seconds per operation); the form parsers
    get arbitrary bytes in tests/fuzz/test_properties.py instead."""
    body = operation.definition.raw.get("requestBody", {}).get("content", {})
    if any(media.endswith("json") for media in body):
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


class Seeds:
    """Fresh objects for the path parameters of one operation (a DELETE may remove them)."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.http = http
        self.headers = headers
        self.count = 0

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        self.count += 1
        response = await self.http.post(f"/t/default{path}", json=body, headers=self.headers)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    async def for_path(self, path: str) -> dict[str, str]:
        fixed = {"org": "default"}
        n = self.count
        if "{applicationId}" in path:
            app = await self.post(
                "/api/server/v1/applications",
                {"name": f"fuzz-{n}", "templateId": "m2m-application"},
            )
            fixed["applicationId"] = app["id"]
        if "{apiResourceId}" in path or "{apiId}" in path:
            api = await self.post(
                "/api/server/v1/api-resources",
                {
                    "name": f"fuzz-{n}",
                    "identifier": f"urn:fuzz:{n}",
                    "scopes": [{"name": f"fuzz:{n}", "displayName": "f"}],
                },
            )
            fixed["apiResourceId"] = fixed["apiId"] = api["id"]
            fixed["scopeName"] = f"fuzz:{n}"
        if "{organization_id}" in path or "{sharedOrganizationId}" in path:
            org = await self.post("/api/server/v1/organizations", {"name": f"fuzz-{n}"})
            fixed["organization_id"] = fixed["sharedOrganizationId"] = org["id"]
        if "/Users/{rid}" in path:
            fixed["rid"] = (
                await self.post(
                    "/scim2/Users", {"userName": f"fuzz-{n}", "password": "Fuzz-pass-123!"}
                )
            )["id"]
        if "/Groups/{rid}" in path:
            fixed["rid"] = (await self.post("/scim2/Groups", {"displayName": f"fuzz-{n}"}))["id"]
        if "/Roles/{rid}" in path:
            role = {"displayName": f"fuzz-{n}"}
            fixed["rid"] = (await self.post("/scim2/v2/Roles", role))["id"]
        return fixed


async def send(http: httpx.AsyncClient, case: Any) -> httpx.Response:
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    data = kwargs.get("data")
    return await http.request(
        kwargs["method"],
        kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params"),
        json=kwargs.get("json"),
        data=data if isinstance(data, dict) else None,
        content=data if isinstance(data, (bytes, str)) else None,
    )


async def test_every_operation_of_every_surface(make_app: AppFactory) -> None:
    _app, http = await make_app(rate_limits_enabled=False)
    token_headers = bearer(await get_token(http, all_scopes()))
    client_headers = basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
    document = (await http.get("/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    seeds = Seeds(http, token_headers)
    failures: list[str] = []
    covered: set[str] = set()
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        covered.update(s for s in SURFACES if s in operation.path)
        headers = client_headers if operation.path.endswith(CLIENT_AUTHENTICATED) else token_headers
        fixed = await seeds.for_path(operation.path)
        for mode in modes(operation):
            for case in collect_cases(operation, mode, fixed, headers):
                response = await send(http, case)
                sent += 1
                try:
                    case.validate_response(response, checks=CHECKS)
                except (AssertionError, FailureGroup) as exc:
                    failures.append(
                        f"{operation.method.upper()} {operation.path} ({mode.value}): {exc}"[:3000]
                    )
    assert covered == set(SURFACES)
    assert sent > 300  # a few examples of each of ~75 operations
    assert not failures, "\n\n".join(failures)
