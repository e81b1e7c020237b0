"""Security headers on HTML pages: CSP without inline script, frame-ancestors, nosniff,
Referrer-Policy; HSTS only behind an https public URL."""

from __future__ import annotations

from tests.conftest import AppFactory


async def test_html_pages_carry_security_headers(make_app: AppFactory) -> None:
    _app, http = await make_app()
    docs = await http.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    assert docs.headers["x-content-type-options"] == "nosniff"
    assert docs.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in docs.headers
    login = await http.get("/t/default/oauth2/authorize", params={"client_id": "unknown"})
    assert login.headers["content-type"].startswith("text/html"), login.text
    policy = login.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert login.headers["x-content-type-options"] == "nosniff"
    api = await http.get("/health")
    assert "content-security-policy" not in api.headers


async def test_hsts_behind_https(make_app: AppFactory) -> None:
    _app, http = await make_app(public_url="https://id.example")
    docs = await http.get("/docs")
    assert docs.headers["strict-transport-security"].startswith("max-age=")
