"""Revocation that follows the user and the application across two server processes on
one database (issue 9 item 5): what one node revokes, the other refuses within a second."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.live.server import free_port
from tests.live.server import live_server
from tests.live.test_two_nodes import APPS
from tests.live.test_two_nodes import BOOT
from tests.live.test_two_nodes import SCIM_USER
from tests.live.test_two_nodes import admin_headers
from tests.live.test_two_nodes import eventually
from tests.live.test_two_nodes import introspect
from tests.live.test_two_nodes import token

PASSWORD = "Revoke-Nodes-Passw0rd"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def password_grant(base: str, app: dict[str, str], password: str = PASSWORD) -> dict[str, str]:
    answer = httpx.post(
        f"{base}/t/default/oauth2/token",
        data={"grant_type": "password", "username": "nodewalker", "password": password},
        auth=(app["clientId"], app["clientSecret"]),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def refresh_refused(base: str, app: dict[str, str], token: str) -> bool:
    answer = httpx.post(
        f"{base}/t/default/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": token},
        auth=(app["clientId"], app["clientSecret"]),
        timeout=10,
    )
    return answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_password_change_and_app_deletion_hold_on_the_other_node(
    database_url: str, tmp_path: Path
) -> None:
    port_a = free_port(18520, 18545)
    with live_server(database_url, tmp_path, port=port_a) as (node_a, _a):
        port_b = free_port(port_a + 1, 18570)
        with live_server(database_url, tmp_path, port=port_b) as (node_b, _b):
            admin = admin_headers(node_a)
            grants = {"grantTypes": ["password", "refresh_token"]}
            app = httpx.post(
                f"{node_a}{APPS}",
                json={"name": "revoke-nodes", "inboundProtocolConfiguration": {"oidc": grants}},
                headers=admin,
                timeout=10,
            ).json()
            user = httpx.post(
                f"{node_a}/t/default/scim2/Users",
                json={"schemas": [SCIM_USER], "userName": "nodewalker", "password": PASSWORD},
                headers=admin,
                timeout=10,
            )
            assert user.status_code == 201, user.text

            # Password changed on node B: node A refuses the access and refresh tokens.
            tokens = password_grant(node_a, app)
            assert introspect(node_b, tokens["access_token"])
            changed = httpx.patch(
                f"{node_b}/t/default/scim2/Users/{user.json()['id']}",
                json={
                    "schemas": [PATCH],
                    "Operations": [{"op": "replace", "path": "password", "value": PASSWORD + "-2"}],
                },
                headers=admin,
                timeout=10,
            )
            assert changed.status_code == 200, changed.text
            eventually(lambda: not introspect(node_a, tokens["access_token"]))
            assert refresh_refused(node_a, app, tokens["refresh_token"])

            # Application deleted on node A: node B refuses its user's new tokens.
            fresh = password_grant(node_b, app, PASSWORD + "-2")
            assert introspect(node_a, fresh["access_token"])
            deleter = token(node_a, BOOT, "internal_application_mgt_delete")
            assert deleter.status_code == 200, deleter.text
            deleted = httpx.delete(
                f"{node_a}{APPS}/{app['id']}",
                headers={"Authorization": f"Bearer {deleter.json()['access_token']}"},
                timeout=10,
            )
            assert deleted.status_code == 204, deleted.text
            eventually(lambda: not introspect(node_b, fresh["access_token"]))
            assert not introspect(node_b, fresh["refresh_token"])
