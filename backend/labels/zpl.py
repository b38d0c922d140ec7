"""Labels as ZPL II for Zebra label printers (203 dpi: 8 dots per mm).

- Lot labels: ``^BX`` Data Matrix, ECC 200, with ``_`` as the escape character: ``_1`` is FNC1
  (first: the symbol is GS1 DataMatrix; later: the separator after a variable-length field)
  and ``_dNNN`` a character by its decimal code (a literal ``_`` in the data is ``_d095``).
- Location labels: ``^BQ`` QR code, model 2, error correction M, automatic mode.
- Text: ``^CI28`` (UTF-8) and ``^FH`` so ``^``, ``~`` and ``\\`` in names cannot end a field.
  Latin text uses the resident font 0; text with Chinese uses ``CJK_FONT``, a TrueType font
  that must be loaded on the printer (Zebra's SimSun/Andale fonts, or any CJK .TTF).
"""

from __future__ import annotations

from typing import Final

from backend.labels.pdf import LAYOUTS, LocationLabel, LotLabel, Size

DOTS_PER_MM: Final = 8
CJK_FONT: Final = "E:SIMSUN.TTF"
_FIXED: Final = frozenset({"01", "17", "11"})


def gs1_field_data(label: LotLabel) -> str:
    """The ``^FD`` data of a GS1 DataMatrix in ``^BX`` with escape character ``_``."""
    elements = label.data.elements()
    out = "_1"
    for index, (ai, value) in enumerate(elements):
        out += ai + value.replace("_", "_d095")
        if ai not in _FIXED and index < len(elements) - 1:
            out += "_1"
    return out


def _hex_escaped(text: str) -> str:
    out = []
    for char in text:
        if char in "^~\\":
            out.append(f"\\{ord(char):02X}")
        else:
            out.append(char)
    return "".join(out)


def _text(x: int, y: int, height: int, text: str, max_width: int) -> str:
    font = "^A0N" if text.isascii() else "^A@N"
    size = f"{height},{height}" if text.isascii() else f"{height},{height},{CJK_FONT}"
    return f"^FO{x},{y}{font},{size}^FB{max_width},1,0,L,0^FH\\^FD{_hex_escaped(text)}^FS"


def _start(size: Size) -> list[str]:
    layout = LAYOUTS[size]
    return [
        "^XA",
        "^CI28",
        f"^PW{layout.width_mm * DOTS_PER_MM}",
        f"^LL{layout.height_mm * DOTS_PER_MM}",
        "^LH0,0",
    ]


def lot_label(label: LotLabel, size: Size = "60x40") -> str:
    layout = LAYOUTS[size]
    dots = DOTS_PER_MM
    left = int((layout.symbol_mm + 5) * dots)
    width = layout.width_mm * dots - left - 2 * dots
    module = 5 if size == "60x40" else 7  # dots per module: 0.6 mm / 0.9 mm
    line = int(layout.line_pt * 0.3528 * dots * 1.3)
    data = label.data
    lines = [
        *_start(size),
        f"^FO{2 * dots},{2 * dots}^BXN,{module},200,,,,_^FD{gs1_field_data(label)}^FS",
        _text(left, 2 * dots, line, label.name, width),
        _text(left, 2 * dots + line, line, label.model, width),
        _text(left, 2 * dots + 2 * line, line, f"LOT {data.lot or '-'}", width),
        _text(
            left,
            2 * dots + 3 * line,
            line,
            f"EXP {data.expiry.isoformat() if data.expiry else '-'}",
            width,
        ),
    ]
    if data.serial:
        lines.append(_text(left, 2 * dots + 4 * line, line, f"SN {data.serial}", width))
    hri_y = layout.height_mm * dots - 2 * dots - line
    lines += [_text(2 * dots, hri_y, int(line * 0.8), data.hri(), layout.width_mm * dots), "^XZ"]
    return "\n".join(lines) + "\n"


def location_label(label: LocationLabel, size: Size = "60x40") -> str:
    layout = LAYOUTS[size]
    dots = DOTS_PER_MM
    left = int((layout.symbol_mm + 5) * dots)
    width = layout.width_mm * dots - left - 2 * dots
    magnification = 5 if size == "60x40" else 7
    big = int(layout.big_pt * 0.3528 * dots * 1.2)
    line = int(layout.line_pt * 0.3528 * dots * 1.3)
    lines = [
        *_start(size),
        f"^FO{2 * dots},{2 * dots}^BQN,2,{magnification}^FDMA,{label.payload}^FS",
        _text(left, 2 * dots, big, label.code, width),
        _text(left, 2 * dots + big, line, label.name, width),
        _text(left, 2 * dots + big + line, line, label.warehouse, width),
        _text(left, 2 * dots + big + 2 * line, line, label.kind, width),
        "^XZ",
    ]
    return "\n".join(lines) + "\n"


def join(labels: list[str]) -> str:
    return "".join(labels)
