"""Reading stock: balances by product, warehouse, location or lot with available and reserved;
a lot's page with its ledger; the where-used trace of a lot or serial."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.core import clock
from backend.core.actor import Actor
from backend.core.db import fetch as fetch_rows
from backend.core.errors import NotFound
from backend.stock import lookups, rules
from backend.stock.reasons import Reason


def _scope(actor: Actor, alias: str = "loc") -> tuple[str, list[Any]]:
    """Stock in the actor's warehouses, and in the ward cabinets of the actor's departments."""
    if actor.all_scopes:
        return "", []
    ids = sorted(actor.warehouse_ids) or [-1]
    departments = sorted(actor.department_ids) or [-1]
    return (
        f" AND ({alias}.warehouse IN ({', '.join('{}' for _ in ids)})"
        f" OR {alias}.department IN ({', '.join('{}' for _ in departments)}))",
        [*ids, *departments],
    )


@dataclass(frozen=True, slots=True)
class StockFilter:
    product: int | None = None
    warehouse: int | None = None
    location: int | None = None
    lot: int | None = None
    include_empty: bool = False


def _where(actor: Actor, f: StockFilter) -> tuple[str, list[Any]]:
    clauses = ["1 = 1"]
    args: list[Any] = []
    for column, value in (
        ("b.product", f.product),
        ("loc.warehouse", f.warehouse),
        ("b.location", f.location),
        ("b.lot", f.lot),
    ):
        if value is not None:
            clauses.append(f"{column} = {{}}")
            args.append(value)
    if not f.include_empty:
        clauses.append("b.on_hand > 0")
    scope, scope_args = _scope(actor)
    return " AND ".join(clauses) + scope, args + scope_args


_AVAILABLE = "CASE WHEN {available} THEN b.on_hand - b.reserved ELSE 0 END"


def _available_expr() -> str:
    return _AVAILABLE.format(available=rules.available_sql("l", "loc", "s"))


async def balances(
    actor: Actor, f: StockFilter, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Balance rows with ``available`` (by the one predicate) beside on_hand and reserved."""
    where, args = _where(actor, f)
    today = clock.today()
    base = (
        "FROM stock_balance b JOIN lot l ON l.id = b.lot JOIN location loc ON loc.id = b.location "
        "JOIN product p ON p.id = b.product LEFT JOIN serial_number s ON s.id = b.serial "
        f"WHERE {where}"
    )
    rows = await fetch_rows(
        "SELECT b.id, b.product, p.code AS product_code, p.name AS product_name, p.model, "
        "b.location, loc.code AS location_code, loc.kind AS location_kind, loc.warehouse, "
        "b.lot, l.lot_number, l.expiry, l.status AS lot_status, b.serial, "
        "s.serial AS serial_number, s.status AS serial_status, b.on_hand, b.reserved, "
        f"{_available_expr()} AS available {base} "
        f"ORDER BY p.code, l.expiry, l.lot_number, loc.code, b.id LIMIT {int(limit)} "
        f"OFFSET {int(offset)}",
        today,
        *args,
    )
    total = await fetch_rows(f"SELECT COUNT(*) AS n {base}", *args)
    return rows, int(total[0]["n"])


async def totals(actor: Actor, f: StockFilter, group: str) -> list[dict[str, Any]]:
    """On hand, reserved and available summed per product, warehouse, location or lot."""
    keys = {
        "product": ("b.product", "p.code", "p.name"),
        "warehouse": ("loc.warehouse", "w.code", "w.name"),
        "location": ("b.location", "loc.code", "loc.name"),
        "lot": ("b.lot", "l.lot_number", "p.code"),
    }[group]
    where, args = _where(actor, f)
    rows = await fetch_rows(
        f"SELECT {keys[0]} AS id, {keys[1]} AS code, {keys[2]} AS name, "
        "SUM(b.on_hand) AS on_hand, SUM(b.reserved) AS reserved, "
        f"SUM({_available_expr()}) AS available "
        "FROM stock_balance b JOIN lot l ON l.id = b.lot JOIN location loc ON loc.id = b.location "
        "JOIN warehouse w ON w.id = loc.warehouse JOIN product p ON p.id = b.product "
        f"LEFT JOIN serial_number s ON s.id = b.serial WHERE {where} "
        f"GROUP BY {keys[0]}, {keys[1]}, {keys[2]} ORDER BY {keys[1]} LIMIT 1000",
        clock.today(),
        *args,
    )
    return rows


async def ledger_of(
    *,
    lot: int | None = None,
    serial: int | None = None,
    location: int | None = None,
    limit: int = 100,
    before: int | None = None,
) -> list[dict[str, Any]]:
    """Ledger entries newest first, keyset-paged by id (``before``)."""
    column, value = next(
        (c, v)
        for c, v in (("lot", lot), ("serial", serial), ("location", location))
        if v is not None
    )
    args: list[Any] = [value]
    page = ""
    if before is not None:
        page = " AND e.id < {}"
        args.append(before)
    rows = await fetch_rows(
        "SELECT e.*, loc.code AS location_code, loc.warehouse, loc.kind AS location_kind "
        "FROM stock_ledger e JOIN location loc ON loc.id = e.location "
        f"WHERE e.{column} = {{}}{page} ORDER BY e.id DESC LIMIT {int(limit)}",
        *args,
    )
    for r in rows:
        r["reason_name"] = Reason(r["reason"]).name
    return rows


async def lot_page(actor: Actor, lot_id: int, *, ledger_limit: int = 100) -> dict[str, Any]:
    lot = await lookups.lot(lot_id)
    product = await lookups.product(actor, lot["product"])
    history = await fetch_rows("SELECT * FROM lot_status_event WHERE lot = {} ORDER BY id", lot_id)
    stock, _total = await balances(actor, StockFilter(lot=lot_id), limit=200, offset=0)
    return {
        "lot": lot,
        "product": {
            k: product[k] for k in ("id", "code", "name", "model", "tracking", "registration_no")
        },
        "expired": rules.is_expired(lot["expiry"], clock.today()),
        "status_history": history,
        "stock": stock,
        "ledger": await ledger_of(lot=lot_id, limit=ledger_limit),
    }


async def trace(
    actor: Actor, *, lot: int | None = None, serial: int | None = None
) -> dict[str, Any]:
    """Where-used: where the lot (or serial) is now, and every warehouse, department and
    customer it went to, with quantities and first and last times."""
    if (lot is None) == (serial is None):
        raise ValueError("trace a lot or a serial")
    column, value = ("serial", serial) if serial is not None else ("lot", lot)
    if serial is not None:
        lot_id = int((await lookups.serial(serial))["lot"])
    else:
        lot_id = int((await lookups.lot(lot or 0))["id"])
    now_rows = await fetch_rows(
        "SELECT b.location, loc.code AS location_code, loc.kind AS location_kind, "
        "loc.warehouse, loc.department, b.serial, SUM(b.on_hand) AS on_hand, "
        "SUM(b.reserved) AS reserved FROM stock_balance b JOIN location loc ON loc.id = b.location "
        f"WHERE b.{column} = {{}} AND b.on_hand > 0 "
        "GROUP BY b.location, loc.code, loc.kind, loc.warehouse, loc.department, b.serial "
        "ORDER BY loc.code",
        value,
    )
    # Arrivals from outside: a receipt, a delivery at the end of a transfer, a ward's return.
    # Moves inside a warehouse (putaway, transfer, quarantine) are not "went to".
    inbound = (int(Reason.receipt), int(Reason.transit_receive_in), int(Reason.return_in))
    marks = ", ".join("{}" for _ in inbound)
    went = await fetch_rows(
        "SELECT loc.warehouse, w.code AS warehouse_code, loc.department, "
        "d.code AS department_code, d.name AS department_name, SUM(e.quantity) AS quantity, "
        "MIN(e.at) AS first_at, MAX(e.at) AS last_at "
        "FROM stock_ledger e JOIN location loc ON loc.id = e.location "
        "JOIN warehouse w ON w.id = loc.warehouse LEFT JOIN department d ON d.id = loc.department "
        f"WHERE e.{column} = {{}} AND e.quantity > 0 AND e.reason IN ({marks}) "
        "GROUP BY loc.warehouse, w.code, loc.department, d.code, d.name "
        "ORDER BY MIN(e.at)",
        value,
        *inbound,
    )
    customers = await fetch_rows(
        "SELECT t.to_customer AS customer, -SUM(e.quantity) AS quantity, MIN(e.at) AS first_at, "
        "MAX(e.at) AS last_at FROM stock_ledger e "
        "JOIN transfer_order t ON t.id = e.document_id "
        f"WHERE e.{column} = {{}} AND e.reason = {{}} AND e.document_type = 'transfer_order' "
        "GROUP BY t.to_customer ORDER BY MIN(e.at)",
        value,
        int(Reason.issue_customer),
    )
    warehouses = [
        {
            "warehouse": r["warehouse"],
            "code": r["warehouse_code"],
            "quantity": r["quantity"],
            "first_at": r["first_at"],
            "last_at": r["last_at"],
        }
        for r in _merge_by(went, "warehouse")
        if r["department"] is None
    ]
    departments = [
        {
            "department": r["department"],
            "code": r["department_code"],
            "name": r["department_name"],
            "quantity": r["quantity"],
            "first_at": r["first_at"],
            "last_at": r["last_at"],
        }
        for r in went
        if r["department"] is not None
    ]
    if not actor.all_scopes:
        now_rows = [r for r in now_rows if actor.sees_warehouse(r["warehouse"])]
    return {
        "lot": lot_id,
        "serial": serial,
        "now": now_rows,
        "warehouses": warehouses,
        "departments": departments,
        "customers": customers,
    }


def _merge_by(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Warehouse totals over its non-department locations."""
    merged: dict[Any, dict[str, Any]] = {}
    for r in rows:
        if r["department"] is not None:
            continue
        m = merged.setdefault(r[key], {**r, "quantity": 0})
        m["quantity"] += r["quantity"]
        m["first_at"] = min(m["first_at"], r["first_at"])
        m["last_at"] = max(m["last_at"], r["last_at"])
    return list(merged.values())


async def serials(product: int | None, serial: str | None, lot: int | None) -> list[dict[str, Any]]:
    clauses: list[str] = ["1 = 1"]
    args: list[Any] = []
    for column, value in (("product", product), ("serial", serial), ("lot", lot)):
        if value is not None:
            clauses.append(f"{column} = {{}}")
            args.append(value)
    rows = await fetch_rows(
        f"SELECT * FROM serial_number WHERE {' AND '.join(clauses)} ORDER BY id LIMIT 200", *args
    )
    return rows


async def lots(
    *, product: int | None, lot_number: str | None, status: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    clauses: list[str] = ["1 = 1"]
    args: list[Any] = []
    for column, value in (("product", product), ("lot_number", lot_number), ("status", status)):
        if value is not None:
            clauses.append(f"{column} = {{}}")
            args.append(value)
    where = " AND ".join(clauses)
    rows = await fetch_rows(
        f"SELECT * FROM lot WHERE {where} ORDER BY id DESC LIMIT {int(limit)} OFFSET {int(offset)}",
        *args,
    )
    total = await fetch_rows(f"SELECT COUNT(*) AS n FROM lot WHERE {where}", *args)
    return rows, int(total[0]["n"])


def check_not_found(row: dict[str, Any] | None, entity: str, key: object) -> dict[str, Any]:
    if row is None:
        raise NotFound(entity=entity, key=key)
    return row
