"""What each My Account page shows and what each of its forms does.

A view returns the page to render; an action returns a redirect (303, after success,
with a fixed notice key) or the page again with the error next to its field (400).
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.crypto import totp
from runegate.errors import IdpError
from runegate.identity import mfa
from runegate.identity.passwords import prehashed
from runegate.myaccount import service
from runegate.scim import users as scim_users
from runegate.scim.query import ListQuery
from runegate.state import AppState
from runegate.tenancy.context import TenantContext
from runegate.web.myaccount_app import HOME_PATH
from runegate.web.sessions import SESSION_COOKIE
from runegate.web.sessions import SignedIn

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
NOTICES = {
    "profile": "Your profile was saved.",
    "password": "Your password was changed. Your other sessions were signed out.",
    "totp": "Two-step verification is on: a code is asked at every sign-in.",
    "totp-removed": "Two-step verification is off.",
    "session": "The session was signed out.",
    "sessions": "Your other sessions were signed out.",
    "consent": "The application's access was revoked.",
}


@dataclass
class Page:
    section: str
    context: dict[str, Any] = field(default_factory=dict)
    status: int = 200


View = Callable[[AppState, Request, SignedIn, dict[str, Any]], Awaitable[Page]]
Action = Callable[[AppState, Request, SignedIn, dict[str, Any]], Awaitable[Page | Response]]


def _tenant(request: Request) -> TenantContext:
    tenant: TenantContext = request.state.tenant
    return tenant


def _notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("done", ""))


def _done(request: Request, section: str, notice: str) -> Response:
    base = HOME_PATH.format(org=_tenant(request).root_name)
    return RedirectResponse(f"{base}/{section}?done={notice}", 303)


# -- views ---------------------------------------------------------------------------


async def profile_view(
    state: AppState, request: Request, who: SignedIn, extra: dict[str, Any]
) -> Page:
    async with state.db.read() as session:
        result = await scim_users.get(session, _tenant(request), who.user_id, ListQuery())
    body: dict[str, Any] = result.body
    name = body.get("name") or {}
    emails = body.get("emails") or []
    values = {
        "given_name": name.get("givenName", ""),
        "family_name": name.get("familyName", ""),
        "email": emails[0].get("value", "") if emails else "",
    }
    values.update(extra.get("values", {}))
    context = {"values": values, "notice": _notice(request), **extra}
    return Page("profile", context, extra.get("status", 200))


async def security_view(
    state: AppState, request: Request, who: SignedIn, extra: dict[str, Any]
) -> Page:
    tenant = _tenant(request)
    async with state.db.read() as session:
        found = await mfa.status(session, tenant, state.settings.secret_keys, who.user_id)
        left = await mfa.remaining_backup_codes(session, tenant, who.user_id)
    pending = None
    if found.pending is not None:
        pending = {
            "secret": found.pending.secret,
            "uri": found.pending.uri,
            "qr": totp.qr_svg(found.pending.uri),
        }
    context = {
        "enrolled": found.enrolled,
        "pending": pending,
        "backup_left": left,
        "notice": _notice(request),
        **extra,
    }
    return Page("security", context, extra.get("status", 200))


async def sessions_view(
    state: AppState, request: Request, who: SignedIn, extra: dict[str, Any]
) -> Page:
    async with state.db.read() as session:
        views = await service.sessions_of(session, _tenant(request), who.user_id)
    context = {"sessions": views, "current": who.sid, "notice": _notice(request), **extra}
    return Page("sessions", context)


async def apps_view(
    state: AppState, request: Request, who: SignedIn, extra: dict[str, Any]
) -> Page:
    async with state.db.read() as session:
        views = await service.consents_of(session, _tenant(request), who.user_id)
    return Page("apps", {"apps": views, "notice": _notice(request), **extra})


SECTIONS: dict[str, View] = {
    "profile": profile_view,
    "security": security_view,
    "sessions": sessions_view,
    "apps": apps_view,
}


# -- actions -------------------------------------------------------------------------


def _field(form: dict[str, Any], name: str, limit: int = 256) -> str:
    return str(form.get(name, ""))[:limit].strip()


async def save_profile(
    state: AppState, request: Request, who: SignedIn, form: dict[str, Any]
) -> Page | Response:
    values = {k: _field(form, k) for k in ("given_name", "family_name", "email")}
    ops: list[dict[str, Any]] = []
    for key, path in (("given_name", "name.givenName"), ("family_name", "name.familyName")):
        if values[key]:
            ops.append({"op": "replace", "path": path, "value": values[key]})
        else:
            ops.append({"op": "remove", "path": path})
    if values["email"]:
        email = [{"value": values["email"], "primary": True}]
        ops.append({"op": "replace", "path": "emails", "value": email})
    else:
        ops.append({"op": "remove", "path": "emails"})
    body = {"schemas": [PATCH_OP], "Operations": ops}
    try:  # the same service as PATCH /scim2/Me: a caller token id (here none, the
        # caller is its SSO session) applies the self-service rules
        async with state.db.write() as session:
            await scim_users.patch(
                session, _tenant(request), who.user_id, body, ListQuery(), caller_jti=""
            )
    except IdpError as exc:
        extra = {"values": values, "errors": {"profile": exc.description}, "status": 400}
        return await profile_view(state, request, who, extra)
    return _done(request, "profile", "profile")


async def change_password(
    state: AppState, request: Request, who: SignedIn, form: dict[str, Any]
) -> Page | Response:
    current, new = str(form.get("current", ""))[:1024], str(form.get("new", ""))[:1024]
    errors: dict[str, str] = {}
    if new != str(form.get("confirm", "")):
        errors["confirm"] = "The two new passwords differ."
    tenant = _tenant(request)
    try:
        async with state.db.read() as session:
            await service.check_current_password(session, tenant, who.user_id, current)
    except IdpError as exc:
        errors["current"] = exc.description
    if not errors:
        try:
            async with prehashed([new]), state.db.write() as session:
                await service.change_password(
                    session, tenant, who.user_id, new, keep_grant=None, keep_sid=who.sid
                )
        except IdpError as exc:
            errors["new"] = exc.description
    if errors:
        return await security_view(state, request, who, {"errors": errors, "status": 400})
    return _done(request, "security", "password")


async def totp_start(
    state: AppState, request: Request, who: SignedIn, form: dict[str, Any]
) -> Page | Response:
    async with state.db.write() as session:
        await mfa.start(
            session, _tenant(request), state.settings.secret_keys, who.user_id, refresh=True
        )
    return _done(request, "security", "")


async def totp_verify(
    state: AppState, request: Request, who: SignedIn, form: dict[str, Any]
) -> Page | Response:
    code = _field(form, "code", 16)
    async with state.db.write() as session:
        ok = await mfa.check_code(
            session, _tenant(request), state.settings.secret_keys, who.user_id, code
        )
    if not ok:
        errors = {"code": "The code is incorrect or was already used. Try the next one."}
        return await security_view(state, request, who, {"errors": errors, "status": 400})
    return _done(request, "security", "totp")


async def totp_remove(
    state: AppState, request: Request, who: SignedIn, form: dict[str, Any]
) -> Page | Response:
    try:
        async with state.db.write() as session:
            await mfa.remove(session, _tenant(request), who.user_id)
    except IdpError:
        pass  # already removed (another tab): the page shows the state
    return _done(request, "security", "totp-removed")


async def backup_codes(
    state: AppState, request: Request, who: SignedIn, form: dict[str, Any]
) -> Page | Response:
    async with state.db.write() as session:
        codes = await mfa.new_backup_codes(
            session, _tenant(request), state.settings.secret_keys, who.user_id
        )
    return await security_view(state, request, who, {"new_codes": codes})


async def end_session(
    state: AppState, request: Request, who: SignedIn, form: dict[str, Any]
) -> Page | Response:
    sid = _field(form, "sid", 64)
    try:
        async with state.db.write() as session:
            await service.end_sessions(session, _tenant(request), who.user_id, sid=sid)
    except IdpError:
        pass  # already ended
    if sid == who.sid:
        return _signed_out(request)
    return _done(request, "sessions", "session")


async def end_other_sessions(
    state: AppState, request: Request, who: SignedIn, form: dict[str, Any]
) -> Page | Response:
    async with state.db.write() as session:
        await service.end_sessions(session, _tenant(request), who.user_id, keep_sid=who.sid)
    return _done(request, "sessions", "sessions")


async def sign_out(
    state: AppState, request: Request, who: SignedIn, form: dict[str, Any]
) -> Page | Response:
    async with state.db.write() as session:
        await service.end_sessions(session, _tenant(request), who.user_id, sid=who.sid)
    return _signed_out(request)


def _signed_out(request: Request) -> Response:
    tenant = _tenant(request)
    response = RedirectResponse(HOME_PATH.format(org=tenant.root_name), 303)
    response.delete_cookie(SESSION_COOKIE, path=f"/t/{tenant.root_name}/")
    return response


async def revoke_consent(
    state: AppState, request: Request, who: SignedIn, form: dict[str, Any]
) -> Page | Response:
    try:
        async with state.db.write() as session:
            await service.revoke_consent(
                session, _tenant(request), who.user_id, _field(form, "application", 64)
            )
    except IdpError:
        pass  # already revoked
    return _done(request, "apps", "consent")


ACTIONS: dict[str, Action] = {
    "profile": save_profile,
    "password": change_password,
    "totp-start": totp_start,
    "totp-verify": totp_verify,
    "totp-remove": totp_remove,
    "backup-codes": backup_codes,
    "session-end": end_session,
    "sessions-end-others": end_other_sessions,
    "sign-out": sign_out,
    "consent-revoke": revoke_consent,
}
