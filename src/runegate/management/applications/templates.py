"""Application templates: Asgardeo's template ids and the OIDC defaults each implies.

Asgardeo Console ids are accepted as they are; Runegate's own ids are documented in
docs/management-api.md. An unknown template id is stored but implies nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runegate.oauth.app_defaults import default_oidc

STANDARD_OIDC = "b9c5e11e-fc78-484b-9bec-015d247561b8"
SPA = "6a90e4b0-fbff-42d7-bfde-1efd98f07cd7"
MOBILE = "44a2d9d9-bc0c-4b54-85df-1cf08f4002ec"
SAML = "776a73da-fd8e-490b-84ff-93009f8ede85"
M2M = "m2m-application"
CUSTOM = "custom-application"


@dataclass(frozen=True, slots=True)
class Template:
    label: str
    grants: tuple[str, ...]
    public_client: bool = False
    only_grants: frozenset[str] | None = None  # the template allows these grants only
    has_oidc: bool = True  # an inbound protocol is created even without a body
    supported: bool = True

    def oidc_defaults(self) -> dict[str, Any]:
        return default_oidc(list(self.grants), public_client=self.public_client)


GENERIC = Template("Standard-based", ("authorization_code", "refresh_token"), has_oidc=False)
TEMPLATES: dict[str, Template] = {
    STANDARD_OIDC: Template("Traditional web (OIDC)", ("authorization_code", "refresh_token")),
    CUSTOM: GENERIC,
    "standard-based-application": GENERIC,
    SPA: Template("Single-page", ("authorization_code", "refresh_token"), public_client=True),
    "single-page-application": Template(
        "Single-page", ("authorization_code", "refresh_token"), public_client=True
    ),
    MOBILE: Template("Mobile", ("authorization_code", "refresh_token"), public_client=True),
    M2M: Template(
        "Machine-to-machine",
        ("client_credentials",),
        only_grants=frozenset({"client_credentials"}),
    ),
    SAML: Template("SAML", (), has_oidc=False, supported=False),
}


def template_for(template_id: str | None) -> Template:
    if template_id is None:
        return GENERIC
    return TEMPLATES.get(template_id, GENERIC)
