"""Client authentication at the token, introspection and revocation endpoints.

Implements: RFC 6749 §2.3.1 (client_secret_basic, client_secret_post; one method per
request), RFC 7523 §2.2 (private_key_jwt, see `assertions.py`), RFC 6749 §5.2
(`invalid_client` over Basic is 401 with `WWW-Authenticate: Basic`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote_plus

from runegate.crypto.hashing import verify_keyed_hash
from runegate.errors import InvalidClient
from runegate.errors import InvalidRequest
from runegate.oauth.clients import ClientRecord
from runegate.oauth.clients import ClientStore
from runegate.oauth.request import OAuthRequest

AuthMethod = Literal["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="runegate"'}
_DUMMY_HASH = "0" * 64

# (request, client_id from the assertion, assertion) -> the authenticated client record.
AssertionCheck = Callable[[OAuthRequest, str], Awaitable[ClientRecord]]


@dataclass(frozen=True, slots=True)
class AuthenticatedClient:
    record: ClientRecord
    method: AuthMethod


def _basic_failure(description: str) -> InvalidClient:
    return InvalidClient(description, headers=BASIC_CHALLENGE)


def parse_basic(header: str) -> tuple[str, str]:
    """RFC 7617 credentials, as sent (see `_variants` for RFC 6749 §2.3.1 encoding)."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise _basic_failure("The Authorization header must use the Basic scheme.")
    try:
        raw = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _basic_failure("The Basic credentials are malformed.") from None
    client_id, sep, secret = raw.partition(":")
    if not sep or not client_id:
        raise _basic_failure("The Basic credentials are malformed.")
    return client_id, secret


def _variants(value: str) -> list[str]:
    """RFC 6749 §2.3.1 asks clients to form-encode id and secret before Basic; many
    do not. Accept both (the decoded form first)."""
    decoded = unquote_plus(value)
    return [decoded] if decoded == value else [decoded, value]


def _method_of(req: OAuthRequest) -> AuthMethod:
    used: list[AuthMethod] = []
    if req.authorization is not None:
        used.append("client_secret_basic")
    if "client_secret" in req.params:
        used.append("client_secret_post")
    if "client_assertion" in req.params or "client_assertion_type" in req.params:
        used.append("private_key_jwt")
    if len(used) > 1:
        # RFC 6749 §2.3: a client MUST NOT use more than one authentication method.
        raise InvalidRequest("More than one client authentication method was used.")
    return used[0] if used else "none"


class ClientAuthenticator:
    """Authenticates the calling client with whichever single method it used."""

    def __init__(
        self, clients: ClientStore, keys: tuple[bytes, ...], assertions: AssertionCheck | None
    ) -> None:
        self.clients = clients
        self.keys = keys
        self.assertions = assertions

    async def authenticate(self, req: OAuthRequest) -> AuthenticatedClient:
        method = _method_of(req)
        if method == "private_key_jwt":
            return await self._assertion(req)
        if method == "none":
            return await self._public(req)
        if method == "client_secret_basic":
            raw_id, raw_secret = parse_basic(req.authorization or "")
            ids, secrets = _variants(raw_id), _variants(raw_secret)
            body_id = req.params.get("client_id")
            if body_id is not None and body_id not in ids:
                raise _basic_failure("The client_id does not match the credentials.")
        else:
            ids, secrets = [req.params.get("client_id", "")], [req.params["client_secret"]]
        record = await self._secret(req, ids, secrets)
        if record is None:
            headers = BASIC_CHALLENGE if method == "client_secret_basic" else None
            raise InvalidClient("Client authentication failed.", headers=headers)
        return AuthenticatedClient(record, method)

    async def _secret(
        self, req: OAuthRequest, ids: list[str], secrets: list[str]
    ) -> ClientRecord | None:
        record = None
        for client_id in ids:
            if client_id and record is None:
                record = await self.clients.by_client_id(req.tenant.root_id, client_id)
        stored = record.secret_hash if record is not None and record.secret_hash else _DUMMY_HASH
        # Constant time against every server key; done even for unknown clients.
        matched = False
        for secret in secrets:
            matched |= verify_keyed_hash(self.keys, secret, stored)
        if record is None or not matched or not record.active or record.public_client:
            return None
        if record.auth_method == "private_key_jwt":
            return None  # the application requires signed assertions
        return record

    async def _public(self, req: OAuthRequest) -> AuthenticatedClient:
        client_id = req.params.get("client_id")
        if not client_id:
            raise InvalidClient("Client authentication is required.", headers=BASIC_CHALLENGE)
        record = await self.clients.by_client_id(req.tenant.root_id, client_id)
        if record is None or not record.public_client or not record.active:
            raise InvalidClient("Client authentication failed.")
        return AuthenticatedClient(record, "none")

    async def _assertion(self, req: OAuthRequest) -> AuthenticatedClient:
        if req.params.get("client_assertion_type") != JWT_BEARER_ASSERTION:
            raise InvalidClient("The client_assertion_type is not supported.")
        assertion = req.params.get("client_assertion")
        if not assertion or self.assertions is None:
            raise InvalidClient("The client assertion is missing.")
        record = await self.assertions(req, assertion)
        return AuthenticatedClient(record, "private_key_jwt")
