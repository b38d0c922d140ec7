"""FEFO/FIFO allocation against the database: the candidates of every product of a document in
one statement, already cut to what the document needs; the pure rule decides; the reservations
are one conditional statement.

The candidate statement reads each product's balances with something available in allocation
order straight from an index (FEFO: dated from today on; FIFO: by first receipt), each scan
stopping after a few rows, and keeps the usable ones, and of those, by a running sum per
product, only the rows needed to cover what the document asks of that product. A product whose
first rows do not cover it is read again without the stop, FEFO with its undated stock (which
goes after all dated stock). ``rules.allocate`` then makes the decision over those rows, line
by line.
"""

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

FIRST_READ = 4
"""Rows read per product and scan at first; a product they do not cover is read again
without a limit (it is short, or its first lots hold few units)."""


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


@dataclass(frozen=True, slots=True)
class Labels:
    """What a pick list shows beside a reservation."""

    lot_number: str
    expiry: date | None
    serial_number: str | None
    location_code: str


def _when(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


_ORDER = {
    # (condition on expiry, ORDER BY inside the scan); the running sum orders all of them alike.
    "dated": ("AND b.expiry >= {} ", "b.expiry, b.received_at, b.lot, b.location, b.id"),
    "undated": ("AND b.expiry IS NULL ", "b.received_at, b.lot, b.location, b.id"),
    "fifo": ("", "b.received_at, b.lot, b.location, b.id"),
}
FIRST_SCANS = {"fefo": ("dated",), "fifo": ("fifo",)}
"""The first read: undated FEFO stock goes after all dated stock, so it is read only if the
dated rows read first do not cover the need (the full read below)."""
FULL_SCANS = {"fefo": ("dated", "undated"), "fifo": ("fifo",)}


def _scan(kind: str, product: str, need: str, limit: int | None) -> tuple[str, int]:
    """One ordered index scan of a product's balances with something available, stopping after
    ``limit`` rows: (SQL, how many ``today`` parameters it takes). Nothing is joined inside the
    scan, so the planner walks the index in order and stops (with the joins inside it would
    misjudge how many rows pass and sort them all instead)."""
    expiry_condition, order = _ORDER[kind]
    sort_expiry = "CAST(NULL AS DATE)" if kind == "fifo" else "b.expiry"
    sql = (
        "SELECT b.id AS balance_id, b.product, b.lot, b.serial, b.location, b.expiry, "
        f"b.received_at, b.on_hand - b.reserved AS available, {sort_expiry} AS sort_expiry, "
        f"{need} AS need FROM stock_balance b WHERE b.product = {product} "
        f"AND b.in_stock AND b.on_hand > b.reserved {expiry_condition}ORDER BY {order}"
        + ("" if limit is None else f" LIMIT {int(limit)}")
    )
    return sql, 1 if kind == "dated" else 0


def _usable() -> str:
    """The one availability predicate over each scanned row, plus "in this warehouse's pick
    locations" (parameters: the warehouse, then ``today``)."""
    kinds = ", ".join(f"'{k}'" for k in PICK_FROM_KINDS if k in rules.AVAILABLE_LOCATION_KINDS)
    return (
        f"CASE WHEN loc.warehouse = {{}} AND loc.kind IN ({kinds}) AND "
        f"{rules.available_sql('l', 'loc', 's')} THEN 1 ELSE 0 END"
    )


# The usable rows, and of them only those needed: a running sum of what is usable, per product
# in allocation order (rules.allocation_key: undated last; FIFO rows count as undated).
_NEEDED = (
    "SELECT t.* FROM (SELECT y.*, SUM(y.usable * y.available) OVER (PARTITION BY y.product "
    "ORDER BY CASE WHEN y.sort_expiry IS NULL THEN 1 ELSE 0 END, y.sort_expiry, y.received_at, "
    "y.lot, y.location, y.balance_id ROWS UNBOUNDED PRECEDING) AS cum FROM (SELECT c.*, "
    "l.lot_number, s.serial AS serial_number, loc.code AS location_code, USABLE AS usable "
    "FROM (SCANNED) AS c JOIN lot l ON l.id = c.lot JOIN location loc ON loc.id = c.location "
    "LEFT JOIN serial_number s ON s.id = c.serial) AS y) AS t "
    "WHERE t.usable = 1 AND t.cum - t.available < t.need"
)


async def candidates(
    needs: Mapping[int, int],
    methods: Mapping[int, str],
    warehouse: int,
    today: date,
    limit: int | None,
) -> tuple[dict[int, list[rules.Candidate]], dict[int, Labels]]:
    """Available stock of each product (product → units needed) in the warehouse's pick
    locations, in allocation order, cut to the rows that cover the need; and the labels of
    those balances. One round trip. With a ``limit``, the first read (``FIRST_SCANS``, each
    stopping after ``limit`` rows); without, every usable row (``FULL_SCANS``).

    PostgreSQL: LATERAL scans over product arrays, the same text for any number of products,
    planned once per connection. SQLite: one UNION ALL member per product and scan."""
    if not needs:
        return {}, {}
    args: list[Any] = [warehouse, today]
    scan_kinds = FIRST_SCANS if limit is not None else FULL_SCANS
    if not db.is_sqlite():
        members: list[str] = []
        for method, kinds in scan_kinds.items():
            chosen = [p for p in needs if methods[p] == method]
            scans = [_scan(k, "w.product", "w.need", limit) for k in kinds]
            inner = " UNION ALL ".join(f"({sql})" for sql, _n in scans)
            members.append(
                "(SELECT c.* FROM unnest(CAST({} AS BIGINT[]), CAST({} AS BIGINT[])) "
                f"AS w(product, need) CROSS JOIN LATERAL ({inner}) AS c)"
            )
            args += [chosen, [needs[p] for p in chosen]]
            args += [today for _sql, n in scans for _ in range(n)]
        scanned = " UNION ALL ".join(members)
    else:
        parts: list[str] = []
        for product, need in needs.items():
            for kind in scan_kinds[methods[product]]:
                sql, n = _scan(kind, "{}", "{}", limit)
                parts.append(f"SELECT * FROM ({sql})")
                args += [need, product] + [today] * n
        scanned = " UNION ALL ".join(parts)
    sql = _NEEDED.replace("USABLE", _usable()).replace("SCANNED", scanned)
    rows = await fetch_rows(sql, *args)
    out: dict[int, list[rules.Candidate]] = {p: [] for p in needs}
    labels: dict[int, Labels] = {}
    for r in rows:
        expiry = db.as_date(r["expiry"])
        out[r["product"]].append(
            rules.Candidate(
                balance_id=r["balance_id"],
                lot_id=r["lot"],
                serial_id=r["serial"],
                location_id=r["location"],
                expiry=expiry,
                received_at=_when(r["received_at"]),
                available=int(r["available"]),
            )
        )
        labels[r["balance_id"]] = Labels(
            r["lot_number"], expiry, r["serial_number"], r["location_code"]
        )
    return out, labels


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
    meanwhile by someone else)."""
    per_balance: dict[int, int] = {}
    for p in planned:
        per_balance[p.candidate.balance_id] = (
            per_balance.get(p.candidate.balance_id, 0) + p.quantity
        )
    if not per_balance:
        return set()
    done = await ledger.reserve(per_balance)
    return set(per_balance) - done


async def allocate(
    wants: Sequence[Want], warehouse: int, today: date
) -> tuple[list[Planned], dict[int, int], dict[int, Labels]]:
    """Plan and reserve. What a concurrent allocation took meanwhile is planned again from
    fresh candidates. Returns the reservations made, each line's shortfall and the labels of
    the reserved balances."""
    need = {w.line: w.quantity for w in wants}
    reserved: list[Planned] = []
    labels: dict[int, Labels] = {}
    methods = {w.product: w.method for w in wants}
    for _attempt in range(16):
        remaining = [
            Want(w.line, w.product, need[w.line], w.method) for w in wants if need[w.line] > 0
        ]
        if not remaining:
            return reserved, {}, labels
        needs: dict[int, int] = {}
        for w in remaining:
            needs[w.product] = needs.get(w.product, 0) + w.quantity
        stock, seen = await candidates(needs, methods, warehouse, today, FIRST_READ)
        starved = {p: n for p, n in needs.items() if sum(c.available for c in stock[p]) < n}
        if starved:
            more, more_seen = await candidates(starved, methods, warehouse, today, None)
            stock.update(more)
            seen.update(more_seen)
        labels.update(seen)
        planned, short = plan(remaining, stock)
        failed = await reserve_plan(planned)
        for p in planned:
            if p.candidate.balance_id not in failed:
                reserved.append(p)
                need[p.line] -= p.quantity
        if not failed:
            return reserved, short, labels
    raise RuntimeError("allocation kept losing races; giving up")
