"""The delivery note (配送单) of a requisition as a zh-CN PDF (WeasyPrint, CJK fonts as for
labels): product, model, registration number, lot/serial, expiry and quantity of every unit, and
a DataMatrix of ``LW:DOC:REQ:<id>`` (drawn by ``backend.labels.symbols``): scanned on the
handheld's Ward orders, it opens the requisition."""

from __future__ import annotations

from html import escape
from typing import Any

from backend.core import clock
from backend.labels import symbols
from backend.requisitions import words

_CSS = """
@page { size: A4; margin: 14mm 12mm; @bottom-right { content: counter(page) " / " counter(pages);
  font-size: 8pt; } }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
  "WenQuanYi Micro Hei", sans-serif; font-size: 9.5pt; color: #000; }
h1 { font-size: 16pt; margin: 0 0 4mm; }
.head { position: relative; min-height: 26mm; padding-right: 30mm; }
.code { position: absolute; right: 0; top: 0; width: 26mm; text-align: center; }
.code .symbol { width: 22mm; height: 22mm; margin: 0 auto; }
.code svg { width: 100%; height: 100%; display: block; }
.code .hri { font-family: "DejaVu Sans Mono", monospace; font-size: 6.5pt; }
.meta { width: 100%; margin-bottom: 4mm; }
.meta td { padding: 1mm 2mm 1mm 0; }
table.units { width: 100%; border-collapse: collapse; }
table.units th, table.units td { border: 0.3mm solid #444; padding: 1.2mm 1.5mm; text-align: left; }
table.units th { background: #eee; }
td.n { text-align: right; }
.sign { margin-top: 12mm; width: 100%; }
.sign td { padding-top: 8mm; width: 33%; }
"""


def _text(value: Any) -> str:
    return "-" if value is None or value == "" else escape(str(value))


def barcode(requisition_id: int) -> str:
    """What the note's symbol carries (``backend/scanning/decoding/internal.py`` reads it)."""
    return f"LW:DOC:REQ:{int(requisition_id)}"


def html(data: dict[str, Any]) -> str:
    """``data`` as ``fulfilling.delivery`` answers it."""
    req = data["requisition_row"]
    rows = "".join(
        "<tr>"
        f"<td>{n}</td><td>{_text(u['product_name'])}<br><small>{_text(u['product_code'])}</small></td>"
        f"<td>{_text(u['model'])}</td><td>{_text(u['registration_no'])}</td>"
        f"<td>{_text(u['lot_number'])}</td><td>{_text(u['serial_number'])}</td>"
        f"<td>{_text(u['expiry'])}</td><td class='n'>{int(u['quantity'])}</td>"
        f"<td>{_text(u['base_unit'])}</td></tr>"
        for n, u in enumerate(data["units"], start=1)
    )
    total = sum(int(u["quantity"]) for u in data["units"])
    payload = barcode(req["id"])
    symbol = symbols.svg(symbols.datamatrix(payload))
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<style>{_CSS}</style></head><body>"
        f"<div class='head'><div class='code'><div class='symbol'>{symbol}</div>"
        f"<div class='hri'>{escape(payload)}</div></div>"
        f"<h1>医疗器械配送单 REQ-{int(req['id'])}</h1>"
        "<table class='meta'>"
        f"<tr><td>请领科室：{_text(data['department_name'])}（{_text(data['department_code'])}）</td>"
        f"<td>发货库房：{_text(data['warehouse_name'])}（{_text(data['warehouse_code'])}）</td></tr>"
        f"<tr><td>申请人：{_text(req['requested_by_name'])}</td>"
        f"<td>紧急程度：{_text(words.urgency(req['urgency'], 'zh-CN'))}　"
        f"状态：{_text(words.status(req['status'], 'zh-CN'))}</td></tr>"
        f"<tr><td>提交时间：{_text(str(req['submitted_at'])[:16])}</td>"
        f"<td>打印时间：{clock.now().astimezone(clock.site_zone()):%Y-%m-%d %H:%M}</td></tr>"
        "</table></div><table class='units'><thead><tr><th>#</th><th>品名</th><th>规格型号</th>"
        "<th>注册证号</th><th>批号</th><th>序列号</th><th>有效期至</th><th>数量</th><th>单位</th>"
        f"</tr></thead><tbody>{rows}</tbody>"
        f"<tfoot><tr><td colspan='7'>合计</td><td class='n'>{total}</td><td></td></tr></tfoot>"
        "</table><table class='sign'><tr><td>发货人：</td><td>配送人：</td><td>签收人：</td></tr>"
        "</table></body></html>"
    )


def render(data: dict[str, Any]) -> bytes:
    """Blocking (a few hundred milliseconds): call it in a worker thread."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html(data)).write_pdf()
    return pdf
