"""HIBC Supplier Labeling (ANSI/HIBC 2.6) primary, secondary, concatenated and linked symbols.

Written here: no maintained Python library reads HIBC. Rules from standards.md §2.

* Primary: ``+ LIC(4: letter + 3 alphanumerics) PCN(1-18) U(digit) C``. DI = LIC+PCN+U.
* Secondary: ``+ <data> L C`` where L is the link character (the primary's check character)
  and ``<data>`` is ``$$[+][8QQ|9QQQQQ]<d><date><lot or serial>`` (date format digit d:
  0/1 MMYY, 2 MMDDYY, 3 YYMMDD, 4 YYMMDDHH, 5 YYJJJ, 6 YYJJJHH, 7 no date), ``$<lot>`` or
  ``$+<serial>`` (backward compatibility only: warned), or the legacy ``YYJJJ<lot>``.
* Supplemental fields after ``/``: ``/S`` serial, ``/16D`` manufacture date YYYYMMDD, ``/14D``
  expiry YYYYMMDD, ``/Q`` quantity. Unknown ones are kept in ``extra`` with a warning.
* Concatenated (one symbol): ``+<primary without check>/<secondary without + and link>C``.
* Linked (two symbols read as one string): ``+<primary>C+<secondary>LC``; L must equal the
  primary's C. A secondary read alone is returned without DI, with ``link`` set and a warning.
* The mod-43 check character covers everything from the leading ``+``; it may be a space,
  ``/``, ``$``, ``+``, ``%``, ``-`` or ``.``, so it is taken off *before* anything is split.
  Under ``]A3``/``]A7`` the scanner has verified and removed it; it is recomputed for the link.
* Data is upper case only, Code 39 set. Lot and serial: 1-18 of A-Z 0-9 - . (HIBC says
  alphanumeric; ``-`` and ``.`` are tolerated because printed lots carry them).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Final, TypeVar

from backend.scanning.decoding.checks import (
    MOD43_VALUE,
    century_year,
    is_ascii_digits,
    julian,
    last_day,
    make_date,
    mod43_check,
    yyyymmdd,
)
from backend.scanning.decoding.errors import (
    BarcodeCharset,
    BarcodeCheckDigit,
    BarcodeDate,
    BarcodeDuplicate,
    BarcodeField,
    BarcodeLink,
    BarcodeTruncated,
    BarcodeUnsupported,
)
from backend.scanning.decoding.result import Decoded, DecodeWarning, frozen_mapping, warning

_PRIMARY: Final = re.compile(r"\+([A-Z][A-Z0-9]{3})([A-Z0-9]{1,18})([0-9])")
_LOT: Final = re.compile(r"[A-Z0-9.\-]{1,18}")
_T = TypeVar("_T")


@dataclass(slots=True)
class _Pi:
    """The production identifiers found in the secondary and supplemental data."""

    lot: str | None = None
    serial: str | None = None
    expiry: dt.date | None = None
    production_date: dt.date | None = None
    quantity: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


def decode_hibc(
    data: str,
    *,
    raw: str,
    symbology: str | None,
    today: dt.date,
    warnings: list[DecodeWarning],
) -> Decoded:
    for index, char in enumerate(data):
        if char not in MOD43_VALUE:
            raise BarcodeCharset(char=repr(char), position=index + 1, element="HIBC")
    if data.startswith("+/"):
        raise BarcodeUnsupported(what="HIBC Provider Applications Standard (+/)")
    check_removed = symbology in ("]A3", "]A7")

    linked = None if check_removed else _split_linked(data)
    if linked is not None:
        primary_text, secondary_text = linked
        primary_check = primary_text[-1]
        lic, pcn, uom = _primary(primary_text[:-1])
        body = secondary_text[:-1]
        _verify(secondary_text)
        link = body[-1]
        if link != primary_check:
            raise BarcodeLink(link=link, check=primary_check)
        pi = _secondary(body[1:-1], today, warnings)
        return _result(raw, symbology, lic, pcn, uom, primary_check, pi, warnings)

    if check_removed:
        body = data
        check = mod43_check(body)
    else:
        if len(data) < 3:
            raise BarcodeTruncated(element="HIBC")
        _verify(data)
        body, check = data[:-1], data[-1]

    if len(body) < 2:
        raise BarcodeTruncated(element="HIBC")
    if body[1].isalpha():
        head, slash, tail = body.partition("/")
        lic, pcn, uom = _primary(head)
        pi = _secondary(tail, today, warnings) if slash else _Pi()
        return _result(raw, symbology, lic, pcn, uom, check, pi, warnings)

    # A secondary symbol on its own: its last data character is the link character.
    if len(body) < 3:
        raise BarcodeTruncated(element="HIBC")
    link = body[-1]
    pi = _secondary(body[1:-1], today, warnings)
    warnings.append(warning("HIBC_SECONDARY_ONLY", link=link))
    return _result(raw, symbology, None, None, None, link, pi, warnings)


def _verify(text: str) -> None:
    if mod43_check(text[:-1]) != text[-1]:
        raise BarcodeCheckDigit(element="HIBC", value=text)


def _split_linked(data: str) -> tuple[str, str] | None:
    """A primary and a secondary read as one string: ``+…C+$…LC``. Split at the second '+'."""
    if len(data) < 2 or not data[1].isalpha():
        return None
    start = 1
    while True:
        at = data.find("+", start)
        if at < 0 or at + 1 >= len(data):
            return None
        if data[at + 1] in "$0123456789":
            primary, secondary = data[:at], data[at:]
            if (
                len(primary) > 2
                and len(secondary) > 3
                and mod43_check(primary[:-1]) == primary[-1]
                and _PRIMARY.fullmatch(primary[:-1]) is not None
            ):
                return primary, secondary
        start = at + 1


def _primary(text: str) -> tuple[str, str, str]:
    match = _PRIMARY.fullmatch(text)
    if match is None:
        if len(text) < 7:
            raise BarcodeTruncated(element="HIBC primary")
        raise BarcodeField(element="HIBC primary (LIC, PCN, U/M)", value=text)
    lic, pcn, uom = match.groups()
    return lic, pcn, uom


def _secondary(text: str, today: dt.date, warnings: list[DecodeWarning]) -> _Pi:
    """Secondary data (no '+', no link, no check) followed by optional /-fields."""
    parts = text.split("/")  # '/' never occurs inside a field; the check is already off
    first, supplements = parts[0], parts[1:]
    pi = _Pi()
    if first:
        _secondary_main(first, pi, today, warnings)
    for supplement in supplements:
        _supplement(supplement, pi, warnings)
    return pi


def _secondary_main(text: str, pi: _Pi, today: dt.date, warnings: list[DecodeWarning]) -> None:
    if text.startswith("$$"):
        serial = text.startswith("$$+")
        rest = text[3:] if serial else text[2:]
        pi.extra["form"] = "$$+" if serial else "$$"
        rest = _quantity_flag(rest, pi)
        rest = _dated(rest, pi, today)
        _identifier(rest, pi, serial=serial, required=False)
    elif text.startswith("$+"):
        warnings.append(warning("HIBC_LEGACY_FORM", form="$+"))
        pi.extra["form"] = "$+"
        _identifier(text[2:], pi, serial=True, required=True)
    elif text.startswith("$"):
        warnings.append(warning("HIBC_LEGACY_FORM", form="$"))
        pi.extra["form"] = "$"
        _identifier(text[1:], pi, serial=False, required=True)
    elif text[0].isdigit():
        # Legacy: a five-digit Julian expiry (YYJJJ) right after '+', then the lot.
        warnings.append(warning("HIBC_LEGACY_FORM", form="YYJJJ"))
        pi.extra["form"] = "YYJJJ"
        if len(text) < 5 or not is_ascii_digits(text[:5]):
            raise BarcodeDate(element="HIBC YYJJJ", value=text[:5])
        pi.expiry = _julian(text[:5], today)
        _identifier(text[5:], pi, serial=False, required=False)
    else:
        raise BarcodeField(element="HIBC secondary", value=text)


def _quantity_flag(rest: str, pi: _Pi) -> str:
    if rest[:1] == "8":
        size = 2
    elif rest[:1] == "9":
        size = 5
    else:
        return rest
    digits = rest[1 : 1 + size]
    if len(digits) != size or not is_ascii_digits(digits):
        raise BarcodeField(element="HIBC quantity", value=rest[: 1 + size])
    pi.quantity = int(digits)
    pi.extra["quantity"] = digits
    return rest[1 + size :]


def _dated(rest: str, pi: _Pi, today: dt.date) -> str:
    """Read the date-format digit and the date; return what follows (the lot or serial)."""
    if not rest:
        raise BarcodeTruncated(element="HIBC date")
    flag = rest[0]
    element = f"HIBC date (format {flag})"
    value = ""
    if flag in "01":
        # MMYY: the flag is itself the first digit of the month.
        value, rest = rest[:4], rest[4:]
        _need_digits(value, 4, element)
        year = century_year(int(value[2:4]), today)
        month = int(value[0:2])
        if not 1 <= month <= 12:
            raise BarcodeDate(element=element, value=value)
        pi.expiry = dt.date(year, month, last_day(year, month))
    elif flag == "2":
        value, rest = rest[1:7], rest[7:]
        _need_digits(value, 6, element)
        year = century_year(int(value[4:6]), today)
        pi.expiry = make_date(year, int(value[0:2]), int(value[2:4]), element, value)
    elif flag in "34":
        size = 6 if flag == "3" else 8
        value, rest = rest[1 : 1 + size], rest[1 + size :]
        _need_digits(value, size, element)
        year = century_year(int(value[0:2]), today)
        pi.expiry = make_date(year, int(value[2:4]), int(value[4:6]), element, value)
        if flag == "4":
            if int(value[6:8]) > 23:
                raise BarcodeDate(element=element, value=value)
            pi.extra["expiry_hour_gmt"] = value[6:8]
    elif flag in "56":
        size = 5 if flag == "5" else 7
        value, rest = rest[1 : 1 + size], rest[1 + size :]
        _need_digits(value, size, element)
        pi.expiry = _julian(value[:5], today)
        if flag == "6":
            if int(value[5:7]) > 23:
                raise BarcodeDate(element=element, value=value)
            pi.extra["expiry_hour_gmt"] = value[5:7]
    elif flag == "7":
        rest = rest[1:]
    else:
        raise BarcodeDate(element="HIBC date format", value=flag)
    if flag != "7":
        pi.extra["date_format"] = flag
        pi.extra["expiry_raw"] = value
    return rest


def _need_digits(value: str, size: int, element: str) -> None:
    if len(value) != size:
        raise BarcodeTruncated(element=element)
    if not is_ascii_digits(value):
        raise BarcodeDate(element=element, value=value)


def _julian(value: str, today: dt.date) -> dt.date:
    year = century_year(int(value[0:2]), today)
    return julian(year, int(value[2:5]), "HIBC YYJJJ", value)


def _identifier(text: str, pi: _Pi, *, serial: bool, required: bool) -> None:
    if not text:
        if required:
            raise BarcodeTruncated(element="HIBC serial" if serial else "HIBC lot")
        return
    if _LOT.fullmatch(text) is None:
        raise BarcodeField(element="HIBC serial" if serial else "HIBC lot", value=text)
    if serial:
        pi.serial = text
    else:
        pi.lot = text


def _supplement(text: str, pi: _Pi, warnings: list[DecodeWarning]) -> None:
    if text.startswith(("16D", "14D")):
        date = yyyymmdd(text[3:], f"HIBC /{text[:3]}")
        if text.startswith("16D"):
            pi.production_date = _merge(pi.production_date, date, "/16D")
        else:
            pi.expiry = _merge(pi.expiry, date, "/14D")
        pi.extra["/" + text[:3]] = text[3:]
    elif text.startswith("S"):
        value = text[1:]
        if _LOT.fullmatch(value) is None:
            raise BarcodeField(element="HIBC /S", value=value)
        pi.serial = _merge(pi.serial, value, "/S")
        pi.extra["/S"] = value
    elif text.startswith("Q"):
        value = text[1:]
        if not is_ascii_digits(value) or len(value) > 9:
            raise BarcodeField(element="HIBC /Q", value=value)
        pi.quantity = _merge(pi.quantity, int(value), "/Q")
        pi.extra["/Q"] = value
    else:
        if not text:
            raise BarcodeTruncated(element="HIBC /")
        warnings.append(warning("HIBC_UNKNOWN_FIELD", value="/" + text))
        pi.extra["/" + text[:1]] = text[1:]


def _merge(current: _T | None, new: _T, element: str) -> _T:
    if current is not None and current != new:
        raise BarcodeDuplicate(element=f"HIBC {element}")
    return new


def _result(
    raw: str,
    symbology: str | None,
    lic: str | None,
    pcn: str | None,
    uom: str | None,
    link: str,
    pi: _Pi,
    warnings: list[DecodeWarning],
) -> Decoded:
    extra = dict(pi.extra)
    if lic is not None and pcn is not None and uom is not None:
        extra.update(LIC=lic, PCN=pcn, UOM=uom)
        di: str | None = lic + pcn + uom
    else:
        di = None
    return Decoded(
        agency="HIBC",
        raw=raw,
        symbology=symbology,
        di=di,
        lot=pi.lot,
        serial=pi.serial,
        production_date=pi.production_date,
        expiry=pi.expiry,
        quantity=pi.quantity,
        link=link,
        extra=frozen_mapping(extra),
        warnings=tuple(warnings),
    )
