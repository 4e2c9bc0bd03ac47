"""TERYT units: voivodeships, counties, gminy, and macroregions grouping voivodeships."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GminaKind(models.TextChoices):
    """RODZ of the TERC list: 1 urban, 2 rural, 3 urban-rural."""

    URBAN = "urban", _("urban gmina")
    RURAL = "rural", _("rural gmina")
    URBAN_RURAL = "urban_rural", _("urban-rural gmina")

    @classmethod
    def from_rodz(cls, rodz: str) -> GminaKind:
        return {"1": cls.URBAN, "2": cls.RURAL, "3": cls.URBAN_RURAL}[rodz]

    @property
    def rodz(self) -> str:
        return {"urban": "1", "rural": "2", "urban_rural": "3"}[self.value]


def voivodeship_display_name(name: str) -> str:
    """A voivodeship's name as Polish writes it in running text: "DOLNOŚLĄSKIE" → "dolnośląskie"."""
    return name.lower()


class Macroregion(models.Model):
    """A configurable group of voivodeships run by one regional project."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("macroregion")
        verbose_name_plural = _("macroregions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Voivodeship(models.Model):
    """A voivodeship; `name` is stored as GUS gives it (upper case in TERC), shown in lower case."""

    code = models.CharField(_("TERYT code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    macroregion = models.ForeignKey(
        Macroregion,
        verbose_name=_("macroregion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="voivodeships",
    )
    valid_on = models.DateField(_("register date (STAN_NA)"), null=True, blank=True)

    class Meta:
        verbose_name = _("voivodeship")
        verbose_name_plural = _("voivodeships")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name as Polish writes it in running text: "DOLNOŚLĄSKIE" → "dolnośląskie"."""
        return voivodeship_display_name(self.name)


class County(models.Model):
    """Powiat or city with county rights; code is WOJ+POW (4 digits)."""

    code = models.CharField(_("TERYT code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind_label = models.CharField(_("kind (NAZWA_DOD)"), max_length=100, blank=True)
    voivodeship = models.ForeignKey(
        Voivodeship, verbose_name=_("voivodeship"), on_delete=models.PROTECT, related_name="counties"
    )
    valid_on = models.DateField(_("register date (STAN_NA)"), null=True, blank=True)

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Gmina(models.Model):
    """A gmina; code is WOJ+POW+GMI+RODZ (7 digits), kind from RODZ."""

    code = models.CharField(_("TERYT code"), max_length=7, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=GminaKind.choices)
    kind_label = models.CharField(_("kind (NAZWA_DOD)"), max_length=100, blank=True)
    county = models.ForeignKey(County, verbose_name=_("county"), on_delete=models.PROTECT, related_name="gminy")
    voivodeship = models.ForeignKey(
        Voivodeship, verbose_name=_("voivodeship"), on_delete=models.PROTECT, related_name="gminy"
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    valid_on = models.DateField(_("register date (STAN_NA)"), null=True, blank=True)

    class Meta:
        verbose_name = _("gmina")
        verbose_name_plural = _("gminy")
        ordering = ["code"]
        indexes = [models.Index(fields=["voivodeship", "kind"]), models.Index(fields=["name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["urban", "rural", "urban_rural"]), name="gmina_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"
