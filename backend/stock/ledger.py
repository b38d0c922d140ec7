"""The one write path of stock: ledger entries and balances, together, in the caller's unit of
work. Nothing else writes ``stock_ledger`` or changes ``on_hand``/``reserved``.

Every change of a balance is one conditional statement whose RETURNING row proves it happened:
taking requires ``on_hand - reserved >= qty`` (or, for a picked reservation, ``reserved >= qty``),
reserving requires ``on_hand - reserved >= qty``. On PostgreSQL a concurrent writer waits on the
row lock and then re-checks the condition; on SQLite writers queue on BEGIN IMMEDIATE. Either
way nothing goes negative and no unit is taken twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from backend.core import clock, db
from backend.core.db import fetch as fetch_rows
from backend.core.errors import NotFound
from backend.core.unit_of_work import UnitOfWork
from backend.stock.errors import InsufficientStock
from backend.stock.reasons import Reason
from backend.stock.tables import StockLedger


@dataclass(frozen=True, slots=True)
class Document:
    """The document an entry belongs to: ``receipt`` 12, ``pick_list`` 7, ``adjustment`` ..."""

    type: str
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    location: int
    lot: int
    serial: int | None
    quantity: int
    """Signed: positive into the location, negative out of it."""
    reason: Reason
    from_reserved: bool = False
    """A negative entry that consumes units reserved for it (a confirmed pick)."""
    document_line: int | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class LotFacts:
    """What balances copy from a lot (none of it ever changes)."""

    id: int
    product: int
    expiry: date | None
    first_received_at: datetime


async def lot_facts(lot_ids: Iterable[int]) -> dict[int, LotFacts]:
    ids = sorted(set(lot_ids))
    if not ids:
        return {}
    marks = ", ".join("{}" for _ in ids)
    rows = await fetch_rows(
        f"SELECT id, product, expiry, first_received_at FROM lot WHERE id IN ({marks})", *ids
    )
    return {
        r["id"]: LotFacts(r["id"], r["product"], _as_date(r["expiry"]), r["first_received_at"])
        for r in rows
    }


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _key_sql(serial: int | None) -> str:
    return "serial IS NULL" if serial is None else "serial = {}"


def _key_args(location: int, lot: int, serial: int | None) -> list[Any]:
    return [location, lot] if serial is None else [location, lot, serial]


async def _available(location: int, lot: int, serial: int | None) -> int:
    rows = await fetch_rows(
        "SELECT on_hand - reserved AS available FROM stock_balance "
        f"WHERE location = {{}} AND lot = {{}} AND {_key_sql(serial)}",
        *_key_args(location, lot, serial),
    )
    return int(rows[0]["available"]) if rows else 0


async def _take(entry: Entry) -> None:
    quantity = -entry.quantity
    if entry.from_reserved:
        condition = "reserved >= {} AND on_hand >= {}"
        sets = "on_hand = on_hand - {}, reserved = reserved - {}"
        args: list[Any] = [quantity, quantity]
        cond_args: list[Any] = [quantity, quantity]
    else:
        condition = "on_hand - reserved >= {}"
        sets = "on_hand = on_hand - {}"
        args = [quantity]
        cond_args = [quantity]
    rows = await fetch_rows(
        f"UPDATE stock_balance SET {sets} "
        f"WHERE location = {{}} AND lot = {{}} AND {_key_sql(entry.serial)} AND {condition} "
        "RETURNING id",
        *args,
        *_key_args(entry.location, entry.lot, entry.serial),
        *cond_args,
    )
    if not rows:
        raise InsufficientStock(
            wanted=quantity, available=await _available(entry.location, entry.lot, entry.serial)
        )


async def _put(entry: Entry, facts: LotFacts) -> None:
    target = "(location, lot) WHERE serial IS NULL"
    if entry.serial is not None:
        target = "(location, lot, serial) WHERE serial IS NOT NULL"
    await fetch_rows(
        "INSERT INTO stock_balance "
        "(location, lot, serial, product, expiry, received_at, on_hand, reserved) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, 0) "
        f"ON CONFLICT {target} DO UPDATE SET on_hand = stock_balance.on_hand + excluded.on_hand "
        "RETURNING id",
        entry.location,
        entry.lot,
        entry.serial,
        facts.product,
        facts.expiry,
        facts.first_received_at,
        entry.quantity,
    )


async def post(
    uow: UnitOfWork,
    document: Document,
    entries: Sequence[Entry],
    *,
    facts: Mapping[int, LotFacts] | None = None,
    warehouses: Mapping[int, int] | None = None,
) -> list[int]:
    """Apply the entries to balances and append them to the ledger, all in the caller's
    transaction; raises InsufficientStock (and the caller's transaction rolls back) if any
    take finds too little. Takes run before puts, so a serial leaves one place before it
    arrives in the next. ``facts`` and ``warehouses`` (location → warehouse) save lookups a
    caller has already made. Returns the new ledger ids."""
    if not entries:
        return []
    if not db.in_transaction():
        raise RuntimeError("stock is posted inside a unit of work")
    known = dict(facts or {})
    missing = {e.lot for e in entries} - known.keys()
    if missing:
        known |= await lot_facts(missing)
        if missing - known.keys():
            raise NotFound(entity="lot", key=min(missing - known.keys()))
    for entry in entries:
        if entry.quantity == 0:
            raise ValueError("a ledger entry moves at least one unit")
        if entry.quantity < 0:
            await _take(entry)
    for entry in entries:
        if entry.quantity > 0:
            await _put(entry, known[entry.lot])
    actor = uow.actor
    at = clock.now()
    rows = await StockLedger.insert(
        *[
            StockLedger(
                at=at,
                product=known[e.lot].product,
                lot=e.lot,
                serial=e.serial,
                location=e.location,
                quantity=e.quantity,
                reason=int(e.reason),
                document_type=document.type,
                document_id=document.id,
                document_line=e.document_line,
                actor_id=actor.user_id,
                actor_name=actor.username,
                idempotency_key=actor.idempotency_key,
                note=e.note,
            )
            for e in entries
        ]
    )
    keys = sorted({(known[e.lot].product, e.location, e.lot) for e in entries})
    locations = sorted({loc for _p, loc, _l in keys})
    warehouse_of = dict(warehouses or {})
    unknown = [loc for loc in locations if loc not in warehouse_of]
    if unknown:
        marks = ", ".join("{}" for _ in unknown)
        warehouse_of |= {
            r["id"]: r["warehouse"]
            for r in await fetch_rows(
                f"SELECT id, warehouse FROM location WHERE id IN ({marks})", *unknown
            )
        }
    # One event per warehouse, so live updates reach the people of that warehouse only.
    for warehouse in sorted(set(warehouse_of.values())):
        uow.emit(
            "stock.changed",
            {
                "warehouse_id": warehouse,
                "document": document.type,
                "document_id": document.id,
                "keys": [
                    {"product": p, "location": loc, "lot": lot}
                    for p, loc, lot in keys
                    if warehouse_of.get(loc) == warehouse
                ],
            },
        )
    return [int(r["id"]) for r in rows]


# ---- reservations (not stock changes: no ledger entry) --------------------------------------


async def reserve(balance_quantities: Mapping[int, int]) -> set[int]:
    """Reserve on each balance if it has that much available; returns the balances reserved.
    The caller decides what to do with the ones that were not (allocate elsewhere, or fail)."""
    done: set[int] = set()
    items = [(b, q) for b, q in balance_quantities.items() if q > 0]
    if items and not db.is_sqlite():
        # One statement text for any number of balances: planned once per connection.
        rows = await fetch_rows(
            "UPDATE stock_balance AS b SET reserved = b.reserved + v.q "
            "FROM unnest(CAST({} AS BIGINT[]), CAST({} AS INTEGER[])) AS v(id, q) "
            "WHERE b.id = v.id AND b.on_hand - b.reserved >= v.q RETURNING b.id",
            [b for b, _q in items],
            [q for _b, q in items],
        )
        return {int(r["id"]) for r in rows}
    for start in range(0, len(items), 200):
        chunk = items[start : start + 200]
        values = ", ".join("(CAST({} AS BIGINT), CAST({} AS INTEGER))" for _ in chunk)
        args = [x for pair in chunk for x in pair]
        rows = await fetch_rows(
            f"WITH v(id, q) AS (VALUES {values}) "
            "UPDATE stock_balance SET reserved = reserved + "
            "(SELECT v.q FROM v WHERE v.id = stock_balance.id) "
            "WHERE id IN (SELECT v.id FROM v) "
            "AND on_hand - reserved >= (SELECT v.q FROM v WHERE v.id = stock_balance.id) "
            "RETURNING id",
            *args,
        )
        done |= {int(r["id"]) for r in rows}
    return done


async def unreserve(balance_id: int, quantity: int) -> None:
    rows = await fetch_rows(
        "UPDATE stock_balance SET reserved = reserved - {} WHERE id = {} AND reserved >= {} "
        "RETURNING id",
        quantity,
        balance_id,
        quantity,
    )
    if not rows:
        # A reservation is released only by the pick line that holds it: this is a bug.
        raise RuntimeError(f"balance {balance_id} does not hold {quantity} reserved units")
