"""The management surface: every management API router under one mount."""

from __future__ import annotations

from fastapi import APIRouter

from runegate.management.api_resources.router import build_router as api_resources_router
from runegate.management.applications.router import build_router as applications_router
from runegate.management.audit.router import build_router as audit_router
from runegate.management.governance.router import build_router as governance_router
from runegate.management.organizations.router import build_me_router
from runegate.management.organizations.router import build_router as organizations_router
from runegate.management.rate_limits.router import build_router as rate_limits_router
from runegate.state import AppState


def management_router(state: AppState) -> APIRouter:
    router = APIRouter()
    router.include_router(applications_router(state))
    router.include_router(api_resources_router(state))
    router.include_router(audit_router(state))
    router.include_router(rate_limits_router(state))
    router.include_router(organizations_router(state))
    router.include_router(build_me_router(state))
    router.include_router(governance_router(state))
    return router
