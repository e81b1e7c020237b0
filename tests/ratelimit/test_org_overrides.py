"""Per-organization rate-limit overrides over HTTP: two organizations with different
limits, the management API that sets them (scopes, validation, audit), and 429 +
Retry-After kept."""

from __future__ import annotations

import httpx

from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.management.test_cross_org import OTHER_ID
from tests.management.test_cross_org import OTHER_SECRET
from tests.management.test_cross_org import provision_other
from tests.ratelimit.test_rate_limits import assert_limited
from tests.ratelimit.test_rate_limits import boot_token

LIMITS = "/t/{org}/api/server/v1/rate-limits"
VIEW = "internal_rate_limit_view"
UPDATE = "internal_rate_limit_update"


async def acme_headers(http: httpx.AsyncClient, scope: str) -> dict[str, str]:
    token = await get_token(http, scope, org="acme", client_id=OTHER_ID, secret=OTHER_SECRET)
    return bearer(token)


async def test_two_organizations_with_different_limits(make_app: AppFactory) -> None:
    app, http = await make_app(rate_limit_token_per_client=6, rate_limit_scim_per_client=50)
    await provision_other(app.state.runegate)
    admin = await acme_headers(http, f"{VIEW} {UPDATE} internal_user_mgt_list")
    put = await http.put(
        LIMITS.format(org="acme"),
        json={"overrides": {"tokenPerClient": 3, "scimPerClient": 2}},
        headers=admin,
    )
    assert put.status_code == 200, put.text
    assert put.json()["overrides"] == {"tokenPerClient": 3, "scimPerClient": 2}
    assert put.json()["effective"]["tokenPerClient"] == 3
    assert put.json()["defaults"]["tokenPerClient"] == 6
    # acme's client now bursts up to its override (3 per minute), not the default 6.
    for _ in range(3):
        assert (await boot_token(http, org="acme")).status_code == 200
    limited = await boot_token(http, org="acme")
    body = assert_limited(limited)
    assert body["error"] == "slow_down"
    # The default organization keeps the deployment's 6 per minute (get_token used 0).
    for _ in range(6):
        assert (await boot_token(http)).status_code == 200
    assert_limited(await boot_token(http))
    # SCIM: acme's per-client override (2) applies after the token is verified.
    users = "/t/acme/scim2/Users"
    for _ in range(2):
        assert (await http.get(users, headers=admin)).status_code == 200
    scim = assert_limited(await http.get(users, headers=admin))
    assert scim["status"] == "429"


async def test_zero_disables_and_empty_restores_defaults(make_app: AppFactory) -> None:
    app, http = await make_app(rate_limit_token_per_client=2)
    await provision_other(app.state.runegate)
    admin = await acme_headers(http, f"{VIEW} {UPDATE}")  # acme's 1st token request
    url = LIMITS.format(org="acme")
    put = await http.put(url, json={"overrides": {"tokenPerClient": 0}}, headers=admin)
    assert put.status_code == 200 and put.json()["effective"]["tokenPerClient"] == 0
    for _ in range(4):
        assert (await boot_token(http, org="acme")).status_code == 200
    reset = await http.put(url, json={"overrides": {}}, headers=admin)
    assert reset.status_code == 200 and reset.json()["overrides"] == {}
    got = await http.get(url, headers=admin)
    assert got.status_code == 200
    assert got.json()["effective"]["tokenPerClient"] == 2 and got.json()["enabled"] is True
    # Back on the default: the bucket already holds the earlier requests' count.
    answers = [(await boot_token(http, org="acme")).status_code for _ in range(3)]
    assert 429 in answers


async def test_scopes_validation_and_audit(make_app: AppFactory) -> None:
    app, http = await make_app()
    await provision_other(app.state.runegate)
    url = LIMITS.format(org="acme")
    view_only = await acme_headers(http, VIEW)
    assert (await http.get(url)).status_code == 401
    assert (await http.get(url, headers=view_only)).status_code == 200
    denied = await http.put(url, json={"overrides": {}}, headers=view_only)
    assert denied.status_code == 403 and "code" in denied.json()
    admin = await acme_headers(http, f"{VIEW} {UPDATE} internal_audit_log_view")
    for bad in (
        {"overrides": {"tokenPerClient": -1}},
        {"overrides": {"tokenPerClient": "5"}},
        {"overrides": {"nope": 5}},
        {"overrides": {"scimPerIp": 10_000_001}},
        {"other": {}},
        [],
    ):
        answer = await http.put(url, json=bad, headers=admin)
        assert answer.status_code == 400, (bad, answer.text)
        assert answer.json()["code"].startswith("RG-")
    assert (await http.get(url, headers=admin)).json()["overrides"] == {}
    ok = await http.put(url, json={"overrides": {"signinPerIp": 7}}, headers=admin)
    assert ok.status_code == 200
    # Another organization's view is untouched.
    default = bearer(await get_token(http, VIEW))
    mine = await http.get(LIMITS.format(org="default"), headers=default)
    assert mine.json()["overrides"] == {}
    events = await http.get(
        "/t/acme/api/server/v1/audit-logs",
        params={"filter": "action eq organization.rate_limits.update"},
        headers=admin,
    )
    assert events.json()["totalResults"] == 1


async def test_limits_off_deployment_wide(make_app: AppFactory) -> None:
    _app, http = await make_app(rate_limits_enabled=False)
    headers = bearer(await get_token(http, f"{VIEW} {UPDATE}"))
    got = await http.get(LIMITS.format(org="default"), headers=headers)
    assert got.json() == {"enabled": False, "defaults": {}, "overrides": {}, "effective": {}}
