"""A small world for alert tests: two warehouses, a ward cabinet, products, lots put on the
shelf through the stock ledger's one write path (so `stock.changed` is emitted), users."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from backend.alerts.tables import StockPolicy
from backend.catalog.tables import Product, Supplier
from backend.core import clock, db
from backend.core.actor import SYSTEM
from backend.core.unit_of_work import unit_of_work
from backend.sites.tables import Department, Location, Warehouse
from backend.stock import ledger
from backend.stock.reasons import Reason
from backend.stock.tables import Lot
from tests.support import TestUser, make_user


@dataclass(frozen=True)
class World:
    wh_a: int
    wh_b: int
    storage_a: int
    receiving_a: int
    ward_a: int
    cold_a: int
    storage_b: int
    department: int
    supplier: int
    syringe: int
    stent: int
    admin: TestUser
    keeper_a: TestUser
    keeper_b: TestUser
    purchaser: TestUser
    qa: TestUser
    nurse: TestUser

    @property
    def today(self) -> date:
        return clock.today()


async def _ids(table: Any, rows: list[Any]) -> list[int]:
    return [r["id"] for r in await table.insert(*rows)]


async def build_world() -> World:
    wh_a, wh_b = await _ids(
        Warehouse, [Warehouse(code="A", name="A"), Warehouse(code="B", name="B")]
    )
    (department,) = await _ids(Department, [Department(code="ICU", name="ICU", warehouse=wh_a)])
    storage_a, receiving_a, ward_a, cold_a, storage_b = await _ids(
        Location,
        [
            Location(warehouse=wh_a, code="A-01", kind="storage"),
            Location(warehouse=wh_a, code="A-RCV", kind="receiving"),
            Location(warehouse=wh_a, code="ICU-1", kind="point_of_use", department=department),
            Location(warehouse=wh_a, code="A-K1", kind="storage", temp_min=2.0, temp_max=8.0),
            Location(warehouse=wh_b, code="B-01", kind="storage"),
        ],
    )
    (supplier,) = await _ids(Supplier, [Supplier(code="S1", name="国药")])
    common = {
        "risk_class": "II",
        "tracking": "lot",
        "registration_no": "国械注准1",
        "registration_valid_until": clock.today() + timedelta(days=900),
    }
    syringe, stent = await _ids(
        Product,
        [
            Product(code="SYR", name="注射器", model="5ml", category="syringe", **common),
            Product(code="STENT", name="支架", model="3mm", category="stent", **common),
        ],
    )
    scope_a, scope_b = [wh_a], [wh_b]
    return World(
        wh_a=wh_a,
        wh_b=wh_b,
        storage_a=storage_a,
        receiving_a=receiving_a,
        ward_a=ward_a,
        cold_a=cold_a,
        storage_b=storage_b,
        department=department,
        supplier=supplier,
        syringe=syringe,
        stent=stent,
        admin=await make_user("admin", ["admin"]),
        keeper_a=await make_user("keeper_a", ["warehouse"], scope_a),
        keeper_b=await make_user("keeper_b", ["warehouse"], scope_b),
        purchaser=await make_user("buyer", ["purchaser"], scope_a),
        qa=await make_user("qa", ["qa"], scope_a),
        nurse=await make_user("nurse", ["clinician"], [], [department]),
    )


async def make_lot(
    product: int,
    number: str,
    expiry: date | None,
    status: str = "released",
    received: datetime | None = None,
) -> int:
    rows = await Lot.insert(
        Lot(
            product=product,
            lot_number=number,
            expiry=expiry,
            status=status,
            first_received_at=received or clock.now(),
        )
    )
    return int(rows[0]["id"])


async def put(lot: int, location: int, quantity: int) -> None:
    """Stock in (positive) or out (negative) through the ledger, as an adjustment."""
    reason = Reason.adjust_found if quantity > 0 else Reason.adjust_damage
    async with unit_of_work(SYSTEM) as uow:
        await ledger.post(
            uow,
            ledger.Document("adjustment"),
            [ledger.Entry(location, lot, None, quantity, reason, note="test")],
        )


async def policy(
    product: int,
    warehouse: int,
    *,
    reorder_point: int | None = None,
    minimum: int | None = None,
    location: int | None = None,
    par_level: int | None = None,
) -> None:
    await StockPolicy.insert(
        StockPolicy(
            product=product,
            warehouse=warehouse,
            location=location,
            reorder_point=reorder_point,
            minimum=minimum,
            par_level=par_level,
        )
    )


async def events(topic_prefix: str = "alert.") -> list[tuple[int, str, dict[str, Any]]]:
    rows = await db.fetch(
        "SELECT id, topic, payload FROM outbox_event WHERE topic LIKE {} ORDER BY id",
        topic_prefix + "%",
    )
    return [
        (
            r["id"],
            r["topic"],
            json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"],
        )
        for r in rows
    ]


async def alerts(rule: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM alert"
    args: list[Any] = []
    if rule:
        sql += " WHERE rule = {}"
        args.append(rule)
    return await db.fetch(sql + " ORDER BY id", *args)
