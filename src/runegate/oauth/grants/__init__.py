"""The grant registry: `grant_type` value -> handler (STYLE §4). Later grants add a line."""

from __future__ import annotations

from runegate.oauth.grants.authorization_code import AuthorizationCodeGrant
from runegate.oauth.grants.base import Grant
from runegate.oauth.grants.client_credentials import ClientCredentialsGrant
from runegate.oauth.grants.organization_switch import OrganizationSwitchGrant
from runegate.oauth.grants.password import PasswordGrant
from runegate.oauth.grants.refresh_token import RefreshTokenGrant

GRANTS: dict[str, Grant] = {
    AuthorizationCodeGrant.grant_type: AuthorizationCodeGrant(),
    ClientCredentialsGrant.grant_type: ClientCredentialsGrant(),
    OrganizationSwitchGrant.grant_type: OrganizationSwitchGrant(),
    PasswordGrant.grant_type: PasswordGrant(),
    RefreshTokenGrant.grant_type: RefreshTokenGrant(),
}
