"""Cached role scopes: a change made through one worker reaches the tokens of another at
its next poll of the change counter (called here instead of waiting for it)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import PATCH
from tests.roles.conftest import Admin
from tests.roles.conftest import bookings
from tests.roles.conftest import granted

BOTH = "bookings:read bookings:write"


async def _poll(app: FastAPI) -> None:
    state = app.state.runegate
    await state.caches.refresh(state.db)


async def test_change_through_one_worker_reaches_another(make_app: AppFactory) -> None:
    _first, http = await make_app()
    second, other_http = await make_app()
    admin = Admin(http, bearer(await get_token(http, ADMIN_SCOPES)))
    found = await bookings(admin)
    app, user, group, role = found.app, found.user, found.group, found.role
    await admin.patch_role(role["id"], {"op": "add", "path": "groups", "value": [group]})
    await _poll(second)
    assert await granted(other_http, app, "kate", BOTH) == {"bookings:read"}  # cached now

    async def changed(method: str, path: str, body: dict[str, Any]) -> set[str]:
        response = await admin.call(method, path, json=body)
        assert response.status_code in (200, 201), response.text
        await _poll(second)
        return await granted(other_http, app, "kate", BOTH)

    leave = {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "members"}]}
    assert await changed("PATCH", f"/t/default/scim2/Groups/{group}", leave) == set()
    direct = {"schemas": [PATCH], "Operations": [{"op": "add", "path": "users", "value": [user]}]}
    assert await changed("PATCH", f"{admin.roles}/{role['id']}", direct) == {"bookings:read"}
    # An application change (configuration counter) also reaches the cached scopes.
    apps = f"/t/default/api/server/v1/applications/{app['id']}"
    to_org = {"associatedRoles": {"allowedAudience": "ORGANIZATION", "roles": []}}
    assert await changed("PATCH", apps, to_org) == set()
