"""Seed the two built-in taxonomies: the 14 social-service domains (art. 2 of the CUS act) and the sectors."""

import uuid

from django.db import migrations

NAMESPACE = uuid.UUID("6f1c2a8e-4b7d-4c55-9a0e-3f7b1d2c9e10")

DOMAINS = [
    ("family_policy", "polityka prorodzinna", "family policy"),
    ("family_support", "wspieranie rodziny", "family support"),
    ("foster_care", "system pieczy zastępczej", "foster care"),
    ("social_assistance", "pomoc społeczna", "social assistance"),
    ("health_promotion", "promocja i ochrona zdrowia", "health promotion and protection"),
    ("disability", "wspieranie osób niepełnosprawnych", "support for persons with disabilities"),
    ("public_education", "edukacja publiczna", "public education"),
    ("unemployment", "przeciwdziałanie bezrobociu", "counteracting unemployment"),
    ("culture", "kultura", "culture"),
    ("physical_culture_tourism", "kultura fizyczna i turystyka", "physical culture and tourism"),
    ("civic_activity", "pobudzanie aktywności obywatelskiej", "civic activity"),
    ("housing", "mieszkalnictwo", "housing"),
    ("environment", "ochrona środowiska", "environmental protection"),
    ("reintegration", "reintegracja zawodowa i społeczna", "social and vocational reintegration"),
]

SECTORS = [
    ("social_assistance", "pomoc społeczna", "social assistance"),
    ("education", "edukacja", "education"),
    ("health", "ochrona zdrowia", "health"),
    ("labour_market", "rynek pracy", "labour market"),
    ("justice", "wymiar sprawiedliwości", "justice"),
    ("police", "policja", "police"),
    ("housing", "mieszkalnictwo", "housing"),
    ("culture_sport", "kultura i sport", "culture and sport"),
    ("ngo", "organizacje pozarządowe", "non-governmental organisations"),
    ("church_charity", "kościoły i organizacje charytatywne", "church / charity"),
    ("other", "inne", "other"),
]

TAXONOMIES = [
    (
        "cus-domains",
        "Obszary usług społecznych (art. 2 ustawy o CUS)",
        "The 14 domains of social services listed in art. 2 of the act of 19 July 2019 on social services "
        "provided by social services centres.",
        DOMAINS,
    ),
    ("sectors", "Sektory współpracy", "The sectors of the cooperating institutions.", SECTORS),
]


def seed(apps, schema_editor):
    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    for code, name, description, terms in TAXONOMIES:
        taxonomy, _ = Taxonomy.objects.update_or_create(
            id=uuid.uuid5(NAMESPACE, code),
            defaults={"code": code, "name": name, "description": description, "version": "1"},
        )
        for order, (term_code, term_name, term_name_en) in enumerate(terms, start=1):
            TaxonomyTerm.objects.update_or_create(
                id=uuid.uuid5(NAMESPACE, f"{code}/{term_code}"),
                defaults={
                    "taxonomy": taxonomy,
                    "code": term_code,
                    "name": term_name,
                    "name_en": term_name_en,
                    "language": "pl",
                    "sort_order": order,
                },
            )


def unseed(apps, schema_editor):
    Taxonomy = apps.get_model("directory", "Taxonomy")
    Taxonomy.objects.filter(code__in=[code for code, *_ in TAXONOMIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
