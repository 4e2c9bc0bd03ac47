#!/usr/bin/env python
"""Benchmark of the directory at national scale: the HSDS `/services` API and the directory search page.

    .venv/bin/python bench/run.py                      # SQLite: var/bench.sqlite3 (VAR_DIR moves it)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kooperacja_bench .venv/bin/python bench/run.py

It creates the database if it is missing (PostgreSQL: CREATE DATABASE through psycopg), migrates it, generates the
synthetic national directory with `generate_scale` when it holds fewer services than asked for, then sends each
scenario's request N times through Django's test client (the whole middleware stack, in process, no network) and
prints for each: p50 and p95 latency, queries per request, the slowest ("main") query of the request run raw through
`connection.cursor()`, and the ratio of the request's p50 to that raw query's p50. Then the budget check: p95 ≤ 50 ms
on PostgreSQL with 100k services, and the same number of queries on page 1 and on a deep page. Results also go to
bench/results/ (JSON and a Markdown table). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
BUDGET_P95_MS = 50.0
BUDGET_SERVICES = 100_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=50, help="timed requests per scenario (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first (default 5)")
    parser.add_argument("--gminy", type=int, default=2477, help="gminy of the data set (default: all 2,477)")
    parser.add_argument(
        "--min-services",
        type=int,
        default=90_000,
        help="generate the data set when the database holds fewer services (default 90,000)",
    )
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this text")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    return parser.parse_args()


# --- set-up ---------------------------------------------------------------------------------------------------------


def configure_environment() -> str:
    """Settings for a production-like run (DEBUG off, plain http); the database of the benchmark."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kooperacja.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("HTTPS", "false")
    # Static files from the source tree, as `make demo` serves them (no collectstatic needed).
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ.setdefault("WHITENOISE_USE_FINDERS", "true")
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var"))
        var_dir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
        os.environ["DATABASE_URL"] = url
    if url.startswith(("postgres://", "postgresql://")):
        ensure_postgres_database(url)
    return url


def ensure_postgres_database(url: str) -> None:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise SystemExit("DATABASE_URL names no database")
    params = {
        "host": parts.hostname or "localhost",
        "port": str(parts.port or 5432),
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "dbname": "postgres",
    }
    conninfo = make_conninfo("", **{key: value for key, value in params.items() if value})
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def prepare_data(args: argparse.Namespace) -> dict[str, int]:
    from django.core.management import call_command

    from kooperacja.directory.models import Institution, Service

    call_command("migrate", verbosity=0, interactive=False)
    services = Service.objects.count()
    if services < args.min_services:
        print(f"the database holds {services:,} services; generating the national data set (a few minutes)…")
        started = time.monotonic()
        call_command("generate_scale", gminy=args.gminy)
        print(f"generated in {time.monotonic() - started:.0f} s")
    return {"institutions": Institution.objects.count(), "services": Service.objects.count()}


# --- measuring ------------------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    group: str = ""

    @property
    def url(self) -> str:
        return self.path + ("?" + urlencode(self.params) if self.params else "")


@dataclass
class Result:
    name: str
    url: str
    status: int
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    mean_ms: float = 0.0
    queries: int = 0
    main_sql_ms: float = 0.0
    all_sql_ms: float = 0.0
    ratio: float = 0.0
    main_sql: str = ""
    skipped: str = ""


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def raw_time_ms(sql: str, runs: int) -> float:
    """Median time to run `sql` (with its parameters already inlined) and fetch all its rows."""
    from django.db import connection

    times = []
    for _ in range(runs):
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(client: Any, scenario: Scenario, args: argparse.Namespace) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = scenario.url
    response = client.get(url)
    result = Result(name=scenario.name, url=url, status=response.status_code)
    if response.status_code != 200:
        result.skipped = f"HTTP {response.status_code}"
        return result
    for _ in range(args.warmup):
        client.get(url)
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    result.p50_ms = statistics.median(times)
    result.p95_ms = percentile(times, 0.95)
    result.mean_ms = statistics.fmean(times)

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = [q for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    result.queries = len(queries)
    selects = [q for q in queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    if selects:
        # The main query: the slowest one of the request, timed again here on its own.
        timed = [(raw_time_ms(q["sql"], max(5, args.requests // 5)), q["sql"]) for q in selects]
        result.main_sql_ms, result.main_sql = max(timed)
        result.all_sql_ms = sum(t for t, _ in timed)
        result.ratio = result.p50_ms / result.main_sql_ms if result.main_sql_ms else 0.0
    return result


def scenarios() -> list[Scenario]:
    from kooperacja.directory.models import Institution, Service, TaxonomyTerm

    domain = TaxonomyTerm.objects.get(taxonomy__code="cus-domains", code="family_support")
    # A gmina in the middle of the country's list that has institutions of its own.
    gmina_code = (
        Institution.objects.filter(gmina__isnull=False).order_by("gmina__code").values_list("gmina__code", flat=True)
    )
    count = gmina_code.count()
    gmina = gmina_code[count // 2] if count else ""
    # For the combined filters: a gmina where they match something (a narrow search that finds results).
    combined = (
        Service.objects.filter(
            institution__sector="culture_sport",
            institution__gmina__isnull=False,
            capacity_status="accepting",
            search_text__contains="zajecia",
        )
        .order_by("institution__gmina__code")
        .values_list("institution__gmina__code", flat=True)
    )
    matches = combined.count()
    combined_gmina = combined[matches // 2] if matches else gmina
    hsds, page = "/api/hsds/services", "/directory/"
    return [
        Scenario("hsds services, page 1", hsds, {"page": "1"}, "hsds-pages"),
        Scenario("hsds services, page 50", hsds, {"page": "50"}, "hsds-pages"),
        Scenario("hsds services, search", hsds, {"search": "terapia"}),
        Scenario("hsds services, search of two words", hsds, {"search": "poradnictwo prawne"}),
        Scenario("hsds services, taxonomy_term_id", hsds, {"taxonomy_term_id": str(domain.pk)}),
        Scenario("hsds services, taxonomy_term_id, page 50", hsds, {"taxonomy_term_id": str(domain.pk), "page": "50"}),
        Scenario("directory, no filter, page 1", page, {}, "directory-pages"),
        Scenario("directory, no filter, page 40", page, {"page": "40"}, "directory-pages"),
        Scenario("directory, q", page, {"q": "poradnia"}),
        Scenario("directory, q (two words, no diacritics)", page, {"q": "terapia uzaleznien"}),
        Scenario("directory, sector", page, {"sector": "health"}),
        Scenario("directory, domain", page, {"domain": str(domain.pk)}),
        Scenario("directory, gmina", page, {"gmina": gmina}),
        Scenario("directory, capacity", page, {"capacity": "waitlist"}),
        Scenario(
            "directory, q + sector + gmina + capacity",
            page,
            {"q": "zajecia", "sector": "culture_sport", "gmina": combined_gmina, "capacity": "accepting"},
        ),
    ]


# --- report ---------------------------------------------------------------------------------------------------------


def table(results: list[Result]) -> list[str]:
    header = "| scenario | p50 ms | p95 ms | queries | main SQL ms | request / main SQL |"
    lines = [header, "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        if r.skipped:
            lines.append(f"| {r.name} | – | – | – | – | skipped: {r.skipped} |")
        else:
            lines.append(
                f"| {r.name} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.queries} | {r.main_sql_ms:.2f} | {r.ratio:.1f}× |"
            )
    return lines


def budget_checks(results: list[Result], groups: dict[str, str], vendor: str, services: int) -> list[str]:
    lines = []
    measured = [r for r in results if not r.skipped]
    worst = max(measured, key=lambda r: r.p95_ms, default=None)
    if worst is not None:
        within = worst.p95_ms <= BUDGET_P95_MS
        applies = vendor == "postgresql" and services >= BUDGET_SERVICES
        verdict = ("PASS" if within else "FAIL") if applies else "INFO"
        note = "" if applies else f" (the budget is set for PostgreSQL with {BUDGET_SERVICES:,} services)"
        lines.append(f"{verdict}: p95 ≤ {BUDGET_P95_MS:.0f} ms — worst p95 {worst.p95_ms:.1f} ms ({worst.name}){note}")
    for group in sorted(set(groups.values()) - {""}):
        members = [r for r in measured if groups[r.name] == group]
        if len(members) < 2:
            lines.append(f"SKIP: constant query count in {group} (not measured)")
            continue
        counts = {r.name: r.queries for r in members}
        verdict = "PASS" if len(set(counts.values())) == 1 else "FAIL"
        lines.append(
            f"{verdict}: constant query count across pages ({group}): "
            + ", ".join(f"{name}: {n}" for name, n in counts.items())
        )
    return lines


def main() -> int:
    args = parse_args()
    url = configure_environment()

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: STATIC_ROOT unused here
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host name
    totals = prepare_data(args)
    vendor = connection.vendor
    server = None
    if vendor == "postgresql":
        version = int(getattr(connection, "pg_version", 0))
        server = f"{version // 10000}.{version % 10000}"
    elif vendor == "sqlite":
        import sqlite3

        server = sqlite3.sqlite_version
    print(
        f"\nKooperacja benchmark on {vendor}{f' {server}' if server else ''} — {totals['institutions']:,} institutions, "
        f"{totals['services']:,} services; {args.requests} requests per scenario after {args.warmup} warm-up"
    )
    client = Client()
    chosen = [s for s in scenarios() if args.only.lower() in s.name.lower()]
    groups = {s.name: s.group for s in chosen}
    results = []
    for scenario in chosen:
        result = measure(client, scenario, args)
        results.append(result)
        if result.skipped:
            print(f"  {scenario.name:45} skipped ({result.skipped}: {scenario.url})")
        else:
            print(
                f"  {scenario.name:45} p50 {result.p50_ms:7.1f} ms  p95 {result.p95_ms:7.1f} ms  "
                f"{result.queries:2d} queries  main SQL {result.main_sql_ms:6.2f} ms  ratio {result.ratio:5.1f}×"
            )
    checks = budget_checks(results, groups, vendor, totals["services"])
    report = [
        f"# Kooperacja benchmark — {vendor}, {datetime.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"{totals['institutions']:,} institutions, {totals['services']:,} services; {args.requests} requests per "
        f"scenario after {args.warmup} warm-up; Python {platform.python_version()}, {os.cpu_count()} CPUs.",
        "",
        *table(results),
        "",
        *checks,
    ]
    print()
    print("\n".join(checks))
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        base = RESULTS / f"{vendor}-{stamp}"
        base.with_suffix(".md").write_text("\n".join(report) + "\n", encoding="utf-8")
        database = urlsplit(url)._replace(netloc=urlsplit(url).hostname or "").geturl()  # no password
        payload = {
            "vendor": vendor,
            "server_version": server,
            "database": database,
            "totals": totals,
            "requests": args.requests,
            "results": [asdict(r) for r in results],
            "checks": checks,
        }
        base.with_suffix(".json").write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nresults: {base.with_suffix('.md').relative_to(ROOT)} (and .json)")
    return 1 if any(line.startswith("FAIL") for line in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
