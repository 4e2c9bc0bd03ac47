"""PESEL: validation with python-stdnum, consistency with the birth date and sex, and valid synthetic numbers.

A PESEL encodes the birth date (the month carries the century: +80 for the 1800s, +20 for the 2000s, +40, +60) and the
sex (the tenth digit: odd for men, even for women); the eleventh digit is a checksum.
"""

from __future__ import annotations

import datetime
import random

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as Bad
from stdnum.pl import pesel as stdnum_pesel

_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
_CENTURY_OFFSET = {1800: 80, 1900: 0, 2000: 20, 2100: 40, 2200: 60}


def pesel_clean(value: str | None) -> str:
    """The PESEL without spaces and dashes ('' for nothing)."""
    return stdnum_pesel.compact(value or "") if value else ""


def pesel_validate(value: str) -> str:
    """The compact PESEL, or a ValidationError saying in the user's language what is wrong with it."""
    number = pesel_clean(value)
    try:
        return str(stdnum_pesel.validate(number))
    except InvalidLength as exc:
        raise ValidationError(_("A PESEL has 11 digits."), code="pesel_length") from exc
    except InvalidFormat as exc:
        raise ValidationError(_("A PESEL has only digits."), code="pesel_format") from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            _("This PESEL is not valid: its check digit does not match. Check the number again."),
            code="pesel_checksum",
        ) from exc
    except InvalidComponent as exc:
        raise ValidationError(
            _("This PESEL is not valid: the birth date it encodes does not exist."), code="pesel_date"
        ) from exc
    except Bad as exc:  # pragma: no cover - any other stdnum complaint
        raise ValidationError(_("This PESEL is not valid."), code="pesel_invalid") from exc


def pesel_birth_date(number: str) -> datetime.date:
    return stdnum_pesel.get_birth_date(number)  # type: ignore[no-any-return]


def pesel_sex(number: str) -> str:
    """'F' or 'M', as the PESEL encodes it."""
    return "M" if stdnum_pesel.get_gender(number) == "M" else "F"


def pesel_consistency_errors(number: str, *, birth_date: datetime.date | None, sex: str) -> dict[str, str]:
    """For a valid PESEL: the fields (birth_date, sex) that contradict it, each with a message saying so."""
    errors: dict[str, str] = {}
    encoded_date = pesel_birth_date(number)
    if birth_date is not None and birth_date != encoded_date:
        errors["birth_date"] = _(
            "The birth date does not match the PESEL: the PESEL gives %(pesel_date)s, the form says %(date)s."
        ) % {"pesel_date": date_format(encoded_date, "j E Y"), "date": date_format(birth_date, "j E Y")}
    encoded_sex = pesel_sex(number)
    if sex and sex != encoded_sex:
        errors["sex"] = _("The sex does not match the PESEL: the PESEL gives %(pesel_sex)s, the form says %(sex)s.") % {
            "pesel_sex": _("female") if encoded_sex == "F" else _("male"),
            "sex": _("female") if sex == "F" else _("male"),
        }
    return errors


def pesel_for(birth_date: datetime.date, sex: str, rng: random.Random) -> str:
    """A valid PESEL for that birth date and sex (a random serial: synthetic data only)."""
    month = birth_date.month + _CENTURY_OFFSET[birth_date.year // 100 * 100]
    serial = rng.randint(0, 999)
    sex_digit = rng.choice((1, 3, 5, 7, 9) if sex == "M" else (0, 2, 4, 6, 8))
    body = f"{birth_date.year % 100:02d}{month:02d}{birth_date.day:02d}{serial:03d}{sex_digit}"
    check = (10 - sum(w * int(d) for w, d in zip(_WEIGHTS, body, strict=True)) % 10) % 10
    return body + str(check)


def pesel_mask(number: str) -> str:
    """All but the last four digits hidden."""
    return "•" * (len(number) - 4) + number[-4:] if number else ""
