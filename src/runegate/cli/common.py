"""Helpers shared by CLI verbs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from typing import TypeVar

import typer
from rich.console import Console

from runegate.config import Settings
from runegate.config import UnsafeConfiguration
from runegate.errors import IdpError
from runegate.storage.db import Database

T = TypeVar("T")
console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def load_settings() -> Settings:
    try:
        settings = Settings()
        settings.check_production()
    except (UnsafeConfiguration, ValueError) as exc:
        console.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from None
    return settings


def with_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        db = Database(settings.database_url, pool_size=2)
        try:
            return await work(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(run())
    except IdpError as exc:
        console.print(f"[red]error:[/red] {exc.description}")
        raise typer.Exit(1) from None
    except UnsafeConfiguration as exc:
        console.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from None
