"""Results of one `make bench`: the table, the targets of issue 5 (PASS/MISS), JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from bench.wrk import WrkResult

LABELS = {
    "ceiling": "ceiling: bare form POST",
    "opaque": "client_credentials, opaque",
    "jwt_es256": "client_credentials, JWT ES256",
    "jwt_rs256": "client_credentials, JWT RS256",
    "introspection": "introspection (opaque)",
    "peer_opaque": "oidc-provider, opaque",
    "peer_jwt_es256": "oidc-provider, JWT ES256",
}
RATIO_TARGETS = {"opaque": 0.55, "introspection": 0.70, "jwt_es256": 0.35}
P99_MS = 25.0
PG_WITHIN = 0.20
RSS_MB = 120.0
START_S = 2.0


@dataclass
class Measurement:
    scenario: str
    result: WrkResult | None
    note: str = ""  # why there is no result ("not available yet: ...")


@dataclass
class BackendReport:
    backend: str
    runs: dict[str, Measurement] = field(default_factory=dict)
    cold_start_s: float | None = None  # `serve --setup` on a fresh database
    restart_s: float | None = None  # `serve` on the existing database
    idle_rss_mb: list[float] = field(default_factory=list)
    loaded_rss_mb: list[float] = field(default_factory=list)
    note: str = ""  # why the whole backend was skipped

    def rps(self, scenario: str) -> float | None:
        run = self.runs.get(scenario)
        return run.result.rps if run is not None and run.result is not None else None


def _row(label: str, result: WrkResult | None, ceiling: WrkResult | None, note: str = "") -> str:
    if result is None:
        return (
            f"  {label:<32} {'-':>9} {'-':>8} {'-':>8} {'-':>7} {'-':>6} {'-':>8} {'-':>6}  {note}"
        )
    ratio = f"{result.rps / ceiling.rps:.2f}" if ceiling and ceiling.rps else "-"
    cpu_ratio = "-"
    if ceiling and ceiling.cpu_ms_per_req and result.cpu_ms_per_req:
        cpu_ratio = f"{ceiling.cpu_ms_per_req / result.cpu_ms_per_req:.2f}"
    return (
        f"  {label:<32} {result.rps:>9,.0f} {result.p50_ms:>8.2f} {result.p99_ms:>8.2f}"
        f" {result.errors:>7} {ratio:>6} {result.cpu_ms_per_req:>8.2f} {cpu_ratio:>6}  {note}"
    )


HEADER = (
    f"  {'':<32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'ratio':>6}"
    f" {'CPU ms':>8} {'CPU r.':>6}"
)
LEGEND = (
    "ratio = req/s / ceiling req/s (same run); CPU ms = server CPU per request (workers,\n"
    "plus PostgreSQL backends); CPU r. = ceiling CPU ms / this CPU ms (less moved by other\n"
    "load on the machine than req/s: the ratio to expect when both are CPU-bound)"
)


def table(ceiling: WrkResult | None, reports: list[BackendReport]) -> str:
    lines = [HEADER, _row(LABELS["ceiling"], ceiling, ceiling)]
    for rep in reports:
        lines.append(f"{rep.backend}:{'  ' + rep.note if rep.note else ''}")
        for run in rep.runs.values():
            label = LABELS.get(run.scenario, run.scenario)
            note, res = run.note, run.result
            if res is not None and res.worker_restarts:
                note = f"{res.worker_restarts} worker(s) restarted during the run"
            if res is not None and res.new_helpers:
                note += f"{'; ' if note else ''}{res.new_helpers} new DB connections"
            lines.append(_row(label, run.result, ceiling, note))
        if rep.idle_rss_mb:
            rss = ", ".join(f"{mb:.0f}" for mb in rep.idle_rss_mb)
            loaded = ", ".join(f"{mb:.0f}" for mb in rep.loaded_rss_mb)
            lines.append(f"  RSS per worker: idle {rss} MB; after the runs {loaded} MB")
        if rep.cold_start_s is not None:
            restart = f"{rep.restart_s:.2f} s" if rep.restart_s is not None else "-"
            lines.append(
                f"  first token after start: {rep.cold_start_s:.2f} s "
                f"(serve --setup, fresh database); {restart} (serve, existing database)"
            )
    return "\n".join(lines)


def targets(ceiling: WrkResult | None, reports: list[BackendReport]) -> list[tuple[str, bool]]:
    """Every target of issue 5 that was measured, as (description, passed)."""
    checks: list[tuple[str, bool]] = []
    base = ceiling.rps if ceiling else 0.0
    for rep in reports:
        for run in rep.runs.values():
            if run.result is None:
                continue
            res, name = run.result, f"{rep.backend} {run.scenario}"
            if run.scenario in RATIO_TARGETS and base:
                goal, ratio = RATIO_TARGETS[run.scenario], res.rps / base
                checks.append((f"{name}: ratio {ratio:.2f} >= {goal:.2f}", ratio >= goal))
            checks.append((f"{name}: p99 {res.p99_ms:.1f} ms < {P99_MS:g} ms", res.p99_ms < P99_MS))
            checks.append((f"{name}: errors {res.errors} == 0", res.errors == 0))
        checks.extend(_resource_checks(rep))
    checks.extend(_backend_parity(reports))
    return checks


def _resource_checks(rep: BackendReport) -> list[tuple[str, bool]]:
    checks = []
    if rep.idle_rss_mb:
        worst = max(rep.idle_rss_mb)
        checks.append(
            (f"{rep.backend} idle RSS/worker {worst:.0f} MB < {RSS_MB:g} MB", worst < RSS_MB)
        )
    if rep.restart_s is not None:
        text = f"{rep.backend} serve -> first token {rep.restart_s:.2f} s < {START_S:g} s"
        checks.append((text, rep.restart_s < START_S))
    return checks


def _backend_parity(reports: list[BackendReport]) -> list[tuple[str, bool]]:
    by_name = {rep.backend: rep for rep in reports}
    sqlite, pg = by_name.get("sqlite"), by_name.get("postgresql")
    if sqlite is None or pg is None:
        return []
    checks = []
    for scenario in sqlite.runs:
        a, b = sqlite.rps(scenario), pg.rps(scenario)
        if a and b:
            share = b / a
            text = f"postgresql {scenario}: {share:.3f}x SQLite req/s >= {1 - PG_WITHIN:.2f}"
            checks.append((text, share >= 1 - PG_WITHIN))
    return checks


def format_targets(checks: list[tuple[str, bool]]) -> str:
    lines = [f"  {'PASS' if ok else 'MISS'}  {text}" for text, ok in checks]
    passed = sum(ok for _, ok in checks)
    lines.append(f"  {passed} of {len(checks)} targets met")
    return "\n".join(lines)


def save(
    path: Path, meta: dict[str, object], ceiling: WrkResult | None, reports: list[BackendReport]
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "meta": meta,
        "ceiling": asdict(ceiling) if ceiling else None,
        "backends": [asdict(rep) for rep in reports],
    }
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
