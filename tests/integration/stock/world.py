"""A small world for stock and receiving tests: two warehouses with their locations, a ward,
products of every tracking kind, a qualified supplier, users per role; and helpers that bring
stock in through the real flow (receive, inspect, QA release, put away)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from backend.catalog.tables import Product, Supplier, SupplierLicence
from backend.core import clock, db
from backend.core.actor import Actor
from backend.receiving import inspection, putaway, receipts
from backend.sites.tables import Department, Location, Warehouse
from backend.stock.tables import StockLedger
from tests.support import PASSWORD, TestUser, make_user


@dataclass(frozen=True)
class World:
    wh_a: int
    wh_b: int
    receiving_a: int
    quarantine_a: int
    transit_a: int
    storage_a1: int
    storage_a2: int
    cold_a: int
    empty_a: int
    receiving_b: int
    transit_b: int
    storage_b: int
    department: int
    ward: int
    supplier: int
    syringe: int
    """lot-tracked, 4-year shelf life, FEFO, min remaining 180 days"""
    stent: int
    """serial-tracked implant with a lot and an expiry"""
    reagent: int
    """cold chain 2–8 °C, lot-tracked"""
    forceps: int
    """no lot, no expiry: FIFO"""
    warehouse: TestUser
    qa: TestUser
    admin: TestUser
    purchaser: TestUser
    auditor: TestUser

    @property
    def today(self) -> date:
        return clock.today()


async def _ids(table: Any, rows: list[Any]) -> list[int]:
    return [r["id"] for r in await table.insert(*rows)]


async def build_world() -> World:
    wh_a, wh_b = await _ids(
        Warehouse, [Warehouse(code="WH-A", name="A"), Warehouse(code="WH-B", name="B")]
    )
    (department,) = await _ids(Department, [Department(code="CARD", name="心内科", warehouse=wh_a)])
    locations = await _ids(
        Location,
        [
            Location(warehouse=wh_a, code="A-RCV", kind="receiving"),
            Location(warehouse=wh_a, code="A-QUA", kind="quarantine"),
            Location(warehouse=wh_a, code="A-TRN", kind="in_transit"),
            Location(warehouse=wh_a, code="A-01", kind="storage"),
            Location(warehouse=wh_a, code="A-02", kind="storage"),
            Location(warehouse=wh_a, code="A-K1", kind="storage", temp_min=2.0, temp_max=8.0),
            Location(warehouse=wh_a, code="A-99", kind="storage"),
            Location(warehouse=wh_b, code="B-RCV", kind="receiving"),
            Location(warehouse=wh_b, code="B-TRN", kind="in_transit"),
            Location(warehouse=wh_b, code="B-01", kind="storage"),
            Location(warehouse=wh_a, code="POU-CARD", kind="point_of_use", department=department),
        ],
    )
    (supplier,) = await _ids(Supplier, [Supplier(code="SUP-1", name="国药控股")])
    today = clock.today()
    await SupplierLicence.insert(
        SupplierLicence(supplier=supplier, kind="business_licence", number="91330X"),
        SupplierLicence(
            supplier=supplier,
            kind="operating_licence",
            number="浙械经营1",
            valid_until=today + timedelta(days=400),
        ),
    )
    common = {
        "risk_class": "III",
        "registration_no": "国械注准20243140001",
        "registration_valid_until": today + timedelta(days=900),
    }
    products = await _ids(
        Product,
        [
            Product(
                code="SYR-5",
                name="注射器",
                model="5ml",
                category="syringe",
                tracking="lot",
                shelf_life_days=1460,
                min_remaining_shelf_life_days=180,
                **common,
            ),
            Product(
                code="STENT-3",
                name="支架",
                model="3.0×18mm",
                category="des_stent",
                tracking="lot_serial",
                shelf_life_days=540,
                min_remaining_shelf_life_days=90,
                implant=True,
                **common,
            ),
            Product(
                code="ALT-KIT",
                name="ALT 试剂盒",
                model="100T",
                category="ivd_chem",
                tracking="lot",
                shelf_life_days=365,
                min_remaining_shelf_life_days=30,
                cold_chain=True,
                storage_temp_min=2.0,
                storage_temp_max=8.0,
                **common,
            ),
            Product(
                code="FORCEPS",
                name="持针钳",
                model="18cm",
                category="instrument",
                tracking="none",
                allocation="fifo",
                **common,
            ),
        ],
    )
    scope = [wh_a, wh_b]
    return World(
        wh_a=wh_a,
        wh_b=wh_b,
        receiving_a=locations[0],
        quarantine_a=locations[1],
        transit_a=locations[2],
        storage_a1=locations[3],
        storage_a2=locations[4],
        cold_a=locations[5],
        empty_a=locations[6],
        receiving_b=locations[7],
        transit_b=locations[8],
        storage_b=locations[9],
        ward=locations[10],
        department=department,
        supplier=supplier,
        syringe=products[0],
        stent=products[1],
        reagent=products[2],
        forceps=products[3],
        warehouse=await make_user("lina", ["warehouse"], scope, full_name="库管员 李娜"),
        qa=await make_user("chen", ["qa"], scope, full_name="质量员 陈晓"),
        admin=await make_user("boss", ["admin"], full_name="管理员 王海"),
        purchaser=await make_user("zhou", ["purchaser"], scope),
        auditor=await make_user("qian", ["auditor"]),
    )


async def stock_in(
    w: World,
    product: int,
    lot_number: str | None,
    quantity: int,
    *,
    expiry: date | None = None,
    days: int | None = 700,
    serials: list[str] | None = None,
    to: int | None = None,
    temperature: float | None = None,
) -> dict[str, Any]:
    """Receive, inspect, release and put away: released stock in storage. Returns the lot."""
    if expiry is None and days is not None and product != w.forceps:
        expiry = clock.today() + timedelta(days=days)
    receipt = await receipts.receive(
        w.warehouse.actor,
        warehouse=w.wh_a,
        supplier=w.supplier,
        lines=[
            receipts.LineIn(
                quantity=quantity,
                product=product,
                lot_number=lot_number,
                expiry=expiry,
                serials=tuple(serials or ()),
                arrival_temperature=temperature,
            )
        ],
    )
    line = receipt["lines"][0]
    await inspection.inspect(
        w.qa.actor,
        line["id"],
        appearance_ok=True,
        packaging_ok=True,
        label_ok=True,
        certificate_ok=True,
        accepted=quantity,
        rejected=0,
    )
    await inspection.decide(w.qa.actor, line["id"], release=True, password=PASSWORD)
    target = to or (w.cold_a if product == w.reagent else w.storage_a1)
    ids = await serial_ids(line["lot"])
    if ids:
        for serial_id in ids:
            await putaway.put_away(
                w.warehouse.actor,
                lot_id=line["lot"],
                serial_id=serial_id,
                quantity=1,
                from_location=w.receiving_a,
                to_location=target,
            )
    else:
        await putaway.put_away(
            w.warehouse.actor,
            lot_id=line["lot"],
            serial_id=None,
            quantity=quantity,
            from_location=w.receiving_a,
            to_location=target,
        )
    rows = await db.fetch("SELECT * FROM lot WHERE id = {}", line["lot"])
    return rows[0]


async def serial_ids(lot_id: int) -> list[int]:
    rows = await db.fetch("SELECT id FROM serial_number WHERE lot = {} ORDER BY id", lot_id)
    return [r["id"] for r in rows]


async def on_hand(location: int, lot: int, serial: int | None = None) -> tuple[int, int]:
    """(on_hand, reserved) of one balance, (0, 0) if there is none."""
    where = "serial IS NULL" if serial is None else "serial = {}"
    args = [location, lot] if serial is None else [location, lot, serial]
    rows = await db.fetch(
        f"SELECT on_hand, reserved FROM stock_balance WHERE location = {{}} AND lot = {{}} "
        f"AND {where}",
        *args,
    )
    return (rows[0]["on_hand"], rows[0]["reserved"]) if rows else (0, 0)


async def ledger(**where: Any) -> list[dict[str, Any]]:
    """Ledger entries in order, filtered by column values."""
    query = StockLedger.select().order_by(StockLedger.id)
    for column, value in where.items():
        query = query.where(getattr(StockLedger, column) == value)
    rows: list[dict[str, Any]] = await query
    return rows


async def ledger_count() -> int:
    return int(await StockLedger.count())


async def violations() -> list[str]:
    from backend.verify import run_all

    return [f"{v.check}: {v.detail}" for v in await run_all()]


def actor_of(user: TestUser) -> Actor:
    return user.actor


async def deliver(w: World, lot: dict[str, Any], quantity: int, to_location: int) -> int:
    """A transfer order from warehouse A to a location, picked, shipped and received."""
    from backend.stock import picking

    o = await picking.create_transfer_order(
        w.warehouse.actor,
        from_warehouse=w.wh_a,
        to_location=to_location,
        to_customer=None,
        lines=[picking.OrderLine(lot["product"], quantity)],
    )
    pick = await picking.allocate_order(w.warehouse.actor, o["id"])
    for line in pick["lines"]:
        await picking.confirm_pick(
            w.warehouse.actor,
            pick["id"],
            line["id"],
            scan=picking.Scan(lot_id=line["lot"]),
            quantity=line["quantity"],
        )
    await picking.ship(w.warehouse.actor, o["id"])
    await picking.receive(
        w.warehouse.actor,
        o["id"],
        lines=[picking.Arrived(lot["id"], None, quantity)],
        discrepancy_reason=None,
    )
    return int(o["id"])
