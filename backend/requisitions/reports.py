"""Requisition figures: fill rate, lead time from request to delivery, back-order rate, and
consumption per department per month against its budget; as rows, CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from backend.core import clock, db
from backend.core.actor import Actor
from backend.requisitions import rules
from backend.stock.reasons import Reason

REPORTS = ("fill-rate", "lead-time", "back-orders", "consumption")


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    zone = clock.site_zone()
    return (
        datetime.combine(start, time.min, zone),
        datetime.combine(end + timedelta(days=1), time.min, zone),
    )


def _scope(actor: Actor, column: str) -> tuple[str, list[Any]]:
    if actor.all_scopes:
        return "", []
    depts = sorted(actor.department_ids) or [-1]
    whs = sorted(actor.warehouse_ids) or [-1]
    return (
        f" AND ({column} IN ({', '.join('{}' for _ in depts)}) OR d.warehouse IN "
        f"({', '.join('{}' for _ in whs)}))",
        [*depts, *whs],
    )


async def fill_rate(actor: Actor, start: date, end: date) -> list[dict[str, Any]]:
    """Per department, requisitions submitted in the window: units requested, approved,
    received; fill rate = received / requested."""
    since, until = _window(start, end)
    scope, args = _scope(actor, "r.department")
    rows = await db.fetch(
        "SELECT d.code AS department, d.name AS department_name, "
        "COUNT(DISTINCT r.id) AS requisitions, SUM(rl.quantity) AS requested, "
        "SUM(COALESCE(rl.approved_quantity, 0)) AS approved, "
        "SUM(rl.received_quantity) AS received "
        "FROM requisition r JOIN requisition_line rl ON rl.requisition = r.id "
        "JOIN department d ON d.id = r.department "
        "WHERE r.submitted_at >= {} AND r.submitted_at < {} AND r.status NOT IN ('cancelled')"
        f"{scope} GROUP BY d.code, d.name ORDER BY d.code",
        since,
        until,
        *args,
    )
    out = []
    for r in rows:
        requested, received = int(r["requested"] or 0), int(r["received"] or 0)
        fill = rules.fill_rate(requested, received)
        out.append(
            {
                "department": r["department"],
                "department_name": r["department_name"],
                "requisitions": int(r["requisitions"]),
                "requested": requested,
                "approved": int(r["approved"] or 0),
                "received": received,
                "fill_rate": None if fill is None else round(fill, 4),
            }
        )
    return out


def _when(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def lead_time(actor: Actor, start: date, end: date) -> list[dict[str, Any]]:
    """Per department, requisitions delivered in the window: hours from submission to
    delivery at the ward (mean, median, longest)."""
    since, until = _window(start, end)
    scope, args = _scope(actor, "r.department")
    rows = await db.fetch(
        "SELECT d.code AS department, r.submitted_at, r.delivered_at FROM requisition r "
        "JOIN department d ON d.id = r.department "
        "WHERE r.delivered_at >= {} AND r.delivered_at < {} AND r.submitted_at IS NOT NULL"
        f"{scope} ORDER BY d.code",
        since,
        until,
        *args,
    )
    hours: dict[str, list[float]] = {}
    for r in rows:
        hours.setdefault(r["department"], []).append(
            rules.lead_hours(_when(r["submitted_at"]), _when(r["delivered_at"]))
        )
    out = []
    for department, values in sorted(hours.items()):
        figures = rules.lead_time_summary(values)
        out.append(
            {
                "department": department,
                "requisitions": len(values),
                "mean_hours": figures["mean"],
                "median_hours": figures["median"],
                "max_hours": figures["max"],
            }
        )
    return out


async def back_orders(actor: Actor, start: date, end: date) -> list[dict[str, Any]]:
    """Per department: approved lines and units, those back-ordered, the back-order rate
    (lines with a back-order / approved lines) and open back-orders."""
    since, until = _window(start, end)
    scope, args = _scope(actor, "r.department")
    rows = await db.fetch(
        "SELECT d.code AS department, COUNT(*) AS lines, "
        "SUM(rl.approved_quantity) AS units, "
        "SUM(CASE WHEN EXISTS (SELECT 1 FROM back_order b WHERE b.requisition_line = rl.id) "
        "THEN 1 ELSE 0 END) AS lines_back_ordered, "
        "SUM((SELECT COALESCE(SUM(b.quantity), 0) FROM back_order b "
        "WHERE b.requisition_line = rl.id AND b.cause <> 'still_short')) AS units_back_ordered, "
        "SUM((SELECT COALESCE(SUM(b.quantity), 0) FROM back_order b "
        "WHERE b.requisition_line = rl.id AND b.status = 'open')) AS units_open "
        "FROM requisition r JOIN requisition_line rl ON rl.requisition = r.id "
        "JOIN department d ON d.id = r.department "
        "WHERE r.submitted_at >= {} AND r.submitted_at < {} AND rl.approved_quantity > 0"
        f"{scope} GROUP BY d.code ORDER BY d.code",
        since,
        until,
        *args,
    )
    out = []
    for r in rows:
        lines, hit = int(r["lines"]), int(r["lines_back_ordered"] or 0)
        back_rate = rules.rate(hit, lines)
        out.append(
            {
                "department": r["department"],
                "approved_lines": lines,
                "approved_units": int(r["units"] or 0),
                "lines_back_ordered": hit,
                "units_back_ordered": int(r["units_back_ordered"] or 0),
                "units_open": int(r["units_open"] or 0),
                "back_order_rate": None if back_rate is None else round(back_rate, 4),
            }
        )
    return out


def _site_month(column: str) -> str:
    """YYYY-MM of a timestamp in the site's time zone (budgets are per local month)."""
    zone = clock.site_zone()
    if db.is_sqlite():
        offset = clock.now().astimezone(zone).utcoffset() or timedelta()
        return f"strftime('%Y-%m', {column}, '{int(offset.total_seconds() // 60):+d} minutes')"
    return f"to_char({column} AT TIME ZONE '{zone.key}', 'YYYY-MM')"


async def consumption(actor: Actor, start: date, end: date) -> list[dict[str, Any]]:
    """Per department and month: units used at the point of use (the ledger's consume
    entries), their value at unit cost, the month's budget and the share of it used."""
    since, until = _window(start, end)
    month = _site_month("e.at")
    scope, args = _scope(actor, "loc.department")
    rows = await db.fetch(
        f"SELECT d.id AS department_id, d.code AS department, {month} AS period, "
        "-SUM(e.quantity) AS units, -SUM(e.quantity * p.unit_cost) AS value "
        "FROM stock_ledger e JOIN location loc ON loc.id = e.location "
        "JOIN department d ON d.id = loc.department JOIN product p ON p.id = e.product "
        "WHERE e.reason = {} AND e.at >= {} AND e.at < {}"
        f"{scope} GROUP BY d.id, d.code, {month} ORDER BY d.code, {month}",
        int(Reason.consume),
        since,
        until,
        *args,
    )
    budgets = {
        (int(b["department"]), str(b["period"])): int(b["amount"])
        for b in await db.fetch("SELECT department, period, amount FROM department_budget")
    }
    out = []
    for r in rows:
        budget = budgets.get((int(r["department_id"]), str(r["period"])))
        value = int(r["value"] or 0)
        share = rules.rate(value, budget) if budget else None
        out.append(
            {
                "department": r["department"],
                "period": r["period"],
                "units": int(r["units"] or 0),
                "value": value,
                "budget": budget,
                "budget_used": None if share is None else round(share, 4),
            }
        )
    return out


async def run(name: str, actor: Actor, start: date, end: date) -> list[dict[str, Any]]:
    functions = {
        "fill-rate": fill_rate,
        "lead-time": lead_time,
        "back-orders": back_orders,
        "consumption": consumption,
    }
    return await functions[name](actor, start, end)


def to_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    # A BOM so that spreadsheet programs open the Chinese names as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[dict[str, Any]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    if rows:
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append(list(row.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
