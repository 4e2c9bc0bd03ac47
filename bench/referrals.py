#!/usr/bin/env python
"""Benchmark of the referral inbox and outbox at national scale (2,000,000 referrals).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kooperacja_bench_referrals .venv/bin/python bench/referrals.py

The data comes from `manage.py generate_scale --persons 1000000 --households 400000 --cases 300000 --referrals 2000000`
(this script does not generate it: that takes tens of minutes). It picks the busiest recipient institution and the
busiest sender, and a small one of each, gives each a bench user (a partner professional at the recipients, a case
coordinator at the senders), and sends each scenario's request N times through Django's test client signed in as that
user: the pages `/referrals/` and `/referrals/outbox/` (page 1, the last page, filters by tab, state, sector and
deadline) and the API list `/api/v1/referrals/` (inbox and outbox, page 1 and the last page). Printed per scenario, as
in bench/run.py: p50/p95, queries, the slowest query run raw and the ratio of the request to it. Checks: p95 ≤ 50 ms
on PostgreSQL with at least 1,900,000 referrals (PASS/FAIL; INFO otherwise), and the same number of queries for every
page of a box whatever the page, the filters and the size of the institution. Exit status 1 on FAIL. Results go to
bench/results/referrals-*.md/json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import sys
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as base  # bench/run.py: environment, database, measuring

BUDGET_P95_MS = 50.0
BUDGET_REFERRALS = 1_900_000
PAGE_SIZE = 50


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=50, help="timed requests per scenario (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first (default 5)")
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this text")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    return parser.parse_args()


@dataclass
class Box:
    """An institution, its referral count in one box, and the bench user who works there."""

    label: str
    institution_id: Any
    referrals: int
    user: Any = None

    @property
    def last_page(self) -> int:
        return max(1, math.ceil(self.referrals / PAGE_SIZE))


def pick_institutions() -> dict[str, Box]:
    """The busiest recipient and sender, and a small one of each (a few pages' worth: the constant-count check)."""
    from django.db.models import Count

    from kooperacja.referrals.models import Referral, State

    received = list(
        Referral.objects.exclude(state=State.DRAFT)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .order_by("-n", "recipient_id")
        .values_list("recipient_id", "n")
    )
    sent = list(
        Referral.objects.values("sender_id")
        .annotate(n=Count("id"))
        .order_by("-n", "sender_id")
        .values_list("sender_id", "n")
    )
    if not received or not sent:
        raise SystemExit(
            "No referrals in this database: run `manage.py generate_scale --persons 1000000 --households 400000 "
            "--cases 300000 --referrals 2000000` first (see bench/README.md)."
        )

    def small(rows: list[tuple[Any, int]]) -> tuple[Any, int]:
        # The smallest institution that still has more than one page (else its "deep page" is page 1 again).
        fitting = [row for row in rows if row[1] > PAGE_SIZE]
        return fitting[-1] if fitting else rows[-1]

    return {
        "inbox big": Box("inbox big", *received[0]),
        "inbox small": Box("inbox small", *small(received)),
        "outbox big": Box("outbox big", *sent[0]),
        "outbox small": Box("outbox small", *small(sent)),
    }


def bench_user(name: str, institution_id: Any, role: str) -> Any:
    from kooperacja.accounts.models import Membership, User

    user, _created = User.objects.get_or_create(username=name, defaults={"first_name": "Bench", "last_name": name})
    Membership.objects.filter(user=user).exclude(institution_id=institution_id).delete()
    Membership.objects.get_or_create(user=user, institution_id=institution_id, role=role)
    return user


def scenarios(boxes: dict[str, Box]) -> list[tuple[str, str, dict[str, str], str, str]]:
    """(name, path, params, the box whose user asks, constant-count group)."""
    inbox, outbox, api = "/referrals/", "/referrals/outbox/", "/api/v1/referrals/"
    big_in, small_in = boxes["inbox big"], boxes["inbox small"]
    big_out = boxes["outbox big"]
    return [
        ("inbox, page 1", inbox, {}, "inbox big", "inbox page"),
        (f"inbox, last page ({big_in.last_page})", inbox, {"page": str(big_in.last_page)}, "inbox big", "inbox page"),
        ("inbox, tab new", inbox, {"tab": "new"}, "inbox big", "inbox page"),
        ("inbox, tab waiting", inbox, {"tab": "waiting"}, "inbox big", "inbox page"),
        ("inbox, tab in progress", inbox, {"tab": "in_progress"}, "inbox big", "inbox page"),
        ("inbox, tab overdue", inbox, {"tab": "overdue"}, "inbox big", "inbox page"),
        ("inbox, state completed, page 10", inbox, {"state": "completed", "page": "10"}, "inbox big", "inbox page"),
        ("inbox, sector of the sender", inbox, {"sector": "social_assistance"}, "inbox big", "inbox page"),
        ("inbox, deadline overdue", inbox, {"deadline": "overdue"}, "inbox big", "inbox page"),
        (
            "inbox, state + sector + deadline week",
            inbox,
            {"state": "received", "sector": "social_assistance", "deadline": "week"},
            "inbox big",
            "inbox page",
        ),
        ("inbox, small institution, page 1", inbox, {}, "inbox small", "inbox page"),
        (
            f"inbox, small institution, last page ({small_in.last_page})",
            inbox,
            {"page": str(small_in.last_page)},
            "inbox small",
            "inbox page",
        ),
        ("outbox, page 1", outbox, {}, "outbox big", "outbox page"),
        (
            f"outbox, last page ({big_out.last_page})",
            outbox,
            {"page": str(big_out.last_page)},
            "outbox big",
            "outbox page",
        ),
        ("outbox, state in progress", outbox, {"state": "in_progress"}, "outbox big", "outbox page"),
        ("outbox, sector of the recipient", outbox, {"sector": "education"}, "outbox big", "outbox page"),
        ("outbox, deadline overdue", outbox, {"deadline": "overdue"}, "outbox big", "outbox page"),
        ("outbox, small institution, page 1", outbox, {}, "outbox small", "outbox page"),
        ("API inbox, page 1", api, {"box": "inbox"}, "inbox big", "api inbox"),
        (
            f"API inbox, last page ({big_in.last_page})",
            api,
            {"box": "inbox", "page": str(big_in.last_page)},
            "inbox big",
            "api inbox",
        ),
        ("API inbox, tab overdue", api, {"box": "inbox", "tab": "overdue"}, "inbox big", "api inbox"),
        ("API inbox, small institution", api, {"box": "inbox"}, "inbox small", "api inbox"),
        ("API outbox, page 1", api, {"box": "outbox"}, "outbox big", "api outbox"),
        (
            f"API outbox, last page ({big_out.last_page})",
            api,
            {"box": "outbox", "page": str(big_out.last_page)},
            "outbox big",
            "api outbox",
        ),
        ("API outbox, state completed", api, {"box": "outbox", "state": "completed"}, "outbox big", "api outbox"),
        ("API outbox, small institution", api, {"box": "outbox"}, "outbox small", "api outbox"),
    ]


def main() -> int:
    args = parse_args()
    url = base.configure_environment()
    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kooperacja.accounts.models import Role
    from kooperacja.referrals.models import Referral

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0, interactive=False)
    total = Referral.objects.count()
    boxes = pick_institutions()
    for key, box in boxes.items():
        role = Role.PARTNER_PROFESSIONAL if key.startswith("inbox") else Role.CASE_COORDINATOR
        box.user = bench_user(f"bench-ref-{key.replace(' ', '-')}", box.institution_id, role)
    clients: dict[str, Any] = {}
    for key, box in boxes.items():
        clients[key] = Client()
        clients[key].force_login(box.user)
    vendor = connection.vendor
    load_before = os.getloadavg()
    print(
        f"\nKooperacja referrals benchmark on {vendor} — {total:,} referrals; "
        + ", ".join(f"{box.label}: {box.referrals:,}" for box in boxes.values())
        + f"; {args.requests} requests per scenario after {args.warmup} warm-up; load average {load_before[0]:.1f}"
    )
    results, groups = [], {}
    for name, path, params, who, group in scenarios(boxes):
        if args.only.lower() not in name.lower():
            continue
        result = base.measure(clients[who], base.Scenario(name=name, path=path, params=params), args)
        results.append(result)
        groups[name] = group
        if result.skipped:
            print(f"  {name:48} skipped ({result.skipped}: {result.url})")
            continue
        print(
            f"  {name:48} p50 {result.p50_ms:7.1f} ms  p95 {result.p95_ms:7.1f} ms  {result.queries:2d} queries  "
            f"main SQL {result.main_sql_ms:6.2f} ms  ratio {result.ratio:5.1f}×"
        )
    load_after = os.getloadavg()
    checks = []
    measured = [r for r in results if not r.skipped]
    worst = max(measured, key=lambda r: r.p95_ms, default=None)
    if worst is not None:
        applies = vendor == "postgresql" and total >= BUDGET_REFERRALS
        verdict = ("PASS" if worst.p95_ms <= BUDGET_P95_MS else "FAIL") if applies else "INFO"
        note = "" if applies else f" (the budget is set for PostgreSQL with {BUDGET_REFERRALS:,} referrals)"
        checks.append(f"{verdict}: p95 ≤ {BUDGET_P95_MS:.0f} ms — worst p95 {worst.p95_ms:.1f} ms ({worst.name}){note}")
        over = [r.name for r in measured if r.p95_ms > BUDGET_P95_MS]
        if over and applies:
            checks.append("      over budget: " + "; ".join(over))
    for group in dict.fromkeys(groups.values()):
        members = [r for r in measured if groups[r.name] == group]
        counts = {r.queries for r in members}
        if len(members) < 2:
            checks.append(f"SKIP: constant query count ({group}): not measured")
            continue
        verdict = "PASS" if len(counts) == 1 else "FAIL"
        detail = (
            f"{counts.pop()} queries on every page"
            if verdict == "PASS"
            else ", ".join(f"{r.name}: {r.queries}" for r in members)
        )
        checks.append(f"{verdict}: constant query count ({group}, {len(members)} scenarios) — {detail}")
    checks.append(f"load average: {load_before[0]:.1f} before, {load_after[0]:.1f} after ({os.cpu_count()} CPUs)")
    print("\n" + "\n".join(checks))
    if not args.no_save:
        lines = [
            f"# Kooperacja referrals benchmark — {vendor}, {datetime.datetime.now():%Y-%m-%d %H:%M}",
            "",
            f"{total:,} referrals; "
            + ", ".join(f"{box.label}: {box.referrals:,}" for box in boxes.values())
            + f"; {args.requests} requests per scenario after {args.warmup} warm-up; Python "
            f"{platform.python_version()}, {os.cpu_count()} CPUs.",
            "",
            *base.table(results),
            "",
            *checks,
        ]
        base.RESULTS.mkdir(exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = base.RESULTS / f"referrals-{vendor}-{stamp}"
        target.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        payload = {
            "vendor": vendor,
            "database": base.urlsplit(url)._replace(netloc=base.urlsplit(url).hostname or "").geturl(),
            "referrals": total,
            "institutions": {k: {"referrals": b.referrals, "last_page": b.last_page} for k, b in boxes.items()},
            "load_average": [load_before, load_after],
            "results": [asdict(r) for r in results],
            "checks": checks,
        }
        target.with_suffix(".json").write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nresults: {target.with_suffix('.md').relative_to(base.ROOT)} (and .json)")
    return 1 if any(line.startswith("FAIL") for line in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
