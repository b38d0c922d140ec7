"""Fulfilling: an approved requisition becomes a stock transfer order from the serving
warehouse to the ward's cabinet, allocated FEFO into a pick list by stock's own services; the
warehouse picks on the handheld with stock's pick endpoints; what cannot be allocated or
picked becomes back-orders; shipping, delivery and the ward's receipt (by scan, or the whole
delivery) follow, the receipt moving the units from transit into the cabinet and recording
any discrepancy.

Stock has no "pick list for any outbound document" function: its pick lists close and cancel
against transfer orders. So a requisition is fulfilled by transfer orders (one per shipment;
a back-order allocated later makes another) and ``requisition_shipment`` links them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backend.core import clock, db
from backend.core.actor import Actor
from backend.core.errors import InvalidInput, NotFound
from backend.core.unit_of_work import UnitOfWork, unit_of_work
from backend.requisitions import common, requesting, rules
from backend.requisitions.errors import NothingToShip, PickingOpen
from backend.requisitions.tables import BackOrder, RequisitionLine, RequisitionShipment
from backend.stock import picking
from backend.stock.errors import InsufficientStock

# Stock's transfer orders made for requisitions carry this owner: only the requisition moves them.
OWNER = "requisition"


@dataclass(frozen=True, slots=True)
class Want:
    requisition_line: int
    product: int
    quantity: int


@dataclass(frozen=True, slots=True)
class Scanned:
    """A unit the ward scanned on receipt: its lot (and serial), how many."""

    lot: int
    serial: int | None
    quantity: int


async def _warehouse_side(actor: Actor, requisition_id: int) -> dict[str, Any]:
    row = await common.requisition(actor, requisition_id, lock=True)
    if not actor.sees_warehouse(row["warehouse"]):
        raise NotFound(entity="requisition", key=requisition_id)
    return row


async def _ship_out(
    uow: UnitOfWork, actor: Actor, row: dict[str, Any], wants: Sequence[Want]
) -> tuple[int | None, dict[int, int]]:
    """A transfer order for the wants, allocated (partly if need be) by stock. Returns the
    shipment id (None when nothing at all could be allocated: nothing written) and the
    shortfall per requisition line."""
    transaction = db.engine().current_transaction.get()
    assert transaction is not None
    savepoint = await transaction.savepoint()
    try:
        order = await picking.create_transfer_order(
            actor,
            from_warehouse=row["warehouse"],
            to_location=row["to_location"],
            to_customer=None,
            lines=[picking.OrderLine(w.product, w.quantity) for w in wants],
            note=common.label(row["id"]),
            owner=OWNER,
        )
        pick = await picking.allocate_order(actor, order["id"], allow_partial=True, owner=OWNER)
    except InsufficientStock:
        await savepoint.rollback_to()
        return None, {w.requisition_line: w.quantity for w in wants}
    await savepoint.release()
    order_lines = await picking.order_lines(order["id"])
    line_map = {str(o["id"]): w.requisition_line for o, w in zip(order_lines, wants, strict=True)}
    allocated: dict[int, int] = {}
    for p in pick["lines"]:
        allocated[p["document_line"]] = allocated.get(p["document_line"], 0) + p["quantity"]
    short = {
        w.requisition_line: w.quantity - allocated.get(o["id"], 0)
        for o, w in zip(order_lines, wants, strict=True)
        if w.quantity > allocated.get(o["id"], 0)
    }
    rows = await RequisitionShipment.insert(
        RequisitionShipment(
            requisition=row["id"],
            transfer_order=order["id"],
            pick_list=pick["id"],
            lines=line_map,
            status="picking",
        )
    )
    shipment_id = int(rows[0]["id"])
    uow.audit(
        "allocate",
        "requisition",
        row["id"],
        new={"shipment": shipment_id, "transfer_order": order["id"], "pick_list": pick["id"]},
    )
    return shipment_id, short


async def _back_order(
    uow: UnitOfWork,
    row: dict[str, Any],
    short: dict[int, int],
    products: dict[int, int],
    cause: str,
) -> None:
    for line_id, quantity in sorted(short.items()):
        if quantity <= 0:
            continue
        rows = await BackOrder.insert(
            BackOrder(
                requisition=row["id"],
                requisition_line=line_id,
                product=products[line_id],
                quantity=quantity,
                cause=cause,
                status="open",
            )
        )
        uow.audit(
            "back_order",
            "requisition",
            row["id"],
            new={
                "back_order": rows[0]["id"],
                "line": line_id,
                "quantity": quantity,
                "cause": cause,
            },
        )
    if any(q > 0 for q in short.values()):
        uow.emit(
            "requisition.back_ordered",
            {
                "id": row["id"],
                "department_id": row["department"],
                "warehouse_id": row["warehouse"],
                "quantity": sum(short.values()),
            },
        )


async def release(actor: Actor, requisition_id: int) -> dict[str, Any]:
    """Approved → a pick list (FEFO) in the serving warehouse; what cannot be allocated is
    back-ordered. Nothing allocatable at all: the whole requisition waits as back-ordered."""
    async with unit_of_work(actor) as uow:
        row = await _warehouse_side(actor, requisition_id)
        rules.check_transition(requisition_id, row["status"], rules.PICKING, "release")
        lines = await common.lines(requisition_id)
        wants = [
            Want(x["id"], common.delivered_product(x), int(x["approved_quantity"]))
            for x in lines
            if x["approved_quantity"]
        ]
        products = {w.requisition_line: w.product for w in wants}
        shipment, short = await _ship_out(uow, actor, row, wants)
        await _back_order(uow, row, short, products, "no_stock")
        new = rules.PICKING if shipment is not None else rules.BACK_ORDERED
        await common.set_status(uow, row, new, "release")
    return await requesting.get(actor, requisition_id)


async def allocate_back_orders(actor: Actor, requisition_id: int) -> dict[str, Any]:
    """Try the open back-orders again: what can be allocated now goes on a new shipment;
    what still cannot stays back-ordered. Nothing allocatable: refused, nothing written."""
    async with unit_of_work(actor) as uow:
        row = await _warehouse_side(actor, requisition_id)
        open_rows = await db.fetch(
            "SELECT * FROM back_order WHERE requisition = {} AND status = 'open' ORDER BY id",
            requisition_id,
        )
        if not open_rows:
            raise NothingToShip(requisition=common.label(requisition_id), action="allocate")
        if row["status"] not in (rules.BACK_ORDERED, rules.RECEIVED):
            rules.check_transition(requisition_id, row["status"], rules.PICKING, "allocate")
        per_line: dict[int, Want] = {}
        for b in open_rows:
            w = per_line.get(b["requisition_line"])
            per_line[b["requisition_line"]] = Want(
                b["requisition_line"], b["product"], b["quantity"] + (w.quantity if w else 0)
            )
        wants = list(per_line.values())
        shipment, short = await _ship_out(uow, actor, row, wants)
        if shipment is None:
            total = sum(w.quantity for w in wants)
            raise InsufficientStock(wanted=total, available=0)
        ids = [int(b["id"]) for b in open_rows]
        await BackOrder.update(
            {
                BackOrder.status: "allocated",
                BackOrder.shipment: shipment,
                BackOrder.allocated_at: clock.now(),
            }
        ).where(BackOrder.id.is_in(ids))
        # The same units, still waiting: not counted again as back-ordered in the figures.
        await _back_order(
            uow, row, short, {w.requisition_line: w.product for w in wants}, "still_short"
        )
        uow.audit("allocate_back_orders", "requisition", requisition_id, new={"back_orders": ids})
        await common.set_status(uow, row, rules.PICKING, "release")
    return await requesting.get(actor, requisition_id)


async def cancel_back_orders(actor: Actor, requisition_id: int, reason: str) -> dict[str, Any]:
    """The ward no longer needs what is still back-ordered (or the warehouse cannot get it)."""
    if not reason.strip():
        raise InvalidInput(field="reason", reason="say why")
    async with unit_of_work(actor) as uow:
        row = await common.requisition(actor, requisition_id, lock=True)
        rows = await db.fetch(
            "UPDATE back_order SET status = 'cancelled' WHERE requisition = {} "
            "AND status = 'open' RETURNING id, quantity",
            requisition_id,
        )
        if not rows:
            raise NothingToShip(requisition=common.label(requisition_id), action="cancel")
        uow.audit(
            "cancel_back_orders",
            "requisition",
            requisition_id,
            new={"back_orders": sorted(int(r["id"]) for r in rows)},
            reason=reason,
        )
        if row["status"] == rules.BACK_ORDERED:
            await common.set_status(uow, row, rules.CANCELLED, "cancel")
        else:
            common.emit_change(uow, row, row["status"], back_orders_cancelled=len(rows))
    return await requesting.get(actor, requisition_id)


async def _shipments(requisition_id: int, statuses: Sequence[str]) -> list[dict[str, Any]]:
    marks = ", ".join("{}" for _ in statuses)
    rows = await db.fetch(
        f"SELECT * FROM requisition_shipment WHERE requisition = {{}} AND status IN ({marks}) "
        "ORDER BY id",
        requisition_id,
        *statuses,
    )
    out = []
    for r in rows:
        item = dict(r)
        lines = item["lines"]
        item["lines"] = json.loads(lines) if isinstance(lines, str) else lines
        out.append(item)
    return out


async def _picked(actor: Actor, shipment: dict[str, Any]) -> list[dict[str, Any]]:
    """Picked units of a shipment: requisition line, lot, serial, quantity (and the pick line's
    status: ``open`` while nobody has picked or shorted it)."""
    pick = await picking.pick_list(actor, int(shipment["pick_list"]))
    return [
        {
            "requisition_line": shipment["lines"][str(p["document_line"])],
            "to_line": p["document_line"],
            "status": p["status"],
            "allocated": p["quantity"],
            "lot": p["picked_lot"],
            "serial": p["picked_serial"],
            "quantity": p["picked"],
        }
        for p in pick["lines"]
    ]


async def ship(actor: Actor, requisition_id: int) -> dict[str, Any]:
    """Dispatch every picked shipment (stock's ship: the units stay in transit until the ward
    receives them); short picks become back-orders."""
    async with unit_of_work(actor) as uow:
        row = await _warehouse_side(actor, requisition_id)
        rules.check_transition(requisition_id, row["status"], rules.SHIPPED, "ship")
        shipments = await _shipments(requisition_id, ("picking",))
        if not shipments:
            raise NothingToShip(requisition=common.label(requisition_id), action="ship")
        picks = [await _picked(actor, shipment) for shipment in shipments]
        still_open = sum(1 for picked in picks for p in picked if p["status"] == "open")
        if still_open:
            raise PickingOpen(requisition=common.label(requisition_id), open=still_open)
        now = clock.now()
        lines = {x["id"]: x for x in await common.lines(requisition_id)}
        for shipment, picked in zip(shipments, picks, strict=True):
            await picking.ship(actor, int(shipment["transfer_order"]), owner=OWNER)
            shipped: dict[int, int] = {}
            allocated: dict[int, int] = {}
            for p in picked:
                line = p["requisition_line"]
                shipped[line] = shipped.get(line, 0) + p["quantity"]
                allocated[line] = allocated.get(line, 0) + p["allocated"]
            for line_id, quantity in shipped.items():
                await db.fetch(
                    "UPDATE requisition_line SET shipped_quantity = shipped_quantity + {} "
                    "WHERE id = {}",
                    quantity,
                    line_id,
                )
            short = {k: allocated[k] - shipped.get(k, 0) for k in allocated}
            products = {k: common.delivered_product(lines[k]) for k in allocated}
            await _back_order(uow, row, short, products, "short_pick")
            await RequisitionShipment.update(
                {RequisitionShipment.status: "shipped", RequisitionShipment.shipped_at: now}
            ).where(RequisitionShipment.id == shipment["id"])
        await common.set_status(uow, row, rules.SHIPPED, "ship", shipped_at=now)
    return await requesting.get(actor, requisition_id)


async def deliver(actor: Actor, requisition_id: int) -> dict[str, Any]:
    """The runner hands the delivery over at the ward (the units move when the ward confirms)."""
    async with unit_of_work(actor) as uow:
        row = await _warehouse_side(actor, requisition_id)
        rules.check_transition(requisition_id, row["status"], rules.DELIVERED, "deliver")
        now = clock.now()
        await RequisitionShipment.update(
            {RequisitionShipment.status: "delivered", RequisitionShipment.delivered_at: now}
        ).where(
            (RequisitionShipment.requisition == requisition_id)
            & (RequisitionShipment.status == "shipped")
        )
        await common.set_status(uow, row, rules.DELIVERED, "deliver", delivered_at=now)
    return await requesting.get(actor, requisition_id)


async def receive(
    actor: Actor,
    requisition_id: int,
    *,
    scanned: Sequence[Scanned] | None,
    discrepancy_reason: str | None = None,
) -> dict[str, Any]:
    """The ward confirms receipt: by the units it scanned, or (``scanned`` None) the whole
    delivery. Stock moves what arrived from transit into the ward's cabinet and writes off and
    records what did not; the requisition lines count what was received."""
    async with unit_of_work(actor) as uow:
        row = await common.requisition(actor, requisition_id, lock=True)
        if not actor.sees_department(row["department"]):
            raise NotFound(entity="requisition", key=requisition_id)
        rules.check_transition(requisition_id, row["status"], rules.RECEIVED, "receive")
        shipments = await _shipments(requisition_id, ("shipped", "delivered"))
        if not shipments:
            raise NothingToShip(requisition=common.label(requisition_id), action="receive")
        stock_actor = common.with_warehouse(actor, row["warehouse"])
        left: dict[tuple[int, int | None], int] = {}
        for n, s in enumerate(scanned or ()):
            if s.quantity < 0:
                raise InvalidInput(field=f"lines[{n}].quantity", reason="must not be negative")
            key = (s.lot, s.serial)
            left[key] = left.get(key, 0) + s.quantity
        now = clock.now()
        for shipment in shipments:
            picked = [p for p in await _picked(stock_actor, shipment) if p["quantity"] > 0]
            arrived: dict[tuple[int, int | None], int] = {}
            per_line: dict[int, int] = {}
            for p in picked:
                key = (p["lot"], p["serial"])
                got = p["quantity"] if scanned is None else min(p["quantity"], left.get(key, 0))
                if scanned is not None:
                    left[key] = left.get(key, 0) - got
                arrived[key] = arrived.get(key, 0) + got
                per_line[p["requisition_line"]] = per_line.get(p["requisition_line"], 0) + got
            shipped_units = sum(p["quantity"] for p in picked)
            missing = shipped_units - sum(arrived.values())
            await picking.receive(
                stock_actor,
                int(shipment["transfer_order"]),
                lines=[picking.Arrived(lot, serial, q) for (lot, serial), q in arrived.items()],
                discrepancy_reason=discrepancy_reason,
                owner=OWNER,
            )
            for line_id, quantity in per_line.items():
                await db.fetch(
                    "UPDATE requisition_line SET received_quantity = received_quantity + {} "
                    "WHERE id = {}",
                    quantity,
                    line_id,
                )
            await RequisitionShipment.update(
                {
                    RequisitionShipment.status: "received",
                    RequisitionShipment.received_at: now,
                    RequisitionShipment.received_by: actor.user_id,
                    RequisitionShipment.missing: missing,
                    RequisitionShipment.discrepancy_reason: discrepancy_reason if missing else None,
                }
            ).where(RequisitionShipment.id == shipment["id"])
            if missing:
                uow.audit(
                    "discrepancy",
                    "requisition",
                    requisition_id,
                    new={"shipment": shipment["id"], "missing": missing},
                    reason=discrepancy_reason,
                )
        extra = {k: v for k, v in left.items() if v > 0}
        if extra:
            lot, serial = next(iter(extra))
            raise InvalidInput(
                field="lines",
                reason=f"lot {lot} serial {serial} was not shipped on this requisition",
            )
        columns: dict[str, Any] = {"received_at": now}
        if row["delivered_at"] is None:
            columns["delivered_at"] = now
        await common.set_status(uow, row, rules.RECEIVED, "receive", **columns)
    return await requesting.get(actor, requisition_id)


async def discrepancies(actor: Actor, requisition_id: int) -> list[dict[str, Any]]:
    """Stock's transit discrepancies of this requisition's transfer orders."""
    await common.requisition(actor, requisition_id)
    out: list[dict[str, Any]] = []
    for s in await _shipments(requisition_id, ("received",)):
        out += await picking.discrepancies(int(s["transfer_order"]))
    return out


async def delivery(actor: Actor, requisition_id: int) -> dict[str, Any]:
    """What the requisition's deliveries contain, unit by unit (every shipment that has left
    the warehouse): product, model, registration number, lot/serial, expiry, quantity, and how
    much of it the ward has received (the rest of a received shipment is its discrepancy).
    The ward's members and the serving warehouse see it (404 for anyone else)."""
    row = await common.requisition(actor, requisition_id)
    stock_actor = common.with_warehouse(actor, row["warehouse"])
    lines = {x["id"]: x for x in await common.lines(requisition_id)}
    shipments = await _shipments(requisition_id, ("shipped", "delivered", "received"))
    merged: dict[tuple[int, int, int, int | None], int] = {}
    gaps: dict[tuple[int, int, int | None], int] = {}
    for shipment in shipments:
        for p in await _picked(stock_actor, shipment):
            if p["quantity"] > 0:
                key = (shipment["id"], p["requisition_line"], p["lot"], p["serial"])
                merged[key] = merged.get(key, 0) + p["quantity"]
        if shipment["status"] == "received":
            for g in await picking.discrepancies(int(shipment["transfer_order"])):
                gap = (shipment["id"], g["lot"], g["serial"])
                gaps[gap] = gaps.get(gap, 0) + int(g["shipped"]) - int(g["received"])
    products = await common.products(common.delivered_product(lines[k[1]]) for k in merged)
    lots = await _by_id("SELECT id, lot_number, expiry FROM lot", {k[2] for k in merged})
    serials = await _by_id(
        "SELECT id, serial FROM serial_number", {k[3] for k in merged if k[3] is not None}
    )
    status = {s["id"]: s["status"] for s in shipments}
    units = []
    for (shipment_id, line_id, lot_id, serial_id), quantity in merged.items():
        product = products[common.delivered_product(lines[line_id])]
        gap_key = (shipment_id, lot_id, serial_id)
        missing = min(quantity, gaps.get(gap_key, 0))
        gaps[gap_key] = gaps.get(gap_key, 0) - missing
        received = quantity - missing if status[shipment_id] == "received" else 0
        units.append(
            {
                "shipment": shipment_id,
                "requisition_line": line_id,
                "product": product["id"],
                "product_code": product["code"],
                "product_name": product["name"],
                "model": product["model"],
                "registration_no": product["registration_no"],
                "base_unit": product["base_unit"],
                "tracking": product["tracking"],
                "lot": lot_id,
                "lot_number": lots[lot_id]["lot_number"],
                "expiry": lots[lot_id]["expiry"],
                "serial": serial_id,
                "serial_number": serials[serial_id]["serial"] if serial_id is not None else None,
                "quantity": quantity,
                "received": received,
                "missing": missing,
            }
        )
    units.sort(
        key=lambda u: (u["shipment"], u["product_code"], u["lot_number"], u["serial_number"] or "")
    )
    place = await db.fetch(
        "SELECT d.code AS department_code, d.name AS department_name, w.code AS warehouse_code, "
        "w.name AS warehouse_name, l.code AS to_location_code FROM department d, warehouse w, "
        "location l WHERE d.id = {} AND w.id = {} AND l.id = {}",
        row["department"],
        row["warehouse"],
        row["to_location"],
    )
    return {
        "requisition": row["id"],
        "status": row["status"],
        "department": row["department"],
        "warehouse": row["warehouse"],
        "to_location": row["to_location"],
        **dict(place[0]),
        "shipments": shipments,
        "units": units,
        "requisition_row": row,
    }


async def _by_id(select: str, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    marks = ", ".join("{}" for _ in ids)
    rows = await db.fetch(f"{select} WHERE id IN ({marks})", *sorted(ids))
    return {int(r["id"]): dict(r) for r in rows}


__all__ = [
    "RequisitionLine",
    "Scanned",
    "allocate_back_orders",
    "deliver",
    "delivery",
    "receive",
    "release",
]
