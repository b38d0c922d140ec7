"""GS1 element strings (through biip), HRI text and bare EAN/UPC/GTIN, checked beyond biip.

The data is cut into (AI, value) here, with biip's AI table (pre-defined lengths, AIs that
need a separator), and every element string goes through biip's parser, which matches the
AI's pattern (CSET 82, digits, lengths). This wrapper adds what biip leaves out (see
../shared/reference/standards.md §1.9):

* the check digit of every GS1 key in the message (00, 01, 02, 03, 410-417, 8006, 8026) is
  verified: a wrong one is ``BARCODE_CHECK_DIGIT``, not a silently missing GTIN;
* an empty message (``""``, ``"]C1"``) is ``BARCODE_EMPTY``;
* dates are read here, not by biip (biip reads the clock): YYMMDD with DD=00 meaning the last
  day of the month for 11, 12, 13, 15, 16, 17 only (GenSpecs 7.12; a warning says so), strict
  YYMMDD for 4326, 7003 (+hhmm), 7006, 7007; the century comes from the sliding window around
  the ``today`` passed in;
* a variable-length field runs to the next GS or the end (biip would stop at the maximum
  length and read on as if a new AI started): an over-long value, or one whose separator was
  lost, is ``BARCODE_LENGTH``; one GS after any field is tolerated;
* biip's failures are re-read to name the problem: ``BARCODE_UNKNOWN_AI``, ``_TRUNCATED``,
  ``_CHARSET``, ``_LENGTH``, ``_DATE``;
* the same AI twice with different values is ``BARCODE_DUPLICATE``;
* mandatory associations and exclusions (GS1 Syntax Dictionary ``req=``/``ex=``) for the AIs
  a medical-device label uses, listed in ``REQUIRES`` and ``EXCLUDES`` below;
* a lot, serial or other text field that contains what looks like a following element string
  (a separator was lost) earns a ``SCAN_LOST_SEPARATOR`` warning with the likely split: a
  date AI (11, 15, 17) with a valid date, a GTIN (01) with a valid check digit, or a lot or
  serial (10, 21) not otherwise present, of at least four characters.

biip's element results are memoised (``_biip_element``): a receiving clerk scans the same
GTIN, expiry and lot again and again, and biip spends most of its time copying dataclasses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Final

from biip import ParseConfig, ParseError
from biip.gs1_application_identifiers import (
    _GS1_APPLICATION_IDENTIFIERS as AI_TABLE,
)
from biip.gs1_application_identifiers import (
    GS1ApplicationIdentifier,
)
from biip.gs1_element_strings import GS1ElementString
from biip.gs1_messages import GS1Message

from backend.scanning.decoding.checks import (
    CSET82,
    gs1_check_digit,
    is_ascii_digits,
    verify_gs1_check_digit,
    yymmdd,
)
from backend.scanning.decoding.errors import (
    BarcodeCharset,
    BarcodeDate,
    BarcodeDuplicate,
    BarcodeEmpty,
    BarcodeError,
    BarcodeExclusion,
    BarcodeLength,
    BarcodePairing,
    BarcodeSymbology,
    BarcodeTruncated,
    BarcodeUnknownAI,
    BarcodeUnknownFormat,
)
from backend.scanning.decoding.result import (
    Decoded,
    DecodeWarning,
    frozen_mapping,
    warning,
)

GS: Final = "\x1d"
# biip's configuration is immutable; building it once per call showed up in profiles.
CONFIG: Final = ParseConfig(gs1_element_strings_verify_date=False)

# Characters that may appear anywhere in an element string: CSET 82, GS, and '#' (CSET 39/64
# AIs such as 8010). Anything else is refused before biip sees it.
_BAD_CHAR: Final = re.compile(r"[^\x1d!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z#]")

_KEYS_GTIN: Final = frozenset({"01", "02", "03"})
_TRADE_ITEM: Final = ("01", "02", "03", "8006", "8026")

# Mandatory associations: every group must be met by at least one AI of the group.
# Taken from the GS1 Barcode Syntax Dictionary (req=) for the AIs that matter on devices;
# 03 (made-to-order GTIN) is added where the 2026 dictionary has it (standards.md §1.1).
REQUIRES: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "02": (("37",),),
    "10": (_TRADE_ITEM,),
    "11": (_TRADE_ITEM,),
    "12": (("8020",),),
    "13": (_TRADE_ITEM,),
    "15": (_TRADE_ITEM,),
    "16": (_TRADE_ITEM,),
    "17": (("01", "02", "03", "255", "8006", "8026"),),
    "20": (_TRADE_ITEM,),
    "21": (("01", "03", "8006"),),
    "22": (("01",),),
    "235": (("01",),),
    "240": (_TRADE_ITEM,),
    "241": (_TRADE_ITEM,),
    "243": (("01",),),
    "250": (("01", "8006"), ("21",)),
    "251": (("01", "8006"),),
    "254": (("414",),),
    "30": (("01", "02"),),
    "37": (("00",), ("02", "8026")),
    "4330": (("00",),),
    "4331": (("00",),),
    "4332": (("00",),),
    "4333": (("00",),),
    "7003": (("01", "02"),),
    "7240": (("01", "8006"),),
    "8012": (("01", "8006"),),
    "8026": (("37",),),
    **{str(ai): (("01",),) for ai in range(710, 717)},
}
EXCLUDES: Final[dict[str, tuple[str, ...]]] = {
    "01": ("02", "03", "255", "37"),
    "02": ("01", "03"),
    "03": ("01", "02", "37"),
    "21": ("235",),
    "255": ("01", "02", "8006", "8026"),
    "8006": ("01", "37"),
    "8026": ("02", "8006"),
    "4330": ("4331",),
    "4332": ("4333",),
}

# Date AIs read here: AI -> (DD=00 allowed, extra digits after YYMMDD that are a time).
_DATES: Final[dict[str, bool]] = {
    "11": True,
    "12": True,
    "13": True,
    "15": True,
    "16": True,
    "17": True,
    "4326": False,
    "7003": False,
    "7006": False,
    "7007": False,
}
# Text fields in which a swallowed element string is worth a warning.
_LOST_SEPARATOR_FIELDS: Final = frozenset(
    {"10", "21", "22", "235", "240", "241", "243", "250", "251", "8012"}
)
# AIs a swallowed element string most likely starts with, and how much data they need.
_SWALLOW_DATE: Final = ("11", "15", "17")
_SWALLOW_TEXT: Final = ("10", "21")
_SWALLOW_HEADS: Final = (*_SWALLOW_DATE, *_SWALLOW_TEXT, "01")

Element = tuple[str, str]


def decode_element_string(
    data: str,
    *,
    raw: str,
    symbology: str | None,
    today: dt.date,
    warnings: list[DecodeWarning],
) -> Decoded:
    """Decode GS1 element strings (after the AIM identifier; FNC1 as GS)."""
    if data.startswith(GS):
        data = data[1:]  # a leading GS is FNC1 in first position
    if not data:
        raise BarcodeEmpty()
    bad = _BAD_CHAR.search(data)
    if bad is not None:
        raise BarcodeCharset(char=repr(bad.group()), position=bad.start() + 1, element="GS1")
    elements = [(ai, _element_value(ai, value)) for ai, value in split_element_string(data)]
    return build(elements, raw=raw, symbology=symbology, today=today, warnings=warnings)


def split_element_string(data: str) -> list[Element]:
    """Cut the data into (AI, value) the way GenSpecs 7.8 reads it.

    A pre-defined-length AI (biip: ``separator_required`` false) takes its fixed length; any
    other field runs to the next GS or the end, so an over-long value, or one whose separator
    was lost, reaches biip whole and is refused there (``BARCODE_LENGTH``) instead of being
    cut at the maximum length. GS after any field is tolerated.
    """
    out: list[Element] = []
    pos = 0
    end_of_data = len(data)
    while pos < end_of_data:
        if data[pos] == GS:
            pos += 1
            continue
        ai = _lookup_ai(data, pos)
        start = pos + len(ai)
        size = _FIXED_SIZE.get(ai)
        if size is not None:
            end = start + size
            if end > end_of_data:
                raise BarcodeTruncated(element=f"({ai})")
        else:
            gs = data.find(GS, start)
            end = gs if gs >= 0 else end_of_data
        out.append((ai, data[start:end]))
        pos = end
    if not out:
        raise BarcodeEmpty()
    return out


def _lookup_ai(data: str, pos: int) -> str:
    # GS1 AIs are prefix-free, so the first length that matches is the AI.
    for size in (2, 3, 4):
        candidate = data[pos : pos + size]
        if candidate in AI_TABLE:
            return candidate
    raise BarcodeUnknownAI(data=data[pos : pos + 12])


def decode_hri(
    data: str,
    *,
    raw: str,
    symbology: str | None,
    today: dt.date,
    warnings: list[DecodeWarning],
) -> Decoded:
    """Decode the human-readable form ``(01)…(17)…(10)…``, as typed by a person."""
    # Typed by a person: spaces between fields are layout, and never valid GS1 data.
    data = data.replace(" ", "")
    pairs: list[Element] = []
    pos = 0
    while pos < len(data):
        if data[pos] != "(":
            raise BarcodeUnknownFormat()
        close = data.find(")", pos)
        if close < 0:
            raise BarcodeTruncated(element=data[pos:])
        ai = data[pos + 1 : close]
        nxt = data.find("(", close)
        value = data[close + 1 : nxt if nxt >= 0 else len(data)]
        pos = nxt if nxt >= 0 else len(data)
        if ai not in AI_TABLE:
            raise BarcodeUnknownAI(data=f"({ai})")
        pairs.append((ai, value))
    if not pairs:
        raise BarcodeEmpty()
    elements = [(ai, _element_value(ai, value)) for ai, value in pairs]
    return build(elements, raw=raw, symbology=symbology, today=today, warnings=warnings)


def decode_gtin(
    digits: str,
    *,
    raw: str,
    symbology: str | None,
    warnings: list[DecodeWarning],
) -> Decoded:
    """A bare EAN-8, UPC-A, EAN-13 or GTIN-14 (UPC-E under ``]E0`` is expanded first)."""
    if symbology == "]E0" and len(digits) == 8:
        digits = _expand_upc_e(digits)
    if len(digits) not in (8, 12, 13, 14) or not is_ascii_digits(digits):
        raise BarcodeLength(element="GTIN", length=len(digits), allowed="8, 12, 13, 14")
    verify_gs1_check_digit(digits, "GTIN")
    return Decoded(
        agency="GS1",
        raw=raw,
        symbology=symbology,
        di=digits,
        gtin=digits.zfill(14),
        gtin_format=f"GTIN-{len(digits)}",
        extra=frozen_mapping({"01": digits.zfill(14)}),
        warnings=tuple(warnings),
    )


def _expand_upc_e(digits: str) -> str:
    """UPC-E (number system, 6 digits, check) to UPC-A, per the UPC-E zero-suppression table."""
    if digits[0] not in "01":
        raise BarcodeSymbology(identifier="]E0")
    ns, d, check = digits[0], digits[1:7], digits[7]
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    return ns + body + check


# --- shared with digital_link.py -------------------------------------------------------------


def parse_element(ai: str, value: str) -> GS1ElementString:
    """One element string through biip (full match of the AI's pattern); typed errors."""
    return _parse_single(ai, value)


def _parse_single(ai: str, value: str) -> GS1ElementString:
    if not value:
        raise BarcodeTruncated(element=f"({ai})")
    if not value.isascii():
        # biip's patterns use \d, which also matches other scripts' digits.
        index, char = next((i, c) for i, c in enumerate(value) if not c.isascii())
        raise BarcodeCharset(char=repr(char), position=index + 1, element=f"({ai})")
    try:
        return _biip_element(ai + value)
    except (ParseError, ValueError, IndexError, KeyError):
        _diagnose(ai, value)
        raise BarcodeUnknownFormat() from None


def _element_value(ai: str, value: str) -> str | GS1ElementString:
    """The element's value: a plain text field (lot, serial, ...) checked against biip's own
    pattern for its AI, anything else parsed by biip (``_parse_single``). Serials differ from
    unit to unit, so the cache below does not help them, and biip's parse costs tens of
    microseconds for what is one full match of a regular expression."""
    pattern = _TEXT_FIELDS.get(ai)
    if pattern is not None and pattern.fullmatch(value) is not None:
        return value
    return _parse_single(ai, value)


def _text_fields() -> dict[str, re.Pattern[str]]:
    """AIs whose data is one run of CSET 82 characters and that biip parses no further (no
    GTIN, GLN, SSCC, date or decimal in it): the data pattern of each, as biip matches it."""
    one_text_group = re.compile(r"\^(\d{2,4})(\(\[!%-\?A-Z_a-z\\x22\]\{1,\d+\}\))\$")
    further = ("00", "01", "02", "03", "41", "31", "32", "33", "34", "35", "36", "39")
    out = {}
    for code, meta in AI_TABLE.items():
        match = one_text_group.fullmatch(meta.pattern)
        if match is None or match.group(1) != code or code[:2] in further:
            continue
        out[code] = re.compile(match.group(2).strip("()"))
    return out


_TEXT_FIELDS: Final = _text_fields()


@lru_cache(maxsize=16384)
def _biip_element(element_string: str) -> GS1ElementString:
    """biip's parse of one element string (full match of its AI pattern), memoised.

    biip spends most of its time copying frozen dataclasses (``dataclasses.replace``); the
    same GTIN, expiry and lot come back scan after scan, so the cache pays. Only successes
    are cached; the results are immutable.
    """
    return GS1ElementString.parse(element_string, config=CONFIG)


def build(
    elements: Sequence[tuple[str, GS1ElementString | str]],
    *,
    raw: str,
    symbology: str | None,
    today: dt.date,
    warnings: list[DecodeWarning],
) -> Decoded:
    """Check a list of (AI, element) and turn it into the common result."""
    values: dict[str, str] = {}
    for ai, item in elements:
        value = item if isinstance(item, str) else item.value
        if not value:
            raise BarcodeTruncated(element=f"({ai})")
        previous = values.get(ai)
        if previous is None:
            values[ai] = value
        elif previous != value:
            raise BarcodeDuplicate(element=f"({ai})")
        else:
            warnings.append(warning("SCAN_DUPLICATE_ELEMENT", element=f"({ai})"))
    _check_keys(values)
    _check_pairing(values)
    production_date, expiry = _read_dates(values, today, warnings)
    _warn_lost_separators(values, today, warnings)

    gtin_ai = next((ai for ai in ("01", "03", "02") if ai in values), None)
    gtin = values[gtin_ai] if gtin_ai is not None else None
    quantity_raw = values.get("30") or values.get("37")
    return Decoded(
        agency="GS1",
        raw=raw,
        symbology=symbology,
        di=gtin,
        gtin=gtin,
        gtin_format="GTIN-14" if gtin is not None else None,
        lot=values.get("10"),
        serial=values.get("21"),
        production_date=production_date,
        expiry=expiry,
        quantity=int(quantity_raw) if quantity_raw is not None else None,
        software_version=values.get("8012"),
        extra=frozen_mapping(values),
        warnings=tuple(warnings),
    )


_MOD10_KEYS: Final = frozenset({"00", "01", "02", "03", *(str(ai) for ai in range(410, 418))})


def _check_keys(values: dict[str, str]) -> None:
    for ai, value in values.items():
        if ai in _MOD10_KEYS:
            verify_gs1_check_digit(value, f"({ai})")
        elif ai == "8006" or ai == "8026":
            verify_gs1_check_digit(value[:14], f"({ai})")


def _check_pairing(values: dict[str, str]) -> None:
    for ai in values:
        groups = REQUIRES.get(ai)
        if groups is not None:
            for group in groups:
                if not any(other in values for other in group):
                    raise BarcodePairing(element=f"({ai})", others=_fmt(group))
        excludes = EXCLUDES.get(ai)
        if excludes is not None:
            excluded = [other for other in excludes if other in values]
            if excluded:
                raise BarcodeExclusion(element=f"({ai})", others=_fmt(excluded))


def _fmt(ais: Iterable[str]) -> str:
    return " ".join(f"({ai})" for ai in ais)


def _read_dates(
    values: dict[str, str], today: dt.date, warnings: list[DecodeWarning]
) -> tuple[dt.date | None, dt.date | None]:
    production: dt.date | None = None
    expiry: dt.date | None = None
    for ai, value in values.items():
        day_zero = _DATES.get(ai)
        if day_zero is None:
            continue
        element = f"({ai})"
        date, unspecified = yymmdd(value[:6], element, today, day_zero_allowed=day_zero)
        if unspecified:
            warnings.append(
                warning("SCAN_DAY_UNSPECIFIED", element=element, value=value, date=date)
            )
        if ai == "7003":
            hh, mm = int(value[6:8]), int(value[8:10])
            if hh > 23 or mm > 59:
                raise BarcodeDate(element=element, value=value)
        elif ai == "7007" and len(value) == 12:
            yymmdd(value[6:], element, today, day_zero_allowed=False)
        if ai == "11":
            production = date
        elif ai in ("17", "7003"):
            # Both may be present; the unit may not be used after the earlier one.
            expiry = date if expiry is None else min(expiry, date)
    return production, expiry


def _warn_lost_separators(
    values: dict[str, str], today: dt.date, warnings: list[DecodeWarning]
) -> None:
    for ai, value in values.items():
        if ai not in _LOST_SEPARATOR_FIELDS or len(value) < 3:
            continue
        split = _likely_split(value, values, today)
        if split is not None:
            warnings.append(
                warning("SCAN_LOST_SEPARATOR", element=f"({ai})", value=value, split=split)
            )


def _likely_split(value: str, present: dict[str, str], today: dt.date) -> str | None:
    """Where a swallowed element string probably starts inside ``value``, as HRI, or None."""
    if not any(head in value for head in _SWALLOW_HEADS):
        return None
    for i in range(1, len(value) - 1):
        head = value[i : i + 2]
        rest = value[i + 2 :]
        plausible = False
        if head in _SWALLOW_DATE and len(rest) >= 6 and is_ascii_digits(rest[:6]):
            try:
                yymmdd(rest[:6], head, today, day_zero_allowed=True)
                plausible = True
            except BarcodeError:
                plausible = False
        elif head == "01" and len(rest) >= 14 and is_ascii_digits(rest[:14]):
            plausible = gs1_check_digit(rest[:13]) == ord(rest[13]) - 48
        elif head in _SWALLOW_TEXT and head not in present and len(rest) >= 4:
            plausible = True
        if not plausible:
            continue
        tail = value[i:]
        try:
            hri = GS1Message.parse(tail, config=CONFIG).as_hri()
        except (ParseError, ValueError, IndexError, KeyError):
            hri = f"({head}){rest}"
        return f"{value[:i]} + {hri}"
    return None


# --- diagnosis: only runs when biip refused, to name the precise problem -------------------

_DIGIT_SET: Final = frozenset("0123456789")
_TEXT_SET: Final = CSET82 | {"#"}
_FORMAT_PART: Final = re.compile(r"(\[)?\+?([NXYZ])(\.\.)?(\d+)")


def _limits(ai: GS1ApplicationIdentifier) -> tuple[int, int]:
    """(minimum, maximum) length of an AI's data, from biip's format string."""
    low = high = 0
    rest = ai.format[ai.format.index("+") :] if "+" in ai.format else ""
    for match in _FORMAT_PART.finditer(rest):
        optional, _kind, variable, size = match.groups()
        high += int(size)
        if not optional:
            low += 1 if variable else int(size)
    return low, high


def _numeric_only(ai: GS1ApplicationIdentifier) -> bool:
    rest = ai.format[ai.format.index("+") :] if "+" in ai.format else ""
    return all(m.group(2) == "N" for m in _FORMAT_PART.finditer(rest))


def _diagnose(ai_code: str, value: str) -> None:
    """biip refused one element string: raise the most specific error for it."""
    ai = AI_TABLE[ai_code]
    element = f"({ai_code})"
    low, high = _limits(ai)
    allowed = _DIGIT_SET if _numeric_only(ai) else _TEXT_SET
    for index, char in enumerate(value):
        if char not in allowed:
            raise BarcodeCharset(char=repr(char), position=index + 1, element=element)
    if len(value) < low:
        raise BarcodeTruncated(element=element)
    if len(value) > high:
        raise BarcodeLength(element=element, length=len(value), allowed=_allowed(low, high))
    if ai_code in _DATES:
        raise BarcodeDate(element=element, value=value)
    # Right characters, right length, and still no match: a sub-field has the wrong shape.
    raise BarcodeCharset(char=repr(value), position=1, element=element)


def _allowed(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


# Data length of each pre-defined-length AI (no separator ever follows them).
_FIXED_SIZE: Final[dict[str, int]] = {
    code: _limits(meta)[1] for code, meta in AI_TABLE.items() if not meta.separator_required
}
