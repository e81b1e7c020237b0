"""The request's organization context, resolved once from `/t/{org}`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TenantContext:
    """The root organization of a request, plus the organization it acts in.

    `org_id` is the organization whose rows a repository touches: the root organization
    for `/t/{org}/...`, or the switched sub-organization for `/t/{org}/o/...`.
    """

    root_id: str
    root_name: str
    org_id: str
    base_url: str
    # The root organization's rate-limit overrides (`runegate.ratelimit`): (name, limit).
    rate_limits: tuple[tuple[str, int], ...] = ()
    # The switched sub-organization's name, when known (JWT `org_name`).
    org_name: str = ""

    @property
    def issuer(self) -> str:
        # Asgardeo: the issuer is the token endpoint URL.
        return f"{self.base_url}/t/{self.root_name}/oauth2/token"

    @property
    def tenant_url(self) -> str:
        return f"{self.base_url}/t/{self.root_name}"

    @property
    def switched(self) -> bool:
        """Acting in a sub-organization (an organization-switched token, `/o/` APIs)."""
        return self.org_id != self.root_id

    def for_org(self, org_id: str, org_name: str = "") -> TenantContext:
        return TenantContext(
            self.root_id, self.root_name, org_id, self.base_url, self.rate_limits, org_name
        )
