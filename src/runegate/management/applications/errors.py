"""Application management error catalogue (prefix `APP`), numbered as Asgardeo's
`ApplicationManagementConstants` where known (`APP-60006`: application not found)."""

from __future__ import annotations

from runegate.management.common.errors import ErrorEntry

INVALID_LIMIT = ErrorEntry(
    400, "APP-60001", "Unsupported pagination.", "The limit must be between 0 and {max}."
)
INVALID_OFFSET = ErrorEntry(
    400, "APP-60002", "Unsupported pagination.", "The offset must be a non-negative number."
)
INVALID_SORT = ErrorEntry(
    400, "APP-60003", "Unsupported sorting.", "Applications can be sorted by name only."
)
INVALID_FILTER = ErrorEntry(400, "APP-60004", "Invalid filter.", "The filter is invalid: {reason}.")
INVALID_REQUEST = ErrorEntry(400, "APP-60001", "Invalid request.", "{reason}")
APPLICATION_NOT_FOUND = ErrorEntry(
    404,
    "APP-60006",
    "Application not found.",
    "Application cannot be found for the provided id: {app_id}.",
)
APPLICATION_EXISTS = ErrorEntry(
    409,
    "APP-60007",
    "Application already exists.",
    "An application with the name {name!r} already exists.",
)
CLIENT_ID_EXISTS = ErrorEntry(
    409,
    "APP-60008",
    "Client id already exists.",
    "An application with the client id {client_id!r} already exists.",
)
INBOUND_NOT_FOUND = ErrorEntry(
    404,
    "APP-60009",
    "Inbound protocol not found.",
    "The application {app_id} has no OAuth2/OIDC inbound protocol.",
)
UNSUPPORTED_TEMPLATE = ErrorEntry(
    400,
    "APP-60010",
    "Unsupported template.",
    "Applications of the template {template_id!r} are not supported by Runegate.",
)
INVALID_OIDC = ErrorEntry(
    400, "APP-60011", "Invalid OAuth2/OIDC configuration.", "{field}: {reason}"
)
UNSUPPORTED_OIDC = ErrorEntry(
    400,
    "APP-60012",
    "Unsupported OAuth2/OIDC setting.",
    "{field}: Runegate does not implement this setting; only its default ({default}) is accepted.",
)
NO_CLIENT_SECRET = ErrorEntry(
    400,
    "APP-60013",
    "Public client.",
    "The application {app_id} is a public client and has no client secret.",
)
API_NOT_FOUND = ErrorEntry(
    404,
    "APP-60014",
    "API resource not found.",
    "The API resource {api_id} does not exist in this organization.",
)
API_NOT_AUTHORIZED = ErrorEntry(
    404,
    "APP-60015",
    "API authorization not found.",
    "The application is not authorized for the API resource {api_id}.",
)
API_ALREADY_AUTHORIZED = ErrorEntry(
    409,
    "APP-60016",
    "API already authorized.",
    "The application is already authorized for the API resource {api_id}; use PATCH.",
)
INVALID_SCOPES = ErrorEntry(
    400,
    "APP-60017",
    "Invalid scopes.",
    "These scopes do not belong to the API resource {api_id}: {names}.",
)
UNSUPPORTED_FIELD = ErrorEntry(
    400,
    "APP-60018",
    "Unsupported field.",
    "{field}: Runegate does not implement this setting; leave it unset.",
)
SHARE_TARGET_INVALID = ErrorEntry(
    400,
    "APP-60019",
    "Invalid organization.",
    "The organization {org_id} does not exist below this organization.",
)
SHARE_NOT_FOUND = ErrorEntry(
    404,
    "APP-60020",
    "Shared application not found.",
    "The application {app_id} is not shared with the organization {org_id}.",
)
