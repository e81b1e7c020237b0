"""`runegate org create NAME` and `runegate org list`."""

from __future__ import annotations

import typer
from rich.table import Table

from runegate.cli.common import console
from runegate.cli.common import load_settings
from runegate.cli.common import out
from runegate.cli.common import with_db
from runegate.storage.db import Database
from runegate.storage.repositories.organizations import OrganizationRepository
from runegate.tenancy.names import ORG_NAME_RULE
from runegate.tenancy.names import is_valid_org_name
from runegate.tenancy.service import ProvisionedOrg
from runegate.tenancy.service import provision_org

org_app = typer.Typer(help="Manage root organizations (tenants).", no_args_is_help=True)


@org_app.command("create")
def create(
    name: str = typer.Argument(..., help=f"Organization name: {ORG_NAME_RULE}."),
    admin: str = typer.Option("admin", help="Username of the organization's administrator."),
) -> None:
    """Provision a complete organization: system API resources, administrator, keys."""
    if not is_valid_org_name(name):
        console.print(f"[red]error:[/red] invalid name {name!r}: {ORG_NAME_RULE}")
        raise typer.Exit(2)
    settings = load_settings()

    async def work(db: Database) -> ProvisionedOrg:
        async with db.write() as session:
            return await provision_org(
                session,
                name,
                base_url=settings.base_url,
                admin_username=admin,
                must_create=True,
            )

    result = with_db(settings, work)
    out.print(f"Created organization [bold]{name}[/bold] ({result.org.id})")
    out.print(f"  endpoints: {result.tenant.tenant_url}/oauth2/token")
    if result.admin_password:
        print(f"  administrator: {admin}  password (shown once): {result.admin_password}")


@org_app.command("list")
def list_orgs() -> None:
    """List root organizations."""
    settings = load_settings()

    async def work(db: Database) -> list[tuple[str, str, str]]:
        async with db.read() as session:
            orgs = await OrganizationRepository(session).list_roots()
            return [(o.name, o.id, o.status) for o in orgs]

    table = Table("name", "id", "status")
    for row in with_db(settings, work):
        table.add_row(*row)
    out.print(table)
