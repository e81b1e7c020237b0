"""App-native authentication (Asgardeo's `response_mode=direct` and `/oauth2/authn`):
the JSON steps, the authn request body and the `ABA-` error catalogue.

A direct authorization request answers the first step as JSON instead of a login page;
the application posts the user's credentials to `/oauth2/authn` and gets an ordinary
authorization code (RFC 6749 §4.1.2) in `authData`, redeemed at the token endpoint.
Only the local username-and-password authenticator exists here.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from typing import ClassVar

from runegate.errors import IdpError

# Asgardeo names an authenticator by base64("<authenticator name>:<idp>").
BASIC_AUTHENTICATOR = base64.b64encode(b"BasicAuthenticator:LOCAL").decode()
REQUIRED_PARAMS = ("username", "password")
BAD_CREDENTIALS_MESSAGE = "The username or password is incorrect."
# The second step for users who enrolled TOTP (My Account): `token` is the 6-digit code,
# or one of the user's backup codes.
TOTP_AUTHENTICATOR = base64.b64encode(b"totp:LOCAL").decode()
BAD_TOTP_MESSAGE = "The verification code is incorrect or was already used."
MAX_BODY = 16384
MAX_VALUE = 1024
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class AuthnError(IdpError):
    """An app-native error: `{"code": "ABA-…", "message", "description", "traceId"}`."""

    status = 400
    default_description = "The authentication request is invalid."
    abacode: ClassVar[str] = "ABA-60001"
    short: ClassVar[str] = "Invalid authentication request."

    def __init__(self, description: str | None = None, *, detail: str | None = None) -> None:
        super().__init__(
            description, detail=detail, headers=NO_STORE, code=self.abacode, message=self.short
        )


class InvalidAuthnRequest(AuthnError):
    pass


class InvalidAuthenticator(AuthnError):
    abacode = "ABA-60004"
    short = "Invalid authenticatorId."
    default_description = "The authenticatorId is not one this flow offers."


class NativeAuthDisabled(AuthnError):
    abacode = "ABA-60007"
    short = "App-native authentication is not enabled for the application."
    default_description = (
        "Enable advancedConfigurations.enableAPIBasedAuthentication on the application."
    )


class FlowTimedOut(AuthnError):
    abacode = "ABA-60008"
    short = "Authentication flow timed out."
    default_description = "The flow expired before it was completed; start a new one."


class InvalidFlow(AuthnError):
    abacode = "ABA-60009"
    short = "Invalid flow identifier."
    default_description = "The flowId is unknown or was already completed."


@dataclass(frozen=True, slots=True)
class AuthnRequest:
    flow_id: str
    authenticator_id: str
    params: dict[str, str]


def _param(order: int, name: str, label: str, *, confidential: bool) -> dict[str, Any]:
    return {
        "param": name,
        "type": "STRING",
        "order": order,
        "i18nKey": f"{name}.param",
        "displayName": label,
        "confidential": confidential,
    }


def _prompt(
    authenticator_id: str,
    name: str,
    key: str,
    params: list[dict[str, Any]],
    error: tuple[str, str] | None,
) -> dict[str, Any]:
    """One `AUTHENTICATOR_PROMPT` step; `error` = (messageId, message) after a failure."""
    step: dict[str, Any] = {
        "stepType": "AUTHENTICATOR_PROMPT",
        "authenticators": [
            {
                "authenticatorId": authenticator_id,
                "authenticator": name,
                "idp": "LOCAL",
                "metadata": {"i18nKey": key, "promptType": "USER_PROMPT", "params": params},
                "requiredParams": [p["param"] for p in params],
            }
        ],
    }
    if error is not None:
        message_id, message = error
        step["messages"] = [
            {
                "type": "ERROR",
                "messageId": message_id,
                "message": message,
                "i18nKey": f"message.{message_id}",
            }
        ]
    return step


def basic_step(*, failed: bool = False) -> dict[str, Any]:
    """The username-and-password step (`nextStep`), with the error message after a
    failed attempt."""
    params = [
        _param(0, "username", "Username", confidential=False),
        _param(1, "password", "Password", confidential=True),
    ]
    error = ("msg_invalid_un_pw", BAD_CREDENTIALS_MESSAGE) if failed else None
    return _prompt(BASIC_AUTHENTICATOR, "Username & Password", "authenticator.basic", params, error)


def totp_step(*, failed: bool = False) -> dict[str, Any]:
    """The TOTP step (`nextStep`) after a right password, for a user with TOTP enrolled."""
    params = [_param(0, "token", "Enter code", confidential=True)]
    error = ("msg_invalid_totp", BAD_TOTP_MESSAGE) if failed else None
    return _prompt(TOTP_AUTHENTICATOR, "TOTP", "authenticator.totp", params, error)


def flow_response(
    flow_id: str, authn_path: str, *, failed: bool = False, totp: bool = False
) -> dict[str, Any]:
    """`INCOMPLETE` (a new flow, or the TOTP step next) or `FAIL_INCOMPLETE` (wrong
    credentials or code, retry)."""
    return {
        "flowId": flow_id,
        "flowStatus": "FAIL_INCOMPLETE" if failed else "INCOMPLETE",
        "flowType": "AUTHENTICATION",
        "nextStep": totp_step(failed=failed) if totp else basic_step(failed=failed),
        "links": [{"name": "authentication", "href": authn_path, "method": "POST"}],
    }


def success_response(code: str, state: str | None) -> dict[str, Any]:
    auth_data = {"code": code}
    if state is not None:
        auth_data["state"] = state
    return {"flowStatus": "SUCCESS_COMPLETED", "authData": auth_data}


def _string(value: object, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidAuthnRequest(f"{name} must be a non-empty string.")
    if len(value) > MAX_VALUE:
        raise InvalidAuthnRequest(f"{name} is too long.")
    return value


def parse_authn(body: bytes) -> AuthnRequest:
    """The JSON body `{flowId, selectedAuthenticator {authenticatorId, params}}`."""
    if len(body) > MAX_BODY:
        raise InvalidAuthnRequest("The request body is too large.")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidAuthnRequest("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise InvalidAuthnRequest("The request body must be a JSON object.")
    flow_id = _string(data.get("flowId"), "flowId")
    selected = data.get("selectedAuthenticator")
    if not isinstance(selected, dict):
        raise InvalidAuthnRequest("selectedAuthenticator must be an object.")
    authenticator_id = _string(selected.get("authenticatorId"), "authenticatorId")
    raw_params = selected.get("params", {})
    if not isinstance(raw_params, dict):
        raise InvalidAuthnRequest("selectedAuthenticator.params must be an object.")
    params = {str(k): v for k, v in raw_params.items() if isinstance(v, str)}
    return AuthnRequest(flow_id, authenticator_id, params)


def totp_token(req: AuthnRequest) -> str:
    """The code of a TOTP step (the only authenticator offered at that point)."""
    if req.authenticator_id != TOTP_AUTHENTICATOR:
        raise InvalidAuthenticator(
            "The authenticatorId is not one this flow offers.",
            detail=f"authenticatorId {req.authenticator_id[:64]!r} at the TOTP step",
        )
    token = req.params.get("token", "")
    if not token:
        raise InvalidAuthnRequest("Required params are missing: token.")
    if len(token) > 64:
        raise InvalidAuthnRequest("A param is too long.")
    return token


def credentials(req: AuthnRequest) -> tuple[str, str]:
    """The username and password of a basic-authenticator step."""
    if req.authenticator_id != BASIC_AUTHENTICATOR:
        raise InvalidAuthenticator(
            "The authenticatorId is not one this flow offers.",
            detail=f"authenticatorId {req.authenticator_id[:64]!r}",
        )
    missing = [name for name in REQUIRED_PARAMS if not req.params.get(name)]
    if missing:
        raise InvalidAuthnRequest(f"Required params are missing: {', '.join(missing)}.")
    username, password = req.params["username"], req.params["password"]
    if len(username) > MAX_VALUE or len(password) > MAX_VALUE:
        raise InvalidAuthnRequest("A param is too long.")
    return username, password
