"""Demo of evaluation and knowledge: questionnaires with synthetic answers, findings and recommendations in every
status with their history, and a catalogue of good practices. Everything here is synthetic.

`load(stdout=...)` is idempotent: when the demo's "after the pilot" questionnaire exists, it changes nothing;
`delete()` removes what it made (for a reset).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from kooperacja.accounts.models import User
from kooperacja.demo.pilots import PILOTS
from kooperacja.directory.models import Institution
from kooperacja.monitoring import services_evaluation as services
from kooperacja.monitoring.models.evaluation import (
    Answer,
    GoodPractice,
    QuestionKind,
    Questionnaire,
    QuestionnaireAudience,
    QuestionnaireStatus,
    Recommendation,
    RecommendationStatusChange,
    Response,
)
from kooperacja.monitoring.models.pilots import ModelVariant
from kooperacja.territory.models import Gmina, Macroregion, Voivodeship

SEED = 20210331
AFTER_TITLE = "Ewaluacja pilotażu modelu kooperacji – ankieta po pilotażu"
DURING_TITLE = "Współpraca w partnerstwie – ankieta dla partnerów w trakcie pilotażu"

VARIANT_OF_DEMO = {
    "Kooperacje 3D": ModelVariant.CITIES_3D,
    "Liderzy kooperacji": ModelVariant.RURAL_LEADERS,
    "Kooperacja – efektywna i skuteczna": ModelVariant.URBAN_RURAL,
}

SCALE_QUESTIONS = (
    "Znam zadania i możliwości instytucji partnerskich w gminie.",
    "Wspólna diagnoza sytuacji osoby lub rodziny jest w naszej gminie standardem.",
    "Zadania z indywidualnego planu są realizowane w terminie przez wszystkie instytucje.",
    "Informacja zwrotna o skierowaniach przychodzi szybko.",
    "Spotkania zespołu kooperacyjnego są dobrze przygotowane i prowadzone.",
    "Wsparcie ROPS (szkolenia, coaching, superwizja) odpowiadało naszym potrzebom.",
    "Model kooperacji poprawił skuteczność pomocy osobom i rodzinom.",
)
# The mean each pilot's answers lean to (1–5): the rural pilot did best, as its results report.
LEAN = {"city": 3.6, "rural": 4.1, "urban_rural": 3.3}
RESPONSES = {"city": 22, "rural": 20, "urban_rural": 15}
EXTRA_RESPONSES = 3  # in one more pilot gmina, if the pilots demo made one: shown as "<5"

RECOMMENDATIONS: tuple[dict[str, Any], ...] = (
    {
        "kind": "finding",
        "title": "W gminach wiejskich partnerstwo gminno-powiatowe działa dłużej niż zakładano",
        "text": "Partnerstwa w gminach wiejskich działały średnio 16 miesięcy; najtrwalsze były te, w których "
        "od początku uczestniczył PCPR i przewodniczący zespołu interdyscyplinarnego.",
        "pilot": "rural",
        "gmina_kinds": ["rural"],
        "model_variants": [ModelVariant.RURAL_LEADERS],
        "evidence_indicators": "Czas trwania partnerstwa (mediana)\nLiczba podmiotów w partnerstwach",
        "path": ["accepted", "implemented"],
    },
    {
        "kind": "recommendation",
        "title": "Animator gminny i powiatowy powinni mieć wspólną superwizję",
        "text": "Wnioski z gmin wiejskich: wspólna superwizja animatorów skraca czas uzgadniania IPW między "
        "gminą a powiatem. Rekomenduje się co najmniej jedną sesję miesięcznie.",
        "pilot": "rural",
        "gmina_kinds": ["rural"],
        "model_variants": [ModelVariant.RURAL_LEADERS],
        "evidence_indicators": "Godziny wsparcia: superwizja\nIPW zakończone sukcesem / wszystkie zamknięte",
        "evidence_minutes": "Posiedzenie Komitetu Sterującego makroregionu I (protokół nr 7)",
        "path": ["accepted"],
    },
    {
        "kind": "recommendation",
        "title": "IPW w czterech etapach z przeglądem po trzech miesiącach",
        "text": "W gminach wiejskich IPW trwał 10–13 miesięcy; przegląd po trzech miesiącach pozwala wcześnie "
        "zauważyć zadania, których instytucje nie realizują.",
        "pilot": "rural",
        "gmina_kinds": ["rural"],
        "model_variants": [ModelVariant.RURAL_LEADERS],
        "evidence_indicators": "Mediana czasu trwania przypadku",
        "path": [],
    },
    {
        "kind": "recommendation",
        "title": "Szkoły jako stały członek Zadaniowych Zespołów Kooperacyjnych w miastach",
        "text": "W miastach najwięcej skierowań dotyczyło dzieci w wieku szkolnym; pedagog szkolny powinien być "
        "stałym członkiem ZZK dla rodzin z dziećmi.",
        "pilot": "city",
        "gmina_kinds": ["urban"],
        "model_variants": [ModelVariant.CITIES_3D],
        "evidence_indicators": "Skierowania według sektora",
        "path": ["accepted", "implemented"],
    },
    {
        "kind": "finding",
        "title": "Informacja zwrotna od policji przychodziła najpóźniej",
        "text": "Mediana czasu do pierwszej odpowiedzi na skierowania do policji była trzykrotnie dłuższa niż w "
        "innych sektorach.",
        "pilot": "city",
        "gmina_kinds": ["urban"],
        "model_variants": [],
        "evidence_indicators": "Mediana czasu do pierwszej odpowiedzi według sektora",
        "path": [],
    },
    {
        "kind": "recommendation",
        "title": "Jeden formularz skierowania dla wszystkich sektorów",
        "text": "Rekomenduje się jeden, krótki formularz skierowania z minimalnym zakresem danych, wspólny dla "
        "wszystkich instytucji partnerstwa.",
        "macroregion": True,
        "gmina_kinds": [],
        "model_variants": [],
        "evidence_minutes": "Spotkanie makroregionalne – podgrupa „Obieg informacji”",
        "path": ["accepted"],
    },
    {
        "kind": "recommendation",
        "title": "Pięć rodzin na gminę to za mało, by ocenić model",
        "text": "W gminach miejsko-wiejskich każdy OPS wybrał pięć rodzin; to za mała próba do oceny skuteczności. "
        "Rekomenduje się co najmniej dziesięć.",
        "pilot": "urban_rural",
        "gmina_kinds": ["urban_rural"],
        "model_variants": [ModelVariant.URBAN_RURAL],
        "path": ["rejected"],
        "note": "Komitet Sterujący: liczba rodzin wynika z umowy o dofinansowanie; wrócić przy kolejnej edycji.",
    },
    {
        "kind": "finding",
        "title": "Grupy refleksyjne pomagają zmieniać procedury powiatowe",
        "text": "Powiatowe grupy refleksyjne doprowadziły do zmiany dwóch procedur PCPR dotyczących pieczy zastępczej.",
        "pilot": "urban_rural",
        "gmina_kinds": ["urban_rural"],
        "model_variants": [ModelVariant.URBAN_RURAL],
        "path": ["accepted", "implemented"],
    },
    {
        "kind": "recommendation",
        "title": "Zgoda na przekazanie danych zbierana przy pierwszym kontakcie",
        "text": "Zgodę osoby na przekazanie danych konkretnym instytucjom warto zbierać przy pierwszym kontakcie, "
        "z jasnym opisem celu i zakresu danych.",
        "gmina_kinds": [],
        "model_variants": [],
        "path": [],
    },
    {
        "kind": "recommendation",
        "title": "Wspólne szkolenia pracowników socjalnych i kuratorów",
        "text": "Wspólne warsztaty pracowników socjalnych i kuratorów sądowych skracają czas ustaleń w sprawach "
        "rodzin z nadzorem kuratorskim.",
        "voivodeship": "24",
        "gmina_kinds": ["urban", "urban_rural"],
        "model_variants": [],
        "path": ["rejected"],
        "note": "Zakres już objęty programem szkoleń ogólnopolskich (kamień milowy IV).",
    },
    {
        "kind": "finding",
        "title": "Małe gminy wiejskie potrzebują animatora z zewnątrz",
        "text": "W gminach wiejskich poniżej 5 tys. mieszkańców GOPS nie ma zasobów, by wyznaczyć animatora; "
        "lepiej sprawdzał się animator powiatowy obsługujący kilka gmin.",
        "pilot": "rural",
        "gmina_kinds": ["rural"],
        "model_variants": [ModelVariant.RURAL_LEADERS],
        "path": [],
    },
    {
        "kind": "recommendation",
        "title": "Wskaźnik „IPW zakończone sukcesem” liczony tak samo we wszystkich wariantach",
        "text": "Rekomenduje się jedną definicję zakończenia planu sukcesem (cele osiągnięte w co najmniej 75%) "
        "we wszystkich wariantach modelu.",
        "macroregion": True,
        "gmina_kinds": [],
        "model_variants": [],
        "evidence_indicators": "IPW zakończone sukcesem / wszystkie zamknięte (140 ze 172 w gminach wiejskich)",
        "path": ["accepted"],
    },
)

PRACTICES: tuple[dict[str, Any], ...] = (
    {
        "title": "Dyżur pedagoga szkolnego w MOPS",
        "problem": "Rodziny z dziećmi nie docierały do poradni psychologiczno-pedagogicznej.",
        "solution": "Pedagog szkolny pełni cotygodniowy dyżur w MOPS; pracownik socjalny umawia rodziny na dyżur.",
        "results": "Czas od zgłoszenia do pierwszej konsultacji skrócił się z kilku tygodni do kilku dni.",
        "sectors": ["education", "social_assistance"],
        "pilot": "city",
        "public": True,
    },
    {
        "title": "Wspólne wizyty kuratora i pracownika socjalnego",
        "problem": "Rodziny objęte nadzorem kuratorskim dostawały sprzeczne zalecenia.",
        "solution": "Kurator i pracownik socjalny planują wspólne wizyty i jeden zestaw zaleceń.",
        "results": "Mniej sprzecznych zaleceń; rodziny wskazują jedną osobę kontaktową.",
        "sectors": ["justice", "social_assistance"],
        "pilot": "city",
        "public": True,
    },
    {
        "title": "Gminno-powiatowy zespół kooperacji z GKRPA",
        "problem": "Osoby z problemem alkoholowym trafiały do wsparcia zbyt późno.",
        "solution": "Do zespołu kooperacji dołączyła gminna komisja rozwiązywania problemów alkoholowych.",
        "results": "Skierowania do terapii składane w ciągu tygodnia od rozpoznania problemu.",
        "sectors": ["health", "social_assistance"],
        "pilot": "rural",
        "public": True,
    },
    {
        "title": "Mapa zasobów gminy wiejskiej",
        "problem": "Mieszkańcy i instytucje nie wiedzieli, kto w gminie oferuje jakie wsparcie.",
        "solution": "Animator gminny przygotował z partnerami katalog usług z godzinami i kontaktami instytucji.",
        "results": "Katalog używany przez wszystkich członków partnerstwa i sołtysów.",
        "sectors": ["social_assistance", "ngo", "culture_sport"],
        "pilot": "rural",
        "public": False,
    },
    {
        "title": "Transport na spotkania zespołu zapewniany przez gminę",
        "problem": "Przedstawiciele instytucji powiatowych rzadko przyjeżdżali na spotkania w małej gminie.",
        "solution": "Gmina organizuje wspólny transport z siedziby powiatu raz w miesiącu.",
        "results": "Frekwencja przedstawicieli instytucji powiatowych wzrosła z 40% do 85%.",
        "sectors": ["social_assistance"],
        "pilot": "rural",
        "public": False,
    },
    {
        "title": "Regionalna grupa refleksyjna jako miejsce rozwiązywania sporów kompetencyjnych",
        "problem": "Instytucje różnych szczebli odsyłały się nawzajem w sprawach rodzin.",
        "solution": "Sprawy sporne trafiają na kwartalne spotkanie regionalnej grupy refleksyjnej.",
        "results": "Uzgodnione zasady postępowania w trzech typach spraw.",
        "sectors": ["social_assistance", "justice", "education", "health"],
        "pilot": "urban_rural",
        "public": True,
    },
    {
        "title": "Koordynator pilotażu w OPS z jasno opisanym zakresem zadań",
        "problem": "Nie było jasne, kto w OPS odpowiada za kontakt z partnerami.",
        "solution": "Dyrektor OPS wyznaczył koordynatora pilotażu z opisem zadań i czasem pracy na kooperację.",
        "results": "Partnerzy wskazują jedną osobę kontaktową w OPS.",
        "sectors": ["social_assistance"],
        "pilot": "urban_rural",
        "public": False,
    },
    {
        "title": "Dzielnicowy na spotkaniach ZZK dla rodzin z Niebieską Kartą",
        "problem": "Informacje policji o interwencjach docierały do zespołu z opóźnieniem.",
        "solution": "Dzielnicowy uczestniczy w spotkaniach grup diagnostyczno-pomocowych w swoim rejonie.",
        "results": "Szybsza wymiana informacji w granicach przepisów o przeciwdziałaniu przemocy.",
        "sectors": ["police", "social_assistance"],
        "pilot": "city",
        "public": True,
    },
    {
        "title": "Wspólny kalendarz spotkań partnerstwa",
        "problem": "Terminy spotkań kolidowały z dyżurami instytucji.",
        "solution": "Harmonogram spotkań na kwartał uzgadniany na pierwszym spotkaniu kwartału.",
        "results": "Mniej odwołanych spotkań.",
        "sectors": ["social_assistance", "education", "health"],
        "pilot": "urban_rural",
        "public": False,
    },
    {
        "title": "Doradca PUP w zespole dla osób długotrwale bezrobotnych",
        "problem": "Osoby długotrwale bezrobotne korzystały z pomocy społecznej bez oferty aktywizacji.",
        "solution": "Doradca zawodowy PUP uczestniczy w ustalaniu planu dla osób długotrwale bezrobotnych.",
        "results": "Połowa osób objętych planem podjęła staż lub szkolenie.",
        "sectors": ["labour_market", "social_assistance"],
        "pilot": "city",
        "public": False,
    },
)


def _pilots_by_key() -> dict[str, Any]:
    """The monitoring pilots of the demo's three pilot gminy (None where the pilots demo has not made one)."""
    pilot_model = apps.get_model("monitoring", "Pilot")
    found = {}
    for spec in PILOTS:
        found[spec.key] = pilot_model.objects.filter(gmina__code=spec.gmina_code).select_related("gmina").first()
    return found


def _scale_value(rng: random.Random, lean: float) -> int:
    return max(1, min(5, round(rng.gauss(lean, 0.9))))


def _responses(
    questionnaire: Questionnaire,
    *,
    rng: random.Random,
    gmina: Gmina,
    pilot: Any,
    variant: str,
    count: int,
    lean: float,
    started: datetime.datetime,
) -> int:
    questions = list(questionnaire.questions.prefetch_related("options").order_by("order"))
    for n in range(count):
        response = Response.objects.create(
            questionnaire=questionnaire,
            pilot=pilot,
            gmina=gmina,
            gmina_kind=gmina.kind,
            model_variant=variant,
            submitted_at=started + datetime.timedelta(hours=7 * n + rng.randint(0, 6)),
        )
        answers = []
        for question in questions:
            if question.kind == QuestionKind.SCALE:
                answers.append(Answer(response=response, question=question, value=_scale_value(rng, lean)))
            elif question.kind == QuestionKind.SINGLE_CHOICE:
                options = list(question.options.all())
                weights = [lean, 5 - lean, 1][: len(options)]
                answers.append(Answer(response=response, question=question, option=rng.choices(options, weights)[0]))
            elif question.kind == QuestionKind.MULTIPLE_CHOICE:
                options = list(question.options.all())
                chosen = [o for o in options if rng.random() < 0.45] or [rng.choice(options)]
                answers.extend(Answer(response=response, question=question, option=o) for o in chosen)
        Answer.objects.bulk_create(answers)
    return count


def _questionnaires(users: dict[str, User | None], pilots: dict[str, Any], rng: random.Random) -> int:
    author = users.get("rops") or users.get("admin")
    after = services.questionnaire_create(
        actor=author,
        title=AFTER_TITLE,
        description="Ankieta dla pracowników OPS i instytucji partnerskich po zakończeniu testowania modelu: "
        "profesjonalizacja współpracy i jej skuteczność.",
        purpose="after",
        audience=QuestionnaireAudience.ALL,
    )
    scale = services.scale_get_or_create(
        minimum=1, maximum=5, minimum_label="zdecydowanie nie", maximum_label="zdecydowanie tak"
    )
    for text in SCALE_QUESTIONS:
        services.question_add(actor=author, questionnaire=after, text=text, kind=QuestionKind.SCALE, scale=scale)
    services.question_add(
        actor=author,
        questionnaire=after,
        text="Czy Pani/Pana instytucja będzie kontynuować współpracę w partnerstwie po pilotażu?",
        kind=QuestionKind.SINGLE_CHOICE,
        options=["tak", "nie", "trudno powiedzieć"],
    )
    services.question_add(
        actor=author,
        questionnaire=after,
        text="Które formy wsparcia ROPS były najbardziej przydatne?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        options=["szkolenia", "coaching", "superwizja", "doradztwo"],
    )
    services.question_add(
        actor=author,
        questionnaire=after,
        text="Co warto zmienić w modelu?",
        kind=QuestionKind.FREE_TEXT,
        required=False,
    )
    services.questionnaire_set_status(actor=author, questionnaire=after, status=QuestionnaireStatus.OPEN)
    started = timezone.now() - datetime.timedelta(days=60)
    total = 0
    gminy = {g.code: g for g in Gmina.objects.filter(code__in=[p.gmina_code for p in PILOTS])}
    for spec in PILOTS:
        gmina = gminy.get(spec.gmina_code)
        if gmina is None:
            continue
        total += _responses(
            after,
            rng=rng,
            gmina=gmina,
            pilot=pilots.get(spec.key),
            variant=VARIANT_OF_DEMO[spec.variant],
            count=RESPONSES[spec.key],
            lean=LEAN[spec.key],
            started=started,
        )
    other = (
        apps.get_model("monitoring", "Pilot")
        .objects.exclude(gmina__code__in=list(gminy))
        .select_related("gmina")
        .order_by("pk")
        .first()
    )
    if other is not None:
        total += _responses(
            after,
            rng=rng,
            gmina=other.gmina,
            pilot=other,
            variant=services.pilot_variant(other),
            count=EXTRA_RESPONSES,
            lean=3.0,
            started=started,
        )
    services.questionnaire_set_status(actor=author, questionnaire=after, status=QuestionnaireStatus.CLOSED)

    during = services.questionnaire_create(
        actor=author,
        title=DURING_TITLE,
        description="Krótka ankieta dla instytucji partnerskich w trakcie pilotażu.",
        purpose="during",
        audience=QuestionnaireAudience.PARTNERS,
    )
    services.question_add(
        actor=author, questionnaire=during, text=SCALE_QUESTIONS[0], kind=QuestionKind.SCALE, scale=scale
    )
    services.question_add(
        actor=author, questionnaire=during, text=SCALE_QUESTIONS[3], kind=QuestionKind.SCALE, scale=scale
    )
    services.question_add(
        actor=author,
        questionnaire=during,
        text="Jak często uczestniczy Pani/Pan w spotkaniach partnerstwa?",
        kind=QuestionKind.SINGLE_CHOICE,
        options=["co miesiąc", "co kwartał", "rzadziej"],
    )
    services.questionnaire_set_status(actor=author, questionnaire=during, status=QuestionnaireStatus.OPEN)
    return total


def _recommendations(users: dict[str, User | None], pilots: dict[str, Any], rng: random.Random) -> int:
    author = users.get("rops") or users.get("admin")
    committee = users.get("admin") or author
    voivodeships = {v.code: v for v in Voivodeship.objects.all()}
    macroregion = Macroregion.objects.order_by("code").first()
    base = timezone.now() - datetime.timedelta(days=400)
    for i, spec in enumerate(RECOMMENDATIONS):
        fields = {k: spec.get(k, "") for k in ("kind", "title", "text", "evidence_indicators", "evidence_minutes")}
        recommendation = services.recommendation_create(
            actor=author,
            **fields,
            pilot=pilots.get(spec.get("pilot", "")),
            voivodeship=voivodeships.get(spec.get("voivodeship", "")),
            macroregion=macroregion if spec.get("macroregion") else None,
            gmina_kinds=spec["gmina_kinds"],
            model_variants=spec["model_variants"],
        )
        created = base + datetime.timedelta(days=25 * i)
        Recommendation.objects.filter(pk=recommendation.pk).update(created_at=created)
        RecommendationStatusChange.objects.filter(recommendation=recommendation).update(changed_at=created)
        for step, status in enumerate(spec["path"], start=1):
            note = spec.get("note", "") if status == "rejected" else f"Posiedzenie Komitetu Sterującego nr {i + step}"
            services.recommendation_change_status(
                actor=committee, recommendation=recommendation, to_status=status, note=note
            )
            RecommendationStatusChange.objects.filter(recommendation=recommendation, to_status=status).update(
                changed_at=created + datetime.timedelta(days=30 * step + rng.randint(0, 9))
            )
    return len(RECOMMENDATIONS)


def _practices(users: dict[str, User | None]) -> int:
    author = users.get("rops") or users.get("admin")
    gminy = {p.key: Gmina.objects.filter(code=p.gmina_code).first() for p in PILOTS}
    variants = {p.key: VARIANT_OF_DEMO[p.variant] for p in PILOTS}
    for spec in PRACTICES:
        gmina = gminy.get(spec["pilot"])
        institutions = list(Institution.objects.filter(gmina=gmina, sector__in=spec["sectors"])[:3]) if gmina else []
        services.practice_create(
            actor=author,
            title=spec["title"],
            problem=spec["problem"],
            solution=spec["solution"],
            results=spec["results"],
            sectors=spec["sectors"],
            gmina=gmina,
            model_variant=variants[spec["pilot"]],
            contact=(f"Sekretariat: {institutions[0].name}" if institutions else "Sekretariat ROPS"),
            is_public=spec["public"],
            institutions=institutions,
        )
    return len(PRACTICES)


def delete() -> None:
    """Remove what `load` created (for `load_demo --reset`); other questionnaires, recommendations and practices stay."""
    with transaction.atomic():
        Questionnaire.objects.filter(title__in=[AFTER_TITLE, DURING_TITLE]).delete()
        Recommendation.objects.filter(title__in=[spec["title"] for spec in RECOMMENDATIONS]).delete()
        GoodPractice.objects.filter(title__in=[spec["title"] for spec in PRACTICES]).delete()


def load(*, stdout: Any) -> None:
    """Load the evaluation demo once (a second run changes nothing)."""
    if Questionnaire.objects.filter(title=AFTER_TITLE).exists():
        stdout.write("evaluation: already loaded; nothing changed.")
        return
    rng = random.Random(SEED)
    users: dict[str, User | None] = {name: User.objects.filter(username=name).first() for name in ("rops", "admin")}
    pilots = _pilots_by_key()
    with transaction.atomic():
        responses = _questionnaires(users, pilots, rng)
        recommendations = _recommendations(users, pilots, rng)
        practices = _practices(users)
    public = GoodPractice.objects.filter(is_public=True).count()
    stdout.write(
        f"  evaluation: 2 questionnaires ({responses} responses), {recommendations} findings and recommendations, "
        f"{practices} good practices ({public} public)"
    )
    if not any(pilots.values()):
        stdout.write("evaluation: no monitoring pilots yet — responses are grouped by gmina kind and variant only.")
