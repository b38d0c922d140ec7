"""FEFO/FIFO allocation against the database: candidates read in allocation order (one round
trip for every product of a document), the pure rule decides, reservations are conditional."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from backend.core import db
from backend.core.db import fetch as fetch_rows
from backend.stock import ledger, rules

PICK_FROM_KINDS = ("storage",)
"""A warehouse picks from storage; ward cabinets are not a warehouse's stock to give away."""

FIRST_READ = 16
"""Candidate rows read per product at first; a product that needs more is read again."""


@dataclass(frozen=True, slots=True)
class Want:
    line: int
    product: int
    quantity: int
    method: str
    """fefo or fifo, from the product."""


@dataclass(frozen=True, slots=True)
class Planned:
    line: int
    product: int
    candidate: rules.Candidate
    quantity: int


def _when(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


_SCAN = (
    "SELECT b.id AS balance_id, b.product, b.lot, b.serial, b.location, b.expiry, "
    "b.received_at, b.on_hand - b.reserved AS available FROM stock_balance b "
    "WHERE b.product = PRODUCT AND b.on_hand > b.reserved "
)
_TAIL = "b.lot, b.location, b.id"


def _scans(product: str, method: str, limit: int) -> list[tuple[str, int]]:
    """Ordered index scans of one product's balances with something available, each stopping
    after ``limit`` rows: (SQL, how many ``today`` parameters it takes). FEFO reads the dated
    ones from today on, then the undated; FIFO reads by first receipt."""
    scan = _SCAN.replace("PRODUCT", product)
    if method == "fifo":
        return [(scan + f"ORDER BY b.received_at, {_TAIL} LIMIT {int(limit)}", 0)]
    return [
        (
            scan + f"AND b.expiry >= {{}} ORDER BY b.expiry, b.received_at, {_TAIL} "
            f"LIMIT {int(limit)}",
            1,
        ),
        (scan + f"AND b.expiry IS NULL ORDER BY b.received_at, {_TAIL} LIMIT {int(limit)}", 0),
    ]


def _usable() -> str:
    """The one availability predicate over each scanned row, plus "in this warehouse's pick
    locations"; rows that fail it are returned too, so a scan that read ``limit`` rows is known
    to have more behind it."""
    kinds = ", ".join(f"'{k}'" for k in PICK_FROM_KINDS if k in rules.AVAILABLE_LOCATION_KINDS)
    return (
        f"CASE WHEN loc.warehouse = {{}} AND loc.kind IN ({kinds}) AND "
        f"{rules.available_sql('l', 'loc', 's')} THEN 1 ELSE 0 END AS usable"
    )


async def candidates(
    wants: Mapping[int, str], warehouse: int, today: date, limit: int
) -> tuple[dict[int, list[rules.Candidate]], dict[int, int]]:
    """Available stock of each product (product → method) in the warehouse's pick locations, in
    allocation order, read in one round trip; and how many rows each product's scans read.

    PostgreSQL: LATERAL scans over the product arrays, the same text for any number of
    products, so the statement is planned once per connection. SQLite: one UNION ALL member
    per product and scan."""
    if not wants:
        return {}, {}
    args: list[Any] = [warehouse, today]
    if not db.is_sqlite():
        members: list[str] = []
        for method in ("fefo", "fifo"):
            products = [p for p, m in wants.items() if (m == "fifo") == (method == "fifo")]
            scans = _scans("w.product", method, limit)
            inner = " UNION ALL ".join(f"({sql})" for sql, _n in scans)
            members.append(
                f"(SELECT s{len(members)}.* FROM unnest(CAST({{}} AS BIGINT[])) AS w(product) "
                f"CROSS JOIN LATERAL ({inner}) AS s{len(members)})"
            )
            args.append(products)
            args += [today for _sql, n in scans for _ in range(n)]
        scanned = " UNION ALL ".join(members)
    else:
        parts: list[str] = []
        for product, method in wants.items():
            for sql, n in _scans("{}", method, limit):
                parts.append(f"SELECT * FROM ({sql})")
                args += [product] + [today] * n
        scanned = " UNION ALL ".join(parts)
    rows = await fetch_rows(
        f"SELECT c.*, {_usable()} FROM ({scanned}) AS c JOIN lot l ON l.id = c.lot "
        "JOIN location loc ON loc.id = c.location LEFT JOIN serial_number s ON s.id = c.serial",
        *args,
    )
    out: dict[int, list[rules.Candidate]] = {p: [] for p in wants}
    read: dict[int, int] = dict.fromkeys(wants, 0)
    for r in rows:
        read[r["product"]] += 1
        if not r["usable"]:
            continue
        out[r["product"]].append(
            rules.Candidate(
                balance_id=r["balance_id"],
                lot_id=r["lot"],
                serial_id=r["serial"],
                location_id=r["location"],
                expiry=_day(r["expiry"]),
                received_at=_when(r["received_at"]),
                available=int(r["available"]),
            )
        )
    return out, read


def plan(
    wants: Sequence[Want], stock: Mapping[int, list[rules.Candidate]]
) -> tuple[list[Planned], dict[int, int]]:
    """Allocate line by line (several lines of one product share its stock); returns what to
    reserve and each line's shortfall."""
    left: dict[int, int] = {}
    planned: list[Planned] = []
    short: dict[int, int] = {}
    for want in wants:
        pool = [
            rules.Candidate(
                c.balance_id,
                c.lot_id,
                c.serial_id,
                c.location_id,
                c.expiry,
                c.received_at,
                left.get(c.balance_id, c.available),
            )
            for c in stock.get(want.product, [])
        ]
        result = rules.allocate(pool, want.quantity, want.method)
        for take in result.takes:
            bid = take.candidate.balance_id
            left[bid] = left.get(bid, take.candidate.available) - take.quantity
            planned.append(Planned(want.line, want.product, take.candidate, take.quantity))
        if result.short:
            short[want.line] = result.short
    return planned, short


async def reserve_plan(planned: Sequence[Planned]) -> set[int]:
    """Reserve every planned quantity; returns the balances that could not be reserved (taken
    meanwhile by someone else). Rows are locked in id order first on PostgreSQL, so two
    allocations touching the same balances queue instead of deadlocking."""
    per_balance: dict[int, int] = {}
    for p in planned:
        per_balance[p.candidate.balance_id] = (
            per_balance.get(p.candidate.balance_id, 0) + p.quantity
        )
    if not per_balance:
        return set()
    ids = sorted(per_balance)
    if not db.is_sqlite():
        await fetch_rows(
            "SELECT id FROM stock_balance WHERE id = ANY(CAST({} AS BIGINT[])) "
            "ORDER BY id FOR UPDATE",
            ids,
        )
    done = await ledger.reserve({i: per_balance[i] for i in ids})
    return set(ids) - done


async def allocate(
    wants: Sequence[Want], warehouse: int, today: date
) -> tuple[list[Planned], dict[int, int]]:
    """Plan and reserve. A product whose scan stopped at its limit while still short is read
    again, alone, with a larger limit; what a concurrent allocation took meanwhile is planned
    again from fresh candidates. Returns the reservations made and each line's shortfall."""
    need = {w.line: w.quantity for w in wants}
    reserved: list[Planned] = []
    methods = {w.product: w.method for w in wants}
    stock, read = await candidates(methods, warehouse, today, FIRST_READ)
    limit = dict.fromkeys(methods, FIRST_READ)
    for _attempt in range(16):
        remaining = [
            Want(w.line, w.product, need[w.line], w.method) for w in wants if need[w.line] > 0
        ]
        if not remaining:
            return reserved, {}
        planned, short = plan(remaining, stock)
        starved = {
            w.product
            for w in remaining
            if w.line in short and read[w.product] >= limit[w.product] and limit[w.product] < 10**6
        }
        if starved:
            wider = max(limit[p] for p in starved) * 16
            more, more_read = await candidates(
                {p: methods[p] for p in starved}, warehouse, today, wider
            )
            stock.update(more)
            read.update(more_read)
            limit.update(dict.fromkeys(starved, wider))
            continue
        failed = await reserve_plan(planned)
        for p in planned:
            if p.candidate.balance_id not in failed:
                reserved.append(p)
                need[p.line] -= p.quantity
        if not failed:
            return reserved, short
        # Someone took stock meanwhile: read the products still needed afresh.
        again = {w.product: w.method for w in wants if need[w.line] > 0}
        stock, read = await candidates(again, warehouse, today, FIRST_READ)
        limit = dict.fromkeys(again, FIRST_READ)
    raise RuntimeError("allocation kept losing races; giving up")
