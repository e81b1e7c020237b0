"""Dependencies every management router carries: the `{org}` path parameter (resolved by
`TenantMiddleware`, declared here so the OpenAPI document is precise) and the app state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from starlette.requests import Request

from runegate.state import AppState

OrgPath = Annotated[
    str,
    Path(description="Root organization name (`/t/{org}`).", pattern=r"^[a-z][a-z0-9-]{1,62}$"),
]


async def org_parameter(org: OrgPath) -> str:
    return org


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.runegate
    return state
