"""The generated OpenAPI document of the management APIs is valid and precise:
schemathesis generates requests for every operation (with an admin token) and the
answers are never server errors, always documented statuses and always match the
documented schemas. Bounded: a few examples per operation, no shrinking."""

from __future__ import annotations

from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.conftest import BASE_URL
from tests.management.conftest import Admin

MAX_EXAMPLES = 5
MINE = (
    "/api/server/v1/applications",
    "/api/server/v1/api-resources",
    "/api/server/v1/scopes",
    "/api/server/v1/organizations",
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def collect_cases(operation: Any, fixed: dict[str, str]) -> list[Any]:
    cases: list[Any] = []

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(path_parameters=fixed))
    def draw(case: Any) -> None:
        cases.append(case)

    draw()
    return cases


async def test_schemathesis_finds_no_errors(admin: Admin) -> None:
    document = (await admin.http.get("/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    seed = await admin.create_app(name="fuzz-seed", templateId="m2m-application")
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not any(operation.path.startswith(f"/t/{{org}}{p}") for p in MINE):
            continue
        operations += 1
        fixed = {"org": "default"}
        if "{applicationId}" in operation.path:
            fixed["applicationId"] = seed["id"]
        for case in collect_cases(operation, fixed):
            kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=admin.headers)
            response = await admin.http.request(
                kwargs["method"],
                kwargs["url"],
                headers=kwargs.get("headers"),
                params=kwargs.get("params"),
                json=kwargs.get("json"),
                content=kwargs.get("data"),
            )
            case.validate_response(response, checks=CHECKS)
    assert operations == 37
    assert isinstance(admin.http, httpx.AsyncClient)
