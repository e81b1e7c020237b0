"""Errors per surface, trace ids, body limits and unknown organizations, over real HTTP."""

from __future__ import annotations

import uuid

import httpx


async def test_unknown_org_is_management_404_with_trace_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/t/nosuchorg/api/server/v1/applications")
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"code", "message", "description", "traceId"}
    assert body["traceId"] == response.headers["x-request-id"]
    uuid.UUID(body["traceId"])


async def test_unknown_org_on_oauth_and_scim_surfaces(client: httpx.AsyncClient) -> None:
    oauth = await client.post("/t/nosuchorg/oauth2/token", data={"grant_type": "x"})
    assert oauth.status_code == 404
    assert oauth.json()["error"] == "invalid_request"
    assert oauth.headers["cache-control"] == "no-store"
    scim = await client.get("/t/nosuchorg/scim2/Users")
    assert scim.status_code == 404
    assert scim.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert scim.json()["status"] == "404"
    assert scim.headers["content-type"].startswith("application/scim+json")


async def test_invalid_org_segment_is_404(client: httpx.AsyncClient) -> None:
    for segment in ["UPPER", "a", "x" * 300, "bad_name", "1abc", "%00"]:
        response = await client.get(f"/t/{segment}/api/server/v1/applications")
        assert response.status_code == 404, segment
        assert "traceId" in response.json()


async def test_trace_id_is_taken_from_traceparent(client: httpx.AsyncClient) -> None:
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    response = await client.get("/t/nosuchorg/api/x", headers={"traceparent": parent})
    assert response.json()["traceId"] == str(uuid.UUID("4bf92f3577b34da6a3ce929d0e0e4736"))
    response = await client.get("/health", headers={"X-Request-Id": "req-12345678"})
    assert response.headers["x-request-id"] == "req-12345678"


async def test_trace_id_ignores_malformed_headers(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/t/nosuchorg/api/x", headers={"traceparent": "garbage", "X-Request-Id": "a b"}
    )
    uuid.UUID(response.json()["traceId"])


async def test_body_over_one_mebibyte_is_413(client: httpx.AsyncClient) -> None:
    big = b"x" * (1_048_576 + 1)
    response = await client.post(
        "/t/default/api/server/v1/applications",
        content=big,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"].endswith("41300")
    oauth = await client.post("/t/default/oauth2/token", content=big)
    assert oauth.status_code == 413
    assert "error" in oauth.json()


async def test_streamed_body_over_limit_is_413(client: httpx.AsyncClient) -> None:
    async def chunks():  # no Content-Length: counted while streaming
        for _ in range(20):
            yield b"y" * 65536

    response = await client.post("/t/default/oauth2/token", content=chunks())
    assert response.status_code == 413


async def test_unknown_route_in_known_org_is_404_in_surface_format(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/t/default/api/server/v1/nothing-here")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "description", "traceId"}
