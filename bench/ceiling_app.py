"""The ceiling: a trivial form-POST endpoint on the same stack as Runegate.

Same server (uvicorn with uvloop/httptools from `uvicorn[standard]`), same framework
(Starlette), same worker count and server options as `runegate serve`; the handler parses
the form body and answers a token-shaped JSON body with the no-store headers. Whatever
Runegate's token endpoint does beyond this is what the ratios in `make bench` measure.

Run: `RUNEGATE_PORT=8001 RUNEGATE_WORKERS=2 python -m bench.ceiling_app`.
"""

from __future__ import annotations

import os

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PATH = "/token"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FAKE_TOKEN = "x" * 43


async def token(request: Request) -> Response:
    form = await request.form()
    body = {
        "access_token": FAKE_TOKEN,
        "scope": form.get("scope") or "",
        "token_type": "Bearer",
        "expires_in": 3600,
    }
    return Response(orjson.dumps(body), headers=NO_STORE, media_type="application/json")


async def health(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


def create_app() -> Starlette:
    return Starlette(
        routes=[Route(PATH, token, methods=["POST"]), Route("/health", health, methods=["GET"])]
    )


def main() -> None:
    import uvicorn

    uvicorn.run(
        "bench.ceiling_app:create_app",
        factory=True,
        host=os.environ.get("RUNEGATE_HOST", "127.0.0.1"),
        port=int(os.environ.get("RUNEGATE_PORT", "8001")),
        workers=int(os.environ.get("RUNEGATE_WORKERS", "2")),
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
