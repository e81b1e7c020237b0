"""Secrets never in logs: a full flow with every logger at DEBUG, then no client secret,
password or token appears in any captured record."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import basic_auth
from tests.roles.conftest import PASSWORD
from tests.roles.conftest import Admin
from tests.roles.conftest import password_token


async def test_a_full_flow_logs_no_secret(admin: Admin, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = await admin.api("https://logs.example", "logs:read")
    app = await admin.app("logged", api, ["logs:read"], "APPLICATION")
    await admin.user("lena")  # SCIM create with a password
    auth = basic_auth(app["clientId"], app["clientSecret"])
    user_token = (await password_token(admin.http, app, "lena", "logs:read")).json()
    wrong = await password_token(admin.http, app, "lena", "", password="Wrong-Passw0rd-9")
    assert wrong.status_code == 400
    access = user_token["access_token"]
    introspect = await admin.http.post(
        "/t/default/oauth2/introspect", data={"token": access}, headers=auth
    )
    assert introspect.status_code == 200 and introspect.json()["active"] is True
    revoke = await admin.http.post("/t/default/oauth2/revoke", data={"token": access}, headers=auth)
    assert revoke.status_code == 200
    secrets = [
        BOOT_CLIENT_SECRET,
        app["clientSecret"],
        PASSWORD,
        "Wrong-Passw0rd-9",
        access,
        admin.headers["Authorization"].split()[1],
    ]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert caplog.records, "nothing was logged: the check would prove nothing"
    for value in secrets:
        assert value not in logged
