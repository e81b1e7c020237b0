"""`/t/{org}/api/users/v1/me/...`: the end-user APIs, with a token issued to a user.

Scopes as Asgardeo: `internal_user_password_update` for `change-password`,
`internal_login` for the rest. An application token (client_credentials) is 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Path
from starlette.responses import Response

from runegate.errors import Forbidden
from runegate.errors import InvalidInput
from runegate.errors import NotFound
from runegate.http.auth import Access
from runegate.http.auth import require_scopes
from runegate.identity import mfa
from runegate.identity.passwords import prehashed
from runegate.identity.revocation import grant_of_token
from runegate.management.common.deps import org_parameter
from runegate.management.common.schemas import error_responses
from runegate.myaccount import schemas
from runegate.myaccount import service
from runegate.state import AppState

Login = Annotated[Access, Depends(require_scopes("internal_login"))]
PasswordUpdate = Annotated[Access, Depends(require_scopes("internal_user_password_update"))]
SessionId = Annotated[str, Path(max_length=64)]


def user_of(access: Access) -> str:
    token = access.token
    if token.subject_type != "user":
        raise Forbidden("This API needs an access token issued to a user.")
    return token.user_id or token.subject


def _millis(value: object) -> str:
    from datetime import datetime

    assert isinstance(value, datetime)
    return str(int(value.timestamp() * 1000))


def build_router(state: AppState) -> APIRouter:
    router = APIRouter(
        prefix="/t/{org}/api/users/v1/me",
        tags=["My Account"],
        dependencies=[Depends(org_parameter)],
        responses=error_responses(400, 401, 403, 500),
    )
    keys = state.settings.secret_keys
    _password_routes(router, state)
    _session_routes(router, state)
    _totp_routes(router, state, keys)
    _backup_routes(router, state, keys)
    _consent_routes(router, state)
    return router


def _password_routes(router: APIRouter, state: AppState) -> None:
    @router.post("/change-password", status_code=204)
    async def change_password(access: PasswordUpdate, body: schemas.PasswordChange) -> Response:
        user_id, tenant = user_of(access), access.tenant
        async with state.db.read() as session:
            await service.check_current_password(session, tenant, user_id, body.currentPassword)
            grant = await grant_of_token(session, tenant, access.token.jti)
        async with prehashed([body.newPassword]), state.db.write() as session:
            await service.change_password(
                session, tenant, user_id, body.newPassword, keep_grant=grant, keep_sid=None
            )
        return Response(status_code=204)


def _session_routes(router: APIRouter, state: AppState) -> None:
    @router.get("/sessions", response_model=schemas.Sessions)
    async def get_sessions(access: Login) -> schemas.Sessions:
        user_id = user_of(access)
        async with state.db.read() as session:
            views = await service.sessions_of(session, access.tenant, user_id)
        return schemas.Sessions(userId=user_id, sessions=[_session(v, user_id) for v in views])

    @router.delete("/sessions", status_code=204)
    async def delete_sessions(access: Login) -> Response:
        async with state.db.write() as session:
            await service.end_sessions(session, access.tenant, user_of(access))
        return Response(status_code=204)

    @router.delete("/sessions/{session_id}", status_code=204)
    async def delete_session(access: Login, session_id: SessionId) -> Response:
        async with state.db.write() as session:
            await service.end_sessions(session, access.tenant, user_of(access), sid=session_id)
        return Response(status_code=204)


def _session(view: service.SessionView, user_id: str) -> schemas.Session:
    apps = [
        schemas.SessionApplication(
            id=a.application_id, subject=user_id, appName=a.name, appId=a.client_id
        )
        for a in view.applications
    ]
    return schemas.Session(
        id=view.sid,
        applications=apps,
        userAgent=view.user_agent,
        ip=view.ip,
        loginTime=_millis(view.login_time),
        lastAccessTime=_millis(view.last_access_time),
    )


def _totp_routes(router: APIRouter, state: AppState, keys: tuple[bytes, ...]) -> None:
    @router.get("/totp", response_model=schemas.TotpResponse, response_model_exclude_none=True)
    async def get_totp(access: Login) -> schemas.TotpResponse:
        async with state.db.read() as session:
            found = await mfa.status(session, access.tenant, keys, user_of(access))
        uri = found.pending.uri if found.pending else None
        return schemas.TotpResponse(qrCodeUrl=uri, enrolled=found.enrolled)

    @router.post("/totp", response_model=schemas.TotpResponse, response_model_exclude_none=True)
    async def post_totp(access: Login, body: schemas.TotpRequest) -> Response:
        user_id, tenant = user_of(access), access.tenant
        if body.action == "VALIDATE":
            code = _code(body.verificationCode)
            async with state.db.write() as session:
                valid = await mfa.check_code(session, tenant, keys, user_id, code)
                enrolled = await mfa.is_enrolled(session, tenant, user_id)
            out = schemas.TotpResponse(isValid=valid, enrolled=enrolled)
            return _json(out, 200)
        async with state.db.write() as session:
            started = await mfa.start(
                session, tenant, keys, user_id, refresh=body.action == "REFRESH"
            )
        out = schemas.TotpResponse(qrCodeUrl=started.uri, enrolled=False)
        return _json(out, 201 if body.action == "INIT" else 200)

    @router.delete("/totp", status_code=200)
    async def delete_totp(access: Login) -> Response:
        async with state.db.write() as session:
            await mfa.remove(session, access.tenant, user_of(access))
        return Response(status_code=200)

    @router.get("/totp/secret", response_model=schemas.TotpSecret)
    async def get_totp_secret(access: Login) -> schemas.TotpSecret:
        async with state.db.read() as session:
            found = await mfa.status(session, access.tenant, keys, user_of(access))
        if found.pending is None:
            raise NotFound("No TOTP enrolment is pending (the secret is shown only then).")
        return schemas.TotpSecret(secret=found.pending.secret)


def _code(value: int | str | None) -> str:
    if value is None:
        raise InvalidInput("verificationCode is required for VALIDATE.")
    text = str(value).strip()
    if isinstance(value, int):
        text = text.zfill(6)
    if not text.isdigit() or len(text) != 6:
        raise InvalidInput("verificationCode must be a 6-digit code.")
    return text


def _json(model: schemas.TotpResponse, status: int) -> Response:
    return Response(
        model.model_dump_json(exclude_none=True),
        status_code=status,
        media_type="application/json",
    )


def _backup_routes(router: APIRouter, state: AppState, keys: tuple[bytes, ...]) -> None:
    @router.post("/backup-codes", status_code=201, response_model=schemas.BackupCodes)
    async def post_backup_codes(access: Login) -> schemas.BackupCodes:
        async with state.db.write() as session:
            codes = await mfa.new_backup_codes(session, access.tenant, keys, user_of(access))
        return schemas.BackupCodes(backupCodes=codes)

    @router.get("/backup-codes", response_model=schemas.RemainingBackupCodes)
    async def get_backup_codes(access: Login) -> schemas.RemainingBackupCodes:
        async with state.db.read() as session:
            left = await mfa.remaining_backup_codes(session, access.tenant, user_of(access))
        return schemas.RemainingBackupCodes(remainingBackupCodesCount=left)

    @router.delete("/backup-codes", status_code=204)
    async def delete_backup_codes(access: Login) -> Response:
        async with state.db.write() as session:
            await mfa.remove_backup_codes(session, access.tenant, user_of(access))
        return Response(status_code=204)


def _consent_routes(router: APIRouter, state: AppState) -> None:
    @router.get("/authorized-apps", response_model=list[schemas.AuthorizedApp])
    async def get_authorized_apps(access: Login) -> list[schemas.AuthorizedApp]:
        async with state.db.read() as session:
            views = await service.consents_of(session, access.tenant, user_of(access))
        return [
            schemas.AuthorizedApp(
                id=v.application_id,
                name=v.name,
                clientId=v.client_id,
                scopes=v.scopes,
                updatedAt=v.updated_at.isoformat().replace("+00:00", "Z"),
            )
            for v in views
        ]

    @router.delete("/authorized-apps/{application_id}", status_code=204)
    async def delete_authorized_app(
        access: Login, application_id: Annotated[str, Path(max_length=64)]
    ) -> Response:
        async with state.db.write() as session:
            await service.revoke_consent(session, access.tenant, user_of(access), application_id)
        return Response(status_code=204)
