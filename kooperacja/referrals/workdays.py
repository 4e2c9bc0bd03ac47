"""Working days in Poland: Monday to Friday except the public holidays of the act on days off work
(ustawa z dnia 18 stycznia 1951 r. o dniach wolnych od pracy), computed — fixed dates plus the feasts that move with
Easter — with 24 December a holiday from 2025 on (the 2024 amendment).
"""

from __future__ import annotations

import datetime
from functools import lru_cache

# (month, day) of the fixed holidays.
FIXED_HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1),  # Nowy Rok
    (1, 6),  # Trzech Króli (since 2011)
    (5, 1),  # Święto Pracy
    (5, 3),  # Święto Konstytucji 3 Maja
    (8, 15),  # Wniebowzięcie NMP
    (11, 1),  # Wszystkich Świętych
    (11, 11),  # Narodowe Święto Niepodległości
    (12, 25),  # Boże Narodzenie (pierwszy dzień)
    (12, 26),  # Boże Narodzenie (drugi dzień)
)
CHRISTMAS_EVE_FROM_YEAR = 2025
EPIPHANY_FROM_YEAR = 2011


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[datetime.date]:
    """The public holidays of one year."""
    days = {datetime.date(year, month, day) for month, day in FIXED_HOLIDAYS}
    if year < EPIPHANY_FROM_YEAR:
        days.discard(datetime.date(year, 1, 6))
    if year >= CHRISTMAS_EVE_FROM_YEAR:
        days.add(datetime.date(year, 12, 24))
    easter = easter_sunday(year)
    days.add(easter)  # Wielkanoc (a Sunday)
    days.add(easter + datetime.timedelta(days=1))  # Poniedziałek Wielkanocny
    days.add(easter + datetime.timedelta(days=49))  # Zielone Świątki (Pentecost, a Sunday)
    days.add(easter + datetime.timedelta(days=60))  # Boże Ciało (Corpus Christi, a Thursday)
    return frozenset(days)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day after `day` (count 0: `day` itself if it is a working day, else the next one)."""
    current = day
    if count <= 0:
        while not is_working_day(current):
            current += datetime.timedelta(days=1)
        return current
    remaining = count
    while remaining:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def subtract_working_days(day: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day before `day`."""
    current = day
    remaining = count
    while remaining > 0:
        current -= datetime.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
