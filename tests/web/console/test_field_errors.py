"""Console forms show a refused input's message next to the field it is about: the input
is marked `aria-invalid` and described by the message's element, which sits under it;
the summary at the top stays. Real HTTP against the real app; nothing is stored."""

from __future__ import annotations

import re

from tests.web.console.conftest import Browser
from tests.web.console.conftest import ConsoleEnv
from tests.web.console.conftest import text_of

GOOD = "Long-Enough-Passw0rd!"
OIDC = "b9c5e11e-fc78-484b-9bec-015d247561b8"  # the standard-based template


def body(html: str) -> str:
    """The page without its stylesheet (which styles invalid fields)."""
    return html.split("</style>", 1)[1]


def input_tag(html: str, field: str) -> str:
    found = re.search(rf'<input [^>]*\bid="{field}"[^>]*>', html)
    assert found, html
    return found.group(0)


def assert_field_error(html: str, field: str, words: str) -> None:
    """The message (containing `words`) is attached to `field` and to no other input."""
    tag = input_tag(html, field)
    assert 'aria-invalid="true"' in tag, tag
    described = re.search(r'aria-describedby="([^"]+)"', tag)
    assert described and f"{field}-error" in described.group(1).split(), tag
    message = re.search(rf'<p class="field-error" id="{field}-error">([^<]+)</p>', html)
    assert message and words in text_of(message.group(1)), html
    # Right after its input (before the next label), and the only field marked.
    after = html[html.index(tag) + len(tag) :]
    assert after.index(f'id="{field}-error"') < after.find("<label") or "<label" not in after
    assert body(html).count('aria-invalid="true"') == 1, html
    assert 'role="alert"' in html  # the summary at the top


async def signed_in(env: ConsoleEnv) -> Browser:
    browser = env.browser()
    await browser.sign_in()
    return browser


async def test_new_application_errors_sit_next_to_their_field(env: ConsoleEnv) -> None:
    browser = await signed_in(env)
    url = "/t/default/console/applications"
    await browser.post(url, {"name": "taken", "template": "m2m-application"})
    cases = [
        ({"name": "taken", "template": "m2m-application"}, "name", "already exists"),
        ({"name": " ", "template": "m2m-application"}, "name", "name"),
        ({"name": "web", "template": OIDC}, "callback", "callback"),
    ]
    for data, field, words in cases:
        page = await browser.post(url, data)
        assert page.status_code in (400, 409), page.text
        assert_field_error(page.text, field, words)
    fresh = await browser.http.get(f"{url}/new")
    assert "aria-invalid" not in body(fresh.text) and "field-error" not in body(fresh.text)


async def test_new_user_errors_sit_next_to_their_field(env: ConsoleEnv) -> None:
    await env.create_user("taken")
    browser = await signed_in(env)
    cases = [
        ({"userName": "taken", "password": GOOD}, "userName", "already"),
        ({"userName": "", "password": GOOD}, "userName", "Enter the username"),
        ({"userName": "nopass", "password": ""}, "password", "Enter a password"),
        ({"userName": "weak", "password": "x"}, "password", "assword"),
    ]
    for data, field, words in cases:
        page = await browser.post("/t/default/console/users", data)
        assert page.status_code in (400, 409), page.text
        assert_field_error(page.text, field, words)


async def test_api_resource_group_role_and_organization_forms(env: ConsoleEnv) -> None:
    browser = await signed_in(env)
    console = "/t/default/console"
    # (form, a first post that succeeds or None, the refused post, status, field, words)
    cases = [
        ("api-resources", {"name": "B", "identifier": "https://api.example/b"},
         {"name": "Again", "identifier": "https://api.example/b"}, 409, "identifier", "already"),
        ("api-resources", None, {"name": "", "identifier": "https://x.ex"}, 400, "name", "name"),
        ("groups", {"displayName": "Ops"}, {"displayName": "ops"}, 409, "displayName", "already"),
        ("roles", None, {"displayName": "", "audience": "organization"}, 400, "displayName", ""),
        ("organizations", {"name": "acme-us"}, {"name": "acme-us"}, 409, "name", "already"),
    ]  # fmt: skip
    for form, first, refused_data, status, field, words in cases:
        if first:
            created = await browser.post(f"{console}/{form}", first)
            assert created.status_code == 303, created.text
        page = await browser.post(f"{console}/{form}", refused_data)
        assert page.status_code == status, page.text
        assert_field_error(page.text, field, words)
    orgs = f"{console}/organizations"
    # An error that is not about the new-organization form (a delete) marks no field.
    refused = await browser.post(f"{orgs}/00000000-0000-0000-0000-000000000000/delete", {})
    assert refused.status_code == 400 and "aria-invalid" not in body(refused.text)
