"""The list of surfaces mounted by create_app (one router factory each)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from runegate.state import AppState

SURFACES: list[Callable[[AppState], APIRouter]] = []


def _oauth(state: AppState) -> APIRouter:
    from runegate.oauth.routes import oauth_router

    return oauth_router(state)


SURFACES.append(_oauth)


def _management(state: AppState) -> APIRouter:
    """Asgardeo management APIs: applications, API resources and scopes."""
    from runegate.management.routes import management_router

    return management_router(state)


SURFACES.append(_management)


def _oidc(state: AppState) -> APIRouter:
    from runegate.oidc.routes import oidc_router

    return oidc_router(state)


SURFACES.append(_oidc)


def _scim(state: AppState) -> APIRouter:
    """SCIM 2.0 Users, Groups, Me, Bulk and discovery under /t/{org}/scim2."""
    from runegate.scim.routes import scim_router

    return scim_router(state)


SURFACES.append(_scim)


def _roles(state: AppState) -> APIRouter:
    """Roles v2 under /t/{org}/scim2/v2/Roles."""
    from runegate.scim.roles_routes import roles_router

    return roles_router(state)


SURFACES.append(_roles)


def _mail(state: AppState) -> APIRouter:
    """The mail outbox sender (background task of every server process)."""
    from runegate.mail.routes import mail_router

    return mail_router(state)


SURFACES.append(_mail)


def _signin(state: AppState) -> APIRouter:
    """The authorization endpoint and the hosted login and consent pages."""
    from runegate.web.routes import signin_router

    return signin_router(state)


SURFACES.append(_signin)


def _accounts(state: AppState) -> APIRouter:
    """Hosted pages: invitation, password recovery, email verification."""
    from runegate.web.accounts import account_router

    return account_router(state)


SURFACES.append(_accounts)


def _console(state: AppState) -> APIRouter:
    """The administrator Console under /t/{org}/console."""
    from runegate.web.console.routes import console_router

    return console_router(state)


SURFACES.append(_console)


def _myaccount(state: AppState) -> APIRouter:
    """End-user APIs (`/api/users/v1/me/...`) and the My Account pages."""
    from runegate.myaccount.router import build_router
    from runegate.web.myaccount import myaccount_router

    router = APIRouter()
    router.include_router(build_router(state))
    router.include_router(myaccount_router(state))
    return router


SURFACES.append(_myaccount)


def _logout(state: AppState) -> APIRouter:
    """RP-initiated logout (/oidc/logout) and its confirmation page."""
    from runegate.web.logout import logout_router

    return logout_router(state)


SURFACES.append(_logout)
