"""manage.py generate_scale: a synthetic national-size directory (for benchmarks), in bulk, with a progress bar."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from kooperacja.demo.scale import DEFAULT_SEED, NATIONAL_GMINY, scale_generate


class Command(BaseCommand):
    help = (
        "Generate a synthetic directory: about 12 institutions and 40 services in each of N gminy (default: all "
        f"{NATIONAL_GMINY:,}). Uses the gminy in the database and adds a synthetic territory (marked '(synt.)') when "
        "there are fewer. Gminy already generated are skipped, so a second run adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--gminy", type=int, default=NATIONAL_GMINY, help="number of gminy (default: %(default)s)")
        parser.add_argument("--institutions-per-gmina", type=int, default=12, help="(default: %(default)s)")
        parser.add_argument("--services-per-institution", type=float, default=3.3, help="mean (default: %(default)s)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
        parser.add_argument(
            "--reset", action="store_true", help="delete what an earlier run generated for these gminy, then generate"
        )
        parser.add_argument(
            "--persons",
            type=int,
            default=0,
            help="also write this many synthetic persons (issue scale: 1000000), recorded by each gmina's OPS",
        )
        parser.add_argument(
            "--households", type=int, default=None, help="households for those persons (default: 40%% of --persons)"
        )
        parser.add_argument(
            "--cases", type=int, default=0, help="also write this many cases over those persons (issue scale: 300000)"
        )
        parser.add_argument(
            "--referrals",
            type=int,
            default=0,
            help="also write this many referrals from those cases, with their history and grants (issue scale: 2000000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["gminy"] < 1 or options["institutions_per_gmina"] < 1 or options["services_per_institution"] <= 0:
            raise CommandError("--gminy, --institutions-per-gmina and --services-per-institution must be positive.")
        show = options["verbosity"] > 0
        bar: tqdm[Any] | None = None

        def progress(advance: int, total: int) -> None:
            nonlocal bar
            if not show:
                return
            if bar is None:
                bar = tqdm(total=total, unit="gmina", desc="generate_scale", file=sys.stderr, dynamic_ncols=True)
            bar.update(advance)

        try:
            summary = scale_generate(
                gminy=options["gminy"],
                institutions_per_gmina=options["institutions_per_gmina"],
                services_per_institution=options["services_per_institution"],
                seed=options["seed"],
                reset=options["reset"],
                progress=progress,
            )
        finally:
            if bar is not None:
                bar.close()
        lines = []
        if summary.synthetic_gminy:
            lines.append(
                f"  synthetic territory: {summary.synthetic_counties} counties and {summary.synthetic_gminy} gminy "
                "(codes no real unit uses, names marked '(synt.)')"
            )
        if summary.deleted_institutions:
            lines.append(f"  deleted: {summary.deleted_institutions} institutions of an earlier run")
        lines.append(
            f"  added: {summary.institutions} institutions, {summary.services} services, {summary.locations} "
            f"locations, {summary.terms} taxonomy tags in {summary.gminy_generated} gminy "
            f"({summary.gminy - summary.gminy_generated} already done)"
        )
        lines.append(
            f"  the database now holds {summary.totals['gminy']} gminy, {summary.totals['institutions']} institutions, "
            f"{summary.totals['services']} services"
        )
        self.stdout.write(self.style.SUCCESS(f"generate_scale: {summary.gminy} gminy in {summary.seconds:.1f} s"))
        self.stdout.write("\n".join(lines))
        if options["persons"] > 0:
            self._persons(options, show)
        if options["cases"] > 0:
            self._cases(options, show)
        if options["referrals"] > 0:
            self._referrals(options, show)

    def _bar(self, show: bool, unit: str, desc: str) -> tuple[Any, Any]:
        state: dict[str, Any] = {"bar": None}

        def progress(advance: int, total: int) -> None:
            if not show:
                return
            if state["bar"] is None:
                state["bar"] = tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, dynamic_ncols=True)
            state["bar"].update(advance)

        def close() -> None:
            if state["bar"] is not None:
                state["bar"].close()

        return progress, close

    def _persons(self, options: dict[str, Any], show: bool) -> None:
        from kooperacja.people.scale import generate_people
        from kooperacja.territory.models import Gmina

        persons = options["persons"]
        households = options["households"] if options["households"] is not None else persons * 2 // 5
        gminy = list(Gmina.objects.order_by("code")[: options["gminy"]])
        # generate_people reports (done, total) after each gmina: turn it into steps for the bar.
        advance, close = self._bar(show, "person", "persons")
        seen = {"done": 0}

        def progress(done: int, total: int) -> None:
            advance(done - seen["done"], total)
            seen["done"] = done

        try:
            people = generate_people(gminy=gminy, persons=persons, households=households, progress=progress)
        finally:
            close()
        self.stdout.write(
            f"  persons: {people.persons} in {people.households} households over {people.gminy} gminy, "
            f"{people.grants} access grants in {people.seconds:.1f} s"
            + (" (no legal basis for the OPS: no grants)" if people.basis_missing else "")
        )

    def _cases(self, options: dict[str, Any], show: bool) -> None:
        from kooperacja.cases.scale import generate_cases

        progress, close = self._bar(show, "case", "cases")
        try:
            cases = generate_cases(cases=options["cases"], progress=progress)
        finally:
            close()
        self.stdout.write(
            f"  cases: {cases.cases} with {cases.tasks} plan tasks and {cases.grants} access grants "
            f"in {cases.seconds:.1f} s ({cases.skipped_persons} persons skipped)"
        )

    def _referrals(self, options: dict[str, Any], show: bool) -> None:
        from kooperacja.referrals.scale import generate_referrals

        progress, close = self._bar(show, "referral", "referrals")
        try:
            summary = generate_referrals(referrals=options["referrals"], progress=progress)
        finally:
            close()
        states = ", ".join(f"{state} {count}" for state, count in sorted(summary.by_state.items()))
        self.stdout.write(
            f"  referrals: {summary.referrals} from {summary.cases_used} cases ({summary.existing} already there) with "
            f"{summary.transitions} transitions, {summary.grants} access grants, {summary.shares} shares, "
            f"{summary.consents} consents, {summary.users} synthetic workers in {summary.seconds:.1f} s"
            + (f"; states: {states}; overdue {summary.overdue}" if summary.referrals else "")
        )
