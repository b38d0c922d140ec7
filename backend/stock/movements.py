"""Moving stock that is already here: transfers between locations, returns from departments,
adjustments with reason codes. Putaway (receiving) and transit (transfer orders) use ``move``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backend.core.actor import Actor
from backend.core.db import fetch as fetch_rows
from backend.core.errors import InvalidInput
from backend.core.unit_of_work import UnitOfWork, unit_of_work
from backend.stock import ledger, lookups, rules
from backend.stock.errors import ReasonNotAllowed, SameLocation, SerialMismatch
from backend.stock.reasons import ADJUSTMENTS_IN, ADJUSTMENTS_OUT, Reason

ALL_KINDS = ("receiving", "storage", "quarantine", "point_of_use", "in_transit", "disposal")
TRANSFER_KINDS = ("storage", "quarantine", "point_of_use", "disposal", "receiving")
"""Where a plain transfer may go (in-transit only through transfer orders)."""


@dataclass(frozen=True, slots=True)
class Moved:
    ledger_ids: list[int]
    lot: int
    serial: int | None
    from_location: int
    to_location: int
    quantity: int


async def unit(
    actor: Actor, *, lot_id: int, serial_id: int | None, quantity: int
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """The lot, its product and the serial, checked against each other and the quantity."""
    rules.check_quantity(quantity)
    lot = await lookups.lot(lot_id)
    product = await lookups.product(actor, lot["product"])
    serial = None
    if serial_id is not None:
        serial = await lookups.serial(serial_id)
        if serial["lot"] != lot_id:
            raise SerialMismatch(field="serial", serial=serial["serial"])
    rules.check_serial_quantity(rules.is_serial_tracked(product["tracking"]), serial_id, quantity)
    return lot, product, serial


def check_destination(
    product: dict[str, Any], location: dict[str, Any], kinds: Sequence[str]
) -> None:
    rules.check_destination(
        product_code=product["code"],
        cold_chain=product["cold_chain"],
        product_min=product["storage_temp_min"],
        product_max=product["storage_temp_max"],
        location_code=location["code"],
        location_kind=location["kind"],
        location_min=location["temp_min"],
        location_max=location["temp_max"],
        allowed_kinds=kinds,
    )


async def move(
    uow: UnitOfWork,
    *,
    lot_id: int,
    serial_id: int | None,
    quantity: int,
    from_location: int,
    to_location: int,
    out_reason: Reason,
    in_reason: Reason,
    document: ledger.Document,
    note: str | None = None,
    document_line: int | None = None,
) -> list[int]:
    if from_location == to_location:
        raise SameLocation(field="to_location")
    return await ledger.post(
        uow,
        document,
        [
            ledger.Entry(
                from_location,
                lot_id,
                serial_id,
                -quantity,
                out_reason,
                document_line=document_line,
                note=note,
            ),
            ledger.Entry(
                to_location,
                lot_id,
                serial_id,
                quantity,
                in_reason,
                document_line=document_line,
                note=note,
            ),
        ],
    )


async def transfer(
    actor: Actor,
    *,
    lot_id: int,
    serial_id: int | None,
    quantity: int,
    from_location: int,
    to_location: int,
    note: str | None = None,
) -> Moved:
    """Between two locations of one warehouse (between warehouses: a transfer order)."""
    async with unit_of_work(actor) as uow:
        _lot, product, _serial = await unit(
            actor, lot_id=lot_id, serial_id=serial_id, quantity=quantity
        )
        source = await lookups.location(actor, from_location, "from_location")
        target = await lookups.location(actor, to_location, "to_location")
        if source["warehouse"] != target["warehouse"]:
            raise InvalidInput(
                field="to_location", reason="another warehouse: use a transfer order"
            )
        check_destination(product, target, TRANSFER_KINDS)
        ids = await move(
            uow,
            lot_id=lot_id,
            serial_id=serial_id,
            quantity=quantity,
            from_location=from_location,
            to_location=to_location,
            out_reason=Reason.transfer_out,
            in_reason=Reason.transfer_in,
            document=ledger.Document("transfer"),
            note=note,
        )
        uow.audit(
            "transfer",
            "lot",
            lot_id,
            new={
                "from": from_location,
                "to": to_location,
                "quantity": quantity,
                "serial": serial_id,
                "ledger": ids,
            },
            reason=note,
        )
    return Moved(ids, lot_id, serial_id, from_location, to_location, quantity)


async def return_from_department(
    actor: Actor,
    *,
    lot_id: int,
    serial_id: int | None,
    quantity: int,
    from_location: int,
    to_location: int,
    reason: str,
) -> Moved:
    """Stock a ward sends back (a ward cabinet to the serving warehouse)."""
    if not reason.strip():
        raise InvalidInput(field="reason", reason="say why it comes back")
    async with unit_of_work(actor) as uow:
        _lot, product, _serial = await unit(
            actor, lot_id=lot_id, serial_id=serial_id, quantity=quantity
        )
        source = await lookups.location(actor, from_location, "from_location")
        if source["kind"] != "point_of_use":
            raise InvalidInput(field="from_location", reason="a department's point-of-use location")
        target = await lookups.location(actor, to_location, "to_location")
        check_destination(product, target, ("storage", "quarantine", "receiving"))
        ids = await move(
            uow,
            lot_id=lot_id,
            serial_id=serial_id,
            quantity=quantity,
            from_location=from_location,
            to_location=to_location,
            out_reason=Reason.return_out,
            in_reason=Reason.return_in,
            document=ledger.Document("return"),
            note=reason,
        )
        uow.audit(
            "return",
            "lot",
            lot_id,
            new={
                "from": from_location,
                "to": to_location,
                "quantity": quantity,
                "serial": serial_id,
                "department": source["department"],
                "ledger": ids,
            },
            reason=reason,
        )
    return Moved(ids, lot_id, serial_id, from_location, to_location, quantity)


async def adjust(
    actor: Actor,
    *,
    lot_id: int,
    serial_id: int | None,
    location_id: int,
    quantity: int,
    reason: Reason,
    note: str,
) -> list[int]:
    """A signed correction with a reason code: count gain/loss, damage, found, write-off."""
    if quantity == 0:
        raise InvalidInput(field="quantity", reason="must not be 0")
    allowed = ADJUSTMENTS_IN if quantity > 0 else ADJUSTMENTS_OUT
    if reason not in allowed:
        raise ReasonNotAllowed(field="reason", reason=int(reason))
    if not note.strip():
        raise InvalidInput(field="note", reason="say why")
    async with unit_of_work(actor) as uow:
        _lot, product, _serial = await unit(
            actor, lot_id=lot_id, serial_id=serial_id, quantity=abs(quantity)
        )
        location = await lookups.location(actor, location_id)
        if quantity > 0:
            check_destination(product, location, ALL_KINDS)
            if serial_id is not None:
                await _serial_not_on_hand(serial_id)
        ids = await ledger.post(
            uow,
            ledger.Document("adjustment"),
            [ledger.Entry(location_id, lot_id, serial_id, quantity, reason, note=note)],
        )
        uow.audit(
            "adjust",
            "lot",
            lot_id,
            new={
                "location": location_id,
                "quantity": quantity,
                "serial": serial_id,
                "reason": int(reason),
                "ledger": ids,
            },
            reason=note,
        )
    return ids


async def _serial_not_on_hand(serial_id: int) -> None:

    rows = await fetch_rows(
        "SELECT location FROM stock_balance WHERE serial = {} AND on_hand > 0", serial_id
    )
    if rows:
        raise InvalidInput(
            field="serial", reason=f"already on hand at location {rows[0]['location']}"
        )
