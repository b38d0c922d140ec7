"""2D symbols as module matrices and SVG: GS1 DataMatrix (zint), plain DataMatrix, QR (segno).

A GS1 DataMatrix starts with FNC1 and separates a variable-length field from the next one with
FNC1 (read back as GS, U+001D); zint does both from the bracketed element string
``[01]…[17]…[10]…[21]…``, and checks each element (check digit, date, CSET 82) as it encodes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import segno
import zint

from backend.core.errors import InvalidInput

Matrix = tuple[tuple[bool, ...], ...]


class LabelDataInvalid(InvalidInput):
    code = "LABEL_DATA_INVALID"
    zh = "标签内容无法编码为条码：{reason}"
    en = "The label data cannot be encoded as a barcode: {reason}"


@dataclass(frozen=True, slots=True)
class Gs1Data:
    """The elements a lot label carries, in the order they are encoded: fixed length first,
    so only the separator between lot and serial is needed."""

    gtin: str
    expiry: dt.date | None = None
    lot: str | None = None
    serial: str | None = None

    def elements(self) -> list[tuple[str, str]]:
        out = [("01", self.gtin)]
        if self.expiry is not None:
            out.append(("17", self.expiry.strftime("%y%m%d")))
        if self.lot:
            out.append(("10", self.lot))
        if self.serial:
            out.append(("21", self.serial))
        return out

    def bracketed(self) -> str:
        return "".join(f"[{ai}]{value}" for ai, value in self.elements())

    def transmitted(self) -> str:
        """What a scanner sends for this symbol: ``]d2``, then the elements, GS after a
        variable-length one that is not last."""
        elements = self.elements()
        text = "]d2"
        for index, (ai, value) in enumerate(elements):
            text += ai + value
            if ai in ("10", "21") and index < len(elements) - 1:
                text += "\x1d"
        return text

    def hri(self) -> str:
        """The human-readable line printed under the symbol, e.g. (01)…(17)…(10)…"""
        return "".join(f"({ai}){value}" for ai, value in self.elements())


def _symbol(gs1: bool) -> zint.Symbol:
    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.DATAMATRIX
    if gs1:
        symbol.input_mode = zint.InputMode.GS1
    symbol.option_3 = zint.DataMatrixOptions.SQUARE
    symbol.warn_level = zint.WarningLevel.FAIL_ALL  # a warning (bad check digit...) fails
    return symbol


def _zint_matrix(symbol: zint.Symbol) -> Matrix:
    rows = symbol.encoded_data
    return tuple(
        tuple(bool((rows[r, c >> 3] >> (c & 7)) & 1) for c in range(symbol.width))
        for r in range(symbol.rows)
    )


def gs1_datamatrix(data: Gs1Data) -> Matrix:
    symbol = _symbol(gs1=True)
    try:
        symbol.encode(data.bracketed())
    except RuntimeError as error:  # zint refuses a bad check digit, date or character
        raise LabelDataInvalid(reason=_first_line(str(error))) from None
    return _zint_matrix(symbol)


def datamatrix(text: str) -> Matrix:
    """A plain (not GS1) DataMatrix: our own labels, e.g. ``LW:LOC:WH-C:A-01-2``."""
    symbol = _symbol(gs1=False)
    try:
        symbol.encode(text)
    except RuntimeError as error:
        raise LabelDataInvalid(reason=_first_line(str(error))) from None
    return _zint_matrix(symbol)


def _first_line(message: str) -> str:
    # zint appends the warning text to the error text; the error alone says it.
    head, sep, _ = message.partition("Warning ")
    return head if sep and head else message


def qr(text: str) -> Matrix:
    code = segno.make_qr(text, error="m")
    return tuple(tuple(bool(v) for v in row) for row in code.matrix)


def svg(matrix: Sequence[Sequence[bool]], quiet: int = 1) -> str:
    """The symbol as SVG sized by its container (viewBox in modules, crisp edges); dark runs
    of a row become one path segment each."""
    size_y = len(matrix) + 2 * quiet
    size_x = (len(matrix[0]) if matrix else 0) + 2 * quiet
    parts: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start + quiet} {y + quiet}h{x - start}v1h{start - x}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size_x} {size_y}" '
        f'shape-rendering="crispEdges"><rect width="{size_x}" height="{size_y}" fill="#fff"/>'
        f'<path d="{"".join(parts)}" fill="#000"/></svg>'
    )
