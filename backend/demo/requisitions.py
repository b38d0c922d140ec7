"""Demo requisitions: department catalogues with par levels for the twelve departments, and a
handful of cardiology requisitions in every state, made through the real services (so stock,
ledger, audit and events agree) with the demo's nurse, head, warehouse and admin."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from backend.auth.service import actor_from_row
from backend.auth.tables import User
from backend.core.actor import SYSTEM, Actor
from backend.core.db import fetch
from backend.requisitions import approving, fulfilling, requesting, using
from backend.requisitions.tables import DepartmentCatalogue
from backend.stock import picking

COMMON = ("syringe", "infusion_set", "iv_cannula", "mask", "gloves", "dressing")
"""Consumables every ward may request (the first three products of each family)."""

SPECIALISED: dict[str, tuple[str, ...]] = {
    "CARD": ("des_stent", "ptca_balloon", "pacemaker", "ecg_electrode"),
    "ORTH": ("hip", "knee", "bone_plate", "bone_screw"),
    "GSUR": ("stapler", "suture", "urinary_catheter"),
    "OPHT": ("iol",),
    "NEPH": ("dialyser",),
    "LAB": ("ivd_chem", "antigen_test"),
    "EMER": ("antigen_test", "glucose_strip", "ecg_electrode"),
    "ICU": ("cvc_kit", "ecg_electrode", "urinary_catheter"),
    "OR": ("stapler", "suture", "hernia_mesh", "ultrasonic_blade", "breathing_circuit"),
    "ANES": ("breathing_circuit", "cvc_kit"),
    "GAST": ("biopsy_forceps",),
    "ENDO": ("insulin_reservoir", "glucose_strip"),
}


async def _actors() -> dict[str, Actor]:
    rows = await User.select().output(load_json=True)
    return {r["username"]: actor_from_row(r) for r in rows}


async def _catalogues(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    products = await fetch(
        "SELECT id, category, tracking, implant, unit_cost FROM product WHERE active = {} "
        "ORDER BY id",
        True,
    )
    by_category: dict[str, list[dict[str, Any]]] = {}
    for p in products:
        by_category.setdefault(p["category"], []).append(p)
    departments = await fetch("SELECT id, code FROM department ORDER BY id")
    rows: list[DepartmentCatalogue] = []
    chosen: dict[str, list[dict[str, Any]]] = {}
    for d in departments:
        mine: list[dict[str, Any]] = []
        for category in COMMON:
            mine += by_category.get(category, [])[:3]
        for category in SPECIALISED.get(d["code"], ()):
            mine += by_category.get(category, [])
        chosen[d["code"]] = mine
        for p in mine:
            high = p["implant"] or p["tracking"] in ("serial", "lot_serial")
            par = rng.choice((0, 2, 4)) if high else rng.choice((0, 20, 50, 100, 200))
            rows.append(
                DepartmentCatalogue(
                    department=d["id"],
                    product=p["id"],
                    par_level=par,
                    favourite=rng.random() < 0.2,
                )
            )
    for start in range(0, len(rows), 250):
        await DepartmentCatalogue.insert(*rows[start : start + 250])
    return chosen


async def _in_stock(warehouse: int, today: date) -> dict[int, int]:
    rows = await fetch(
        "SELECT b.product, SUM(b.on_hand - b.reserved) AS n FROM stock_balance b "
        "JOIN location loc ON loc.id = b.location JOIN lot l ON l.id = b.lot "
        "WHERE loc.warehouse = {} AND loc.kind = 'storage' AND l.status = 'released' "
        "AND (l.expiry IS NULL OR l.expiry >= {}) AND b.serial IS NULL GROUP BY b.product",
        warehouse,
        today,
    )
    return {int(r["product"]): int(r["n"]) for r in rows}


async def _pick(warehouse: Actor, req: dict[str, Any]) -> None:
    pick = await picking.pick_list(warehouse, req["shipments"][-1]["pick_list"])
    for line in pick["lines"]:
        await picking.confirm_pick(
            warehouse,
            pick["id"],
            line["id"],
            scan=picking.Scan(lot_id=line["lot"], serial=line["serial_number"]),
            quantity=line["quantity"],
        )


async def build(rng: random.Random, today: date) -> dict[str, int]:
    chosen = await _catalogues(rng)
    entries = sum(len(v) for v in chosen.values())
    actors = await _actors()
    nurse, head, warehouse = actors.get("nurse"), actors.get("head"), actors.get("warehouse")
    card = await fetch("SELECT id, warehouse FROM department WHERE code = 'CARD'")
    if not (nurse and head and warehouse and card):
        return {"catalogue_entries": entries, "requisitions": 0}
    department, serving = int(card[0]["id"]), int(card[0]["warehouse"])
    stock = await _in_stock(serving, today)
    cheap = sorted(
        (
            p
            for p in chosen["CARD"]
            if stock.get(p["id"], 0) >= 60 and p["tracking"] in ("lot", "none")
        ),
        key=lambda p: p["unit_cost"],
    )[:6]
    if len(cheap) < 3:
        return {"catalogue_entries": entries, "requisitions": 0}

    async def new(lines: list[tuple[int, int]], submit: bool = True, **kw: Any) -> dict[str, Any]:
        assert nurse is not None
        return await requesting.create(
            nurse,
            department=department,
            lines=[requesting.LineIn(p, q) for p, q in lines],
            submit=submit,
            **kw,
        )

    def lines(n: int) -> list[tuple[int, int]]:
        return [(p["id"], rng.choice((5, 10, 20))) for p in rng.sample(cheap, n)]

    # received, with one use on the ward
    req = await new(lines(3), urgency="urgent", notes="周末备用")
    req = await approving.approve(head, req["id"], reason="同意")
    req = await fulfilling.release(warehouse, req["id"])
    await _pick(warehouse, req)
    await fulfilling.ship(warehouse, req["id"])
    await fulfilling.deliver(warehouse, req["id"])
    req = await fulfilling.receive(nurse, req["id"], scanned=None)
    delivery = await fulfilling.delivery(nurse, req["id"])
    cabinet = int(req["to_location"])
    lot = await fetch(
        "SELECT id FROM lot WHERE lot_number = {} AND product = (SELECT id FROM product "
        "WHERE code = {})",
        delivery["units"][0]["lot_number"],
        delivery["units"][0]["product_code"],
    )
    await using.consume(nurse, location=cabinet, lot=int(lot[0]["id"]), serial=None, quantity=2)
    # shipped, waiting for the ward to confirm
    req = await new(lines(2))
    await approving.approve(head, req["id"])
    req = await fulfilling.release(warehouse, req["id"])
    await _pick(warehouse, req)
    await fulfilling.ship(warehouse, req["id"])
    # picking: on the handheld's task list
    req = await new(lines(2), urgency="emergency")
    await approving.approve(head, req["id"])
    await fulfilling.release(warehouse, req["id"])
    # approved, waiting for the warehouse; submitted, waiting for the head; rejected; a draft
    req = await new(lines(2))
    await approving.approve(head, req["id"])
    await new(lines(3), notes="下周手术排班增加")
    req = await new(lines(1))
    await approving.reject(head, req["id"], reason="科室库存充足")
    await new(lines(2), submit=False)
    # the nightly par-level proposal for cardiology
    proposed = await requesting.propose_from_par(SYSTEM, department)
    return {"catalogue_entries": entries, "requisitions": 7 + (1 if proposed else 0)}
