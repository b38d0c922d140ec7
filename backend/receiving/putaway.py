"""Putaway (上架): released stock from the receiving location to storage, with a suggested
place: where the product already is, else an empty one of the right temperature class."""

from __future__ import annotations

from backend.core import clock
from backend.core.actor import Actor
from backend.core.db import fetch as fetch_rows
from backend.core.errors import InvalidInput
from backend.core.unit_of_work import unit_of_work
from backend.receiving.errors import AwaitingInspection
from backend.stock import ledger, lookups, movements
from backend.stock import rules as stock_rules
from backend.stock.reasons import Reason


async def suggest(
    actor: Actor, *, product_id: int, warehouse_id: int, limit: int = 5
) -> list[stock_rules.Place]:
    product = await lookups.product(actor, product_id)
    await lookups.warehouse(actor, warehouse_id)
    rows = await fetch_rows(
        "SELECT loc.id, loc.code, loc.kind, loc.temp_min, loc.temp_max, "
        "COALESCE(SUM(CASE WHEN b.product = {} THEN b.on_hand ELSE 0 END), 0) AS holds_product, "
        "COALESCE(SUM(b.on_hand), 0) AS holds_anything "
        "FROM location loc LEFT JOIN stock_balance b ON b.location = loc.id AND b.on_hand > 0 "
        "WHERE loc.warehouse = {} AND loc.kind = 'storage' AND loc.active = {} "
        "GROUP BY loc.id, loc.code, loc.kind, loc.temp_min, loc.temp_max",
        product_id,
        warehouse_id,
        True,
    )
    places = [
        stock_rules.Place(
            r["id"],
            r["code"],
            r["kind"],
            r["temp_min"],
            r["temp_max"],
            int(r["holds_product"]),
            int(r["holds_anything"]),
        )
        for r in rows
    ]
    return stock_rules.suggest_putaway(
        places,
        cold_chain=product["cold_chain"],
        product_min=product["storage_temp_min"],
        product_max=product["storage_temp_max"],
    )[:limit]


async def put_away(
    actor: Actor,
    *,
    lot_id: int,
    serial_id: int | None,
    quantity: int,
    from_location: int,
    to_location: int,
) -> movements.Moved:
    """Only released, unexpired stock goes to storage; the destination must fit the product."""
    async with unit_of_work(actor) as uow:
        lot, product, serial = await movements.unit(
            actor, lot_id=lot_id, serial_id=serial_id, quantity=quantity
        )
        stock_rules.check_lot_usable(lot["lot_number"], lot["status"], lot["expiry"], clock.today())
        if serial is not None:
            stock_rules.check_serial_usable(serial["serial"], serial["status"])
        source = await lookups.location(actor, from_location, "from_location")
        if source["kind"] != "receiving":
            raise InvalidInput(field="from_location", reason="put away from a receiving location")
        target = await lookups.location(actor, to_location, "to_location")
        if target["warehouse"] != source["warehouse"]:
            raise InvalidInput(field="to_location", reason="a location of the same warehouse")
        movements.check_destination(product, target, ("storage",))
        # A lot released on an earlier receipt may have arrived again: those units wait for
        # their own inspection and QA decision before anything of the lot leaves receiving.
        waiting = await fetch_rows(
            "SELECT COUNT(*) AS n FROM receipt_line rl JOIN receipt r ON r.id = rl.receipt "
            "WHERE rl.lot = {} AND r.location = {} "
            "AND rl.status IN ('pending_inspection', 'inspected')",
            lot_id,
            from_location,
        )
        if waiting[0]["n"]:
            raise AwaitingInspection(field="lot", lot=lot["lot_number"])
        ids = await movements.move(
            uow,
            lot_id=lot_id,
            serial_id=serial_id,
            quantity=quantity,
            from_location=from_location,
            to_location=to_location,
            out_reason=Reason.putaway_out,
            in_reason=Reason.putaway_in,
            document=ledger.Document("putaway"),
        )
        uow.audit(
            "putaway",
            "lot",
            lot_id,
            new={
                "from": from_location,
                "to": to_location,
                "quantity": quantity,
                "serial": serial_id,
                "ledger": ids,
            },
        )
    return movements.Moved(ids, lot_id, serial_id, from_location, to_location, quantity)
