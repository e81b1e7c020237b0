"""A user holding 50 roles through 20 groups (issue 7's bench shape) gets exactly the
union of those roles' scopes that the application is authorized for."""

from __future__ import annotations

from fastapi import FastAPI

from runegate.roles.resolve import role_scopes
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import Admin
from tests.roles.conftest import granted


async def _resolve(app: FastAPI, application_id: str, user_id: str) -> frozenset[str]:
    state = app.state.runegate
    tenant = await state.find_tenant("default")
    async with state.db.read() as session:
        return await role_scopes(session, tenant.org_id, application_id, user_id)


async def test_fifty_roles_through_twenty_groups(make_app: AppFactory) -> None:
    app, http = await make_app()
    admin = Admin(http, bearer(await get_token(http, ADMIN_SCOPES)))
    names = [f"s{i}" for i in range(60)]
    api = await admin.api("https://scale.example", *names)
    client = await admin.app("scale", api, names[:55], "APPLICATION")
    user = await admin.user("many")
    groups = [await admin.group(f"g{i}", user) for i in range(20)]
    audience = {"value": client["id"], "type": "application"}
    for i in range(50):
        # Role i grants scope s{i+5}; it is held through group i % 20.
        await admin.role(
            f"r{i}", audience=audience, permissions=[f"s{i + 5}"], groups=[groups[i % 20]]
        )
    resolved = await _resolve(app, client["id"], user)
    everyone = {"internal_login", "internal_user_password_update"}
    assert resolved == {f"s{i + 5}" for i in range(50)} | everyone
    scopes = await granted(http, client, "many", " ".join(names))
    # requested (s0..s59) ∩ authorized (s0..s54) ∩ roles (s5..s54)
    assert scopes == {f"s{i}" for i in range(5, 55)}
