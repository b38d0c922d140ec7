"""FEFO/FIFO allocation against the database: candidates read in allocation order (one round
trip for every product of a document), the pure rule decides, reservations are conditional."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from backend.core import db
from backend.stock import ledger, rules
from backend.stock.sql import fetch as fetch_rows

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


def _order(method: str) -> str:
    if method == "fifo":
        return "b.received_at, b.lot, b.location, b.id"
    return "b.expiry ASC NULLS LAST, b.received_at, b.lot, b.location, b.id"


def _candidate_rows(alias: str) -> str:
    kinds = ", ".join(f"'{k}'" for k in PICK_FROM_KINDS if k in rules.AVAILABLE_LOCATION_KINDS)
    return (
        "SELECT b.id AS balance_id, b.product, b.lot, b.serial, b.location, b.expiry, "
        "b.received_at, b.on_hand - b.reserved AS available "
        "FROM stock_balance b JOIN lot l ON l.id = b.lot "
        "JOIN location loc ON loc.id = b.location "
        "LEFT JOIN serial_number s ON s.id = b.serial "
        f"WHERE b.product = {alias} AND b.on_hand > b.reserved AND loc.warehouse = {{}} "
        f"AND loc.kind IN ({kinds}) AND {rules.available_sql('l', 'loc', 's')} "
    )


async def candidates(
    wants: Mapping[int, str], warehouse: int, today: date, limit: int
) -> dict[int, list[rules.Candidate]]:
    """Available stock of each product (product → method) in the warehouse's pick locations,
    first ``limit`` rows per product in allocation order, in one round trip.

    PostgreSQL: one LATERAL query over the product array, the same text for any number of
    products, so it is planned once per connection. SQLite: a UNION ALL of one subquery per
    product (its planning is cheap)."""
    if not wants:
        return {}
    if not db.is_sqlite():
        fefo = [p for p, method in wants.items() if method != "fifo"]
        fifo = [p for p, method in wants.items() if method == "fifo"]
        # The expiry bound on the balance's own copy lets the index scan start at today.
        lateral = (
            "SELECT c.* FROM unnest(CAST({} AS BIGINT[])) AS w(product) CROSS JOIN LATERAL ("
            + _candidate_rows("w.product")
            + "AND (b.expiry IS NULL OR b.expiry >= {}) ORDER BY {order} "
            + f"LIMIT {int(limit)}) AS c"
        )
        rows = await fetch_rows(
            lateral.replace("{order}", _order("fefo"))
            + " UNION ALL "
            + lateral.replace("{order}", _order("fifo")),
            fefo,
            warehouse,
            today,
            today,
            fifo,
            warehouse,
            today,
            today,
        )
    else:
        parts: list[str] = []
        args: list[Any] = []
        for product, method in wants.items():
            parts.append(
                f"SELECT * FROM ({_candidate_rows('{}')}"
                f"ORDER BY {_order(method)} LIMIT {int(limit)}) AS c{len(parts)}"
            )
            args += [product, warehouse, today]
        rows = await fetch_rows(" UNION ALL ".join(parts), *args)
    out: dict[int, list[rules.Candidate]] = {p: [] for p in wants}
    for r in rows:
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
    return out


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
    """Plan and reserve; what a concurrent allocation took meanwhile is planned again from
    fresh candidates. Returns the reservations made and each line's shortfall."""
    need = {w.line: w.quantity for w in wants}
    reserved: list[Planned] = []
    limit = FIRST_READ
    for _attempt in range(10):
        remaining = [
            Want(w.line, w.product, need[w.line], w.method) for w in wants if need[w.line] > 0
        ]
        if not remaining:
            return reserved, {}
        methods = {w.product: w.method for w in remaining}
        stock = await candidates(methods, warehouse, today, limit)
        planned, short = plan(remaining, stock)
        # A product whose every candidate row was read and still falls short may have more.
        if limit < 1_000_000 and any(
            w.line in short and len(stock[w.product]) >= limit for w in remaining
        ):
            limit *= 16
            continue
        failed = await reserve_plan(planned)
        for p in planned:
            if p.candidate.balance_id not in failed:
                reserved.append(p)
                need[p.line] -= p.quantity
        if not failed:
            return reserved, short
    raise RuntimeError("allocation kept losing races; giving up")
