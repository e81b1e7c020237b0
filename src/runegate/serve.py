"""The server process: `python -m runegate.serve` runs uvicorn on the configured address.

`runegate serve` checks the deployment (migrations, bootstrap, the secret-key check value)
and then replaces itself with this module (`os.execv`). Worker processes are started with
`spawn` and import the parent's main module again; keeping that module this small means a
worker imports only the application (`runegate.app`), not the CLI with all its verbs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import uvicorn

from runegate.config import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

# A worker that is still importing on a busy host is not a dead worker: uvicorn's default
# of 5 s turned slow starts into restart loops. Startup itself is bounded by the lifespan.
WORKER_HEALTHCHECK_SECONDS = 60


def run(settings: Settings) -> None:
    """Serve `runegate.app:create_app` (through `worker_app`) until SIGINT/SIGTERM (blocking)."""
    from runegate.tracing import configure_logging

    configure_logging(settings.log_level)
    uvicorn.run(
        "runegate.serve:worker_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


def worker_app() -> FastAPI:
    """uvicorn's factory in each worker: the application, with the server-process tuning."""
    from runegate.app import create_app

    return create_app(server=True)


def main() -> None:
    run(Settings())


if __name__ == "__main__":
    main()
