"""Scan pre-processing: terminator, GS stand-in, NFKC, limits and the AIM symbology identifier.

Scan data is never ``strip()``-ed or ``split()``: GS (U+001D) is whitespace to Python, and an
HIBC check character may be a space. Only the profile's terminator is removed, once, at the end.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Final

from backend.scanning.decoding.errors import BarcodeEmpty, BarcodeSymbology, BarcodeTooLong
from backend.scanning.decoding.result import DecodeWarning, warning

GS: Final = "\x1d"
MAX_SCAN_LENGTH: Final = 4096
TERMINATORS: Final = frozenset({"\r", "\n", "\r\n", "\t"})

# ISO/IEC 15424 code characters (the letter after "]") that we recognise at all.
AIM_CODE_CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVXZdeghjoz")
# Full identifiers whose meaning we know; a known code character with another modifier only
# earns a warning (data is then routed by its content).
AIM_KNOWN: Final = frozenset(
    {
        *(f"]A{m}" for m in "01234567"),  # Code 39 (3/7: check verified and removed)
        *(f"]C{m}" for m in "0124"),  # Code 128; ]C1 = GS1-128
        "]d0", "]d1", "]d2", "]d3", "]d4", "]d5", "]d6",  # Data Matrix; ]d2 = GS1 DataMatrix
        "]E0", "]E1", "]E2", "]E3", "]E4",  # EAN/UPC; ]E4 = EAN-8
        "]e0", "]e1", "]e2", "]e3",  # GS1 DataBar / composite
        "]I0", "]I1", "]I3",  # ITF
        "]J0", "]J1",  # DotCode; ]J1 = GS1 DotCode
        *(f"]L{m}" for m in "012345"),  # PDF417
        *(f"]Q{m}" for m in "0123456"),  # QR; ]Q1 plain, ]Q3 GS1 QR
        *(f"]z{m}" for m in "0123456789ABC"),  # Aztec
        "]X0", "]Z0",
    }
)  # fmt: skip
GS1_MODE: Final = frozenset({"]C1", "]d2", "]Q3", "]e0", "]J1"})
URI_CARRIERS: Final = frozenset({"]Q1", "]d1", "]Q0", "]Q2", "]L0", "]z0", "]X0"})
EAN_UPC: Final = frozenset({"]E0", "]E3", "]E4", "]I1"})
CODE39_CHECK_REMOVED: Final = frozenset({"]A3", "]A7"})


@dataclass(frozen=True, slots=True)
class ScannerProfile:
    """How one scanner (or scanner model) sends its data.

    ``terminator`` is the suffix the scanner appends ("\\r", "\\n", "\\r\\n", "\\t", or None);
    ``gs_standin`` is the text it sends in place of GS (ASCII 29), e.g. "<GS>", "{GS}", "~",
    "^]". Choose a stand-in that cannot occur in real data.
    """

    terminator: str | None = None
    gs_standin: str | None = None

    def __post_init__(self) -> None:
        if self.terminator is not None and self.terminator not in TERMINATORS:
            raise ValueError(f"terminator must be one of CR, LF, CRLF, TAB: {self.terminator!r}")
        if self.gs_standin == "":
            raise ValueError("gs_standin must not be empty")


DEFAULT_PROFILE: Final = ScannerProfile()


@dataclass(slots=True)
class Prepared:
    """Data after pre-processing: what follows the AIM identifier, and the identifier."""

    data: str
    symbology: str | None
    warnings: list[DecodeWarning] = field(default_factory=list)


def prepare(raw: str, profile: ScannerProfile) -> Prepared:
    if len(raw) > MAX_SCAN_LENGTH:
        raise BarcodeTooLong(length=len(raw), limit=MAX_SCAN_LENGTH)
    text = raw
    if profile.terminator is not None and text.endswith(profile.terminator):
        text = text[: -len(profile.terminator)]
    if profile.gs_standin is not None:
        text = text.replace(profile.gs_standin, GS)
    if not text.isascii():
        # Full-width digits and letters from a Chinese IME become ASCII. NFKC leaves C0
        # controls (GS among them) alone; it only rewrites compatibility characters.
        text = unicodedata.normalize("NFKC", text)
        if len(text) > MAX_SCAN_LENGTH:
            raise BarcodeTooLong(length=len(text), limit=MAX_SCAN_LENGTH)
    if not text:
        raise BarcodeEmpty()
    prepared = Prepared(text, None)
    if text[0] == "]":
        _read_symbology(prepared)
    return prepared


def _read_symbology(prepared: Prepared) -> None:
    text = prepared.data
    if len(text) < 3 or text[1] not in AIM_CODE_CHARS or not text[2].isascii():
        raise BarcodeSymbology(identifier=text[:3])
    identifier = text[:3]
    if identifier not in AIM_KNOWN:
        if not text[2].isalnum():
            raise BarcodeSymbology(identifier=identifier)
        prepared.warnings.append(warning("SCAN_SYMBOLOGY_UNKNOWN", identifier=identifier))
    prepared.symbology = identifier
    prepared.data = text[3:]
    if not prepared.data:
        raise BarcodeEmpty()
