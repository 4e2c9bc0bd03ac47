"""The legal bases as data: GDPR art. 6 and 9 points and the provisions of the Polish acts the OPS/CUS work under.

The GDPR points are the general grounds (they cover no category by themselves: a national provision says what may be
shared with whom); the consent points mark consent-based sharing. The statutory provisions list the data categories
they cover and the kinds of institution that may rely on them. Art. 9c of the act on counteracting domestic violence
applies only within a Niebieska Karta procedure (`procedure="blue_card"`).
"""

from django.db import migrations, models

ALL = [
    "identity",
    "contact",
    "family",
    "health",
    "addiction",
    "violence",
    "education",
    "employment",
    "finances",
    "housing",
    "justice",
]
SOCIAL = ["ops", "cus", "pcpr"]

UPS = "ustawy z dnia 12 marca 2004 r. o pomocy społecznej"
UWR = "ustawy z dnia 9 czerwca 2011 r. o wspieraniu rodziny i systemie pieczy zastępczej"
UPPRZD = "ustawy z dnia 29 lipca 2005 r. o przeciwdziałaniu przemocy domowej"
UCUS = "ustawy z dnia 19 lipca 2019 r. o realizowaniu usług społecznych przez centrum usług społecznych"

BASES = [
    {
        "code": "gdpr-6-1-a",
        "kind": "gdpr_art6",
        "title": "Zgoda osoby, której dane dotyczą",
        "reference": "art. 6 ust. 1 lit. a RODO",
        "description": "Osoba wyraziła zgodę na przetwarzanie swoich danych w jednym lub większej liczbie celów. "
        "Zgodę można wycofać w każdej chwili.",
        "covers": [],
        "institution_kinds": [],
        "is_consent": True,
    },
    {
        "code": "gdpr-6-1-c",
        "kind": "gdpr_art6",
        "title": "Obowiązek prawny ciążący na administratorze",
        "reference": "art. 6 ust. 1 lit. c RODO",
        "description": "Przetwarzanie jest niezbędne do wypełnienia obowiązku prawnego; zakres określa przepis "
        "ustawy szczególnej.",
        "covers": [],
        "institution_kinds": [],
        "is_consent": False,
    },
    {
        "code": "gdpr-6-1-e",
        "kind": "gdpr_art6",
        "title": "Zadanie realizowane w interesie publicznym lub w ramach władzy publicznej",
        "reference": "art. 6 ust. 1 lit. e RODO",
        "description": "Przetwarzanie jest niezbędne do wykonania zadania realizowanego w interesie publicznym lub "
        "w ramach sprawowania władzy publicznej powierzonej administratorowi.",
        "covers": [],
        "institution_kinds": [],
        "is_consent": False,
    },
    {
        "code": "gdpr-9-2-a",
        "kind": "gdpr_art9",
        "title": "Wyraźna zgoda na przetwarzanie szczególnych kategorii danych",
        "reference": "art. 9 ust. 2 lit. a RODO",
        "description": "Osoba wyraziła wyraźną zgodę na przetwarzanie danych szczególnych kategorii (np. o zdrowiu) "
        "w określonym celu.",
        "covers": [],
        "institution_kinds": [],
        "is_consent": True,
    },
    {
        "code": "gdpr-9-2-b",
        "kind": "gdpr_art9",
        "title": "Obowiązki w dziedzinie zabezpieczenia społecznego i ochrony socjalnej",
        "reference": "art. 9 ust. 2 lit. b RODO",
        "description": "Przetwarzanie jest niezbędne do wypełnienia obowiązków i wykonywania praw w dziedzinie "
        "zabezpieczenia społecznego i ochrony socjalnej, o ile zezwala na to prawo państwa członkowskiego.",
        "covers": [],
        "institution_kinds": [],
        "is_consent": False,
    },
    {
        "code": "gdpr-9-2-g",
        "kind": "gdpr_art9",
        "title": "Ważny interes publiczny na podstawie prawa Unii lub państwa członkowskiego",
        "reference": "art. 9 ust. 2 lit. g RODO",
        "description": "Przetwarzanie jest niezbędne ze względów związanych z ważnym interesem publicznym, na "
        "podstawie przepisu ustawy, który przewiduje odpowiednie zabezpieczenia.",
        "covers": [],
        "institution_kinds": [],
        "is_consent": False,
    },
    {
        "code": "gdpr-9-2-h",
        "kind": "gdpr_art9",
        "title": "Profilaktyka zdrowotna, opieka zdrowotna i zabezpieczenie społeczne",
        "reference": "art. 9 ust. 2 lit. h RODO",
        "description": "Przetwarzanie jest niezbędne do celów profilaktyki zdrowotnej, diagnozy medycznej, "
        "zapewnienia opieki zdrowotnej lub zabezpieczenia społecznego albo zarządzania systemami i usługami "
        "opieki zdrowotnej lub zabezpieczenia społecznego.",
        "covers": [],
        "institution_kinds": [],
        "is_consent": False,
    },
    {
        "code": "gdpr-10",
        "kind": "gdpr_art9",
        "title": "Dane dotyczące wyroków skazujących i czynów zabronionych",
        "reference": "art. 10 RODO",
        "description": "Dane o wyrokach skazujących i naruszeniach prawa przetwarza się tylko pod nadzorem władz "
        "publicznych lub gdy zezwala na to przepis ustawy.",
        "covers": [],
        "institution_kinds": [],
        "is_consent": False,
    },
    {
        "code": "ups-art-100",
        "kind": "national_act",
        "title": "Zadania ośrodka pomocy społecznej: przetwarzanie danych osób i rodzin korzystających z pomocy",
        "reference": f"art. 100 w zw. z art. 23 i art. 105 {UPS}",
        "description": "Ośrodek pomocy społecznej (także CUS i PCPR) przetwarza dane osób i rodzin ubiegających się "
        "o pomoc lub z niej korzystających, w tym dane o zdrowiu, uzależnieniach i skazaniach, w zakresie "
        "niezbędnym do realizacji swoich zadań.",
        "covers": ALL,
        "institution_kinds": SOCIAL,
        "is_consent": False,
    },
    {
        "code": "uwr-art-15",
        "kind": "national_act",
        "title": "Praca z rodziną i asystent rodziny",
        "reference": f"art. 15 {UWR}",
        "description": "Asystent rodziny i ośrodek prowadzący pracę z rodziną przeżywającą trudności w wypełnianiu "
        "funkcji opiekuńczo-wychowawczych przetwarzają dane rodziny w zakresie niezbędnym do tej pracy.",
        "covers": ["identity", "contact", "family", "education", "health", "housing", "finances"],
        "institution_kinds": SOCIAL,
        "is_consent": False,
    },
    {
        "code": "upprzd-art-9c",
        "kind": "national_act",
        "title": "Zespół interdyscyplinarny i grupa diagnostyczno-pomocowa w procedurze „Niebieskie Karty”",
        "reference": f"art. 9c {UPPRZD}",
        "description": "Członkowie zespołu interdyscyplinarnego i grupy diagnostyczno-pomocowej przetwarzają dane "
        "osób doznających przemocy domowej i stosujących ją, w tym dane o zdrowiu, bez ich zgody — wyłącznie w "
        "ramach procedury „Niebieskie Karty”.",
        "covers": ALL,
        "institution_kinds": [],
        "is_consent": False,
        "procedure": "blue_card",
    },
    {
        "code": "ucus-art-8",
        "kind": "national_act",
        "title": "Centrum usług społecznych: realizacja usług społecznych i indywidualnych planów (IPUS)",
        "reference": f"art. 8 {UCUS}",
        "description": "Centrum usług społecznych przetwarza dane osób korzystających z usług społecznych w zakresie "
        "niezbędnym do ich organizowania i realizacji, w tym do opracowania indywidualnego planu usług społecznych.",
        "covers": ALL,
        "institution_kinds": ["cus"],
        "is_consent": False,
    },
]


def seed(apps, schema_editor):
    LegalBasis = apps.get_model("privacy", "LegalBasis")
    for row in BASES:
        values = {"procedure": "", **row}
        code = values.pop("code")
        LegalBasis.objects.update_or_create(code=code, defaults=values)


def unseed(apps, schema_editor):
    LegalBasis = apps.get_model("privacy", "LegalBasis")
    LegalBasis.objects.filter(code__in=[row["code"] for row in BASES]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="legalbasis",
            name="procedure",
            field=models.CharField(
                blank=True,
                choices=[("blue_card", "Niebieska Karta procedure")],
                max_length=30,
                verbose_name="only within the procedure",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
