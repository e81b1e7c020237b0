"""Property-based tests (hypothesis, fixed budgets, derandomized): the SCIM filter parser
and compiler, the SCIM PATCH engine over HTTP, and the token endpoint's form and Basic
parsers, in process and over HTTP."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from runegate.errors import InvalidClient
from runegate.errors import InvalidRequest
from runegate.oauth.client_auth import parse_basic
from runegate.oauth.request import parse_form
from runegate.ratelimit.middleware import basic_client_id
from runegate.scim.columns import USER_COLUMNS
from runegate.scim.errors import InvalidFilter
from runegate.scim.errors import TooMany
from runegate.scim.filter import compile_filter
from runegate.scim.filter import parse_filter
from runegate.scim.models import ScimUser
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import AppFactory
from tests.fuzz.strategies import draw_examples
from tests.fuzz.strategies import fixed
from tests.scim.conftest import PATCH
from tests.scim.conftest import USER
from tests.scim.conftest import Scim

FORM = "application/x-www-form-urlencoded"

# --- SCIM filters -------------------------------------------------------------------

ATTRIBUTES = [
    "userName",
    "displayName",
    "name.givenName",
    "name.familyName",
    "emails.value",
    "emails.type",
    "title",
    "active",
    "externalId",
    "id",
    "meta.created",
    "meta.lastModified",
]
STRING_OPS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]
# Values full of quoting, escaping, SQL and LIKE metacharacters.
VALUES = st.text(alphabet=st.sampled_from(list("ab%_\\'\"*;-()[] é\x00\u2028")), max_size=12)


@st.composite
def filters(draw: st.DrawFn, depth: int = 0) -> str:
    """Filter texts from the RFC 7644 §3.4.2.2 grammar (values JSON-escaped)."""
    kind = draw(st.integers(0, 5 if depth < 2 else 1))
    if kind == 0:
        attr = draw(st.sampled_from(ATTRIBUTES))
        return f"{attr} {draw(st.sampled_from(STRING_OPS))} {json.dumps(draw(VALUES))}"
    if kind == 1:
        return f"{draw(st.sampled_from(ATTRIBUTES))} pr"
    if kind == 2:
        return f"not ({draw(filters(depth + 1))})"
    if kind == 3:
        return f'emails[type eq {json.dumps(draw(VALUES))} and value co "x"]'
    joiner = draw(st.sampled_from([" and ", " or ", " AND ", " Or "]))
    return f"({draw(filters(depth + 1))}){joiner}{draw(filters(depth + 1))}"


def compiles(text: str) -> None:
    """Compile for both dialects; values must stay bound parameters, never SQL text."""
    for dialect, module in (("sqlite", sqlite), ("postgresql", postgresql)):
        clause = compile_filter(text, ScimUser, USER_COLUMNS, dialect)
        clause.compile(dialect=module.dialect())  # type: ignore[attr-defined]


@fixed(150)
@given(filters())
def test_filter_grammar_round_trips(text: str) -> None:
    """A grammatical filter parses (or is refused as invalidFilter), and its serialization
    is a fixed point: parsed again, it serializes to the same text (and the same values)."""
    try:
        parsed = parse_filter(text, ScimUser)
    except InvalidFilter as exc:  # e.g. a comparison the attribute's type refuses
        assert exc.status == 400
        return
    again = parse_filter(str(parsed.ast), ScimUser)
    assert str(again.ast) == str(parsed.ast)
    try:
        compiles(text)
    except (InvalidFilter, TooMany) as exc:
        assert exc.status == 400


@fixed(300)
@given(st.one_of(st.text(max_size=80), filters().map(lambda f: f[: len(f) // 2])))
def test_arbitrary_text_is_parsed_or_refused_as_invalid_filter(text: str) -> None:
    try:
        parse_filter(text, ScimUser)
    except InvalidFilter as exc:
        assert exc.status == 400 and exc.scim_type == "invalidFilter"
        return
    try:
        compiles(text)
    except (InvalidFilter, TooMany) as exc:
        assert exc.status == 400


def test_too_many_terms_is_refused() -> None:
    text = " or ".join(f'userName eq "u{i}"' for i in range(70))
    with pytest.raises(TooMany):
        compiles(text)


# --- token endpoint parsers -------------------------------------------------------------


@fixed(300)
@given(st.binary(max_size=200), st.sampled_from([FORM, f"{FORM}; charset=utf-8", "text/plain", ""]))
def test_form_parser_answers_a_dict_or_invalid_request(body: bytes, content_type: str) -> None:
    try:
        params = parse_form(content_type, body)
    except InvalidRequest as exc:
        assert exc.status == 400
        return
    assert content_type.startswith(FORM)
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in params.items())


@fixed(300)
@given(
    st.one_of(
        st.text(max_size=60),
        st.binary(max_size=60).map(lambda b: "Basic " + base64.b64encode(b).decode()),
        st.text(max_size=40).map(lambda t: "basic " + t),
    )
)
def test_basic_parser_answers_credentials_or_invalid_client(header: str) -> None:
    try:
        client_id, secret = parse_basic(header)
    except InvalidClient as exc:
        assert exc.status == 401 and "WWW-Authenticate" in exc.headers
        return
    assert client_id and isinstance(secret, str)


@fixed(300)
@given(st.binary(max_size=80))
def test_rate_limit_client_id_never_raises(raw: bytes) -> None:
    for value in (b"Basic " + raw, b"Basic " + base64.b64encode(raw)):
        found = basic_client_id({"headers": [(b"authorization", value)]})
        assert found is None or isinstance(found, str)


async def test_token_endpoint_answers_arbitrary_bytes_with_oauth_errors(
    make_app: AppFactory,
) -> None:
    _app, http = await make_app(rate_limits_enabled=False)
    bodies = draw_examples(st.binary(max_size=120), 25)
    headers = draw_examples(st.binary(max_size=40), 15)
    cases: list[tuple[bytes, dict[str, Any]]] = [(b, {"Content-Type": FORM}) for b in bodies]
    basic = base64.b64encode(f"{BOOT_CLIENT_ID}:{BOOT_CLIENT_SECRET}".encode()).decode()
    for raw in headers:
        for value in (raw.replace(b"\r", b"").replace(b"\n", b""), base64.b64encode(raw)):
            sent = {"Content-Type": FORM, "Authorization": b"Basic " + value}
            cases.append((b"grant_type=client_credentials", sent))
    cases.append(
        (
            b"grant_type=client_credentials&scope=%ff%fe",
            {"Authorization": f"Basic {basic}", "Content-Type": FORM},
        )
    )
    for body, sent in cases:
        response = await http.post("/t/default/oauth2/token", content=body, headers=sent)
        assert 400 <= response.status_code < 500, (body, sent, response.text)
        assert set(response.json()) <= {"error", "error_description"}
        assert response.headers["cache-control"] == "no-store"


# --- SCIM PATCH engine ----------------------------------------------------------------

PATHS = [
    None,
    "userName",
    "displayName",
    "title",
    "active",
    "name",
    "name.givenName",
    "name.familyName",
    "emails",
    'emails[type eq "work"]',
    'emails[type eq "work"].value',
    "emails.value",
    "phoneNumbers",
    "externalId",
    "id",
    "meta",
    "groups",
    "password",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
    "nope",
    "emails[",
    "]",
    "",
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["value", "type", "primary", "givenName", "familyName", "display", "x"])
            | st.text(max_size=6),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)
OPERATIONS = st.lists(
    st.fixed_dictionaries(
        {"op": st.sampled_from(["add", "replace", "remove", "Add", "REPLACE", "move", ""])},
        optional={"path": st.sampled_from(PATHS), "value": JSON_VALUES},
    ),
    min_size=1,
    max_size=4,
)


def assert_user_document(document: dict[str, Any]) -> None:
    """Still a well-formed SCIM user: the core attributes with their RFC 7643 types."""
    assert USER in document["schemas"] and isinstance(document["id"], str)
    assert isinstance(document["userName"], str) and document["userName"]
    for name in ("displayName", "title", "externalId"):
        assert isinstance(document.get(name, ""), str), name
    assert isinstance(document.get("active", True), bool)
    assert isinstance(document.get("name", {}), dict)
    for key in ("emails", "phoneNumbers"):
        items = document.get(key, [])
        assert isinstance(items, list) and all(isinstance(i.get("value"), str) for i in items)
        assert sum(bool(i.get("primary")) for i in items) <= 1
    assert "password" not in document


async def test_patch_never_fails_or_corrupts_the_user(scim: Scim) -> None:
    user = await scim.user("patch-target", emails=[{"value": "p@example.com", "type": "work"}])
    url = f"/Users/{user['id']}"
    other = (await scim.get(f"/Users/{(await scim.user('bystander'))['id']}")).json()
    before = (await scim.get(url)).json()
    for operations in draw_examples(OPERATIONS, 60):
        body = {"schemas": [PATCH], "Operations": operations}
        answer = await scim.request("PATCH", url, json=body)
        assert answer.status_code in (200, 204, 400, 409), (operations, answer.text)
        after = await scim.get(url)
        assert after.status_code == 200
        document = after.json()
        assert_user_document(document)
        assert document["id"] == user["id"]
        if answer.status_code >= 400:
            assert answer.json()["status"] == str(answer.status_code)
            assert document == before, operations  # a refused PATCH changes nothing
        before = document
    # The other user was never touched.
    assert (await scim.get(f"/Users/{other['id']}")).json() == other
    assert USER in before["schemas"]
