"""`runegate keys list|rotate|retire`: signing keys per root organization."""

from __future__ import annotations

import typer

from runegate.cli.apps import root_tenant
from runegate.cli.common import load_settings
from runegate.cli.common import with_db
from runegate.crypto.keys import check_algorithm
from runegate.oauth import signing_keys
from runegate.storage.db import Database

keys_app = typer.Typer(help="Signing keys (JWKS) per root organization.", no_args_is_help=True)


@keys_app.command("list")
def list_keys(org: str = typer.Option("default", help="Root organization.")) -> None:
    """List the organization's keys (active keys sign; all keys verify)."""
    settings = load_settings()

    async def work(db: Database) -> list[tuple[str, str, str, str]]:
        tenant = await root_tenant(db, org, settings.base_url)
        async with db.read() as session:
            rows = await signing_keys.keys_of(session, tenant.root_id)
        return [
            (k.kid, k.alg, "active" if k.active else "verifying", str(k.created_at)) for k in rows
        ]

    for row in with_db(settings, work):
        print("\t".join(row))  # plain lines: key ids are long and scripts read them


@keys_app.command("rotate")
def rotate(
    org: str = typer.Option("default", help="Root organization."),
    alg: str = typer.Option("RS256", help="RS256, PS256 or ES256."),
) -> None:
    """Create a new signing key for ALG; it signs at once, older keys keep verifying."""
    settings = load_settings()
    try:
        algorithm = check_algorithm(alg)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None

    async def work(db: Database) -> str:
        tenant = await root_tenant(db, org, settings.base_url)
        async with db.write() as session:
            await db.lock(session, signing_keys.KEY_LOCK)
            return await signing_keys.rotate(
                session, tenant.root_id, algorithm, settings.secret_keys
            )

    print(f"new {alg} signing key: {with_db(settings, work)}")


@keys_app.command("retire")
def retire(kid: str = typer.Argument(..., help="Key id of an inactive key.")) -> None:
    """Remove an inactive key once every token it may have signed has expired."""
    settings = load_settings()

    async def work(db: Database) -> None:
        async with db.write() as session:
            await signing_keys.retire(session, kid)

    with_db(settings, work)
    print(f"retired {kid}")
