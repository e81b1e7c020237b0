"""A corpus of hostile inputs against the running app over real HTTP: overlong values,
deeply nested JSON, invalid UTF-8, CR/LF meant for echoed headers, path traversal and odd
characters in organization names, SQL and LIKE metacharacters in filters, oversized
bodies. Each gets a 4xx in its surface's error format, and stored data is unchanged."""

from __future__ import annotations

from typing import Any

import httpx

from runegate.tenancy.system_apis import system_apis
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token

SCIM = "/t/default/scim2"
APPS = "/t/default/api/server/v1/applications"
TOKEN = "/t/default/oauth2/token"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def surface_error(response: httpx.Response, surface: str) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    for name, value in response.headers.items():
        assert "\r" not in value and "\n" not in value and name != "x-injected"
    if surface == "html":
        return
    body = response.json()
    if surface == "scim":
        assert body["schemas"] == [SCIM_ERROR] and body["status"] == str(response.status_code)
    elif surface == "oauth":
        assert set(body) <= {"error", "error_description"} and body["error"]
    else:
        assert body["code"] and body["message"], body


async def snapshot(http: httpx.AsyncClient, headers: dict[str, str]) -> list[Any]:
    users = await http.get(f"{SCIM}/Users", params={"count": 100}, headers=headers)
    groups = await http.get(f"{SCIM}/Groups", headers=headers)
    apps = await http.get(APPS, params={"limit": 100}, headers=headers)
    return [users.json(), groups.json(), apps.json()]


def nested(depth: int) -> bytes:
    return b'{"userName": ' + b"[" * depth + b"]" * depth + b"}"


async def test_hostile_corpus_is_refused_and_changes_nothing(make_app: AppFactory) -> None:
    _app, http = await make_app(max_body_bytes=65_536)
    everything = " ".join(s.name for api in system_apis() for s in api.scopes)
    headers = bearer(await get_token(http, everything))
    scim_json = {**headers, "Content-Type": "application/scim+json"}
    app_json = {**headers, "Content-Type": "application/json"}
    for name in ("alice", "bob_smith", "carol%", "dave\\x", "o'hara"):
        created = await http.post(
            f"{SCIM}/Users",
            json={"userName": name, "password": "Hostile-Passw0rd"},
            headers=headers,
        )
        assert created.status_code == 201, created.text
    before = await snapshot(http, headers)
    client = basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)

    # Overlong values.
    long = "x" * 20_000
    surface_error(
        await http.post(f"{SCIM}/Users", json={"userName": long}, headers=headers), "scim"
    )
    surface_error(await http.post(APPS, json={"name": long}, headers=headers), "management")
    surface_error(
        await http.post(
            TOKEN,
            data={"grant_type": "client_credentials", "client_id": long, "client_secret": long},
        ),
        "oauth",
    )
    surface_error(await http.get(f"{SCIM}/Users", params={"filter": long}, headers=headers), "scim")
    surface_error(
        await http.get(APPS, params={"filter": f"name eq {long}"}, headers=headers), "management"
    )

    # Deeply nested JSON.
    for depth in (2_000, 30_000):
        surface_error(
            await http.post(f"{SCIM}/Users", content=nested(depth), headers=scim_json), "scim"
        )
        surface_error(await http.post(APPS, content=nested(depth), headers=app_json), "management")
        surface_error(
            await http.post(f"{SCIM}/Bulk", content=nested(depth), headers=scim_json), "scim"
        )

    # Invalid UTF-8 in bodies, query strings and headers.
    bad = b'{"userName": "\xff\xfe", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}'
    surface_error(await http.post(f"{SCIM}/Users", content=bad, headers=scim_json), "scim")
    surface_error(
        await http.post(APPS, content=b'{"name": "\xc3\x28"}', headers=app_json), "management"
    )
    surface_error(
        await http.post(TOKEN, content=b"grant_type=\xff\xfe", headers={**FORM, **client}), "oauth"
    )
    # Query strings decode with U+FFFD: a filter then matches nothing (or is refused).
    found = await http.get(f"{SCIM}/Users?filter=userName%20eq%20%22%ff%22", headers=headers)
    assert found.status_code == 200 and found.json()["totalResults"] == 0
    listed = await http.get(f"{APPS}?filter=name%20eq%20%ff", headers=headers)
    assert listed.status_code == 200 and listed.json()["count"] == 0
    raw = {**headers, "If-Match": b'W/"\xff\xfe"'}
    first = before[0]["Resources"][0]["id"]
    surface_error(
        await http.put(f"{SCIM}/Users/{first}", json={"userName": "z"}, headers=raw), "scim"
    )
    surface_error(
        await http.post(
            TOKEN,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": b"Basic \xff\xfe=="},
        ),
        "oauth",
    )

    # CR/LF meant for echoed headers (redirects, state).
    injected = "x\r\nX-Injected: 1\r\nSet-Cookie: evil=1"
    for params in (
        {
            "client_id": BOOT_CLIENT_ID,
            "response_type": "code",
            "state": injected,
            "redirect_uri": injected,
        },
        {"client_id": injected, "response_type": "code", "redirect_uri": "https://example.com/cb"},
    ):
        answer = await http.get("/t/default/oauth2/authorize", params=params)
        surface_error(answer, "html")
        assert "evil" not in answer.headers.get("set-cookie", "")
    surface_error(
        await http.get("/t/default/accountrecovery/reset", params={"token": injected}), "html"
    )

    # Path traversal and odd characters in organization names: 404, nothing served.
    for org in (
        "..%2f",
        "%00",
        "default%2f..",
        "DEFAULT",
        "default%00",
        "%2e%2e%2f",
        "a" * 300,
        "déf",
    ):
        surface_error(await http.get(f"/t/{org}/scim2/Users", headers=headers), "scim")
        surface_error(
            await http.post(
                f"/t/{org}/oauth2/token", data={"grant_type": "client_credentials"}, headers=client
            ),
            "oauth",
        )
        surface_error(
            await http.get(f"/t/{org}/api/server/v1/applications", headers=headers), "management"
        )

    # SQL and LIKE metacharacters match literally (bound parameters, escaped patterns).
    async def user_names(expression: str) -> list[str]:
        answer = await http.get(f"{SCIM}/Users", params={"filter": expression}, headers=headers)
        assert answer.status_code == 200, answer.text
        return sorted(r["userName"] for r in answer.json().get("Resources", []))

    assert await user_names('userName co "%"') == ["carol%"]
    assert await user_names('userName co "_"') == ["bob_smith"]
    assert await user_names('userName co "\\\\"') == ["dave\\x"]
    assert await user_names('userName eq "o\'hara"') == ["o'hara"]
    assert await user_names("userName eq \"x' OR '1'='1\"") == []
    assert await user_names('userName sw "%" or userName ew "_"') == []
    assert await user_names('userName ew "%"') == ["carol%"]
    for expression in ("name co %", "name sw _", "name eq '", "name co \\", "name eq ' OR 1=1 --"):
        answer = await http.get(APPS, params={"filter": expression}, headers=headers)
        assert answer.status_code in (200, 400), answer.text
        if answer.status_code == 200:
            assert answer.json()["applications"] == [] or answer.json()["count"] == 0
        else:
            surface_error(answer, "management")
    for expression in ("userName eq", '"', 'userName eq "\\', "((((", "userName co 'x'"):
        answer = await http.get(f"{SCIM}/Users", params={"filter": expression}, headers=headers)
        surface_error(answer, "scim")
        assert answer.json()["scimType"] == "invalidFilter"

    # Oversized bodies: 413 in each surface's format, with and without Content-Length.
    huge = b"a" * 100_000
    surface_error(await http.post(f"{SCIM}/Users", content=huge, headers=scim_json), "scim")
    surface_error(await http.post(APPS, content=huge, headers=app_json), "management")
    surface_error(
        await http.post(TOKEN, content=b"grant_type=" + huge, headers={**FORM, **client}), "oauth"
    )

    async def chunks() -> Any:
        for _ in range(10):
            yield b"b" * 10_000

    streamed = await http.post(f"{SCIM}/Bulk", content=chunks(), headers=scim_json)
    assert streamed.status_code == 413
    surface_error(streamed, "scim")

    assert await snapshot(http, headers) == before
