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
