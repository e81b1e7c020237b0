"""The My Account system application of an organization and the sign-in round trip.

As in Asgardeo, My Account is an application of the organization itself (a public client
with PKCE, consent skipped, callback `/t/{org}/myaccount/callback`), created on first
use. Its pages then use the organization's SSO session; the round trip through
`/oauth2/authorize` (password, TOTP when enrolled) is how that session is made.
Implements: RFC 6749 §4.1 with RFC 7636 (S256) for the round trip, `state` checked
against a sealed cookie (RFC 6749 §10.12).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.oauth.app_defaults import default_oidc
from runegate.storage.models.application import Application
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.context import TenantContext

APP_NAME = "My Account"
HOME_PATH = "/t/{org}/myaccount"
CALLBACK_PATH = "/t/{org}/myaccount/callback"
FLOW_COOKIE = "runegate_myaccount"


def client_id_of(tenant: TenantContext) -> str:
    return f"MY_ACCOUNT_{tenant.root_name}"


def callback_url(tenant: TenantContext) -> str:
    return tenant.base_url + CALLBACK_PATH.format(org=tenant.root_name)


async def app_is_current(session: AsyncSession, tenant: TenantContext) -> bool:
    """True when the My Account application exists with today's callback URL."""
    app = await ApplicationRepository(session, tenant=tenant).find_by_client_id(
        client_id_of(tenant)
    )
    return app is not None and app.oidc.get("callbackURLs") == [callback_url(tenant)]


async def ensure_app(session: AsyncSession, tenant: TenantContext) -> bool:
    """Create (or repair) the organization's My Account application; True if written."""
    apps = ApplicationRepository(session, tenant=tenant)
    client_id = client_id_of(tenant)
    app = await apps.find_by_client_id(client_id)
    oidc = default_oidc(["authorization_code"], public_client=True)
    oidc["callbackURLs"] = [callback_url(tenant)]
    oidc["pkce"] = {"mandatory": True, "supportPlainTransformAlgorithm": False}
    settings = {"advancedConfigurations": {"skipLoginConsent": True}}
    if app is not None and app.oidc.get("callbackURLs") == oidc["callbackURLs"]:
        return False
    if app is None:
        await apps.add(
            Application(
                name=APP_NAME,
                description="The organization's self-service portal for its users.",
                template_id="single-page-application",
                client_id=client_id,
                public_client=True,
                oidc=oidc,
                settings=settings,
                is_system=True,
            )
        )
    else:
        app.oidc, app.settings, app.public_client = oidc, settings, True
        await apps.flush()
    return True


def new_flow() -> tuple[str, str, str]:
    """(state, PKCE verifier, S256 challenge) for one round trip."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return secrets.token_urlsafe(24), verifier, challenge.rstrip(b"=").decode()


def authorize_url(tenant: TenantContext, state: str, challenge: str) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id_of(tenant),
            "redirect_uri": callback_url(tenant),
            "scope": "openid",
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"/t/{tenant.root_name}/oauth2/authorize?{query}"
