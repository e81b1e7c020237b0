"""Signing keys and housekeeping through the CLI as a user runs it, then over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import SECRET_KEY
from tests.conftest import basic_auth


def run(args: list[str], database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNEGATE_")}
    env.update(
        {
            "RUNEGATE_DATABASE_URL": database_url,
            "RUNEGATE_SECRET_KEY": SECRET_KEY,
            "RUNEGATE_PUBLIC_URL": "http://testserver",
            "RUNEGATE_BOOTSTRAP_CLIENT_ID": BOOT_CLIENT_ID,
            "RUNEGATE_BOOTSTRAP_CLIENT_SECRET": BOOT_CLIENT_SECRET,
            "RUNEGATE_ADMIN_PASSWORD": "admin-password-for-tests",
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "runegate", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def kids(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [w for w in result.stdout.split() if "_RS256" in w or "_ES256" in w or "_PS256" in w]


def test_rotate_retire_and_set_token_via_cli(database_url: str, tmp_path: Path) -> None:
    assert run(["bootstrap"], database_url, tmp_path).returncode == 0
    rotated = run(["keys", "rotate", "--alg", "RS256"], database_url, tmp_path)
    assert rotated.returncode == 0, rotated.stderr
    new_kid = rotated.stdout.split()[-1]
    listed = run(["keys", "list"], database_url, tmp_path)
    assert new_kid in listed.stdout and "verifying" in listed.stdout
    # The active key cannot be retired; an older one can once no token of it remains.
    refused = run(["keys", "retire", "--", new_kid], database_url, tmp_path)
    assert refused.returncode == 1 and "rotate" in refused.stderr
    old = [k for k in kids(listed) if k != new_kid and k.endswith("_RS256")]
    assert old, listed.stdout  # bootstrap provisioned the first RS256 key
    retired = run(["keys", "retire", "--", old[0]], database_url, tmp_path)
    assert retired.returncode == 0, retired.stderr
    assert old[0] not in run(["keys", "list"], database_url, tmp_path).stdout
    bad_alg = run(["keys", "rotate", "--alg", "HS256"], database_url, tmp_path)
    assert bad_alg.returncode != 0
    updated = run(
        ["app", "set-token", BOOT_CLIENT_ID, "--type", "JWT", "--lifetime", "900"],
        database_url,
        tmp_path,
    )
    assert updated.returncode == 0, updated.stderr
    assert '"JWT"' in updated.stdout and "900" in updated.stdout
    missing = run(["app", "set-token", "nobody", "--lifetime", "5"], database_url, tmp_path)
    assert missing.returncode == 1
    purged = run(["tokens", "purge"], database_url, tmp_path)
    assert purged.returncode == 0 and "purged" in purged.stdout


async def test_rotation_signs_with_new_key_and_old_tokens_verify(make_app) -> None:  # type: ignore[no-untyped-def]
    from runegate.oauth import signing_keys
    from tests.oauth.conftest import make_client
    from tests.oauth.conftest import root_tenant
    from tests.oauth.conftest import state_of

    app, http = await make_app()
    client = await make_client(app, "rot", access_token={"type": "JWT"})
    auth = basic_auth(client.client_id, client.secret)
    data = {"grant_type": "client_credentials"}

    async def mint() -> str:
        response = await http.post("/t/default/oauth2/token", data=data, headers=auth)
        return str(response.json()["access_token"])

    before = await mint()
    tenant = await root_tenant(app)
    state = state_of(app)
    async with state.db.write() as session:
        new_kid = await signing_keys.rotate(
            session, tenant.root_id, "RS256", state.settings.secret_keys
        )
    state.caches.invalidate()
    after = await mint()
    document = (await http.get("/t/default/oauth2/jwks")).json()
    keyset = KeySet.import_key_set(document)
    assert jose_jwt.decode(after, keyset).header["kid"] == new_kid
    assert jose_jwt.decode(before, keyset).header["kid"] != new_kid
    for raw in (before, after):
        introspected = await http.post(
            "/t/default/oauth2/introspect", data={"token": raw}, headers=auth
        )
        assert introspected.json()["active"] is True


async def test_jwks_of_unknown_org_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/t/nosuchorg/oauth2/jwks")
    assert response.status_code == 404
