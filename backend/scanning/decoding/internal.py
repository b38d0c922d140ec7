"""Lotwise's own labels: locations, lots, pick lists and documents.

The scheme (printed as Code 128 or QR; never confused with GS1, HIBC, MA or ISBT 128 because
none of them starts with a letter followed by ':')::

    LW:LOC:<wh>:<code>       a location: warehouse code, then the location code (unique per
                             warehouse), e.g. LW:LOC:WH-C:A-01-2; what labels print
    LW:LOC:<code>            a location by code alone (older labels), e.g. LW:LOC:A-01-2
    LW:LOT:<id>              a lot record of ours, e.g. LW:LOT:01HZX3K9V7
    LW:PICK:<id>             a pick list, e.g. LW:PICK:PK-2026-000123
    LW:DOC:<type>:<id>       a document; <type> is 2-16 capital letters (PO, RCV, REQ, TRF,
                             CNT, DSP, RCL, ...), e.g. LW:DOC:PO:PO-2026-0042

``<wh>``, ``<code>`` and ``<id>`` are 1-64 of ``A-Z a-z 0-9 . _ - /`` (the characters codes
may have, so ``:`` cannot occur inside one). ``LW`` and the kind are read
case-insensitively (a scanner with Caps Lock on still works); the value is kept as printed.
"""

from __future__ import annotations

import re
from typing import Final

from backend.scanning.decoding.errors import BarcodeField, BarcodeUnknownFormat
from backend.scanning.decoding.result import Decoded, DecodeWarning, InternalKind, InternalRef


def location_label(warehouse_code: str, location_code: str) -> str:
    """The text a location label carries; ``decode_internal`` reads it back."""
    for value in (warehouse_code, location_code):
        if _VALUE.fullmatch(value) is None:
            raise ValueError(f"not printable in an internal label: {value!r}")
    return f"{PREFIX}LOC:{warehouse_code}:{location_code}"


PREFIX: Final = "LW:"
_VALUE: Final = re.compile(r"[A-Za-z0-9._\-/]{1,64}")
_DOC_TYPE: Final = re.compile(r"[A-Z]{2,16}")
_KINDS: Final[dict[str, InternalKind]] = {"LOC": "LOC", "LOT": "LOT", "PICK": "PICK", "DOC": "DOC"}


def is_internal(data: str) -> bool:
    return data[:3].upper() == PREFIX


def decode_internal(
    data: str, *, raw: str, symbology: str | None, warnings: list[DecodeWarning]
) -> Decoded:
    kind_text, sep, rest = data[3:].partition(":")
    kind = _KINDS.get(kind_text.upper())
    if kind is None or not sep:
        raise BarcodeUnknownFormat()
    doc_type: str | None = None
    if kind == "DOC":
        doc_type_text, sep, rest = rest.partition(":")
        doc_type = doc_type_text.upper()
        if not sep or _DOC_TYPE.fullmatch(doc_type) is None:
            raise BarcodeField(element="LW:DOC type", value=doc_type_text)
    warehouse: str | None = None
    if kind == "LOC" and ":" in rest:
        warehouse, _, rest = rest.partition(":")
        if _VALUE.fullmatch(warehouse) is None:
            raise BarcodeField(element="LW:LOC warehouse", value=warehouse)
    if _VALUE.fullmatch(rest) is None:
        raise BarcodeField(element=f"LW:{kind}", value=rest)
    return Decoded(
        agency="INTERNAL",
        raw=raw,
        symbology=symbology,
        internal=InternalRef(kind=kind, value=rest, doc_type=doc_type, warehouse=warehouse),
        warnings=tuple(warnings),
    )
