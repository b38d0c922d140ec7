"""Barcode decoding: one pure function from what a scanner sent to one typed result.

``decode(raw, profile, today=...)`` pre-processes the scan (terminator, GS stand-in, NFKC,
AIM symbology identifier; see ``preprocess.py``), routes it by its first characters and
returns a ``Decoded`` or raises a ``BarcodeError`` (422, stable code, zh-CN/en message):

==============================================  ==========================================
data                                            decoder
==============================================  ==========================================
``]C1 ]d2 ]Q3 ]e0 ]J1``, leading GS             GS1 element string (``gs1.py``, via biip)
``http(s)://`` (bare, ``]Q1``, ``]d1``, …)      GS1 Digital Link (``digital_link.py``)
``(`` + digits                                  GS1 human-readable form, typed by hand
``+``                                           HIBC (``hibc.py``)
``MA.``                                         China MA code (``ma.py``)
``=`` or ``&``                                  ISBT 128 (``isbt128.py``)
``LW:``                                         our own labels (``internal.py``)
8/12/13/14 digits (``]E0 ]E3 ]E4 ]I1`` or none) EAN/UPC/GTIN, check digit verified
other data starting with two digits             GS1 element string without prefix
==============================================  ==========================================

No I/O, no clock: ``today`` places two-digit years in the GS1 sliding century window. If it
is not given, the date is read once here, at the boundary; callers with a clock pass it.
"""

from __future__ import annotations

import datetime as dt

from backend.scanning.decoding.digital_link import decode_digital_link, is_digital_link
from backend.scanning.decoding.errors import (
    BarcodeError,
    BarcodeSymbology,
    BarcodeUnknownFormat,
)
from backend.scanning.decoding.gs1 import decode_element_string, decode_gtin, decode_hri
from backend.scanning.decoding.hibc import decode_hibc
from backend.scanning.decoding.internal import decode_internal, is_internal
from backend.scanning.decoding.isbt128 import decode_isbt128
from backend.scanning.decoding.ma import decode_ma
from backend.scanning.decoding.preprocess import (
    CODE39_CHECK_REMOVED,
    DEFAULT_PROFILE,
    EAN_UPC,
    GS,
    GS1_MODE,
    MAX_SCAN_LENGTH,
    ScannerProfile,
    prepare,
)
from backend.scanning.decoding.result import Decoded, DecodeWarning, InternalRef

__all__ = [
    "MAX_SCAN_LENGTH",
    "BarcodeError",
    "DecodeWarning",
    "Decoded",
    "InternalRef",
    "ScannerProfile",
    "decode",
]


def decode(
    raw: str, profile: ScannerProfile | None = None, *, today: dt.date | None = None
) -> Decoded:
    """Decode one scan. ``raw`` is kept, unchanged, in the result."""
    prepared = prepare(raw, profile or DEFAULT_PROFILE)
    if today is None:
        today = dt.date.today()
    data, symbology, warnings = prepared.data, prepared.symbology, prepared.warnings

    if symbology in GS1_MODE or data[0] == GS:
        if is_digital_link(data.lstrip(GS)):
            # A URI in a GS1-mode symbol is not valid GS1 data (DL uses plain QR/Data Matrix).
            raise BarcodeSymbology(identifier=symbology or "GS")
        return decode_element_string(
            data, raw=raw, symbology=symbology, today=today, warnings=warnings
        )
    if symbology in EAN_UPC:
        digits = data[:13] if symbology == "]E3" and len(data) in (15, 18) else data
        return decode_gtin(digits, raw=raw, symbology=symbology, warnings=warnings)

    first = data[0]
    if first == "h" or first == "H":
        if is_digital_link(data):
            return decode_digital_link(
                data, raw=raw, symbology=symbology, today=today, warnings=warnings
            )
    elif first == "+":
        if symbology is not None and symbology[1] in "EeIJ":
            raise BarcodeSymbology(identifier=symbology)
        return decode_hibc(data, raw=raw, symbology=symbology, today=today, warnings=warnings)
    elif first == "M":
        if data.startswith("MA."):
            return decode_ma(data, raw=raw, symbology=symbology, today=today, warnings=warnings)
    elif first == "=" or first == "&":
        return decode_isbt128(data, raw=raw, symbology=symbology, warnings=warnings)
    elif first == "(":
        return decode_hri(data, raw=raw, symbology=symbology, today=today, warnings=warnings)
    elif "0" <= first <= "9":
        if symbology in CODE39_CHECK_REMOVED:
            raise BarcodeUnknownFormat()
        if len(data) in (8, 12, 13, 14) and data.isascii() and data.isdigit():
            return decode_gtin(data, raw=raw, symbology=symbology, warnings=warnings)
        return decode_element_string(
            data, raw=raw, symbology=symbology, today=today, warnings=warnings
        )
    if is_internal(data):
        return decode_internal(data, raw=raw, symbology=symbology, warnings=warnings)
    raise BarcodeUnknownFormat()
