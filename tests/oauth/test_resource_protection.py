"""Tokens from the token endpoint protect routes through `require_scopes` (RFC 6750)."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends
from fastapi import FastAPI

from runegate.http.auth import Access
from runegate.http.auth import require_scopes
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token
from tests.oauth.conftest import Client
from tests.oauth.conftest import make_client
from tests.oauth.conftest import make_resource
from tests.oauth.conftest import update_app

PROBE = "/t/{org}/api/server/v1/token-probe"
SCOPE = "internal_application_mgt_view"


async def other_org_client(app: FastAPI) -> Client:
    """A second organization, `other`, with a client authorized for `SCOPE_x` there."""
    from runegate.tenancy.service import provision_org

    async with app.state.runegate.db.write() as session:
        await provision_org(session, "other", base_url="http://testserver")
    scopes = await make_resource(app, "https://api.other", [SCOPE + "_x"], org="other")
    return await make_client(app, "othercc", scopes=scopes, org="other")


async def other_org_token(http: httpx.AsyncClient, other: Client) -> str:
    response = await http.post(
        "/t/other/oauth2/token",
        data={"grant_type": "client_credentials", "scope": SCOPE + "_x"},
        headers=basic_auth(other.client_id, other.secret),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def add_probe(app: FastAPI) -> None:
    async def probe(access: Annotated[Access, Depends(require_scopes(SCOPE))]) -> dict[str, str]:
        return {"client": access.token.client_id, "org": access.tenant.org_id}

    app.add_api_route(PROBE, probe, methods=["GET"])


async def test_token_grants_access_and_scope_is_enforced(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    add_probe(app)
    url = PROBE.format(org="default")
    assert (await http.get(url)).status_code == 401
    ok = await http.get(url, headers=bearer(await get_token(http, SCOPE)))
    assert ok.status_code == 200, ok.text
    weak = await http.get(url, headers=bearer(await get_token(http, "internal_user_mgt_view")))
    assert weak.status_code == 403
    assert 'error="insufficient_scope"' in weak.headers["www-authenticate"]
    bad = await http.get(url, headers=bearer("not-a-real-token"))
    assert bad.status_code == 401
    assert 'error="invalid_token"' in bad.headers["www-authenticate"]


async def test_token_of_another_org_is_invalid(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    add_probe(app)
    other = await other_org_client(app)
    foreign = await other_org_token(http, other)
    denied = await http.get(PROBE.format(org="default"), headers=bearer(foreign))
    assert denied.status_code == 401
    assert 'error="invalid_token"' in denied.headers["www-authenticate"]


async def test_regenerated_secret_and_revoked_app_invalidate_tokens(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    add_probe(app)
    m2m = await make_client(app, "m2m")
    tenant = await app.state.runegate.find_tenant("default")

    async def mint() -> str:
        response = await http.post(
            "/t/default/oauth2/token",
            data={"grant_type": "client_credentials"},
            headers=basic_auth(m2m.client_id, m2m.secret),
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    verifier = app.state.runegate.token_verifier
    first = await mint()
    assert (await verifier.verify(tenant, first)).client_id == m2m.client_id
    await update_app(app, m2m, secret_generation=2)
    introspected = await http.post(
        "/t/default/oauth2/introspect",
        data={"token": first},
        headers=basic_auth(m2m.client_id, m2m.secret),
    )
    assert introspected.json() == {"active": False}
    second = await mint()
    assert (await verifier.verify(tenant, second)).client_id == m2m.client_id
    await update_app(app, m2m, state="REVOKED")
    from runegate import errors

    for token in (first, second):
        try:
            await verifier.verify(tenant, token)
        except errors.InvalidToken:
            continue
        raise AssertionError("token of a revoked application verified")


async def test_concurrent_lookups_share_queries_and_keep_organizations_apart(make_app) -> None:  # type: ignore[no-untyped-def]
    """Bearer lookups of concurrent requests are answered by shared queries (HashReader):
    each request still gets its own row, never another organization's, and a token
    revoked before a request arrives is refused by it."""
    import asyncio

    app, http = await make_app()
    add_probe(app)
    other = await other_org_client(app)
    ours = [await get_token(http, SCOPE) for _ in range(6)]
    theirs = [await other_org_token(http, other) for _ in range(6)]
    revoked = ours.pop()
    answer = await http.post(
        "/t/default/oauth2/revoke",
        data={"token": revoked},
        headers=basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
    )
    assert answer.status_code == 200

    calls = [(org, token) for token in ours for org in ("default", "other")]
    calls += [(org, token) for token in theirs for org in ("default", "other")]
    calls += [("default", revoked), ("default", "not-a-token")]
    answers = await asyncio.gather(
        *(http.get(PROBE.format(org=org), headers=bearer(token)) for org, token in calls)
    )
    for (org, token), response in zip(calls, answers, strict=True):
        if org == "default" and token in ours:
            expected = 200
        elif org == "other" and token in theirs:
            expected = 403  # found and valid there, without the probe's scope
        else:
            expected = 401  # another organization's token, a revoked or an unknown one
        assert response.status_code == expected, (org, response.text)
    lookup = app.state.runegate.token_verifier.lookup
    assert not lookup.reader._pending  # every waiting lookup was answered
