"""ICCBBA ISBT 128, basic: the UDI data structures of HCT/P devices (standards.md §3.1).

Every data structure starts with a data identifier beginning with ``=`` or ``&``; there are
no separators, so each structure has a known length. Read here:

==========  ====  ===============================================  ==========================
identifier  DS    content                                          goes to
==========  ====  ===============================================  ==========================
``=+``      023   compound message header ``aabbb``                ``extra["=+"]``
``=/``      034   processor product identification code (16)       ``di``
``=,``      032   product divisions (6, not ``000000``)            ``serial``
``=`` + A-Z/0-9  001  donation identification number (15)          ``extra["DIN"]``
``=>``      004   expiry ``cyyjjj``                                ``expiry``
``=}``      008   manufacture date ``cyyjjj``                      ``production_date``
``&,1``     035   MPHO lot number (18, as printed)                 ``lot``
==========  ====  ===============================================  ==========================

``cyyjjj``: century digit (0 = 2000s), year, day of the year. Any other data structure ends
the reading: the rest is kept in ``extra`` with a warning. Upper case only.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from backend.scanning.decoding.checks import is_ascii_digits, julian
from backend.scanning.decoding.errors import (
    BarcodeCharset,
    BarcodeDate,
    BarcodeDuplicate,
    BarcodeField,
    BarcodeTruncated,
)
from backend.scanning.decoding.result import Decoded, DecodeWarning, frozen_mapping, warning

_ALLOWED: Final = re.compile(r"[\x21-\x60\x7b-\x7e]*")  # printable ASCII, no space or a-z
# identifier -> (length of the data after it, extra key)
_FIXED: Final[dict[str, tuple[int, str]]] = {
    "=+": (5, "=+"),
    "=/": (16, "=/"),
    "=,": (6, "=,"),
    "=>": (6, "=>"),
    "=}": (6, "=}"),
    "&,1": (18, "&,1"),
}


def decode_isbt128(
    data: str,
    *,
    raw: str,
    symbology: str | None,
    warnings: list[DecodeWarning],
) -> Decoded:
    if _ALLOWED.fullmatch(data) is None:
        index, char = next((i, c) for i, c in enumerate(data) if not _ALLOWED.fullmatch(c))
        raise BarcodeCharset(char=repr(char), position=index + 1, element="ISBT 128")
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        identifier = data[pos : pos + 3] if data.startswith("&,1", pos) else data[pos : pos + 2]
        if identifier in _FIXED:
            size, key = _FIXED[identifier]
        elif data[pos] == "=" and pos + 1 < len(data) and data[pos + 1].isalnum():
            identifier, size, key = "=", 15, "DIN"
        else:
            warnings.append(warning("ISBT_UNSUPPORTED_STRUCTURE", identifier=identifier))
            fields["unread"] = data[pos:]
            break
        start = pos + len(identifier)
        value = data[start : start + size]
        if len(value) < size:
            raise BarcodeTruncated(element=f"ISBT 128 {identifier}")
        if key in fields and fields[key] != value:
            raise BarcodeDuplicate(element=f"ISBT 128 {identifier}")
        if "=" in value or "&" in value:
            raise BarcodeField(element=f"ISBT 128 {identifier}", value=value)
        fields[key] = value
        pos = start + size
    if not fields:
        raise BarcodeTruncated(element="ISBT 128")
    serial = fields.get("=,")
    if serial is not None and (serial == "000000" or not is_ascii_digits(serial)):
        raise BarcodeField(element="ISBT 128 =,", value=serial)
    return Decoded(
        agency="ICCBBA",
        raw=raw,
        symbology=symbology,
        di=fields.get("=/"),
        serial=serial,
        lot=fields.get("&,1"),
        expiry=_cyyjjj(fields["=>"], "=>") if "=>" in fields else None,
        production_date=_cyyjjj(fields["=}"], "=}") if "=}" in fields else None,
        extra=frozen_mapping(fields),
        warnings=tuple(warnings),
    )


def _cyyjjj(value: str, identifier: str) -> dt.date:
    element = f"ISBT 128 {identifier}"
    if not is_ascii_digits(value):
        raise BarcodeDate(element=element, value=value)
    year = 2000 + int(value[0]) * 100 + int(value[1:3])
    return julian(year, int(value[3:6]), element, value)
