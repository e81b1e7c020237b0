"""Console page rendering and form handling: CSRF on every form, errors in the page.

Forms are `application/x-www-form-urlencoded` (no file uploads); a repeated field is a
list (scope checkboxes). The CSRF token is the sign-in pages' signed double-submit
cookie (web/csrf.py). A validation error re-renders the form with the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from runegate.errors import IdpError
from runegate.errors import InvalidInput
from runegate.tenancy.context import TenantContext
from runegate.web import csrf
from runegate.web.console.auth import ConsoleAdmin
from runegate.web.console.auth import ConsoleAuth
from runegate.web.console.auth import console_path
from runegate.web.console.auth import message_page
from runegate.web.pages import render_page
from runegate.web.sessions import cookie_options

MAX_FIELDS = 1000
FORM_EXPIRED = "This form has expired or did not come from the Console. Reload the page and retry."


class Form:
    """The decoded fields of a posted form."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        self.fields = fields

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0].strip() if values else default

    def all(self, name: str) -> list[str]:
        return [v.strip() for v in self.fields.get(name, []) if v.strip()]

    def confirm_delete(self, what: str) -> None:
        """A delete form's confirmation box must be ticked (no script needed)."""
        if self.get("confirm") != "yes":
            raise InvalidInput(f"Tick the box to confirm that the {what} is to be deleted.")

    def lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.get(name).splitlines() if line.strip()]


def render(
    request: Request,
    admin: ConsoleAdmin,
    template: str,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    """A Console page: organization name, navigation, a CSRF token for its forms."""
    tenant: TenantContext = request.state.tenant
    keys: tuple[bytes, ...] = request.app.state.runegate.settings.secret_keys
    cookie = csrf.usable_cookie(request.cookies.get(csrf.CSRF_COOKIE))
    value = cookie or csrf.new_cookie_value()
    response = render_page(
        template,
        status=status,
        scripts=True,
        org_name=tenant.root_name,
        admin=admin,
        console=console_path(tenant),
        csrf_token=csrf.csrf_token(keys[0], value),
        **context,
    )
    if cookie is None:
        response.set_cookie(csrf.CSRF_COOKIE, value, **cookie_options(tenant))
    return response


async def read_form(request: Request) -> Form | Response:
    """The posted form after the CSRF check, or the 403/400 page that refuses it."""
    tenant: TenantContext = request.state.tenant
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        return message_page(tenant, "The form must be sent as a web form.", 400)
    try:
        text = (await request.body()).decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return message_page(tenant, "The form could not be read.", 400)
    keys: tuple[bytes, ...] = request.app.state.runegate.settings.secret_keys
    token = fields.get("csrf_token", [""])[0]
    if not csrf.check_csrf(keys, request.cookies.get(csrf.CSRF_COOKIE), token):
        return message_page(tenant, FORM_EXPIRED, 403)
    return Form(fields)


def error_text(exc: Exception) -> str:
    """A clear, public message for a refused input (never internal detail)."""
    if isinstance(exc, ValidationError):
        parts = []
        for error in exc.errors()[:3]:
            where = ".".join(str(p) for p in error["loc"] if not isinstance(p, int))
            parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
        return "; ".join(parts)
    if isinstance(exc, IdpError):
        return exc.description
    raise exc


def field_errors(
    message: str, fields: Sequence[tuple[str, tuple[str, ...]]], default: str | None
) -> dict[str, str]:
    """The message attached to the form field it is about, for the page to show next to it.

    `fields` lists form fields with the words the services' messages use for them, the
    most specific first; a message naming none of them belongs to `default` (with None,
    to no field: the page shows it at the top only). The page
    shows the message under that field (aria-invalid, aria-describedby) as well as at the top.
    """
    lowered = message.lower()
    for name, words in fields:
        if any(word in lowered for word in words):
            return {name: message}
    return {default: message} if default else {}


def status_of(exc: Exception) -> int:
    return exc.status if isinstance(exc, IdpError) else 400


async def admin_form(auth: ConsoleAuth, request: Request) -> tuple[ConsoleAdmin, Form] | Response:
    """A posted Console form: the signed-in administrator first, then the CSRF check."""
    admin = await auth.current(request)
    if isinstance(admin, Response):
        return admin
    form = await read_form(request)
    if isinstance(form, Response):
        return form
    return admin, form


def not_found(request: Request, admin: ConsoleAdmin, exc: IdpError, section: str) -> Response:
    """The page for an object that is not in this organization (or another error)."""
    return render(
        request,
        admin,
        "console/not_found.html",
        status=exc.status,
        section=section,
        message=exc.description,
    )
