"""The directory: institutions by sector, their services and locations, the taxonomy, and
partnerships (PZK) with their members and cooperation agreements.

Entities exposed through HSDS 3.0 carry UUID primary keys, as HSDS identifiers are UUIDs.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kooperacja.directory.storage import private_storage
from kooperacja.directory.text import search_text_of
from kooperacja.territory.models import County, Gmina, Voivodeship


class Sector(models.TextChoices):
    SOCIAL_ASSISTANCE = "social_assistance", _("social assistance")
    EDUCATION = "education", _("education")
    HEALTH = "health", _("health")
    LABOUR_MARKET = "labour_market", _("labour market")
    JUSTICE = "justice", _("justice")
    POLICE = "police", _("police")
    HOUSING = "housing", _("housing")
    CULTURE_SPORT = "culture_sport", _("culture and sport")
    NGO = "ngo", _("non-governmental organisation")
    CHURCH_CHARITY = "church_charity", _("church / charity")
    OTHER = "other", _("other")


class InstitutionKind(models.TextChoices):
    OPS = "ops", _("municipal social welfare centre (OPS)")
    CUS = "cus", _("social services centre (CUS)")
    PCPR = "pcpr", _("county family support centre (PCPR)")
    ROPS = "rops", _("regional social policy centre (ROPS)")
    CIS = "cis", _("social integration centre / club (CIS/KIS)")
    SCHOOL = "school", _("school")
    KINDERGARTEN = "kindergarten", _("kindergarten")
    PPP = "ppp", _("psychological-pedagogical counselling centre (PPP)")
    POZ = "poz", _("primary health care (POZ)")
    CZP = "czp", _("mental health centre (CZP)")
    ADDICTION_CLINIC = "addiction_clinic", _("addiction clinic")
    GKRPA = "gkrpa", _("municipal alcohol problems commission (GKRPA)")
    PUP = "pup", _("county labour office (PUP)")
    COURT = "court", _("court")
    PROBATION = "probation", _("probation service")
    POLICE_STATION = "police_station", _("police station")
    HOUSING_MANAGER = "housing_manager", _("municipal housing manager")
    CULTURE_CENTRE = "culture_centre", _("culture centre / library")
    SPORTS_CENTRE = "sports_centre", _("sports centre")
    NGO = "ngo", _("non-governmental organisation")
    PARISH_CHARITY = "parish_charity", _("parish / Caritas")
    MUNICIPAL_OFFICE = "municipal_office", _("municipal office")
    OTHER = "other", _("other")


class CapacityStatus(models.TextChoices):
    ACCEPTING = "accepting", _("accepting")
    WAITLIST = "waitlist", _("waitlist")
    NOT_ACCEPTING = "not_accepting", _("not accepting")


class ServiceStatus(models.TextChoices):
    """HSDS service.status values."""

    ACTIVE = "active", _("active")
    INACTIVE = "inactive", _("inactive")
    DEFUNCT = "defunct", _("defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("temporarily closed")


class Taxonomy(models.Model):
    """A classification scheme (HSDS taxonomy), e.g. the 14 social-service domains."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    uri = models.URLField(_("URI"), blank=True)
    version = models.CharField(_("version"), max_length=40, blank=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(
        Taxonomy, verbose_name=_("taxonomy"), on_delete=models.CASCADE, related_name="terms", null=True, blank=True
    )
    code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent term"), on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    language = models.CharField(_("language"), max_length=12, blank=True)
    term_uri = models.URLField(_("term URI"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Normalised code, names and description, kept up to date by save(); for the HSDS `search` filter.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["taxonomy_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy", "code"], condition=~models.Q(code=""), name="taxonomy_term_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = search_text_of(self.code, self.name, self.name_en, self.description)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Institution(models.Model):
    """An organisation that cooperates: OPS, school, court, NGO… (HSDS organization)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=InstitutionKind.choices)
    # The TERYT unit the institution serves: a gmina, or a county, or a voivodeship.
    gmina = models.ForeignKey(
        Gmina, verbose_name=_("gmina"), on_delete=models.PROTECT, null=True, blank=True, related_name="institutions"
    )
    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, null=True, blank=True, related_name="institutions"
    )
    voivodeship = models.ForeignKey(
        Voivodeship,
        verbose_name=_("voivodeship"),
        on_delete=models.PROTECT,
        related_name="institutions",
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    regon = models.CharField(_("REGON"), max_length=14, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Normalised (lower case, no diacritics) name + description, kept up to date by save(); for search.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["gmina", "sector"]),
            models.Index(fields=["county", "sector"]),
            models.Index(fields=["voivodeship", "kind"]),
            # Lists are ordered by (name, id): the HSDS API and the search pages read pages in this index order.
            models.Index(fields=["name", "id"], name="directory_institution_name_id"),
            models.Index(fields=["sector", "name"]),
            # Published lists exclude the (few) inactive institutions; this keeps that lookup an index probe.
            models.Index(fields=["id"], condition=models.Q(is_active=False), name="directory_institution_inactive"),
            # Services filtered by their institution's sector probe the institution of each service they walk: with the
            # sector in the index the probe reads no table page (index-only), and the capped count becomes a merge of
            # two indexes (PostgreSQL, sector=health: count 2,016 → 35 pages read, page 1 7,805 → 5,223).
            models.Index(fields=["id", "sector"], name="directory_inst_id_sector"),
        ]

    def __str__(self) -> str:
        return self.name

    # The institution's fields that its services' search texts include (see Service.compute_search_text).
    SERVICE_SEARCH_FIELDS = ("name", "short_name", "city")

    def save(self, *args: object, **kwargs: object) -> None:
        # Derived column: recomputed on every save so that no write path can leave it stale.
        self.search_text = self.compute_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}  # type: ignore[misc]
        loaded = getattr(self, "_service_search_source", None)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        current = self._service_search_values()
        if loaded is not None and loaded != current:
            # The name or town changed: its services' search texts include them (a search for a town finds them).
            self.refresh_service_search_text()
        self._service_search_source = current

    @classmethod
    def from_db(cls, *args: Any, **kwargs: Any) -> Institution:
        instance = super().from_db(*args, **kwargs)
        instance._service_search_source = instance._service_search_values()
        return instance

    def _service_search_values(self) -> tuple[str | None, ...]:
        # Deferred fields count as unknown (None): comparing them would read them from the database.
        deferred = self.get_deferred_fields()
        return tuple(None if name in deferred else getattr(self, name) for name in self.SERVICE_SEARCH_FIELDS)

    def compute_search_text(self) -> str:
        return search_text_of(self.name, self.short_name, self.description, self.city)

    def service_search_text_part(self) -> str:
        """The part of each of its services' search text that comes from the institution: its name and town."""
        return search_text_of(self.name, self.short_name, self.city)

    def refresh_service_search_text(self) -> int:
        """Recompute the search text of the institution's services (after its name or town changed)."""
        services = list(self.services.only("id", "institution_id", "name", "alternate_name", "description"))
        for service in services:
            service.institution = self
            service.search_text = service.compute_search_text()
        Service.objects.bulk_update(services, ["search_text"], batch_size=500)
        return len(services)

    @property
    def address_line(self) -> str:
        return address_line_of(self.street, self.postal_code, self.city)


def address_line_of(street: str, postal_code: str, city: str) -> str:
    """An address on one line: "ul. Polna 1, 00-001 Miastko" (the parts that are known)."""
    return ", ".join(part for part in [street, f"{postal_code} {city}".strip()] if part)


class Location(models.Model):
    """A place where an institution delivers services (HSDS location)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    gmina = models.ForeignKey(
        Gmina, verbose_name=_("gmina"), on_delete=models.PROTECT, null=True, blank=True, related_name="locations"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accessibility = models.TextField(_("accessibility"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A service an institution offers, with eligibility, cost and capacity (HSDS service)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(_("name"), max_length=300)
    alternate_name = models.CharField(_("alternate name"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=30, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    url = models.URLField(_("web page"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    terms = models.ManyToManyField(
        TaxonomyTerm, verbose_name=_("domains and sectors"), blank=True, related_name="services"
    )
    # Eligibility: age range, gminy served, free text now; machine-checkable rules later.
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    eligible_gminy = models.ManyToManyField(
        Gmina, verbose_name=_("gminy served"), blank=True, related_name="eligible_services"
    )
    eligibility_description = models.TextField(_("who can use it"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    languages = models.CharField(
        _("languages"), max_length=200, blank=True, help_text=_("Comma-separated codes, e.g. pl, uk, en")
    )
    is_free = models.BooleanField(_("free of charge"), default=True)
    fees_description = models.TextField(_("cost"), blank=True)
    capacity_status = models.CharField(
        _("capacity"), max_length=20, choices=CapacityStatus.choices, default=CapacityStatus.ACCEPTING
    )
    expected_wait_days = models.PositiveSmallIntegerField(_("expected wait (days)"), null=True, blank=True)
    capacity_confirmed_at = models.DateTimeField(_("capacity last confirmed"), null=True, blank=True)
    locations = models.ManyToManyField(
        Location, verbose_name=_("locations"), through="ServiceAtLocation", blank=True, related_name="services"
    )
    # Normalised (lower case, no diacritics) name + description, kept up to date by save(); for search.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["institution", "name"]),
            models.Index(fields=["capacity_status"]),
            # include: the HSDS list walks this index without reading the table (see hsds._IdsFirst).
            models.Index(fields=["name", "id"], include=["institution"], name="directory_service_name_id_inst"),
            models.Index(fields=["capacity_status", "name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(maximum_age__gte=models.F("minimum_age")),
                name="service_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(capacity_status="waitlist") | models.Q(expected_wait_days__isnull=False),
                name="service_waitlist_has_wait",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = self.compute_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.capacity_status == CapacityStatus.WAITLIST and self.expected_wait_days is None:
            errors["expected_wait_days"] = _("Give the expected wait in days when the service has a waitlist.")
        if self.minimum_age is not None and self.maximum_age is not None and self.maximum_age < self.minimum_age:
            errors["maximum_age"] = _("The maximum age cannot be lower than the minimum age.")
        if errors:
            raise ValidationError(errors)

    def compute_search_text(self) -> str:
        """Its name, alternate name and description, and its institution's name and town: a search for a town or
        an institution finds the services too. Kept in sync when the institution changes (Institution.save)."""
        institution = self.institution if self.institution_id is not None else None
        return search_text_of(
            self.name,
            self.alternate_name,
            self.description,
            institution.service_search_text_part() if institution is not None else "",
        )

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(_("description"), blank=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("service at location")
        verbose_name_plural = _("services at locations")
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="service_at_location_unique")]

    def __str__(self) -> str:
        return f"{self.service_id} @ {self.location_id}"


class Partnership(models.Model):
    """A partnership (PZK) of a gmina, optionally with its county, led by an institution."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=300)
    gmina = models.ForeignKey(Gmina, verbose_name=_("gmina"), on_delete=models.PROTECT, related_name="partnerships")
    county = models.ForeignKey(
        County, verbose_name=_("county"), on_delete=models.PROTECT, null=True, blank=True, related_name="partnerships"
    )
    lead_institution = models.ForeignKey(
        Institution, verbose_name=_("lead institution"), on_delete=models.PROTECT, related_name="led_partnerships"
    )
    description = models.TextField(_("description"), blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnershipMember(models.Model):
    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="members"
    )
    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="partnership_memberships"
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("partnership member")
        verbose_name_plural = _("partnership members")
        ordering = ["partnership_id", "joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "institution"],
                condition=models.Q(left_on__isnull=True),
                name="partnership_member_once_active",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
                name="partnership_member_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} in {self.partnership}"

    def clean(self) -> None:
        if self.left_on is not None and self.joined_on is not None and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("The date of leaving cannot be earlier than the date of joining.")})

    @property
    def is_current(self) -> bool:
        return self.left_on is None or self.left_on >= timezone.localdate()


class Representative(models.Model):
    """A named person who represents a member institution in the partnership."""

    member = models.ForeignKey(
        PartnershipMember, verbose_name=_("member"), on_delete=models.CASCADE, related_name="representatives"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    function = models.CharField(_("function"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


def agreement_upload_to(instance: CooperationAgreement, filename: str) -> str:
    # The original file name may carry personal data; keep only its extension.
    extension = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"agreements/{instance.partnership_id}/{uuid.uuid4().hex}.{extension}"


class CooperationAgreement(models.Model):
    """A cooperation agreement (porozumienie). It does not by itself create a basis to share personal data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="agreements"
    )
    title = models.CharField(_("title"), max_length=300)
    parties = models.ManyToManyField(Institution, verbose_name=_("parties"), related_name="agreements")
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scope = models.TextField(_("scope"), blank=True)
    legal_basis_text = models.TextField(_("legal basis"), blank=True)
    signed_file = models.FileField(
        _("signed file"), upload_to=agreement_upload_to, storage=private_storage, blank=True, max_length=300
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["-signed_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="agreement_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.valid_from is not None and self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity cannot be earlier than its start.")})
