#!/usr/bin/env python
"""Closed-loop load run of the referral loop on the real server: 50 simulated users for 5 minutes on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kooperacja_bench_referrals .venv/bin/python bench/load_referrals.py
    .venv/bin/python bench/load_referrals.py --users 50 --seconds 300 --workers 3 --threads 4 --port 8765

Set-up (in this process, through Django): the database is migrated; for each simulated user a pair of bench accounts
is made — a case coordinator at a gmina's OPS and a partner professional at its county's PCPR (a legal basis covers
sharing identity and contact with a PCPR, so no consent is needed) — with a personal API token each, and a case of
that OPS to refer from. Then gunicorn serves the project on 127.0.0.1:PORT (production settings: DEBUG off, the
e-mails of the notifications handed to Django's dummy backend), and each simulated user runs, with no think time,
until the time is up:

    create  POST /api/v1/referrals/ {send: true}         (the coordinator: draft + send)
    inbox   GET  /api/v1/referrals/?box=inbox&tab=new     (the PCPR worker)
    open    GET  /api/v1/referrals/{id}                   (the PCPR worker: received)
    accept  POST /api/v1/referrals/{id}/transitions       (accept)
    start   POST …/transitions                            (start work)
    complete POST …/transitions                           (outcome, what was done, feedback)

Every answer is checked (status and the referral's new state); anything else is an error. Printed: loops and
requests per second, p50/p95/max latency per step, errors (with the first messages), and a check in the database that
every loop's referral is completed with its six transitions. Exit status 1 when there was any error. The requests go
only to 127.0.0.1 and stop by themselves when the time is up. Results go to bench/results/load-referrals-*.md/json.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as base  # bench/run.py: environment and database

STEPS = ("create", "inbox", "open", "accept", "start", "complete")
REASON = "Prośba o wsparcie rodziny (test obciążenia)"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated users (default 50)")
    parser.add_argument("--seconds", type=float, default=300, help="duration of the run (default 300)")
    parser.add_argument("--port", type=int, default=8765, help="loopback port of the server (default 8765)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread; default 4)")
    parser.add_argument("--timeout", type=float, default=30, help="client timeout per request, s (default 30)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    return parser.parse_args()


# --- set-up ---------------------------------------------------------------------------------------------------------


@dataclass
class Pair:
    sender_token: str
    recipient_token: str
    case_id: str
    recipient_id: str


def prepare(users: int) -> list[Pair]:
    """Bench accounts, tokens and cases for `users` simulated users (reused across runs; new tokens each run)."""
    from django.db import transaction

    from kooperacja.accounts.models import Membership, Role, User
    from kooperacja.accounts.services import api_token_create
    from kooperacja.cases.models import Case, Stage
    from kooperacja.directory.models import Institution, InstitutionKind
    from kooperacja.privacy.models import AccessGrant

    pcpr_by_county = dict(
        Institution.objects.filter(kind=InstitutionKind.PCPR, is_active=True, county__isnull=False)
        .order_by("county_id", "pk")
        .values_list("county_id", "pk")
    )
    pairs: list[Pair] = []
    # Cases of OPS whose county has a PCPR, whose owner grant is in force: one per simulated user, spread over gminy.
    chosen: list[tuple[Any, Any, Any]] = []
    seen_gminy: set[Any] = set()
    rows = (
        Case.objects.filter(
            person__isnull=False,
            stage=Stage.IMPLEMENTATION,
            owner_institution__kind__in=[InstitutionKind.OPS, InstitutionKind.CUS],
        )
        .order_by("gmina_id", "pk")
        .values_list("pk", "owner_institution_id", "gmina__county_id", "gmina_id", "person_id")
    )
    spare: list[tuple[Any, Any, Any]] = []
    for case_id, ops_id, county_id, gmina_id, person_id in rows.iterator(chunk_size=2000):
        if county_id not in pcpr_by_county:
            continue
        if not AccessGrant.objects.filter(institution_id=ops_id, person_id=person_id, ended_at__isnull=True).exists():
            continue
        target = spare if gmina_id in seen_gminy else chosen
        target.append((case_id, ops_id, pcpr_by_county[county_id]))
        seen_gminy.add(gmina_id)
        if len(chosen) >= users:
            break
        if len(spare) > users * 4 and len(chosen) + len(spare) >= users:
            break
    chosen = (chosen + spare)[:users]
    if len(chosen) < users:
        raise SystemExit(f"Only {len(chosen)} cases to refer from; generate data first (see bench/README.md).")
    with transaction.atomic():
        for index, (case_id, ops_id, pcpr_id) in enumerate(chosen):
            tokens = []
            for side, institution_id, role in (
                ("sender", ops_id, Role.CASE_COORDINATOR),
                ("recipient", pcpr_id, Role.PARTNER_PROFESSIONAL),
            ):
                user, _created = User.objects.get_or_create(
                    username=f"load-ref-{side}-{index:03d}", defaults={"first_name": "Load", "last_name": side}
                )
                Membership.objects.filter(user=user).exclude(institution_id=institution_id).delete()
                Membership.objects.get_or_create(user=user, institution_id=institution_id, role=role)
                _token, secret = api_token_create(actor=user, name="bench/load_referrals.py", days=1)
                tokens.append(secret)
            pairs.append(Pair(tokens[0], tokens[1], str(case_id), str(pcpr_id)))
    return pairs


def start_server(args: argparse.Namespace, url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "HTTPS": "false",
        "STATIC_MANIFEST": "false",
        "WHITENOISE_USE_FINDERS": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    log = open(base.ROOT / "var" / "load_referrals_server.log", "wb")  # noqa: SIM115 - closed with the process
    command = [
        str(base.ROOT / ".venv" / "bin" / "gunicorn"),
        "kooperacja.wsgi:application",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads),
        "--timeout",
        "120",
    ]
    process = subprocess.Popen(command, cwd=base.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode}); see var/load_referrals_server.log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the simulated users --------------------------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {step: [] for step in STEPS})
    errors: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    loops: int = 0
    referral_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, step: str, message: str) -> None:
        with self.lock:
            self.errors[step] = self.errors.get(step, 0) + 1
            if len(self.messages) < 20:
                self.messages.append(f"{step}: {message}")


class Failed(Exception):
    pass


def call(
    port: int, timeout: float, tally: Tally, step: str, method: str, path: str, token: str, body: Any = None
) -> Any:
    """One request on a new loopback connection; returns the JSON answer or raises Failed (counted as an error)."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
    except OSError as exc:
        tally.error(step, f"{type(exc).__name__}: {exc}")
        raise Failed from exc
    elapsed = (time.perf_counter() - started) * 1000
    expected = 201 if step == "create" else 200
    if response.status != expected:
        tally.error(step, f"HTTP {response.status} {data[:200]!r}")
        raise Failed
    with tally.lock:
        tally.latencies[step].append(elapsed)
    return json.loads(data)


def user_loop(pair: Pair, args: argparse.Namespace, stop_at: float, tally: Tally) -> None:
    port, timeout = args.port, args.timeout
    base_path = "/api/v1/referrals/"
    while time.monotonic() < stop_at:
        try:
            created = call(
                port,
                timeout,
                tally,
                "create",
                "POST",
                base_path,
                pair.sender_token,
                {
                    "case_id": pair.case_id,
                    "recipient_id": pair.recipient_id,
                    "reason": REASON,
                    "categories": ["identity", "contact"],
                    "send": True,
                },
            )
            pk = created["id"]
            if created.get("state") != "sent":
                tally.error("create", f"state {created.get('state')!r}, expected 'sent'")
                continue
            call(port, timeout, tally, "inbox", "GET", base_path + "?box=inbox&tab=new", pair.recipient_token)
            opened = call(port, timeout, tally, "open", "GET", f"{base_path}{pk}", pair.recipient_token)
            if opened.get("state") != "received":
                tally.error("open", f"state {opened.get('state')!r}, expected 'received'")
                continue
            for step, body, state in (
                ("accept", {"action": "accept"}, "accepted"),
                ("start", {"action": "start"}, "in_progress"),
                (
                    "complete",
                    {
                        "action": "complete",
                        "outcome": "helped",
                        "work_done": "Konsultacja i plan wsparcia (test obciążenia).",
                        "feedback": "Rodzina objęta wsparciem.",
                    },
                    "completed",
                ),
            ):
                answer = call(
                    port, timeout, tally, step, "POST", f"{base_path}{pk}/transitions", pair.recipient_token, body
                )
                if not answer.get("changed") or answer.get("referral", {}).get("state") != state:
                    tally.error(step, f"answer {answer!r}")
                    raise Failed
            with tally.lock:
                tally.loops += 1
                tally.referral_ids.append(pk)
        except Failed:
            time.sleep(0.05)  # do not spin on a failing server


def check_database(ids: list[str]) -> tuple[int, int, int]:
    """(referrals completed, with all six transitions, with the recipient's grant ended) among the loops' ids."""
    from django.db.models import Count

    from kooperacja.privacy.models import AccessGrant
    from kooperacja.referrals.models import Referral, State

    uuids = [uuid.UUID(pk) for pk in ids]
    completed = six = 0
    for start in range(0, len(uuids), 5000):
        part = uuids[start : start + 5000]
        rows = Referral.objects.filter(pk__in=part).annotate(steps=Count("transitions"))
        for referral in rows.values("state", "steps"):
            completed += referral["state"] == State.COMPLETED
            six += referral["steps"] == 6
    still_open = AccessGrant.objects.filter(
        source_type="referral", source_id__in=[str(pk) for pk in uuids], ended_at__isnull=True
    ).count()
    return completed, six, len(uuids) - still_open


def percentile(values: list[float], fraction: float) -> float:
    return base.percentile(values, fraction) if values else 0.0


def main() -> int:
    args = parse_args()
    url = base.configure_environment()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    (base.ROOT / "var").mkdir(exist_ok=True)
    print(f"preparing {args.users} simulated users …")
    pairs = prepare(args.users)
    connection.close()  # the server and this process's checks use their own connections
    print(f"starting gunicorn on 127.0.0.1:{args.port} ({args.workers} workers × {args.threads} threads) …")
    server = start_server(args, url)
    tally = Tally()
    load_before = os.getloadavg()
    try:
        started = time.monotonic()
        stop_at = started + args.seconds
        threads = [threading.Thread(target=user_loop, args=(pair, args, stop_at, tally), daemon=True) for pair in pairs]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            time.sleep(min(10.0, max(0.1, stop_at - time.monotonic())))
            done = time.monotonic() - started
            if done < args.seconds:
                print(f"  {done:5.0f} s: {tally.loops} loops, {sum(tally.errors.values())} errors", flush=True)
        for thread in threads:
            thread.join(timeout=args.timeout + 5)
        elapsed = time.monotonic() - started
    finally:
        stop_server(server)
    load_after = os.getloadavg()
    requests = sum(len(v) for v in tally.latencies.values())
    errors = sum(tally.errors.values())
    completed, six, grants_ended = check_database(tally.referral_ids)
    lines = [
        f"# Kooperacja referrals load run — {connection.vendor}, {datetime.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"{args.users} simulated users, closed loop without think time, {elapsed:.0f} s; gunicorn {args.workers} workers × "
        f"{args.threads} threads on 127.0.0.1; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"({os.cpu_count()} CPUs).",
        "",
        f"- loops completed: {tally.loops} ({tally.loops / elapsed:.2f} loops/s)",
        f"- requests answered: {requests} ({requests / elapsed:.1f} requests/s)",
        f"- errors: {errors}" + (f" ({', '.join(f'{k}: {v}' for k, v in tally.errors.items())})" if errors else ""),
        f"- database: {completed} of {len(tally.referral_ids)} loop referrals completed, {six} with their six "
        f"transitions, {grants_ended} with the recipient's grants ended",
        "",
        "| step | requests | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {step} | {len(v)} | {percentile(v, 0.5):.0f} | {percentile(v, 0.95):.0f} | {max(v, default=0):.0f} |"
            for step, v in tally.latencies.items()
        ],
    ]
    if tally.messages:
        lines += ["", "First errors:", *[f"- {m}" for m in tally.messages]]
    consistent = completed == six == grants_ended == len(tally.referral_ids)
    verdict = "PASS" if errors == 0 and consistent and tally.loops > 0 else "FAIL"
    lines += ["", f"{verdict}: errors must be 0 and every loop's referral completed, audited and closed"]
    print("\n" + "\n".join(lines))
    if not args.no_save:
        base.RESULTS.mkdir(exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = base.RESULTS / f"load-referrals-{connection.vendor}-{stamp}"
        target.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        payload = {
            "users": args.users,
            "seconds": elapsed,
            "workers": args.workers,
            "threads": args.threads,
            "loops": tally.loops,
            "requests": requests,
            "errors": tally.errors,
            "messages": tally.messages,
            "load_average": [load_before, load_after],
            "latency_ms": {
                step: {"n": len(v), "p50": percentile(v, 0.5), "p95": percentile(v, 0.95), "mean": statistics.fmean(v)}
                for step, v in tally.latencies.items()
                if v
            },
            "database": {"completed": completed, "six_transitions": six, "grants_ended": grants_ended},
        }
        target.with_suffix(".json").write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nresults: {target.with_suffix('.md').relative_to(base.ROOT)} (and .json)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
