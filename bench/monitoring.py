#!/usr/bin/env python
"""Benchmark of the monitoring dashboards at national scale: a pilot in every gmina of the country.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kooperacja_bench_monitoring .venv/bin/python bench/monitoring.py
    .venv/bin/python bench/monitoring.py              # SQLite: var/bench.sqlite3 (VAR_DIR moves it)

Set-up as bench/run.py (creates and migrates the database, generates the national directory with `generate_scale`
when it is missing), then adds what monitoring reads, once: a ROPS per voivodeship, and in EVERY gmina a partnership of
its institutions (plus the county's PCPR, labour office and court), a pilot (variant by gmina kind) and about eight
support entries; then it freezes one quarter. Each scenario is sent N times through Django's test client as a system
administrator (country scope). Printed per scenario: p50/p95, queries, the slowest query run raw, and the ratio of
the request to ALL its SQL run raw (the dashboard's work beyond the database: grouping the facts in Python,
suppression, SVG, templates). Budgets on PostgreSQL: national dashboard p95 ≤ 1 s, a gmina p95 ≤ 200 ms.
Results go to bench/results/monitoring-*.md/json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import sys
import time
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as base  # bench/run.py: environment, database, data set, measuring

BUDGETS_MS = {"national": 1000.0, "gmina": 200.0}
SEED = 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=20, help="timed requests per scenario (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (default 3)")
    parser.add_argument("--gminy", type=int, default=2477, help="gminy of the data set (default: all 2,477)")
    parser.add_argument("--min-services", type=int, default=90_000, help="see bench/run.py")
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this text")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    return parser.parse_args()


def prepare_monitoring() -> dict[str, int]:
    """A pilot, a partnership and support entries in every gmina (skipped when already there)."""
    from django.db import connection, transaction

    from kooperacja.directory.models import Institution, InstitutionKind, Partnership, PartnershipMember, Sector
    from kooperacja.monitoring.indicators import Period
    from kooperacja.monitoring.models import IndicatorSnapshot, ModelVariant, Pilot, PilotStatus, SupportActivity
    from kooperacja.monitoring.services import snapshot_freeze
    from kooperacja.territory.models import Gmina, GminaKind, Voivodeship
    from kooperacja.territory.services import macroregions_seed

    macroregions_seed()
    rops: dict[int, Institution] = {}
    for voivodeship in Voivodeship.objects.all():
        found = Institution.objects.filter(voivodeship=voivodeship, kind=InstitutionKind.ROPS).first()
        if found is None:
            found = Institution.objects.create(
                name=f"Regionalny Ośrodek Polityki Społecznej ({voivodeship.display_name}, bench)",
                sector=Sector.SOCIAL_ASSISTANCE,
                kind=InstitutionKind.ROPS,
                voivodeship=voivodeship,
            )
        rops[voivodeship.pk] = found
    done = set(Pilot.objects.values_list("gmina_id", flat=True))
    gminy = [g for g in Gmina.objects.order_by("code") if g.pk not in done]
    variant = {
        GminaKind.URBAN: ModelVariant.CITIES_3D,
        GminaKind.RURAL: ModelVariant.RURAL_LEADERS,
        GminaKind.URBAN_RURAL: ModelVariant.URBAN_RURAL,
    }
    rng = random.Random(SEED)
    started = time.monotonic()
    for start in range(0, len(gminy), 200):
        chunk = gminy[start : start + 200]
        by_gmina: dict[int, list[Any]] = {}
        for institution_id, gmina_id in Institution.objects.filter(gmina__in=chunk).values_list("id", "gmina_id"):
            by_gmina.setdefault(gmina_id, []).append(institution_id)
        county_ids: dict[int, list[Any]] = {}
        for institution_id, county_id in Institution.objects.filter(
            gmina__isnull=True, county_id__in={g.county_id for g in chunk}
        ).values_list("id", "county_id"):
            county_ids.setdefault(county_id, []).append(institution_id)
        partnerships, members, pilots = [], [], []
        for gmina in chunk:
            ids = by_gmina.get(gmina.pk, [])
            if not ids:
                continue
            established = datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randint(0, 1500))
            partnership = Partnership(
                name=f"PZK {gmina.name} (bench)",
                gmina=gmina,
                county_id=gmina.county_id,
                lead_institution_id=ids[0],
                established_on=established,
                ended_on=None if rng.random() < 0.8 else established + datetime.timedelta(days=rng.randint(200, 900)),
            )
            partnerships.append(partnership)
            for institution_id in [*ids, *county_ids.get(gmina.county_id, [])]:
                members.append(
                    PartnershipMember(partnership=partnership, institution_id=institution_id, joined_on=established)
                )
            pilots.append(
                Pilot(
                    gmina=gmina,
                    county_id=gmina.county_id,
                    variant=variant[gmina.kind],  # type: ignore[index]
                    rops=rops[gmina.voivodeship_id],
                    status=rng.choice((PilotStatus.RUNNING, PilotStatus.RUNNING, PilotStatus.FINISHED)),
                    started_on=established,
                )
            )
        with transaction.atomic():
            Partnership.objects.bulk_create(partnerships)
            PartnershipMember.objects.bulk_create(members, batch_size=2000)
            Pilot.objects.bulk_create(pilots)
            SupportActivity.objects.bulk_create(
                [
                    SupportActivity(
                        pilot=pilot,
                        kind=rng.choice(("training", "coaching", "supervision", "advisory")),
                        given_by="ROPS",
                        given_on=(pilot.started_on or datetime.date(2020, 1, 1))
                        + datetime.timedelta(days=rng.randint(0, 700)),
                        hours=rng.choice((2, 3, 4, 6, 8)),
                        for_whom="PZK",
                    )
                    for pilot in pilots
                    for _entry in range(8)
                ],
                batch_size=2000,
            )
    if gminy:
        print(f"monitoring data for {len(gminy):,} gminy in {time.monotonic() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if not IndicatorSnapshot.objects.filter(period="2024-Q4").exists():
        snapshot_freeze(period=Period.parse("2024-Q4"))
    return {
        "pilots": Pilot.objects.count(),
        "partnership_members": PartnershipMember.objects.count(),
        "support_entries": SupportActivity.objects.count(),
    }


def scenarios(gmina_code: str, voivodeship_code: str, macroregion_code: str) -> list[tuple[str, str, str]]:
    """(name, url, budget group)."""
    return [
        ("national dashboard", "/monitoring/", "national"),
        ("national, rural variant", "/monitoring/?variant=rural_leaders", "national"),
        ("national, quarter 2025-Q1 (live)", "/monitoring/?period=2025-Q1", "national"),
        ("national, frozen 2024-Q4 (snapshot)", "/monitoring/?period=2024-Q4", "national"),
        ("national, CSV export", "/monitoring/?format=csv", "national"),
        ("API indicators, country", "/api/v1/monitoring/indicators?level=country", "national"),
        (f"macroregion {macroregion_code}", f"/monitoring/macroregions/{macroregion_code}/", ""),
        (f"voivodeship {voivodeship_code}", f"/monitoring/voivodeships/{voivodeship_code}/", ""),
        (f"gmina {gmina_code}", f"/monitoring/gminy/{gmina_code}/", "gmina"),
        (f"gmina {gmina_code}, quarter 2025-Q1", f"/monitoring/gminy/{gmina_code}/?period=2025-Q1", "gmina"),
    ]


def main() -> int:
    args = parse_args()
    base.configure_environment()
    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from kooperacja.accounts.models import User
    from kooperacja.monitoring.models import Pilot

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    totals = base.prepare_data(args)
    totals.update(prepare_monitoring())
    admin, _created = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(admin)
    pilot = Pilot.objects.select_related("gmina__voivodeship__macroregion").filter(gmina__code__startswith="24").first()
    pilot = pilot or Pilot.objects.select_related("gmina__voivodeship__macroregion").first()
    assert pilot is not None
    voivodeship = pilot.gmina.voivodeship
    macro = voivodeship.macroregion.code if voivodeship.macroregion else "south"
    vendor = connection.vendor
    print(
        f"\nKooperacja monitoring benchmark on {vendor} — {totals['pilots']:,} pilots, "
        f"{totals['partnership_members']:,} partnership members, {totals['support_entries']:,} support entries; "
        f"{args.requests} requests per scenario after {args.warmup} warm-up"
    )
    results, groups = [], {}
    for name, path, group in scenarios(pilot.gmina.code, voivodeship.code, macro):
        if args.only.lower() not in name.lower():
            continue
        result = base.measure(client, base.Scenario(name=name, path=path), args)
        results.append(result)
        groups[name] = group
        if result.skipped:
            print(f"  {name:42} skipped ({result.skipped})")
            continue
        all_ratio = result.p50_ms / result.all_sql_ms if result.all_sql_ms else 0.0
        print(
            f"  {name:42} p50 {result.p50_ms:7.1f} ms  p95 {result.p95_ms:7.1f} ms  {result.queries:2d} queries  "
            f"all SQL {result.all_sql_ms:7.1f} ms  request / all SQL {all_ratio:4.1f}×  "
            f"main SQL {result.main_sql_ms:6.1f} ms"
        )
    checks = []
    for group, budget in BUDGETS_MS.items():
        members = [r for r in results if groups.get(r.name) == group and not r.skipped]
        if not members:
            continue
        worst = max(members, key=lambda r: r.p95_ms)
        verdict = ("PASS" if worst.p95_ms <= budget else "FAIL") if vendor == "postgresql" else "INFO"
        checks.append(f"{verdict}: {group} p95 ≤ {budget:.0f} ms — worst {worst.p95_ms:.1f} ms ({worst.name})")
    print("\n" + "\n".join(checks))
    if not args.no_save:
        lines = [
            f"# Kooperacja monitoring benchmark — {vendor}, {datetime.datetime.now():%Y-%m-%d %H:%M}",
            "",
            f"{totals['pilots']:,} pilots, {totals['partnership_members']:,} partnership members, "
            f"{totals['support_entries']:,} support entries, {totals['institutions']:,} institutions; "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs.",
            "",
            "| scenario | p50 ms | p95 ms | queries | all SQL ms | request / all SQL | main SQL ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *[
                f"| {r.name} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.queries} | {r.all_sql_ms:.1f} | "
                f"{(r.p50_ms / r.all_sql_ms if r.all_sql_ms else 0):.1f}× | {r.main_sql_ms:.1f} |"
                for r in results
                if not r.skipped
            ],
            "",
            *checks,
        ]
        base.RESULTS.mkdir(exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = base.RESULTS / f"monitoring-{vendor}-{stamp}"
        target.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        payload = {"vendor": vendor, "totals": totals, "results": [asdict(r) for r in results], "checks": checks}
        target.with_suffix(".json").write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nresults: {target.with_suffix('.md').relative_to(base.ROOT)} (and .json)")
    return 1 if any(line.startswith("FAIL") for line in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
