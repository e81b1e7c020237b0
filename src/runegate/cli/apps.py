"""`runegate app set-token`: an application's access-token type, lifetimes and algorithm."""

from __future__ import annotations

import json
from typing import Any

import typer

from runegate.cli.common import load_settings
from runegate.cli.common import out
from runegate.cli.common import with_db
from runegate.errors import NotFound
from runegate.oauth.app_settings import TokenType
from runegate.oauth.app_settings import set_access_token_settings
from runegate.storage.db import Database
from runegate.storage.repositories.organizations import OrganizationRepository
from runegate.tenancy.context import TenantContext

apps_app = typer.Typer(help="Application (OAuth client) settings.", no_args_is_help=True)


async def root_tenant(db: Database, org: str, base_url: str) -> TenantContext:
    async with db.read() as session:
        found = await OrganizationRepository(session).find_root(org)
    if found is None:
        raise NotFound(f"The organization {org!r} does not exist.")
    return TenantContext(found.id, found.name, found.id, base_url)


@apps_app.command("set-token")
def set_token(
    client_id: str = typer.Argument(..., help="The application's client id."),
    org: str = typer.Option("default", help="Root organization."),
    token_type: str | None = typer.Option(None, "--type", help="Default (opaque) or JWT."),
    lifetime: int | None = typer.Option(
        None, help="applicationAccessTokenExpiryInSeconds (client_credentials tokens)."
    ),
    user_lifetime: int | None = typer.Option(None, help="userAccessTokenExpiryInSeconds."),
    alg: str | None = typer.Option(None, help="JWT signing algorithm: RS256, PS256, ES256."),
) -> None:
    """Set the access-token settings of an application (every worker within 1 s)."""
    settings = load_settings()
    if token_type is not None and token_type not in ("Default", "JWT"):
        raise typer.BadParameter("--type must be Default or JWT")

    async def work(db: Database) -> dict[str, Any]:
        tenant = await root_tenant(db, org, settings.base_url)
        async with db.write() as session:
            return await set_access_token_settings(
                session,
                tenant,
                client_id=client_id,
                token_type=token_type,  # type: ignore[arg-type]
                application_lifetime=lifetime,
                user_lifetime=user_lifetime,
                signing_alg=alg,
            )

    out.print_json(json.dumps(with_db(settings, work)))


__all__ = ["TokenType", "apps_app"]
