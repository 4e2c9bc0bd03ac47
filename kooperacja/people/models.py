"""Persons and households (families), with PESEL encrypted at rest and found through a blind index.

Everything here is personal data: other contexts show it only after `privacy` says the actor may see it, and every
read is written to the access log (see kooperacja/privacy).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kooperacja.core.text import normalise
from kooperacja.territory.models import Gmina


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")


class Relation(models.TextChoices):
    """A member's relation within a household (to its head, or as the family describes it)."""

    HEAD = "head", _("head of household")
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    PARTNER = "partner", _("partner / spouse")
    GRANDPARENT = "grandparent", _("grandparent")
    GRANDCHILD = "grandchild", _("grandchild")
    SIBLING = "sibling", _("sibling")
    OTHER = "other", _("other")


class PersonQuerySet(models.QuerySet["Person"]):
    def live(self) -> PersonQuerySet:
        """Records that are neither merged into another nor anonymised."""
        return self.filter(merged_into__isnull=True, anonymised_at__isnull=True)


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    second_name = models.CharField(_("second name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=150)
    family_name = models.CharField(_("family name (maiden name)"), max_length=150, blank=True)
    # Lower case, without Polish diacritics: "zolkiewska anna" finds "Żółkiewska Anna" (trigram index on PostgreSQL).
    name_search = models.CharField(max_length=400, editable=False, db_index=True, default="")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    # PESEL is never stored in clear: a Fernet token, and an HMAC blind index for exact search.
    pesel_encrypted = models.TextField(editable=False, blank=True, default="")
    pesel_index = models.CharField(max_length=64, editable=False, blank=True, default="", db_index=True)
    citizenship = models.CharField(_("citizenship"), max_length=60, default="polskie", blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    gmina = models.ForeignKey(
        Gmina, verbose_name=_("gmina"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # The institution that first recorded the person (the controller that collected the data).
    recorded_by_institution = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name_search", "id"]
        indexes = [models.Index(fields=["birth_date", "name_search"], name="people_person_birth_name")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sex__in=["", "F", "M"]),
                name="people_person_sex_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.refresh_search_fields()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.second_name, self.last_name) if part)

    def refresh_search_fields(self) -> None:
        self.name_search = normalise(f"{self.last_name} {self.first_name} {self.second_name} {self.family_name}")
        self.name_search = " ".join(self.name_search.split())


class Household(models.Model):
    """A household or family, with an address; its members change over time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200, help_text=_("How the workers call it, e.g. 'rodzina Nowaków'."))
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    gmina = models.ForeignKey(
        Gmina, verbose_name=_("gmina"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by_institution = models.ForeignKey(
        "directory.Institution",
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class HouseholdMember(models.Model):
    """A person in a household, with a relation, between two dates (a person may be in several over time)."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household_id", "since", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True)
                | models.Q(since__isnull=True)
                | models.Q(until__gte=models.F("since")),
                name="people_member_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["person", "household"], name="people_member_person")]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_relation_display()}"


class PersonMerge(models.Model):
    """Two records of one person joined: `merged` now points to `survivor`. Reversible (unmerge) from `snapshot`."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_absorbed")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    # Ids of the rows moved from `merged` to `survivor` (by model label), so that an unmerge can move them back.
    snapshot = models.JSONField(default=dict, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unmerged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("merge of person records")
        verbose_name_plural = _("merges of person records")
        ordering = ["-merged_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(survivor=models.F("merged")), name="people_merge_two_records"),
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
