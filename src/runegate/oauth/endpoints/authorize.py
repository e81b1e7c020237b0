"""The authorization endpoint's request checks, as an ordered list of named steps.

Implements: RFC 6749 §4.1.1 (authorization request), §3.1 (parameters at most once),
§3.1.2.3 / §3.1.2.4 (redirect URI matched against the registration; never redirect to
an unverified URI), §4.1.2.1 (errors after the redirect URI is verified are redirected
with `state`), OIDC Core §3.1.2.1 (`nonce`, `prompt`, `max_age`, `login_hint`),
OAuth 2.0 Form Post Response Mode, RFC 7636 §4.3 (PKCE).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qsl

from runegate.errors import IdpError
from runegate.errors import InvalidRequest
from runegate.errors import OAuthError
from runegate.errors import UnauthorizedClient
from runegate.management.applications.callback_urls import REGEXP_PREFIX
from runegate.management.applications.callback_urls import redirect_uri_allowed
from runegate.oauth import pkce
from runegate.oauth.clients import ClientRecord
from runegate.oauth.scopes import parse_scope
from runegate.tenancy.context import TenantContext

MAX_PARAMS = 40
MAX_VALUE = 2048
RESPONSE_MODES = ("query", "form_post")
PROMPTS = frozenset({"none", "login", "consent", "select_account"})


class PageError(IdpError):
    """An error found before the redirect URI is verified: shown, never redirected."""

    status = 400
    default_description = "The sign-in request is invalid."


class UnsupportedResponseType(OAuthError):
    error = "unsupported_response_type"
    default_description = "The response type is not supported."


class LoginRequired(OAuthError):
    error = "login_required"
    default_description = "The user is not signed in."


class ConsentRequired(OAuthError):
    error = "consent_required"
    default_description = "The user has not approved this application."


class AccessDeniedByUser(OAuthError):
    error = "access_denied"
    default_description = "The user denied the request."


@dataclass(frozen=True, slots=True)
class SigninClient:
    """An application as the authorization endpoint sees it."""

    record: ClientRecord
    name: str
    callback_urls: tuple[str, ...]
    pkce_mandatory: bool
    pkce_plain: bool
    skip_consent: bool
    enabled: bool
    api_based_auth: bool = False  # advancedConfigurations.enableAPIBasedAuthentication


class SigninClients(Protocol):
    async def find(self, tenant: TenantContext, client_id: str) -> SigninClient | None: ...


@dataclass(frozen=True, slots=True)
class RedirectTarget:
    """Where (and how) the authorization response goes, once verified."""

    redirect_uri: str
    state: str | None
    response_mode: str


class RedirectError(Exception):
    """An RFC 6749 §4.1.2.1 error to send to a verified redirect URI."""

    def __init__(self, error: OAuthError, target: RedirectTarget) -> None:
        super().__init__(error.description)
        self.error = error
        self.target = target


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    client: SigninClient
    target: RedirectTarget
    redirect_uri_sent: bool
    scopes: tuple[str, ...]
    nonce: str | None
    prompt: frozenset[str]
    max_age: int | None
    login_hint: str | None
    pkce: tuple[str, pkce.Method] | None
    params: Mapping[str, str]


def parse_params(raw: str) -> dict[str, str]:
    """Decode a query string or form body; repeated, oversized or malformed → page."""
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, errors="strict", max_num_fields=MAX_PARAMS)
    except (UnicodeDecodeError, ValueError):
        raise PageError("The request parameters are malformed or too many.") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            # RFC 6749 §3.1: parameters must not be included more than once.
            raise PageError("A request parameter is repeated.")
        if len(value) > MAX_VALUE or len(name) > 64:
            raise PageError("A request parameter is too long.")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            raise PageError("A request parameter has control characters.")
        params[name] = value
    # RFC 6749 §3.1: parameters sent without a value are treated as omitted.
    return {name: value for name, value in params.items() if value}


async def find_client(
    tenant: TenantContext, params: Mapping[str, str], clients: SigninClients
) -> SigninClient:
    client_id = params.get("client_id")
    if not client_id:
        raise PageError("The client_id parameter is missing.")
    client = await clients.find(tenant, client_id)
    if client is None or not client.record.active or not client.enabled:
        raise PageError("The application is unknown or disabled.")
    return client


def check_redirect_uri(client: SigninClient, params: Mapping[str, str]) -> str:
    """RFC 6749 §3.1.2.3: exact match (or Asgardeo's `regexp=`); may be omitted only
    when exactly one plain URI is registered."""
    sent = params.get("redirect_uri")
    registered = list(client.callback_urls)
    if sent is None:
        if len(registered) == 1 and not registered[0].startswith(REGEXP_PREFIX):
            return registered[0]
        raise PageError("The redirect_uri parameter is missing.")
    if not redirect_uri_allowed(registered, sent):
        raise PageError("The redirect_uri is not registered for this application.")
    return sent


def target_of(params: Mapping[str, str], redirect_uri: str) -> RedirectTarget:
    mode = params.get("response_mode", "query")
    state = params.get("state")
    if mode not in RESPONSE_MODES:
        bad = RedirectTarget(redirect_uri, state, "query")
        raise RedirectError(InvalidRequest("The response_mode is not supported."), bad)
    return RedirectTarget(redirect_uri, state, mode)


def check_response_type(client: SigninClient, params: Mapping[str, str]) -> None:
    response_type = params.get("response_type")
    if response_type is None:
        raise InvalidRequest("The response_type parameter is missing.")
    if response_type != "code":
        raise UnsupportedResponseType("Only the response type code is supported.")
    if "authorization_code" not in client.record.grant_types:
        raise UnauthorizedClient("The application may not use the authorization code grant.")
    if "request" in params or "request_uri" in params:
        raise InvalidRequest("Request objects are not supported.")


def check_prompt(params: Mapping[str, str]) -> frozenset[str]:
    values = frozenset(params.get("prompt", "").split())
    if not values <= PROMPTS:
        raise InvalidRequest("The prompt parameter has an unknown value.")
    if "none" in values and len(values) > 1:
        # OIDC Core §3.1.2.1: none must not be combined with other values.
        raise InvalidRequest("prompt=none cannot be combined with other values.")
    return values


def check_max_age(params: Mapping[str, str]) -> int | None:
    raw = params.get("max_age")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise InvalidRequest("The max_age parameter must be a non-negative integer.")
    return int(raw)


def check_pkce(client: SigninClient, params: Mapping[str, str]) -> tuple[str, pkce.Method] | None:
    # RFC 7636 §4.4.1; public clients always (OAuth 2.0 Security BCP §2.1.1).
    required = client.record.public_client or client.pkce_mandatory
    return pkce.check_challenge(
        params.get("code_challenge"),
        params.get("code_challenge_method"),
        required=required,
        plain_allowed=client.pkce_plain,
    )


async def validate(
    tenant: TenantContext, params: Mapping[str, str], clients: SigninClients
) -> AuthorizationRequest:
    """Run the checks in order; PageError before the redirect URI is verified,
    RedirectError after."""
    client = await find_client(tenant, params, clients)
    redirect_uri = check_redirect_uri(client, params)
    target = target_of(params, redirect_uri)
    try:
        check_response_type(client, params)
        scopes = parse_scope(params.get("scope"))
        prompt = check_prompt(params)
        max_age = check_max_age(params)
        challenge = check_pkce(client, params)
    except OAuthError as exc:
        raise RedirectError(exc, target) from None
    return AuthorizationRequest(
        client=client,
        target=target,
        redirect_uri_sent="redirect_uri" in params,
        scopes=scopes,
        nonce=params.get("nonce"),
        prompt=prompt,
        max_age=max_age,
        login_hint=params.get("login_hint"),
        pkce=challenge,
        params=dict(params),
    )
