"""No back door: the Django admin shows no personal data of persons, households, cases or consents."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse

from kooperacja.people.models import Person

pytestmark = pytest.mark.django_db

# Apps whose every model is personal data (or reveals who is a client of social assistance).
PERSONAL_APPS = {"people", "cases"}
# privacy's models that hold or reveal personal data; its reference data (LegalBasis) may be registered.
PERSONAL_PRIVACY_MODELS = {"consent", "accessgrant", "accesslogentry", "subjectrequest", "breach"}


def _is_personal(model: type[models.Model]) -> bool:
    meta = model._meta
    if meta.app_label in PERSONAL_APPS:
        return True
    if meta.app_label == "privacy" and meta.model_name in PERSONAL_PRIVACY_MODELS:
        return True
    # Any model elsewhere that points at a person or a household carries personal data too.
    return any(
        isinstance(field, models.ForeignKey | models.OneToOneField | models.ManyToManyField)
        and field.related_model is not None
        and field.related_model._meta.app_label in PERSONAL_APPS
        for field in meta.get_fields()
        if not field.auto_created
    )


def offending_registrations(site: admin.AdminSite) -> list[str]:
    return sorted(model._meta.label for model in site._registry if _is_personal(model))


def test_no_personal_model_is_registered_in_the_admin():
    assert offending_registrations(admin.site) == []


def test_the_check_is_meaningful_registering_person_fails_it():
    # The same check over a site with Person registered must find it.
    site = admin.AdminSite(name="probe")
    for model, model_admin in admin.site._registry.items():
        site.register(model, type(model_admin))
    site.register(Person)
    assert offending_registrations(site) == ["people.Person"]
    # …and so would a model of any app that holds a foreign key to a person.
    consent_model = apps.get_model("privacy", "Consent")
    site.register(consent_model)
    assert "privacy.Consent" in offending_registrations(site)


def test_legal_bases_are_editable_reference_data_in_polish(cast, client_for):
    client = client_for(cast.root)
    page = client.get(reverse("admin:privacy_legalbasis_changelist") + "?q=9c").content.decode()
    assert "art. 9c" in page and "przeciwdziałaniu przemocy domowej" in page
    assert client.get("/admin/privacy/consent/").status_code == 404
    assert client.get("/admin/privacy/accesslogentry/").status_code == 404
