"""The audit trail over HTTP: management changes and sign-ins are recorded (with actor,
client IP and trace id, never a secret), read through a paginated, filterable API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token
from tests.management.test_cross_org import OTHER_ID
from tests.management.test_cross_org import OTHER_SECRET
from tests.management.test_cross_org import provision_other
from tests.roles.conftest import PASSWORD
from tests.roles.conftest import Admin
from tests.roles.conftest import password_token

LOGS = "/t/default/api/server/v1/audit-logs"
VIEW = "internal_audit_log_view"


async def audit_logs(admin: Admin, **params: Any) -> dict[str, Any]:
    token = await get_token(admin.http, VIEW)
    response = await admin.http.get(LOGS, params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def actions(body: dict[str, Any]) -> list[str]:
    return [e["action"] for e in body["auditLogs"]]


async def test_changes_and_sign_ins_are_recorded(admin: Admin) -> None:
    api = await admin.api("https://audit.example", "audit:read")
    app = await admin.app("audited", api, ["audit:read"], "APPLICATION")
    user = await admin.user("olga")
    trace = "audit-trace-0001"
    ok = await admin.http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "password", "username": "olga", "password": PASSWORD},
        headers={**_basic(app), "X-Request-Id": trace},
    )
    assert ok.status_code == 200, ok.text
    bad = await password_token(admin.http, app, "olga", "", password="Wrong-Passw0rd-1")
    assert bad.status_code == 400
    body = await audit_logs(admin)
    assert actions(body)[:2] == ["user.sign_in", "user.sign_in"]  # newest first
    failure, success = body["auditLogs"][:2]
    assert success["outcome"] == "success" and success["actor"] == user
    assert success["traceId"] == trace and success["targetId"] == app["clientId"]
    assert failure["outcome"] == "failure" and failure["actor"] == "olga"
    created = {e["action"]: e for e in body["auditLogs"]}
    for action in ("application.create", "application.api.authorize", "api_resource.create"):
        assert created[action]["actor"] == BOOT_CLIENT_ID
        assert created[action]["actorType"] == "application"
        assert created[action]["clientIp"]
    assert created["user.create"]["targetId"] == user
    assert app["clientSecret"] not in str(body) and PASSWORD not in str(body)


async def test_a_refused_change_leaves_no_event(admin: Admin) -> None:
    await admin.api("https://dup.example", "dup:read")
    before = (await audit_logs(admin))["totalResults"]
    body = {"name": "dup", "identifier": "https://dup.example"}
    response = await admin.call("POST", "/t/default/api/server/v1/api-resources", json=body)
    assert response.status_code == 409
    assert (await audit_logs(admin))["totalResults"] == before


async def test_filters_time_range_and_pagination(admin: Admin) -> None:
    for name in ("ann", "bob", "cat"):
        await admin.user(name)
    users = await audit_logs(admin, filter="action eq user.create", limit=2)
    assert users["totalResults"] == 3 and users["count"] == 2
    assert {link["rel"] for link in users["links"]} == {"next"}
    rest = await audit_logs(admin, filter="action eq user.create", limit=2, offset=2)
    assert rest["count"] == 1 and {link["rel"] for link in rest["links"]} == {"previous"}
    newest = users["auditLogs"][0]
    both = f"actor eq {BOOT_CLIENT_ID} and targetId eq {newest['targetId']}"
    assert [e["id"] for e in (await audit_logs(admin, filter=both))["auditLogs"]] == [newest["id"]]
    since = await audit_logs(admin, since=newest["time"], filter="targetType eq user")
    assert newest["id"] in [e["id"] for e in since["auditLogs"]]
    until = await audit_logs(admin, until=users["auditLogs"][1]["time"])
    assert newest["id"] not in [e["id"] for e in until["auditLogs"]]


async def _error(http: httpx.AsyncClient, status: int, code: str, **kw: Any) -> None:
    response = await http.get(LOGS, **kw)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"].startswith(code) and body["traceId"] and body["description"]


async def test_error_answers(admin: Admin) -> None:
    http = admin.http
    await _error(http, 401, "RG-401")
    assert (await http.get(LOGS)).headers["www-authenticate"].startswith("Bearer")
    no_scope = bearer(await get_token(http, "internal_application_mgt_view"))
    await _error(http, 403, "RG-403", headers=no_scope)
    view = bearer(await get_token(http, VIEW))
    await _error(http, 400, "AUD-60001", headers=view, params={"filter": "secret eq x"})
    await _error(http, 400, "AUD-60001", headers=view, params={"filter": "action zz x"})
    range_ = {"since": "2030-01-02T00:00:00Z", "until": "2030-01-01T00:00:00Z"}
    await _error(http, 400, "AUD-60002", headers=view, params=range_)
    await _error(http, 400, "RG-400", headers=view, params={"since": "yesterday"})
    await _error(http, 400, "RG-400", headers=view, params={"limit": "-1"})


async def test_another_organization_sees_only_its_own_events(admin: Admin, app_state: Any) -> None:
    await admin.user("rootuser")
    await provision_other(app_state)
    token = await get_token(admin.http, VIEW, org="acme", client_id=OTHER_ID, secret=OTHER_SECRET)
    response = await admin.http.get("/t/acme/api/server/v1/audit-logs", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["totalResults"] == 0


def _basic(app: dict[str, Any]) -> dict[str, str]:
    return basic_auth(app["clientId"], app["clientSecret"])
