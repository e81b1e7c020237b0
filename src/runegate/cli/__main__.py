"""Entry point: `runegate serve | migrate | bootstrap | org ... | config-docs`."""

from __future__ import annotations

import os
import sys

import typer

from runegate.cli.apps import apps_app
from runegate.cli.common import console
from runegate.cli.common import load_settings
from runegate.cli.common import with_db
from runegate.cli.keys import keys_app
from runegate.cli.tenants import org_app
from runegate.cli.tokens import tokens_app

app = typer.Typer(
    help="Runegate: a self-hosted, Asgardeo-compatible identity platform.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(org_app, name="org")
app.add_typer(keys_app, name="keys")
app.add_typer(tokens_app, name="tokens")
app.add_typer(apps_app, name="app")


@app.callback()
def _provisioning_secrets() -> None:
    """Organizations provisioned by any verb get signing keys (read settings lazily)."""
    from runegate.oauth.signing_keys import configure_secrets

    configure_secrets(lambda: load_settings().secret_keys)


@app.command()
def migrate() -> None:
    """Apply database migrations (Alembic) to RUNEGATE_DATABASE_URL."""
    from runegate.storage.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    console.print("database is up to date")


@app.command()
def bootstrap() -> None:
    """Converge the root organization, administrator, system APIs and bootstrap app."""
    from runegate.bootstrap import run_bootstrap

    settings = load_settings()
    report = with_db(settings, lambda db: run_bootstrap(settings, db))
    verb = "created" if report.org_created else "up to date"
    console.print(f"root organization [bold]{report.root_org}[/bold]: {verb}")
    if report.generated_admin_password:
        print(
            f"administrator {report.admin_username} created; password (shown once, "
            f"stored only as a hash): {report.generated_admin_password}"
        )
    if report.bootstrap_client_id:
        console.print(f"bootstrap application: client_id {report.bootstrap_client_id}")


@app.command()
def serve(
    setup: bool = typer.Option(
        False, "--setup", help="Apply migrations and bootstrap first (what `make run` does)."
    ),
) -> None:
    """Serve HTTP on RUNEGATE_HOST:RUNEGATE_PORT with RUNEGATE_WORKERS workers."""
    settings = load_settings()
    if setup:
        console.print(">> applying migrations")
        migrate()
        console.print(">> bootstrapping")
        bootstrap()
    else:
        from runegate.secret_check import verify_secret_key

        with_db(settings, lambda db: verify_secret_key(db, settings.secret_keys))
    console.print(f"Runegate serving on {settings.base_url} ({settings.workers} worker(s))")
    if settings.workers > 1:
        # Workers are spawned and re-import the main module: make it the small server
        # module instead of this CLI (see runegate/serve.py). Same PID, same environment.
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, "-m", "runegate.serve"])  # noqa: S606
    from runegate.serve import run

    run(settings)


@app.command("config-docs")
def config_docs() -> None:
    """Print docs/configuration.md, generated from the settings class."""
    from runegate.docs_gen import configuration_markdown

    print(configuration_markdown(), end="")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
