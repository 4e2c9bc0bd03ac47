import datetime

import pytest

from kooperacja.referrals.workdays import (
    add_working_days,
    easter_sunday,
    is_working_day,
    public_holidays,
    subtract_working_days,
)

D = datetime.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2019, D(2019, 4, 21)),
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2027, D(2027, 3, 28)),
        (2038, D(2038, 4, 25)),
    ],
)
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_holidays_2026():
    assert public_holidays(2026) == {
        D(2026, 1, 1),
        D(2026, 1, 6),
        D(2026, 4, 5),
        D(2026, 4, 6),
        D(2026, 5, 1),
        D(2026, 5, 3),
        D(2026, 5, 24),
        D(2026, 6, 4),
        D(2026, 8, 15),
        D(2026, 11, 1),
        D(2026, 11, 11),
        D(2026, 12, 24),
        D(2026, 12, 25),
        D(2026, 12, 26),
    }


def test_christmas_eve_only_from_2025():
    assert D(2024, 12, 24) not in public_holidays(2024)
    assert is_working_day(D(2024, 12, 24))  # a Tuesday
    assert D(2025, 12, 24) in public_holidays(2025)
    assert not is_working_day(D(2025, 12, 24))


def test_corpus_christi_and_easter_monday_2025():
    assert not is_working_day(D(2025, 4, 21))  # Easter Monday
    assert not is_working_day(D(2025, 6, 19))  # Corpus Christi (Thursday)
    assert D(2025, 6, 8) in public_holidays(2025)  # Pentecost Sunday


def test_weekends_are_not_working_days():
    assert not is_working_day(D(2026, 12, 5))  # Saturday
    assert not is_working_day(D(2026, 12, 6))  # Sunday
    assert is_working_day(D(2026, 12, 7))


def test_add_working_days_skips_weekend_and_holidays():
    # Wednesday 23 Dec 2026 + 2 working days: 24, 25, 26 holidays, 27 Sunday -> 28 (Mon), 29 (Tue).
    assert add_working_days(D(2026, 12, 23), 2) == D(2026, 12, 29)
    # Friday + 1 -> Monday
    assert add_working_days(D(2026, 12, 4), 1) == D(2026, 12, 7)
    # 30 April 2026 (Thu) + 1: 1 May holiday (Fri), weekend (3 May is Sunday) -> Monday 4 May
    assert add_working_days(D(2026, 4, 30), 1) == D(2026, 5, 4)
    # Before Easter 2026: Friday 3 April + 1 -> Tuesday 7 April (Easter Monday 6 April)
    assert add_working_days(D(2026, 4, 3), 1) == D(2026, 4, 7)
    assert add_working_days(D(2026, 12, 5), 0) == D(2026, 12, 7)


def test_subtract_working_days():
    assert subtract_working_days(D(2026, 12, 28), 1) == D(2026, 12, 23)
    assert subtract_working_days(D(2026, 12, 7), 1) == D(2026, 12, 4)


def test_holidays_2027_move_with_easter():
    # Easter 28 March 2027: Easter Monday 29 March, Pentecost 16 May, Corpus Christi 27 May (a Thursday).
    holidays = public_holidays(2027)
    for day in (D(2027, 3, 28), D(2027, 3, 29), D(2027, 5, 16), D(2027, 5, 27)):
        assert day in holidays
    assert not is_working_day(D(2027, 3, 29)) and not is_working_day(D(2027, 5, 27))
    assert is_working_day(D(2027, 3, 30)) and is_working_day(D(2027, 5, 28))
    # Friday 26 March + 1 working day: the weekend and Easter Monday are skipped.
    assert add_working_days(D(2027, 3, 26), 1) == D(2027, 3, 30)
    # Wednesday 26 May + 2: Corpus Christi skipped -> Friday 28 May, Monday 31 May.
    assert add_working_days(D(2027, 5, 26), 2) == D(2027, 5, 31)
    # 2027-12-24 (Friday) is a holiday since the 2024 amendment.
    assert add_working_days(D(2027, 12, 23), 1) == D(2027, 12, 27)
    assert D(2027, 4, 5) not in holidays  # no stale fixed Easter date


def test_urgent_and_normal_deadlines_over_easter_2027(world, draft):
    import datetime as dt

    from django.utils import timezone

    from kooperacja.referrals import services

    sent_at = timezone.make_aware(dt.datetime(2027, 3, 25, 9, 0))  # Thursday before Easter
    draft.urgency = "urgent"
    services._set_deadlines(draft, sent_at)
    assert timezone.localtime(draft.answer_due_at).date() == D(2027, 3, 30)  # Fri 26, (weekend, Easter Mon), Tue 30
    draft.urgency = "normal"
    services._set_deadlines(draft, sent_at)
    assert timezone.localtime(draft.answer_due_at).date() == D(2027, 4, 6)  # 26, 30, 31, 1, 2, 5, 6
