"""User claims: which an application may receive, and their values from the SCIM user.

Implements: OIDC Core §5.1 (standard claims), §5.4 (scopes profile, email, phone,
address request claims). A claim is released when the application requests it in its
`claimConfiguration.requestedClaims` (Asgardeo) AND a granted scope covers it; `sub` is
always released. A requested claim is named by its local claim URI
(`http://wso2.org/claims/emailaddress`), by its OIDC dialect URI
(`http://wso2.org/oidc/claim/email`) or by the bare OIDC claim name (`email`).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from runegate.identity.users import profile_document
from runegate.storage.models.user import User

Reader = Callable[[User, Mapping[str, Any]], Any]
OIDC_DIALECT = "http://wso2.org/oidc/claim/"
LOCAL_DIALECT = "http://wso2.org/claims/"


def _name_part(part: str) -> Reader:
    return lambda _user, doc: (doc.get("name") or {}).get(part)


def _full_name(user: User, doc: Mapping[str, Any]) -> Any:
    name = doc.get("name") or {}
    joined = " ".join(p for p in (user.given_name, user.family_name) if p)
    return name.get("formatted") or joined or None


def _key(key: str) -> Reader:
    return lambda _user, doc: doc.get(key)


def _primary(values: Any) -> Mapping[str, Any] | None:
    """RFC 7643 §2.4: the `primary` value of a multi-valued attribute, else the first."""
    items = [v for v in values or () if isinstance(v, Mapping)]
    return next((v for v in items if v.get("primary")), items[0] if items else None)


def _email(user: User, _doc: Mapping[str, Any]) -> Any:
    found = _primary(user.emails)
    return found.get("value") if found else None


def _phone(_user: User, doc: Mapping[str, Any]) -> Any:
    found = _primary(doc.get("phoneNumbers"))
    return found.get("value") if found else None


def _picture(_user: User, doc: Mapping[str, Any]) -> Any:
    found = _primary(doc.get("photos"))
    return found.get("value") if found else None


ADDRESS_PARTS = {
    "formatted": "formatted",
    "streetAddress": "street_address",
    "locality": "locality",
    "region": "region",
    "postalCode": "postal_code",
    "country": "country",
}


def _address(_user: User, doc: Mapping[str, Any]) -> Any:
    """OIDC Core §5.1.1: the address claim is a JSON object."""
    found = _primary(doc.get("addresses"))
    if not found:
        return None
    out = {ADDRESS_PARTS[k]: v for k, v in found.items() if k in ADDRESS_PARTS and v}
    return out or None


def _updated_at(user: User, _doc: Mapping[str, Any]) -> Any:
    stamp = user.updated_at
    if stamp is None:
        return None
    return int((stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp())


# OIDC claim -> (scope that covers it, local claim URIs, reader of the SCIM user).
CLAIMS: dict[str, tuple[str, tuple[str, ...], Reader]] = {
    "name": ("profile", ("fullname",), _full_name),
    "given_name": ("profile", ("givenname",), _name_part("givenName")),
    "family_name": ("profile", ("lastname",), _name_part("familyName")),
    "middle_name": ("profile", ("middleName",), _name_part("middleName")),
    "nickname": ("profile", ("nickname",), _key("nickName")),
    "preferred_username": ("profile", ("displayName",), _key("displayName")),
    "username": ("profile", ("username",), lambda user, _doc: user.user_name),
    "profile": ("profile", ("url",), _key("profileUrl")),
    "picture": ("profile", ("photourl",), _picture),
    "locale": ("profile", ("local",), _key("locale")),
    "zoneinfo": ("profile", ("timeZone",), _key("timezone")),
    "updated_at": ("profile", ("modified",), _updated_at),
    "email": ("email", ("emailaddress",), _email),
    "phone_number": ("phone", ("mobile",), _phone),
    "address": (
        "address",
        ("addresses", "streetaddress", "locality", "region", "postalcode", "country"),
        _address,
    ),
}
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    scope: tuple(name for name, spec in CLAIMS.items() if spec[0] == scope)
    for scope in ("profile", "email", "phone", "address")
}
CLAIMS_SUPPORTED = ("sub", *CLAIMS)
_BY_URI: dict[str, str] = {
    **{name: name for name in CLAIMS},
    **{OIDC_DIALECT + name: name for name in CLAIMS},
    **{LOCAL_DIALECT + uri: name for name, spec in CLAIMS.items() for uri in spec[1]},
}


def claim_name(uri: str) -> str | None:
    """The OIDC claim a requested claim URI stands for, or None if Runegate has none."""
    return _BY_URI.get(uri)


def requested_claims(settings: Mapping[str, Any] | None) -> frozenset[str]:
    """The OIDC claims of an application's `claimConfiguration.requestedClaims`."""
    config = (settings or {}).get("claimConfiguration") or {}
    names: set[str] = set()
    for item in config.get("requestedClaims") or ():
        uri = (item.get("claim") or {}).get("uri") if isinstance(item, Mapping) else None
        name = claim_name(uri) if isinstance(uri, str) else None
        if name:
            names.add(name)
    return frozenset(names)


def released_claims(requested: Iterable[str], scopes: Iterable[str]) -> tuple[str, ...]:
    """OIDC Core §5.4: requested by the application AND covered by a granted scope."""
    wanted = set(requested)
    granted = set(scopes)
    return tuple(name for name, spec in CLAIMS.items() if name in wanted and spec[0] in granted)


def user_claims(user: User, names: Iterable[str]) -> dict[str, Any]:
    """The values of `names` for `user`; claims without a value are left out (§5.3.2)."""
    doc = profile_document(user)
    out: dict[str, Any] = {}
    for name in names:
        value = CLAIMS[name][2](user, doc)
        if value not in (None, "", [], {}):
            out[name] = value
    return out
