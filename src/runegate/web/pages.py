"""Server-rendered pages (Jinja2, autoescaped) with strict security headers."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment
from jinja2 import PackageLoader
from jinja2 import select_autoescape
from starlette.responses import HTMLResponse

_env = Environment(
    loader=PackageLoader("runegate.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _headers(csp: str) -> dict[str, str]:
    return {
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
        "Content-Security-Policy": csp,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def render_page(
    template: str,
    *,
    status: int = 200,
    redirect_to: str | None = None,
    scripts: bool = False,
    **context: Any,
) -> HTMLResponse:
    """A login, consent or error page: own styles only, forms post to this server.

    `redirect_to` is the client's verified redirect URI when the page's form answers with a
    redirect there: browsers apply `form-action` to the redirects that follow a form
    submission (CSP Level 3), so its origin must be allowed too. `scripts` allows script
    files served by Runegate itself (the Console's), never inline script.
    """
    nonce = secrets.token_urlsafe(16)
    targets = "'self'" if redirect_to is None else f"'self' {form_action_source(redirect_to)}"
    script = "script-src 'self'; " if scripts else ""
    csp = (
        f"default-src 'none'; {script}style-src 'nonce-{nonce}'; form-action {targets}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    html = _env.get_template(template).render(csp_nonce=nonce, **context)
    return HTMLResponse(html, status_code=status, headers=_headers(csp))


def form_action_source(url: str) -> str:
    """The CSP source that allows posting to `url` (its origin, or its scheme)."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}:"


def render_form_post(action: str, fields: list[tuple[str, str]]) -> HTMLResponse:
    """OAuth 2.0 Form Post Response Mode: a form that submits itself to the client."""
    nonce = secrets.token_urlsafe(16)
    csp = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; "
        f"form-action {form_action_source(action)}; frame-ancestors 'none'; base-uri 'none'"
    )
    html = _env.get_template("form_post.html").render(csp_nonce=nonce, action=action, fields=fields)
    return HTMLResponse(html, headers=_headers(csp))
