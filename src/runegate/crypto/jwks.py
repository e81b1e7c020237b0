"""JWK sets: the published document, and fetching a client's `jwks_uri` safely.

Fetching (RFC 7523 §2.2 client keys) uses a timeout, a size cap and a cache, and outside
development refuses non-https URLs and hosts that resolve to private, loopback,
link-local or reserved addresses (SSRF).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import orjson

FETCH_TIMEOUT = 3.0
MAX_JWKS_BYTES = 64 * 1024
CACHE_SECONDS = 300.0


class JwksFetchError(Exception):
    """The JWK set could not be fetched (refused, unreachable, too large, malformed)."""


def jwks_document(public_jwks: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """RFC 7517 §5: `{"keys": [...]}` with `kid`, `alg` and `use` on every key."""
    return {"keys": [dict(jwk) for jwk in public_jwks]}


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


async def check_fetchable(url: str, *, development: bool) -> None:
    """Refuse URLs a server-side fetch must not reach (outside development)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise JwksFetchError("the JWKS URL must be an absolute http(s) URL")
    if development:
        return
    if parts.scheme != "https":
        raise JwksFetchError("the JWKS URL must use https")
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise JwksFetchError("the JWKS host does not resolve") from exc
    if not infos or not all(_is_public(str(info[4][0])) for info in infos):
        raise JwksFetchError("the JWKS host resolves to a non-public address")


class JwksFetcher:
    """Fetches and caches remote JWK sets (per URL, `CACHE_SECONDS`)."""

    def __init__(self, *, development: bool) -> None:
        self.development = development
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}

    def forget(self, url: str) -> None:
        self._cache.pop(url, None)

    async def get(self, url: str) -> dict[str, Any]:
        hit = self._cache.get(url)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        document = await self._fetch(url)
        if len(self._cache) > 1000:
            self._cache.clear()
        self._cache[url] = (time.monotonic() + CACHE_SECONDS, document)
        return document

    async def _fetch(self, url: str) -> dict[str, Any]:
        import httpx  # imported on first use: httpx pulls in rich, click and pygments

        await check_fetchable(url, development=self.development)
        try:
            async with (
                httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=False) as http,
                http.stream("GET", url, headers={"Accept": "application/json"}) as response,
            ):
                if response.status_code != 200:
                    raise JwksFetchError(f"the JWKS URL answered {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_JWKS_BYTES:
                        raise JwksFetchError("the JWK set is too large")
        except httpx.HTTPError as exc:
            raise JwksFetchError("the JWKS URL could not be fetched") from exc
        try:
            document = orjson.loads(bytes(body))
        except orjson.JSONDecodeError as exc:
            raise JwksFetchError("the JWK set is not JSON") from exc
        if not isinstance(document, dict):
            raise JwksFetchError("the JWK set is not an object")
        return document
