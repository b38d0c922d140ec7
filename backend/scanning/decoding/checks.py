"""Check characters, character sets and dates shared by the decoders; `today` is passed in."""

from __future__ import annotations

import calendar
import datetime as dt

from backend.scanning.decoding.errors import BarcodeCheckDigit, BarcodeDate

# GS1 CSET 82 (GenSpecs figure 7.11-1): the characters allowed in X-type AI values.
CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
DIGITS = frozenset("0123456789")

# HIBC (Code 39 set) mod-43 values: 0-9, A-Z, then - . space $ / + %.
MOD43_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"
MOD43_VALUE = {c: i for i, c in enumerate(MOD43_CHARS)}


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of 0-9 (``str.isdigit`` also accepts other scripts' digits)."""
    return text.isascii() and text.isdigit()


def gs1_check_digit(payload: str) -> int:
    """GS1 mod 10 over the digits before the check digit: weights 3,1,3,… from the right."""
    total = 0
    weight = 3
    for char in reversed(payload):
        total += (ord(char) - 48) * weight
        weight = 4 - weight
    return (10 - total % 10) % 10


def verify_gs1_check_digit(number: str, element: str) -> None:
    """Raise unless ``number`` (ASCII digits, check digit last) has a correct check digit."""
    if not is_ascii_digits(number) or gs1_check_digit(number[:-1]) != ord(number[-1]) - 48:
        raise BarcodeCheckDigit(element=element, value=number)


def mod43_check(data: str) -> str:
    """The HIBC check character for ``data`` (every character must be in the Code 39 set)."""
    return MOD43_CHARS[sum(MOD43_VALUE[c] for c in data) % 43]


def century_year(two_digit_year: int, today: dt.date) -> int:
    """GS1 GenSpecs §7.12: the year lies between 49 years back and 50 years ahead of today."""
    current = today.year
    century = current - current % 100
    diff = two_digit_year - current % 100
    if 51 <= diff <= 99:
        return century - 100 + two_digit_year
    if -99 <= diff <= -50:
        return century + 100 + two_digit_year
    return century + two_digit_year


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def make_date(year: int, month: int, day: int, element: str, value: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BarcodeDate(element=element, value=value) from None


def yymmdd(
    value: str, element: str, today: dt.date, *, day_zero_allowed: bool
) -> tuple[dt.date, bool]:
    """Read YYMMDD; with ``day_zero_allowed`` DD=00 means the last day of the month.

    Returns the date and whether the day was unspecified (00).
    """
    if len(value) != 6 or not is_ascii_digits(value):
        raise BarcodeDate(element=element, value=value)
    year = century_year(int(value[0:2]), today)
    month = int(value[2:4])
    day = int(value[4:6])
    if day == 0 and day_zero_allowed and 1 <= month <= 12:
        return dt.date(year, month, last_day(year, month)), True
    return make_date(year, month, day, element, value), False


def yyyymmdd(value: str, element: str) -> dt.date:
    if len(value) != 8 or not is_ascii_digits(value):
        raise BarcodeDate(element=element, value=value)
    return make_date(int(value[0:4]), int(value[4:6]), int(value[6:8]), element, value)


def julian(year: int, day_of_year: int, element: str, value: str) -> dt.date:
    """Day ``day_of_year`` (1-based) of ``year``."""
    days = 366 if calendar.isleap(year) else 365
    if not 1 <= day_of_year <= days:
        raise BarcodeDate(element=element, value=value)
    return dt.date(year, 1, 1) + dt.timedelta(days=day_of_year - 1)
