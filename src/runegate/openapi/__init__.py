"""Runegate's OpenAPI document (`/openapi.json`) for every surface.

FastAPI generates the management APIs from their routes and models. The OAuth, OIDC,
sign-in, account and SCIM endpoints parse their bodies themselves (form-encoded or SCIM
JSON, RFC 6749 §3.2, RFC 7644 §3.1), so their operations are described here and merged in:
request parameters and bodies, the success answers and each surface's error format
(`default`), precise enough for schemathesis to fuzz them (tests/fuzz).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from runegate.openapi.common import COMPONENTS
from runegate.openapi.oauth import OAUTH_PATHS
from runegate.openapi.scim import SCIM_PATHS
from runegate.openapi.scim import SCIM_SCHEMAS


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            doc["paths"].update(OAUTH_PATHS)
            doc["paths"].update(SCIM_PATHS)
            components = doc.setdefault("components", {})
            components.setdefault("schemas", {}).update({**COMPONENTS, **SCIM_SCHEMAS})
            components["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer"},
                "clientBasic": {"type": "http", "scheme": "basic"},
            }
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
