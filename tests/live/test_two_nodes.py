"""Two Runegate nodes on one database: what one node does, the other honours within a
second (issue 13 item 1; the cache rule of the token service)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.live.server import free_port
from tests.live.server import live_server
from tests.oauth.test_live_server import cli

BOOT = (BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
APPS = "/t/default/api/server/v1/applications"
SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PASSWORD = "Two-Nodes-Passw0rd"
PROPAGATION_BOUND = 1.5  # design: 0.2 s polling; bound leaves room for a loaded machine


def token(base: str, auth: tuple[str, str], scope: str = "") -> httpx.Response:
    return httpx.post(
        f"{base}/t/default/oauth2/token",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=auth,
        timeout=10,
    )


def introspect(base: str, value: str) -> bool:
    response = httpx.post(
        f"{base}/t/default/oauth2/introspect", data={"token": value}, auth=BOOT, timeout=10
    )
    assert response.status_code == 200, response.text
    return bool(response.json()["active"])


def eventually(check: Callable[[], bool]) -> float:
    """Poll until `check()` holds; returns the seconds it took (bounded)."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < PROPAGATION_BOUND, "not propagated in time"
        time.sleep(0.05)
    return time.monotonic() - start


def admin_headers(base: str) -> dict[str, str]:
    scopes = (
        "internal_application_mgt_view internal_application_mgt_create "
        "internal_application_mgt_update internal_api_resource_create "
        "internal_user_mgt_create internal_user_mgt_update"
    )
    response = token(base, BOOT, scopes)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def disable_user_on_a_seen_by_b(node_a: str, node_b: str, admin: dict[str, str]) -> None:
    app = httpx.post(
        f"{node_a}{APPS}",
        json={
            "name": "two-nodes-users",
            "inboundProtocolConfiguration": {"oidc": {"grantTypes": ["password"]}},
        },
        headers=admin,
        timeout=10,
    ).json()
    user = httpx.post(
        f"{node_a}/t/default/scim2/Users",
        json={"schemas": [SCIM_USER], "userName": "walker", "password": PASSWORD},
        headers=admin,
        timeout=10,
    )
    assert user.status_code == 201, user.text

    def password_grant(base: str) -> httpx.Response:
        return httpx.post(
            f"{base}/t/default/oauth2/token",
            data={"grant_type": "password", "username": "walker", "password": PASSWORD},
            auth=(app["clientId"], app["clientSecret"]),
            timeout=10,
        )

    issued = password_grant(node_a)
    assert issued.status_code == 200, issued.text
    user_token = issued.json()["access_token"]
    assert introspect(node_b, user_token)
    disabled = httpx.patch(
        f"{node_a}/t/default/scim2/Users/{user.json()['id']}",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
        headers=admin,
        timeout=10,
    )
    assert disabled.status_code == 200, disabled.text
    eventually(lambda: not introspect(node_b, user_token))
    assert password_grant(node_b).status_code == 400


def test_two_nodes_share_tokens_and_changes(database_url: str, tmp_path: Path) -> None:
    port_a = free_port(18450, 18475)
    with live_server(database_url, tmp_path, port=port_a) as (node_a, _a):
        port_b = free_port(port_a + 1, 18500)
        with live_server(database_url, tmp_path, port=port_b) as (node_b, _b):
            admin = admin_headers(node_a)
            # An application with an authorized API resource, created on node A.
            created = httpx.post(
                f"{node_a}{APPS}",
                json={"name": "two-nodes", "templateId": "m2m-application"},
                headers=admin,
                timeout=10,
            ).json()
            app_id, creds = created["id"], (created["clientId"], created["clientSecret"])
            api = httpx.post(
                f"{node_a}/t/default/api/server/v1/api-resources",
                json={
                    "name": "orders",
                    "identifier": "https://orders",
                    "scopes": [{"name": "orders:read", "displayName": "Read"}],
                },
                headers=admin,
                timeout=10,
            ).json()
            authorized = httpx.post(
                f"{node_a}{APPS}/{app_id}/authorized-apis",
                json={"id": api["id"], "policyIdentifier": "RBAC", "scopes": ["orders:read"]},
                headers=admin,
                timeout=10,
            )
            assert authorized.status_code == 201, authorized.text
            # Node B honours the new authorization (its cache may hold the old client).
            eventually(
                lambda: token(node_b, creds, "orders:read").json().get("scope") == "orders:read"
            )

            # A token issued by one node introspects active on the other.
            issued = token(node_a, creds, "orders:read").json()["access_token"]
            assert introspect(node_b, issued)

            # Revoked on A: refused by B.
            revoked = httpx.post(
                f"{node_a}/t/default/oauth2/revoke",
                data={"token": issued},
                auth=creds,
                timeout=10,
            )
            assert revoked.status_code == 200
            eventually(lambda: not introspect(node_b, issued))

            # Authorization removed on A: B stops granting the scope.
            removed = httpx.delete(
                f"{node_a}{APPS}/{app_id}/authorized-apis/{api['id']}",
                headers=admin,
                timeout=10,
            )
            assert removed.status_code == 204
            eventually(lambda: "scope" not in token(node_b, creds, "orders:read").json())

            # Secret regenerated on A: B refuses the old secret and tokens issued with it.
            old_token = token(node_b, creds).json()["access_token"]
            regenerated = httpx.post(
                f"{node_a}{APPS}/{app_id}/inbound-protocols/oidc/regenerate-secret",
                headers=admin,
                timeout=10,
            )
            assert regenerated.status_code == 200, regenerated.text
            new_creds = (creds[0], regenerated.json()["clientSecret"])
            eventually(lambda: token(node_b, creds).status_code == 401)
            assert token(node_b, new_creds).status_code == 200
            assert not introspect(node_b, old_token)

            # A user disabled on A (SCIM PATCH active=false): B stops honouring their token.
            disable_user_on_a_seen_by_b(node_a, node_b, admin)

            # A key rotated by the CLI (a third process) is published by both nodes.
            kids_before = {
                k["kid"] for k in httpx.get(f"{node_b}/t/default/oauth2/jwks").json()["keys"]
            }
            cli(["keys", "rotate", "--org", "default", "--alg", "ES256"], database_url, tmp_path)
            for node in (node_a, node_b):
                eventually(
                    lambda n=node: (
                        len(
                            {
                                k["kid"]
                                for k in httpx.get(f"{n}/t/default/oauth2/jwks").json()["keys"]
                            }
                            - kids_before
                        )
                        == 1
                    )
                )
