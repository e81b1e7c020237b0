"""The mail surface: no endpoints of its own; its lifespan runs this process's outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter

from runegate.mail.accounts import AccountMails
from runegate.mail.outbox import Outbox
from runegate.mail.transport import transport_for
from runegate.state import AppState


def mail_router(state: AppState) -> APIRouter:
    settings = state.settings
    url = settings.smtp_url.get_secret_value() if settings.smtp_url else None

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        transport = transport_for(url, settings.var_dir)
        outbox = Outbox(state.db, transport, composer=AccountMails(settings))
        outbox.start()
        try:
            yield
        finally:
            await outbox.stop()

    return APIRouter(lifespan=lifespan)
