"""Security headers on every HTML response (pages that set their own keep them); the
edge (http/edge.py) adds them.

Content-Security-Policy without inline script and with `frame-ancestors 'none'`,
Referrer-Policy, X-Content-Type-Options and X-Frame-Options; HSTS (RFC 6797) when the
public URL is https. `/docs` (Swagger UI loads from a CDN and starts with an inline
script) gets a policy allowing exactly that; see docs/security.md.
"""

from __future__ import annotations

STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
DOCS_CSP = (
    "default-src 'none'; script-src https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src https://cdn.jsdelivr.net; img-src https://fastapi.tiangolo.com data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


_HTML_DEFAULTS = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
_CSP = b"content-security-policy"
_HSTS = b"strict-transport-security"
_STRICT_CSP = STRICT_CSP.encode()
_DOCS_CSP = DOCS_CSP.encode()
_HSTS_VALUE = HSTS.encode()


def csp_for(path: str) -> bytes:
    return _DOCS_CSP if path == "/docs" else _STRICT_CSP


def add_security_headers(headers: list[tuple[bytes, bytes]], csp: bytes, https: bool) -> None:
    """Add what a response lacks (a page that sets its own header keeps it): the HTML
    defaults when its content type is text/html, HSTS on every response when https."""
    names = {name.lower(): value for name, value in headers}
    if names.get(b"content-type", b"").startswith(b"text/html"):
        for name, value in ((_CSP, csp), *_HTML_DEFAULTS):
            if name not in names:
                headers.append((name, value))
    if https and _HSTS not in names:
        headers.append((_HSTS, _HSTS_VALUE))
