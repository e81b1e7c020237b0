"""The application certificate (advancedConfigurations.certificate): PEM or JWKS URL."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from cryptography import x509

from runegate.management.applications import errors as app_errors
from runegate.management.applications.schemas import Certificate

PEM_HEADER = "-----BEGIN CERTIFICATE-----"


def _pem_bytes(value: str) -> bytes:
    """PEM text, or PEM text in Base64 (as Asgardeo's Console sends it)."""
    if PEM_HEADER in value:
        return value.encode()
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if PEM_HEADER not in decoded:
        raise app_errors.INVALID_OIDC.error(
            field="advancedConfigurations.certificate.value", reason="is not a PEM certificate"
        )
    return decoded.encode()


def check_certificate(certificate: Certificate) -> None:
    field = "advancedConfigurations.certificate.value"
    if certificate.type == "JWKS":
        parts = urlsplit(certificate.value)
        if parts.scheme != "https" or not parts.hostname:
            raise app_errors.INVALID_OIDC.error(field=field, reason="must be an https JWKS URL")
        return
    try:
        x509.load_pem_x509_certificate(_pem_bytes(certificate.value))
    except ValueError:
        raise app_errors.INVALID_OIDC.error(
            field=field, reason="is not a valid PEM certificate"
        ) from None
