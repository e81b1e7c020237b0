"""Audit fixtures: the real app and an administrator (roles/users/apps scopes)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from runegate.state import AppState
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import Admin


@pytest.fixture
async def booted(make_app: AppFactory) -> tuple[FastAPI, httpx.AsyncClient]:
    return await make_app()


@pytest.fixture
async def admin(booted: tuple[FastAPI, httpx.AsyncClient]) -> Admin:
    _app, http = booted
    return Admin(http, bearer(await get_token(http, ADMIN_SCOPES)))


@pytest.fixture
def app_state(booted: tuple[FastAPI, Any]) -> AppState:
    state: AppState = booted[0].state.runegate
    return state
