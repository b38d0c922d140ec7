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
from functools import partial
from typing import Any

from backend.core import clock, db
from backend.core.db import fetch as fetch_rows
from backend.core.errors import NotFound
from backend.core.unit_of_work import UnitOfWork
from backend.core.write import Write
from backend.stock.errors import InsufficientStock
from backend.stock.reasons import Reason


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
        r["id"]: LotFacts(r["id"], r["product"], db.as_date(r["expiry"]), r["first_received_at"])
        for r in rows
    }


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


def _cast(sql_type: str) -> str:
    """A typed placeholder where PostgreSQL cannot infer the type (INSERT ... SELECT); SQLite
    takes values as they are (its CAST would turn a timestamp into a number)."""
    return "{}" if db.is_sqlite() else f"CAST({{}} AS {sql_type})"


def _take_sql(entry: Entry) -> tuple[str, list[Any]]:
    quantity = -entry.quantity
    if entry.from_reserved:
        condition = "reserved >= {} AND on_hand >= {}"
        sets = "on_hand = on_hand - {}, reserved = reserved - {}"
        args: list[Any] = [quantity, quantity]
    else:
        condition = "on_hand - reserved >= {}"
        sets = "on_hand = on_hand - {}"
        args = [quantity]
    return (
        f"UPDATE stock_balance SET {sets} "
        f"WHERE location = {{}} AND lot = {{}} AND {_key_sql(entry.serial)} AND {condition} "
        "RETURNING id",
        [*args, *_key_args(entry.location, entry.lot, entry.serial), *args],
    )


def _put_sql(entry: Entry, facts: LotFacts, guard: str) -> tuple[str, list[Any]]:
    target = "(location, lot) WHERE serial IS NULL"
    if entry.serial is not None:
        target = "(location, lot, serial) WHERE serial IS NOT NULL"
    values = ", ".join(
        _cast(t) for t in ("INTEGER", "BIGINT", "BIGINT", "INTEGER", "DATE", "TIMESTAMPTZ")
    )
    return (
        "INSERT INTO stock_balance "
        "(location, lot, serial, product, expiry, received_at, on_hand, reserved) "
        f"SELECT {values}, {_cast('INTEGER')}, 0 WHERE {guard} "
        f"ON CONFLICT {target} DO UPDATE SET on_hand = stock_balance.on_hand + excluded.on_hand "
        "RETURNING id",
        [
            entry.location,
            entry.lot,
            entry.serial,
            facts.product,
            facts.expiry,
            facts.first_received_at,
            entry.quantity,
        ],
    )


_LEDGER_COLUMNS = {
    "at": "TIMESTAMPTZ",
    "product": "INTEGER",
    "lot": "BIGINT",
    "serial": "BIGINT",
    "location": "INTEGER",
    "quantity": "INTEGER",
    "reason": "INTEGER",
    "document_type": "VARCHAR",
    "document_id": "BIGINT",
    "document_line": "BIGINT",
    "actor_id": "INTEGER",
    "actor_name": "VARCHAR",
    "idempotency_key": "VARCHAR",
    "note": "VARCHAR",
}


def _ledger_sql(
    uow: UnitOfWork,
    document: Document,
    entries: Sequence[Entry],
    known: Mapping[int, LotFacts],
    guard: str,
) -> tuple[str, list[Any]]:
    actor, at = uow.actor, clock.now()
    row = "(" + ", ".join(_cast(t) for t in _LEDGER_COLUMNS.values()) + ")"
    args: list[Any] = []
    for e in entries:
        args += [at, known[e.lot].product, e.lot, e.serial, e.location, e.quantity, int(e.reason)]
        args += [document.type, document.id, e.document_line, actor.user_id, actor.username]
        args += [actor.idempotency_key, e.note]
    return (
        f"INSERT INTO stock_ledger ({', '.join(_LEDGER_COLUMNS)}) SELECT * FROM "
        f"(VALUES {', '.join(row for _ in entries)}) AS v WHERE {guard} RETURNING id",
        args,
    )


async def _refuse_take(entry: Entry) -> None:
    raise await _insufficient(entry)


async def _insufficient(entry: Entry) -> Exception:
    return InsufficientStock(
        wanted=-entry.quantity,
        available=await _available(entry.location, entry.lot, entry.serial),
    )


def _needs_order(entries: Sequence[Entry]) -> bool:
    """Takes, puts and ledger rows fit in one statement unless a balance is touched twice (one
    statement cannot update a row twice) or a serial moves (its "one place" index is checked
    row by row, so the take must come strictly before the put)."""
    if any(e.serial is not None for e in entries):
        return True
    keys = [(e.location, e.lot) for e in entries]
    return len(set(keys)) != len(keys)


def _one_statement(entries: Sequence[Entry]) -> bool:
    return not db.is_sqlite() and not _needs_order(entries)


async def _post_in_one_statement(
    uow: UnitOfWork, document: Document, entries: Sequence[Entry], known: Mapping[int, LotFacts]
) -> list[int]:
    """Takes as data-modifying WITHs; the puts and the ledger rows are written only if every
    take found its units (and, reading the takes' result, strictly after them)."""
    takes = [e for e in entries if e.quantity < 0]
    parts: list[str] = []
    args: list[Any] = []
    for n, entry in enumerate(takes):
        sql, more = _take_sql(entry)
        parts.append(f"t{n} AS ({sql})")
        args += more
    counts = [f"(SELECT COUNT(*) FROM t{n})" for n in range(len(takes))]
    parts.append(f"ok AS (SELECT {' + '.join(counts) or '0'} = {len(takes)} AS ok)")
    guard = "(SELECT ok FROM ok)"
    for n, entry in enumerate(e for e in entries if e.quantity > 0):
        sql, more = _put_sql(entry, known[entry.lot], guard)
        parts.append(f"p{n} AS ({sql})")
        args += more
    sql, more = _ledger_sql(uow, document, entries, known, guard)
    parts.append(f"l AS ({sql})")
    args += more
    taken = "".join(f", {c} AS t{n}" for n, c in enumerate(counts))
    rows = await fetch_rows(
        f"WITH {', '.join(parts)} SELECT (SELECT ok FROM ok) AS ok{taken}, "
        "ARRAY(SELECT id FROM l ORDER BY id) AS ids",
        *args,
    )
    if not rows[0]["ok"]:
        await _refuse_take(next(e for n, e in enumerate(takes) if not rows[0][f"t{n}"]))
    return [int(i) for i in rows[0]["ids"]]


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
    known = await _facts_of(entries, facts)
    if _one_statement(entries):
        ids = await _post_in_one_statement(uow, document, entries, known)
    else:
        for entry in entries:
            if entry.quantity < 0 and not await fetch_rows(*_sql_args(_take_sql(entry))):
                await _refuse_take(entry)
        for entry in entries:
            if entry.quantity > 0:
                await fetch_rows(*_sql_args(_put_sql(entry, known[entry.lot], "1 = 1")))
        rows = await fetch_rows(*_sql_args(_ledger_sql(uow, document, entries, known, "1 = 1")))
        ids = sorted(int(r["id"]) for r in rows)
    await _emit_changed(uow, document, entries, known, warehouses)
    return ids


async def add_to(
    write: Write,
    uow: UnitOfWork,
    document: Document,
    entries: Sequence[Entry],
    *,
    facts: Mapping[int, LotFacts] | None = None,
    warehouses: Mapping[int, int] | None = None,
) -> None:
    """The change ``post`` makes, added to ``write`` instead (for ``uow.apply``, which writes
    it with the rest of the use case, on PostgreSQL as one statement); a take that finds too
    little refuses the whole write with InsufficientStock."""
    known = await _facts_of(entries, facts)
    write.in_order = write.in_order or _needs_order(entries)
    for entry in entries:
        if entry.quantity < 0:
            write.add(*_sql_args(_take_sql(entry)), required=partial(_insufficient, entry))
    for entry in entries:
        if entry.quantity > 0:
            write.add(*_sql_args(_put_sql(entry, known[entry.lot], "1 = 1")))
    write.add(*_sql_args(_ledger_sql(uow, document, entries, known, "1 = 1")))
    await _emit_changed(uow, document, entries, known, warehouses)


async def _facts_of(
    entries: Sequence[Entry], facts: Mapping[int, LotFacts] | None
) -> dict[int, LotFacts]:
    if any(e.quantity == 0 for e in entries):
        raise ValueError("a ledger entry moves at least one unit")
    known = dict(facts or {})
    missing = {e.lot for e in entries} - known.keys()
    if missing:
        known |= await lot_facts(missing)
        if missing - known.keys():
            raise NotFound(entity="lot", key=min(missing - known.keys()))
    return known


async def _emit_changed(
    uow: UnitOfWork,
    document: Document,
    entries: Sequence[Entry],
    known: Mapping[int, LotFacts],
    warehouses: Mapping[int, int] | None,
) -> None:
    """One ``stock.changed`` per warehouse, so live updates reach its people only."""
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


def _sql_args(statement: tuple[str, list[Any]]) -> list[Any]:
    sql, args = statement
    return [sql, *args]


# ---- reservations (not stock changes: no ledger entry) --------------------------------------


async def reserve(balance_quantities: Mapping[int, int]) -> set[int]:
    """Reserve on each balance if it has that much available; returns the balances reserved.
    The caller decides what to do with the ones that were not (allocate elsewhere, or fail)."""
    done: set[int] = set()
    items = [(b, q) for b, q in balance_quantities.items() if q > 0]
    if items and not db.is_sqlite():
        # One statement text for any number of balances: planned once per connection. The rows
        # are locked in id order first, so two reservations of the same balances queue instead
        # of deadlocking; the condition is then checked on the newest version of each row.
        rows = await fetch_rows(
            "WITH v AS (SELECT * FROM unnest(CAST({} AS BIGINT[]), CAST({} AS INTEGER[])) "
            "AS v(id, q)), locked AS (SELECT b.id, v.q FROM stock_balance b JOIN v ON v.id = b.id "
            "ORDER BY b.id FOR UPDATE OF b) "
            "UPDATE stock_balance AS b SET reserved = b.reserved + l.q FROM locked AS l "
            "WHERE b.id = l.id AND b.on_hand - b.reserved >= l.q RETURNING b.id",
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


_UNRESERVE_SQL = (
    "UPDATE stock_balance SET reserved = reserved - {} WHERE id = {} AND reserved >= {} "
    "RETURNING id"
)


async def unreserve(balance_id: int, quantity: int) -> None:
    if not await fetch_rows(_UNRESERVE_SQL, quantity, balance_id, quantity):
        raise await _not_reserved(balance_id, quantity)


def add_unreserve(write: Write, balance_id: int, quantity: int) -> None:
    """``unreserve`` as part of ``write``."""
    write.add(
        _UNRESERVE_SQL,
        quantity,
        balance_id,
        quantity,
        required=partial(_not_reserved, balance_id, quantity),
    )


async def _not_reserved(balance_id: int, quantity: int) -> Exception:
    # A reservation is released only by the pick line that holds it: this is a bug.
    return RuntimeError(f"balance {balance_id} does not hold {quantity} reserved units")
