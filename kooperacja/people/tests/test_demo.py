"""The demo loader: persons and households per pilot gmina, recorded by its OPS; idempotent; delete (anonymising
persons whose reads are in the append-only access log) and load again."""

from __future__ import annotations

import io

from kooperacja.core.testing.cast import Cast
from kooperacja.people import demo
from kooperacja.people.models import Household, Person
from kooperacja.privacy.models import AccessGrant
from kooperacja.privacy.services import access_log_record


def test_demo_load_is_idempotent_and_delete_removes_it(cast: Cast, bases: dict) -> None:
    chosen = {cast.gmina_a: cast.ops_a, cast.gmina_b: cast.ops_b}
    summary = demo.load(institutions_by_gmina=chosen, persons_per_gmina=20, households_per_gmina=8)
    assert (summary.persons, summary.households) == (40, 16)
    assert Person.objects.filter(recorded_by_institution=cast.ops_a, gmina=cast.gmina_a).count() == 20
    assert AccessGrant.objects.filter(institution=cast.ops_b, source_type="record").count() == 20
    out = io.StringIO()
    assert (
        demo.load(institutions_by_gmina=chosen, persons_per_gmina=20, households_per_gmina=8, stdout=out).persons == 0
    )
    assert "already loaded" in out.getvalue()
    read = Person.objects.filter(recorded_by_institution=cast.ops_a).first()
    access_log_record(actor=cast.alice, person=read, categories=["identity"], purpose="case_work", channel="page")
    assert demo.delete(institutions=[cast.ops_a, cast.ops_b]) == 40
    assert Household.objects.count() == 0 and AccessGrant.objects.count() == 0
    assert list(Person.objects.values_list("pk", flat=True)) == [read.pk]  # anonymised, kept for the log
    assert Person.objects.get().anonymised_at is not None and Person.objects.get().pesel_encrypted == ""
    again = demo.load(institutions_by_gmina=chosen, persons_per_gmina=20, households_per_gmina=8)
    assert again.persons in (39, 40)  # the stub's id, if it comes round again, is left out
    assert Person.objects.live().count() == again.persons


def test_demo_on_the_pilot_gminy(bases: dict) -> None:
    from kooperacja.demo.directory_demo import demo_load

    demo_load()
    pilots = demo.pilot_institutions()
    assert len(pilots) == 3 and all(ops.kind == "ops" for ops in pilots.values())
    summary = demo.load(persons_per_gmina=30, households_per_gmina=12)
    assert (summary.persons, summary.households, summary.grants) == (90, 36, 90)
    for gmina, ops in pilots.items():
        assert Person.objects.filter(gmina=gmina, recorded_by_institution=ops).count() == 30
    assert demo.delete() == 90
    assert not Person.objects.exists()
