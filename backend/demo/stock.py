"""Demo stock: 3,000+ lots with expiries from already expired to three years out, and twelve
months of movements simulated week by week for steady, seasonal, intermittent and dead
products. Rows are computed in memory and written with multi-row INSERTs, so `lotwise demo`
stays a matter of seconds; balances are the ledger's sums, so `lotwise verify` holds."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from backend.core import db
from backend.core.db import fetch
from backend.stock.reasons import Reason

LEDGER_COLUMNS = (
    "id",
    "at",
    "product",
    "lot",
    "serial",
    "location",
    "quantity",
    "reason",
    "document_type",
    "document_id",
    "document_line",
    "actor_id",
    "actor_name",
    "note",
)
MIN_LOTS = 3000
HORIZON_DAYS = 3 * 365

DEPARTMENTS_OF = {
    "des_stent": ("CARD",),
    "ptca_balloon": ("CARD",),
    "pacemaker": ("CARD",),
    "hip": ("ORTH",),
    "knee": ("ORTH",),
    "bone_plate": ("ORTH",),
    "bone_screw": ("ORTH",),
    "iol": ("OPHT",),
    "dialyser": ("NEPH",),
    "ivd_chem": ("LAB",),
    "antigen_test": ("EMER", "LAB"),
    "stapler": ("OR", "GSUR"),
    "suture": ("OR", "GSUR"),
    "hernia_mesh": ("OR",),
    "ultrasonic_blade": ("OR",),
    "biopsy_forceps": ("GAST",),
    "breathing_circuit": ("ANES", "OR"),
    "insulin_reservoir": ("ENDO",),
    "glucose_strip": ("ENDO", "EMER"),
    "cvc_kit": ("ICU", "ANES"),
}
SEASONAL = {"mask", "antigen_test", "gloves"}
REAGENT_STORE = {"ivd_chem", "antigen_test", "glucose_strip"}


@dataclass
class DemoLot:
    id: int
    product: int
    number: str
    expiry: date | None
    received_at: datetime
    location: int
    quantity: int
    serials: list[int] = field(default_factory=list)
    status: str = "released"


@dataclass
class Writer:
    """Collects rows in memory with ids assigned here (the database is empty)."""

    ledger: list[tuple[Any, ...]] = field(default_factory=list)
    lots: list[DemoLot] = field(default_factory=list)
    serials: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    balances: dict[tuple[int, int, int | None], int] = field(
        default_factory=lambda: defaultdict(int)
    )
    product_of_lot: dict[int, int] = field(default_factory=dict)
    actor: tuple[int | None, str] = (None, "system")
    qa: tuple[int | None, str] = (None, "system")

    def entry(
        self,
        at: datetime,
        lot: DemoLot,
        serial: int | None,
        location: int,
        quantity: int,
        reason: Reason,
        document: str,
        document_id: int | None = None,
    ) -> None:
        self.ledger.append(
            (
                len(self.ledger) + 1,
                at,
                lot.product,
                lot.id,
                serial,
                location,
                quantity,
                int(reason),
                document,
                document_id,
                None,
                self.actor[0],
                self.actor[1],
                None,
            )
        )
        self.balances[(location, lot.id, serial)] += quantity

    def status(
        self,
        at: datetime,
        lot: DemoLot,
        old: str | None,
        new: str,
        reason: str,
        serial: int | None = None,
    ) -> None:
        self.events.append(
            (len(self.events) + 1, lot.id, serial, old, new, reason, at, self.qa[0], self.qa[1])
        )


def _at(day: date, rng: random.Random, hour_low: int = 1, hour_high: int = 7) -> datetime:
    """A working-hours moment of a site day (Asia/Shanghai 09:00-15:00 is 01:00-07:00 UTC),
    so the UTC date and the site date agree."""
    minute = rng.randint(0, hour_high * 60 - hour_low * 60 - 1)
    return datetime.combine(day, time(hour_low), tzinfo=UTC) + timedelta(
        minutes=minute, seconds=rng.randint(0, 59), microseconds=rng.randint(1, 999_999)
    )


async def _insert(table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """PostgreSQL: COPY on the unit of work's own connection; SQLite: multi-row INSERTs."""
    if not rows:
        return
    if not db.is_sqlite():
        transaction = db.engine().current_transaction.get()
        connection = getattr(transaction, "connection", None)
        if connection is not None:
            await connection.copy_records_to_table(table, records=rows, columns=list(columns))
            return
    per = max(1, 30_000 // len(columns))
    names = ", ".join(f'"{c}"' for c in columns)
    one = "(" + ", ".join("{}" for _ in columns) + ")"
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        values = ", ".join(one for _ in chunk)
        await db.fetch(
            f'INSERT INTO "{table}" ({names}) VALUES {values}', *[v for row in chunk for v in row]
        )


async def _advance_sequences(tables: Sequence[str]) -> None:
    if db.is_sqlite():
        return
    for table in tables:
        await db.fetch(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
        )


@dataclass
class Place:
    warehouse: int
    receiving: int
    quarantine: int
    transit: int
    storage: list[int]
    cold: list[int]


async def build(rng: random.Random, today: date) -> dict[str, int]:
    """Adds lots, serials, ledger, balances and status history to a demo database."""
    products = await fetch(
        "SELECT id, code, category, tracking, shelf_life_days, cold_chain, storage_temp_max, "
        "allocation, unit_cost FROM product ORDER BY id"
    )
    locations = await fetch(
        "SELECT id, warehouse, code, kind, temp_min, department FROM location ORDER BY id"
    )
    warehouses = {r["code"]: r["id"] for r in await fetch("SELECT id, code FROM warehouse")}
    departments = {r["id"]: r["code"] for r in await fetch("SELECT id, code FROM department")}
    primary = {
        r["product"]: r["supplier"]
        for r in await fetch(
            "SELECT product, supplier FROM supplier_product WHERE priority = 'primary'"
        )
    }
    users = {r["username"]: r["id"] for r in await fetch("SELECT id, username FROM app_user")}
    places: dict[int, Place] = {}
    for wid in warehouses.values():
        mine = [x for x in locations if x["warehouse"] == wid]
        places[wid] = Place(
            wid,
            next(x["id"] for x in mine if x["kind"] == "receiving"),
            next(x["id"] for x in mine if x["kind"] == "quarantine"),
            next(x["id"] for x in mine if x["kind"] == "in_transit"),
            [x["id"] for x in mine if x["kind"] == "storage" and x["temp_min"] is None],
            [x["id"] for x in mine if x["kind"] == "storage" and x["temp_min"] is not None],
        )
    pou = {departments[x["department"]]: x["id"] for x in locations if x["kind"] == "point_of_use"}
    w = Writer(actor=(users.get("warehouse"), "warehouse"), qa=(users.get("qa"), "qa"))
    serial_count = 0
    start = today - timedelta(days=364)
    now = datetime.combine(today, time(0), tzinfo=UTC)

    def new_lot(
        p: dict[str, Any],
        place: Place,
        home: int,
        received: date,
        quantity: int,
        status: str = "released",
    ) -> DemoLot:
        nonlocal serial_count
        at = _at(received, rng)
        shelf = p["shelf_life_days"]
        expiry = None
        if shelf:
            produced = received - timedelta(days=int(shelf * rng.uniform(0.02, 0.2)))
            expiry = min(produced + timedelta(days=shelf), today + timedelta(days=HORIZON_DAYS))
        lot_id = len(w.lots) + 1
        number = f"{received:%y%m%d}{rng.randint(100, 999)}{lot_id % 100:02d}"
        lot = DemoLot(lot_id, p["id"], number, expiry, at, home, quantity, status=status)
        w.lots.append(lot)
        w.product_of_lot[lot_id] = p["id"]
        serial_tracked = p["tracking"] in ("serial", "lot_serial")
        units: list[int | None] = [None]
        if serial_tracked:
            units = []
            for _ in range(quantity):
                serial_count += 1
                w.serials.append(
                    (
                        serial_count,
                        p["id"],
                        f"SN{p['id']:04d}{serial_count:07d}",
                        lot_id,
                        "pending_inspection"
                        if status == "pending_inspection"
                        else ("rejected" if status == "rejected" else "released"),
                    )
                )
                units.append(serial_count)
                lot.serials.append(serial_count)
        for unit in units:
            w.entry(
                at,
                lot,
                unit,
                place.receiving,
                1 if unit else quantity,
                Reason.receipt,
                "receipt",
                lot_id,
            )
        w.status(at, lot, None, "pending_inspection", "received")
        if status == "pending_inspection":
            return lot
        decided = at + timedelta(hours=rng.randint(2, 20))
        for serial in lot.serials:
            w.status(decided, lot, "pending_inspection", status, "QA decision", serial)
        if status == "rejected":
            w.status(decided, lot, "pending_inspection", "rejected", "QA rejection: damaged")
            for unit in units:
                q = 1 if unit else quantity
                w.entry(
                    decided, lot, unit, place.receiving, -q, Reason.reject_out, "receipt", lot_id
                )
                w.entry(
                    decided, lot, unit, place.quarantine, q, Reason.reject_in, "receipt", lot_id
                )
            return lot
        w.status(decided, lot, "pending_inspection", "released", "QA release")
        put = decided + timedelta(minutes=rng.randint(10, 120))
        for unit in units:
            q = 1 if unit else quantity
            w.entry(put, lot, unit, place.receiving, -q, Reason.putaway_out, "putaway")
            w.entry(put, lot, unit, home, q, Reason.putaway_in, "putaway")
        return lot

    def receive(
        p: dict[str, Any],
        place: Place,
        home: int,
        day: date,
        quantity: int,
        lots: list[DemoLot],
        left: dict[int, dict[int | None, int]],
    ) -> None:
        lot = new_lot(p, place, home, day, max(1, quantity))
        lots.append(lot)
        left[lot.id] = dict.fromkeys(lot.serials, 1) if lot.serials else {None: lot.quantity}

    document = 0
    for p in products:
        category = p["category"]
        wh = (
            warehouses["WH-R"]
            if category in REAGENT_STORE
            else (warehouses["WH-E"] if rng.random() < 0.2 else warehouses["WH-C"])
        )
        place = places[wh]
        needs_cold = bool(p["cold_chain"]) or (p["storage_temp_max"] or 99) <= 8
        homes = place.cold if needs_cold and place.cold else place.storage or place.cold
        home = rng.choice(homes)
        wards = [pou[c] for c in DEPARTMENTS_OF.get(category, ()) if c in pou] or rng.sample(
            sorted(pou.values()), 2
        )
        serial_tracked = p["tracking"] in ("serial", "lot_serial")
        if serial_tracked or category in ("instrument", "spare_part"):
            pattern = "dead" if rng.random() < 0.2 else "intermittent"
        elif category in SEASONAL:
            pattern = "seasonal"
        else:
            pattern = rng.choices(("steady", "seasonal", "dead"), (0.75, 0.1, 0.15))[0]
        weekly = (
            rng.uniform(0.3, 1.2)
            if pattern == "intermittent"
            else rng.choice((4, 8, 15, 30, 60)) * (0.3 if p["unit_cost"] > 50_000 else 1)
        )
        cover = rng.randint(2, 5) if pattern != "intermittent" else 0
        lots: list[DemoLot] = []
        left: dict[int, dict[int | None, int]] = {}

        # Stock on hand when the twelve months begin: older lots, some long expired by now.
        for _ in range(rng.randint(1, 2)):
            back = rng.randint(20, 900 if p["shelf_life_days"] else 400)
            receive(
                p,
                place,
                home,
                start - timedelta(days=back),
                int(weekly * rng.uniform(3, 8)) + 1,
                lots,
                left,
            )
        for week in range(52):
            day = start + timedelta(days=7 * week + rng.randint(0, 4))
            if day >= today:
                break
            rate = weekly
            if pattern == "seasonal":
                rate *= {12: 2.6, 1: 2.8, 2: 2.0, 3: 1.3, 6: 0.4, 7: 0.3, 8: 0.4}.get(
                    day.month, 1.0
                )
            if pattern == "dead" and week > 8:
                rate = 0.0
            if pattern == "intermittent":
                demand = rng.randint(1, 2) if rng.random() < min(0.9, rate / 2) else 0
            else:
                demand = max(0, int(rng.gauss(rate, rate * 0.3) + 0.5)) if rate else 0
            usable = [x for x in lots if x.expiry is None or x.expiry >= day]
            on_hand = sum(sum(left[x.id].values()) for x in usable)
            if pattern != "dead" and on_hand < max(demand, rate * 1.5) + 1:
                quantity = (
                    rng.randint(2, 4)
                    if pattern == "intermittent"
                    else int(rate * cover * rng.uniform(0.8, 1.3)) + demand
                )
                receive(
                    p, place, home, day - timedelta(days=rng.randint(3, 6)), quantity, lots, left
                )
                usable = [x for x in lots if x.expiry is None or x.expiry >= day]
            if not demand:
                continue
            order = (
                sorted(usable, key=lambda x: x.received_at)
                if p["allocation"] == "fifo"
                else sorted(usable, key=lambda x: (x.expiry or date.max, x.received_at))
            )
            document += 1
            picked_at = _at(day, rng)
            ward = rng.choice(wards)
            for lot in order:
                if demand == 0:
                    break
                if lot.received_at + timedelta(days=1) > picked_at:
                    continue
                for unit, qty in list(left[lot.id].items()):
                    take = min(qty, demand)
                    if take <= 0:
                        continue
                    left[lot.id][unit] -= take
                    demand -= take
                    arrive = picked_at + timedelta(hours=2)
                    w.entry(
                        picked_at, lot, unit, lot.location, -take, Reason.pick_out, "demo", document
                    )
                    w.entry(
                        picked_at, lot, unit, place.transit, take, Reason.pick_in, "demo", document
                    )
                    w.entry(
                        arrive,
                        lot,
                        unit,
                        place.transit,
                        -take,
                        Reason.transit_receive_out,
                        "demo",
                        document,
                    )
                    w.entry(
                        arrive, lot, unit, ward, take, Reason.transit_receive_in, "demo", document
                    )
                    # The ward uses most of it within days, never past expiry or today.
                    used = take if rng.random() < 0.85 else take // 2
                    when = arrive + timedelta(days=rng.randint(0, 4), hours=rng.randint(0, 3))
                    last_day = min(lot.expiry or today, today - timedelta(days=1))
                    if used and when.date() <= last_day:
                        w.entry(when, lot, unit, ward, -used, Reason.consume, "demo", document)
                    if demand == 0:
                        break

    # Deliveries still waiting for inspection, and a few rejected on arrival.
    for p in rng.sample(products, 20):
        place = places[warehouses["WH-C"]]
        qty = 1 if p["tracking"] in ("serial", "lot_serial") else rng.randint(5, 50)
        new_lot(p, place, place.storage[0], today - timedelta(days=1), qty, "pending_inspection")
    for p in rng.sample(products, 8):
        place = places[warehouses["WH-C"]]
        new_lot(
            p,
            place,
            place.storage[0],
            today - timedelta(days=rng.randint(10, 200)),
            rng.randint(1, 3) if p["tracking"] in ("serial", "lot_serial") else 20,
            "rejected",
        )
    # Enough lots for every later feature: top up with stock that never moved.
    while len(w.lots) < MIN_LOTS:
        p = rng.choice(products)
        wh = warehouses["WH-R"] if p["category"] in REAGENT_STORE else warehouses["WH-C"]
        place = places[wh]
        needs_cold = bool(p["cold_chain"]) or (p["storage_temp_max"] or 99) <= 8
        home = rng.choice(place.cold if needs_cold and place.cold else place.storage)
        new_lot(
            p,
            place,
            home,
            today - timedelta(days=rng.randint(5, 360)),
            rng.randint(1, 3) if p["tracking"] in ("serial", "lot_serial") else rng.randint(5, 120),
        )
    # A few holds and recalls placed today, after every movement of those lots.
    held_at = now - timedelta(hours=3)
    for lot in rng.sample([x for x in w.lots if x.status == "released"], 30):
        lot.status = "on_hold" if rng.random() < 0.75 else "recalled"
        w.status(
            held_at,
            lot,
            "released",
            lot.status,
            "冷链温度偏离，待QA评估" if lot.status == "on_hold" else "厂家主动召回（二级）",
        )

    await _insert(
        "lot",
        (
            "id",
            "product",
            "lot_number",
            "expiry",
            "production_date",
            "supplier",
            "status",
            "first_received_at",
            "created_at",
        ),
        [
            (
                x.id,
                x.product,
                x.number,
                x.expiry,
                None,
                primary.get(x.product),
                x.status,
                x.received_at,
                x.received_at,
            )
            for x in w.lots
        ],
    )
    await _insert(
        "serial_number",
        ("id", "product", "serial", "lot", "status", "created_at"),
        [(*s, now) for s in w.serials],
    )
    await _insert("stock_ledger", LEDGER_COLUMNS, w.ledger)
    lots_by_id = {x.id: x for x in w.lots}
    balance_rows = [
        (
            n,
            location,
            lot,
            serial,
            lots_by_id[lot].product,
            lots_by_id[lot].expiry,
            lots_by_id[lot].received_at,
            quantity,
            0,
        )
        for n, ((location, lot, serial), quantity) in enumerate(
            (
                (k, v)
                for k, v in sorted(
                    w.balances.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0)
                )
                if v != 0
            ),
            start=1,
        )
    ]
    await _insert(
        "stock_balance",
        (
            "id",
            "location",
            "lot",
            "serial",
            "product",
            "expiry",
            "received_at",
            "on_hand",
            "reserved",
        ),
        balance_rows,
    )
    await _insert(
        "lot_status_event",
        (
            "id",
            "lot",
            "serial",
            "old_status",
            "new_status",
            "reason",
            "at",
            "actor_id",
            "actor_name",
        ),
        w.events,
    )
    await _advance_sequences(
        ("lot", "serial_number", "stock_ledger", "stock_balance", "lot_status_event")
    )
    expired = sum(1 for x in w.lots if x.expiry is not None and x.expiry < today)
    return {
        "lots": len(w.lots),
        "expired_lots": expired,
        "serials": len(w.serials),
        "ledger_entries": len(w.ledger),
        "balances": len(balance_rows),
    }
