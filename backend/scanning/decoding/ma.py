"""China MA codes (ZIIOT / IDcode, ISO/IEC 15459 issuing-agency code "MA").

``MA.156.M0.100761.21234561.Sx00008.M220117.L20220117.D20220118.E220130.V220117.C3``

* DI = the first five dot-separated segments: ``MA``, country (ISO 3166 numeric, 156 = China),
  industry (``M0`` = medical devices), registrant code, product code.
* Every later segment is a PI element keyed by its first letter, in any order
  (standards.md §3.4): ``S`` serial (序列号), ``M`` production date (生产日期; older codes use
  ``P``), ``L`` lot (批号), ``D`` sterilisation lot (灭菌批号), ``E`` 失效期 (the first day the
  item may no longer be used), ``V`` 有效期 (valid until: the last day of use), ``C`` check
  character, ``Y`` medical-insurance code. Unknown keys are kept with a warning.
* Dates are YYMMDD (century from the sliding window around ``today``) or YYYYMMDD.
* ``expiry`` is the last day of use: V, or the day before E, the earlier when both are given
  (lock on the stricter one, standards.md §0.7). The raw E and V stay in ``extra``.
* The check character is stored, never recomputed: its algorithm is not published.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from backend.scanning.decoding.checks import is_ascii_digits, yymmdd, yyyymmdd
from backend.scanning.decoding.errors import (
    BarcodeCharset,
    BarcodeDate,
    BarcodeDuplicate,
    BarcodeField,
    BarcodeTruncated,
)
from backend.scanning.decoding.result import Decoded, DecodeWarning, frozen_mapping, warning

_ALLOWED: Final = re.compile(r"[0-9A-Za-z.\-_/]*")
_KNOWN: Final = frozenset("SMPLDEVCY")
_DI_NAMES: Final = ("agency", "country", "industry", "registrant", "product")


def decode_ma(
    data: str,
    *,
    raw: str,
    symbology: str | None,
    today: dt.date,
    warnings: list[DecodeWarning],
) -> Decoded:
    if _ALLOWED.fullmatch(data) is None:
        index, char = next((i, c) for i, c in enumerate(data) if not _ALLOWED.fullmatch(c))
        raise BarcodeCharset(char=repr(char), position=index + 1, element="MA")
    segments = data.split(".")  # '.' is the MA separator; no whitespace splitting
    if len(segments) < 5 or any(not s for s in segments[:5]):
        raise BarcodeTruncated(element="MA")
    if len(segments[1]) != 3 or not is_ascii_digits(segments[1]):
        raise BarcodeField(element="MA country", value=segments[1])
    extra: dict[str, str] = dict(zip(_DI_NAMES, segments[:5], strict=True))
    pi: dict[str, str] = {}
    for segment in segments[5:]:
        if not segment:
            raise BarcodeField(element="MA", value="..")
        key, value = segment[0], segment[1:]
        if not value:
            raise BarcodeTruncated(element=f"MA {key}")
        if key == "P":
            key = "M"
        if key in pi and pi[key] != value:
            raise BarcodeDuplicate(element=f"MA {key}")
        if key not in _KNOWN:
            warnings.append(warning("MA_UNKNOWN_SEGMENT", value=segment))
        pi[key] = value
    extra.update(pi)

    production = _date(pi["M"], "MA M", today) if "M" in pi else None
    expiry: dt.date | None = None
    if "V" in pi:
        expiry = _date(pi["V"], "MA V", today)
    if "E" in pi:
        last_use = _date(pi["E"], "MA E", today) - dt.timedelta(days=1)
        expiry = last_use if expiry is None else min(expiry, last_use)
    return Decoded(
        agency="MA",
        raw=raw,
        symbology=symbology,
        di=".".join(segments[:5]),
        lot=pi.get("L"),
        serial=pi.get("S"),
        production_date=production,
        expiry=expiry,
        extra=frozen_mapping(extra),
        warnings=tuple(warnings),
    )


def _date(value: str, element: str, today: dt.date) -> dt.date:
    if len(value) == 6:
        return yymmdd(value, element, today, day_zero_allowed=False)[0]
    if len(value) == 8:
        return yyyymmdd(value, element)
    raise BarcodeDate(element=element, value=value)
