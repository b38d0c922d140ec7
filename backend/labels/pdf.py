"""Labels as PDF: HTML from the templates beside this file, symbols inline as SVG, WeasyPrint.

One page per label at the label's own size, so a label printer's driver (or a laser printer on
label sheets) prints it 1:1. Chinese text needs a CJK font on the server (Debian
``fonts-noto-cjk``); WeasyPrint finds it through fontconfig.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from string import Template
from typing import Final, Literal

from backend.labels import symbols

Size = Literal["60x40", "100x50"]
TEMPLATES: Final = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True, slots=True)
class Layout:
    width_mm: int
    height_mm: int
    symbol_mm: float
    name_pt: float
    line_pt: float
    big_pt: float
    hri_pt: float


LAYOUTS: Final[dict[str, Layout]] = {
    "60x40": Layout(60, 40, 26, 8, 7.5, 16, 6),
    "100x50": Layout(100, 50, 36, 12, 10, 26, 8),
}


@dataclass(frozen=True, slots=True)
class LotLabel:
    name: str
    model: str
    data: symbols.Gs1Data


@dataclass(frozen=True, slots=True)
class LocationLabel:
    code: str
    name: str
    warehouse: str
    kind: str
    payload: str
    """What the symbol carries, e.g. LW:LOC:WH-C:A-01-2."""
    symbol: Literal["qr", "datamatrix"] = "qr"


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _css(size: Size) -> str:
    layout = LAYOUTS[size]
    return _template("base.css").substitute(
        width=f"{layout.width_mm}mm",
        height=f"{layout.height_mm}mm",
        symbol=f"{layout.symbol_mm}mm",
        text_left=f"{layout.symbol_mm + 5}mm",
        name_pt=f"{layout.name_pt}pt",
        line_pt=f"{layout.line_pt}pt",
        big_pt=f"{layout.big_pt}pt",
        hri_pt=f"{layout.hri_pt}pt",
    )


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "-"


def lot_html(label: LotLabel) -> str:
    data = label.data
    return _template("lot.html").substitute(
        symbol=symbols.svg(symbols.gs1_datamatrix(data)),
        name=escape(label.name),
        model=escape(label.model),
        lot=escape(data.lot or "-"),
        expiry=_date(data.expiry),
        serial_line=f'<span class="k">SN</span>{escape(data.serial)}' if data.serial else "",
        hri=escape(data.hri()),
    )


def location_html(label: LocationLabel) -> str:
    matrix = (
        symbols.qr(label.payload) if label.symbol == "qr" else symbols.datamatrix(label.payload)
    )
    return _template("location.html").substitute(
        symbol=symbols.svg(matrix, quiet=2 if label.symbol == "qr" else 1),
        code=escape(label.code),
        name=escape(label.name),
        warehouse=escape(label.warehouse),
        kind=escape(label.kind),
        payload=escape(label.payload),
    )


def document(pages: Sequence[str], size: Size) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<style>{_css(size)}</style></head><body>{''.join(pages)}</body></html>"
    )


def render(html: str) -> bytes:
    """Blocking (tens of milliseconds per label): call it in a worker thread."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf
