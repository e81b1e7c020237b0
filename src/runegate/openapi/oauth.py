"""The OAuth 2.0 / OIDC endpoints, the hosted sign-in pages and the account pages."""

from __future__ import annotations

from runegate.openapi.common import FORM
from runegate.openapi.common import ORG
from runegate.openapi.common import Json
from runegate.openapi.common import form_body
from runegate.openapi.common import html_answer
from runegate.openapi.common import json_answer
from runegate.openapi.common import query
from runegate.openapi.common import ref
from runegate.openapi.common import strings

OAUTH_ERROR = json_answer("RFC 6749 §5.2 error", ref("OAuthError"))
PAGE_OR_ERROR: Json = {
    "description": "An HTML error page, or a JSON error before any page applies",
    "content": {
        "text/html": {"schema": {"type": "string"}},
        "application/json": {"schema": {"oneOf": [ref("OAuthError"), ref("RunegateError")]}},
    },
}
REDIRECTS: Json = {
    "302": {"description": "Redirect (to the client or the login page)"},
    "303": {"description": "Redirect after a form post"},
}
CLIENT_AUTH: list[Json] = [{"clientBasic": []}, {}]
BEARER: list[Json] = [{"bearer": []}]

TOKEN_FORM = strings(
    "scope",
    "client_id",
    "client_secret",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "username",
    "password",
    "client_assertion_type",
    "client_assertion",
)
GRANT_TYPE: Json = {
    "type": "string",
    "enum": [
        "client_credentials",
        "authorization_code",
        "refresh_token",
        "password",
        "organization_switch",
    ],
}
TOKEN_RESPONSE: Json = {
    "type": "object",
    "properties": {
        "access_token": {"type": "string"},
        "token_type": {"type": "string"},
        "expires_in": {"type": "integer"},
        "refresh_token": {"type": "string"},
        "id_token": {"type": "string"},
        "scope": {"type": "string"},
    },
    "required": ["access_token", "token_type", "expires_in"],
    "additionalProperties": False,
}
TOKEN_HINT = strings("token", "token_type_hint")
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "response_mode",
    "max_age",
    "login_hint",
)


def operation(summary: str, tag: str, responses: Json, **extra: object) -> Json:
    return {"summary": summary, "tags": [tag], "parameters": [ORG], "responses": responses, **extra}


def form_page(summary: str, tag: str, *fields: str) -> Json:
    return operation(
        summary,
        tag,
        {"200": html_answer("The page"), **REDIRECTS, "default": PAGE_OR_ERROR},
        requestBody=form_body(strings(*fields)),
    )


def page(summary: str, tag: str, *params: str) -> Json:
    found = operation(summary, tag, {"200": html_answer("The page"), "default": PAGE_OR_ERROR})
    found["parameters"] = [ORG, *query(*params)]
    return found


USERINFO_ANSWERS: Json = {
    "200": json_answer(
        "OIDC Core §5.3.2 claims",
        {"type": "object", "properties": {"sub": {"type": "string"}}, "required": ["sub"]},
    ),
    "default": OAUTH_ERROR,
}
AUTHORIZE_ANSWERS: Json = {"200": html_answer("Login page"), **REDIRECTS, "default": PAGE_OR_ERROR}
ACCOUNTS = "/t/{org}/accountrecovery"

OAUTH_PATHS: dict[str, Json] = {
    "/t/{org}/oauth2/token": {
        "post": operation(
            "Token endpoint (RFC 6749 §3.2)",
            "OAuth 2.0",
            {"200": json_answer("Tokens", TOKEN_RESPONSE), "default": OAUTH_ERROR},
            requestBody=form_body({"grant_type": GRANT_TYPE, **TOKEN_FORM}, ("grant_type",)),
            security=CLIENT_AUTH,
        )
    },
    "/t/{org}/oauth2/introspect": {
        "post": operation(
            "Token introspection (RFC 7662)",
            "OAuth 2.0",
            {
                "200": json_answer(
                    "Introspection",
                    {
                        "type": "object",
                        "properties": {"active": {"type": "boolean"}},
                        "required": ["active"],
                    },
                ),
                "default": OAUTH_ERROR,
            },
            requestBody=form_body(TOKEN_HINT, ("token",)),
            security=CLIENT_AUTH,
        )
    },
    "/t/{org}/oauth2/revoke": {
        "post": operation(
            "Token revocation (RFC 7009)",
            "OAuth 2.0",
            {"200": {"description": "Revoked (or unknown)"}, "default": OAUTH_ERROR},
            requestBody=form_body(TOKEN_HINT, ("token",)),
            security=CLIENT_AUTH,
        )
    },
    "/t/{org}/oauth2/jwks": {
        "get": operation(
            "Signing keys (RFC 7517)",
            "OAuth 2.0",
            {
                "200": json_answer(
                    "JWK Set",
                    {
                        "type": "object",
                        "properties": {"keys": {"type": "array"}},
                        "required": ["keys"],
                    },
                ),
                "default": OAUTH_ERROR,
            },
        )
    },
    "/t/{org}/oauth2/token/.well-known/openid-configuration": {
        "get": operation(
            "OIDC discovery",
            "OIDC",
            {
                "200": json_answer(
                    "Provider metadata",
                    {
                        "type": "object",
                        "required": ["issuer", "token_endpoint", "jwks_uri"],
                        "properties": {"issuer": {"type": "string"}},
                    },
                ),
                "default": OAUTH_ERROR,
            },
        )
    },
    "/t/{org}/oauth2/userinfo": {
        "get": operation("UserInfo (OIDC Core §5.3)", "OIDC", USERINFO_ANSWERS, security=BEARER),
        "post": operation(
            "UserInfo, token in the form (RFC 6750 §2.2)",
            "OIDC",
            USERINFO_ANSWERS,
            requestBody={
                "required": False,
                "content": {
                    FORM: {"schema": {"type": "object", "properties": strings("access_token")}}
                },
            },
            security=[*BEARER, {}],
        ),
    },
    "/t/{org}/oauth2/authorize": {
        "get": {
            **operation("Authorization endpoint (RFC 6749 §4.1.1)", "Sign-in", AUTHORIZE_ANSWERS),
            "parameters": [ORG, *query(*AUTHORIZE_PARAMS)],
        },
        "post": operation(
            "Authorization endpoint, form post (OIDC Core §3.1.2.1)",
            "Sign-in",
            AUTHORIZE_ANSWERS,
            requestBody=form_body(strings(*AUTHORIZE_PARAMS)),
        ),
    },
    "/t/{org}/oauth2/authn": {
        "post": operation(
            "App-native authentication step",
            "Sign-in",
            {
                "200": json_answer("The next step or the authorization code", {"type": "object"}),
                "default": json_answer(
                    "An `ABA-` error or an OAuth error",
                    {"oneOf": [ref("RunegateError"), ref("OAuthError")]},
                ),
            },
            requestBody={
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "flowId": {"type": "string"},
                                "selectedAuthenticator": {
                                    "type": "object",
                                    "properties": {
                                        "authenticatorId": {"type": "string"},
                                        "params": {
                                            "type": "object",
                                            "properties": strings("username", "password"),
                                        },
                                    },
                                },
                            },
                            "required": ["flowId", "selectedAuthenticator"],
                        }
                    }
                },
            },
        )
    },
    "/t/{org}/authenticationendpoint/login": {
        "post": form_page(
            "Hosted login form", "Sign-in", "csrf_token", "request", "username", "password"
        )
    },
    "/t/{org}/authenticationendpoint/consent": {
        "post": form_page("Hosted consent form", "Sign-in", "csrf_token", "request", "decision")
    },
    f"{ACCOUNTS}/invitation": {
        "get": page("Invitation page", "Accounts", "token"),
        "post": form_page(
            "Accept an invitation", "Accounts", "csrf_token", "token", "password", "confirm"
        ),
    },
    f"{ACCOUNTS}/reset": {
        "get": page("Password reset page", "Accounts", "token"),
        "post": form_page(
            "Reset a password", "Accounts", "csrf_token", "token", "password", "confirm"
        ),
    },
    f"{ACCOUNTS}/forgot": {
        "get": page("Forgot-password page", "Accounts"),
        "post": form_page("Ask for a recovery link", "Accounts", "csrf_token", "login"),
    },
    f"{ACCOUNTS}/verify-email": {
        "get": page("Email verification page", "Accounts", "token"),
        "post": form_page("Verify an email address", "Accounts", "csrf_token", "token"),
    },
}
