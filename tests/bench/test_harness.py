"""Quick checks of the benchmark harness pieces (the benchmark itself is `make bench`).

No timing assertions: these check parsing, the ceiling app's answers, the report logic
and, when wrk is installed, one short wrk run against a live ceiling app.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from bench.config import BenchConfig
from bench.fixtures import jwt_alg
from bench.procs import children_of
from bench.procs import rss_mb
from bench.report import BackendReport
from bench.report import Measurement
from bench.report import format_targets
from bench.report import table
from bench.report import targets
from bench.servers import base_url
from bench.servers import start_ceiling
from bench.wrk import SCRIPT
from bench.wrk import HarnessError
from bench.wrk import LoadSpec
from bench.wrk import WrkResult
from bench.wrk import command
from bench.wrk import parse_output
from bench.wrk import run_load

from bench import ceiling_app
from tests.conftest import missing_tool

WRK_STDOUT = """Running 20s test @ http://127.0.0.1:18510/t/default/oauth2/token
  2 threads and 32 connections
  Latency Distribution
     50%    4.10ms
  100000 requests in 20.00s, 30.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   5000.00
BENCH_RESULT {"requests":100000,"duration_us":20000000,"bytes":31457280,"connect":0,\
"read":1,"write":0,"status":3,"timeout":2,"p50_us":4100,"p90_us":7000,"p99_us":12500,\
"max_us":40000,"mean_us":4800.5}
"""


def result(rps: float, p99: float = 10.0, errors: int = 0) -> WrkResult:
    return WrkResult(int(rps * 20), 20.0, 0, errors, 2.0, 5.0, p99, 30.0)


def test_parse_wrk_summary_line() -> None:
    parsed = parse_output(WRK_STDOUT)
    assert parsed.requests == 100000
    assert parsed.rps == pytest.approx(5000.0)
    assert (parsed.p50_ms, parsed.p99_ms) == (4.1, 12.5)
    assert parsed.socket_errors == 3 and parsed.status_errors == 3
    assert parsed.errors == 6


def test_parse_without_summary_is_a_harness_error() -> None:
    with pytest.raises(HarnessError, match="BENCH_RESULT"):
        parse_output("Running 20s test @ http://x\nunable to connect\n")


def test_wrk_command_line() -> None:
    spec = LoadSpec("http://127.0.0.1:1/token", "a=b", duration=20, connections=32, threads=2)
    argv = command("/usr/bin/wrk", spec)
    assert argv[:4] == ["/usr/bin/wrk", "-t2", "-c32", "-d20s"]
    assert "--latency" in argv and str(SCRIPT) in argv and argv[-1] == spec.url
    assert SCRIPT.exists() and "BENCH_RESULT" in SCRIPT.read_text()


def test_config_defaults_follow_the_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("BENCH_")]:
        monkeypatch.delenv(name)
    cfg = BenchConfig.from_env()
    assert (cfg.duration, cfg.connections, cfg.threads, cfg.workers) == (20, 32, 2, 2)
    monkeypatch.setenv("BENCH_DURATION", "3")
    monkeypatch.setenv("BENCH_BACKENDS", "sqlite")
    cfg = BenchConfig.from_env()
    assert cfg.duration == 3 and cfg.backends == ("sqlite",)


async def test_ceiling_app_parses_the_form() -> None:
    transport = httpx.ASGITransport(app=ceiling_app.create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://ceiling") as http:
        answer = await http.post(
            ceiling_app.PATH, data={"grant_type": "client_credentials", "scope": "a b"}
        )
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "no-store"
        body = answer.json()
        assert body["scope"] == "a b" and body["token_type"] == "Bearer"
        assert (await http.get(ceiling_app.PATH)).status_code == 405


def test_jwt_alg_reads_the_header() -> None:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "ES256"}).encode()).rstrip(b"=")
    assert jwt_alg(f"{header.decode()}.e30.sig") == "ES256"
    assert jwt_alg("opaque-token-value") is None
    assert jwt_alg("!!.e30.sig") is None


def test_table_and_targets() -> None:
    sqlite = BackendReport("sqlite", idle_rss_mb=[100.0, 130.0], restart_s=1.5, cold_start_s=3.0)
    sqlite.runs["opaque"] = Measurement("opaque", result(6000))
    sqlite.runs["introspection"] = Measurement("introspection", result(5000, p99=30.0))
    sqlite.runs["jwt_es256"] = Measurement("jwt_es256", None, "not available yet: x")
    pg = BackendReport("postgresql")
    pg.runs["opaque"] = Measurement("opaque", result(4000, errors=2))
    checks = dict(targets(result(10000), [sqlite, pg]))
    assert checks["sqlite opaque: ratio 0.60 >= 0.55"] is True
    assert checks["sqlite introspection: ratio 0.50 >= 0.70"] is False
    assert checks["sqlite introspection: p99 30.0 ms < 25 ms"] is False
    assert checks["sqlite idle RSS/worker 130 MB < 120 MB"] is False
    assert checks["sqlite serve -> first token 1.50 s < 2 s"] is True
    assert checks["postgresql opaque: errors 2 == 0"] is False
    assert checks["postgresql opaque: 0.667x SQLite req/s >= 0.80"] is False
    assert not any("jwt_es256" in text for text in checks)
    printed = table(result(10000), [sqlite, pg])
    assert "0.60" in printed and "not available yet: x" in printed
    assert "MISS  sqlite introspection: ratio 0.50 >= 0.70" in format_targets(list(checks.items()))


def test_proc_readers_see_children_and_rss() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in children_of(os.getpid())
        assert rss_mb(child.pid) > 0
    finally:
        child.kill()
        child.wait()
    assert rss_mb(2**22 + 12345) == 0.0


def test_wrk_drives_a_live_ceiling_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("wrk") is None:
        missing_tool("wrk is not installed (apt-get install wrk)")
    monkeypatch.setenv("BENCH_PORT", "18580")
    monkeypatch.setenv("BENCH_WORKERS", "1")
    cfg = BenchConfig.from_env()
    server = start_ceiling(cfg, tmp_path)
    try:
        url = base_url(cfg.port + 1) + ceiling_app.PATH
        spec = LoadSpec(url, "grant_type=client_credentials", duration=1, connections=4, threads=1)
        done = run_load(spec)
    finally:
        server.stop()
    assert done.requests > 0
    assert done.errors == 0


def test_profile_summary_groups_by_layer(tmp_path: Path) -> None:
    from bench.profile import layer_of
    from bench.profile import summarize

    root = "<module> (<string>:1);Runner.run (asyncio/runners.py:118)"
    raw = tmp_path / "stacks.txt"
    raw.write_text(
        f"{root};execute (sqlalchemy/orm/session.py:10) 6\n"
        f"{root};send (uvicorn/protocols/http/httptools_impl.py:5) 3\n"
        f"{root};token (runegate/oauth/endpoints/token.py:40) 1\n"
        f"{root};<module> (runegate/app.py:1);_find (<frozen importlib._bootstrap>:9) 5\n"
    )
    text = summarize([raw])
    assert text.startswith("10 samples")
    assert "(5 samples of a worker starting up were left out)" in text
    assert "60.0%  database" in text and "30.0%  HTTP server + event loop" in text
    assert layer_of("sign (joserfc/_rfc7518/jws_algs.py:3)") == "crypto (HMAC, JWS)"
    assert layer_of("x (runegate/observability/metrics.py:1)") == "middleware (Runegate)"
