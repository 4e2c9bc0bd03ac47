"""manage.py seed_macroregions: the programme's three macroregions, grouping the voivodeships (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kooperacja.territory.models import Macroregion
from kooperacja.territory.reference import UNASSIGNED_VOIVODESHIPS
from kooperacja.territory.services import macroregions_seed


class Command(BaseCommand):
    help = (
        "Create the three macroregions of the cooperation-model projects and put the voivodeships in them "
        "(creating missing voivodeships). Fills gaps only: what an administrator changed stays as it is."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = macroregions_seed()
        write = self.stdout.write
        if summary.voivodeships_created:
            write(
                _("Voivodeships created: %(codes)s") % {"codes": ", ".join(summary.voivodeships_created)},
            )
        if summary.macroregions_created:
            write(_("Macroregions created: %(codes)s") % {"codes": ", ".join(summary.macroregions_created)})
        for region in Macroregion.objects.prefetch_related("voivodeships").order_by("code"):
            names = ", ".join(f"{v.display_name} ({v.code})" for v in region.voivodeships.all())
            write(f"{region.name} [{region.code}]: {names or '—'}")
        for code, reference in sorted(summary.kept_elsewhere.items()):
            write(
                _(
                    "Voivodeship %(code)s is left in the macroregion an administrator chose (the programme had it in %(reference)s)."
                )
                % {"code": code, "reference": reference}
            )
        for voivodeship in summary.unassigned:
            if voivodeship.code in UNASSIGNED_VOIVODESHIPS:
                message = _(
                    "Not in any macroregion: %(name)s (%(code)s). The programme's sources place it in none of the "
                    "three projects; an administrator can assign it."
                )
            else:
                message = _("Not in any macroregion: %(name)s (%(code)s).")
            write(message % {"name": voivodeship.display_name, "code": voivodeship.code})
        if summary.changed:
            write(
                self.style.SUCCESS(
                    _("Done: %(count)d voivodeships placed in macroregions.") % {"count": len(summary.assigned)}
                )
            )
        else:
            write(self.style.SUCCESS(_("No changes: the macroregions were already in place.")))
