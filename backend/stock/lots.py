"""Lots and serials: creation on receipt, status changes (QA decision, hold, release, recall)
with their history, each change announced as ``lot.status_changed``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from backend.core import clock
from backend.core.actor import Actor
from backend.core.errors import Duplicate, InvalidInput
from backend.core.unit_of_work import UnitOfWork, unit_of_work
from backend.stock import lookups, rules
from backend.stock.errors import SerialKnown, StatusTransition
from backend.stock.tables import Lot, LotStatusEvent, SerialNumber


async def find_or_create_lot(
    uow: UnitOfWork,
    *,
    product_id: int,
    lot_number: str,
    expiry: date | None,
    production_date: date | None,
    supplier_id: int | None,
    received_at: datetime,
) -> tuple[dict[str, Any], bool]:
    """The lot of this product and number, created pending inspection if new. A known lot
    number with a different expiry is refused: the label and the record must agree."""
    existing = await lookups.lot_by_number(product_id, lot_number)
    if existing is not None:
        if existing["expiry"] != expiry:
            raise InvalidInput(
                field="expiry",
                reason=f"lot {lot_number} is recorded with expiry {existing['expiry']}",
            )
        return existing, False
    rows = await Lot.insert(
        Lot(
            product=product_id,
            lot_number=lot_number,
            expiry=expiry,
            production_date=production_date,
            supplier=supplier_id,
            status=rules.PENDING,
            first_received_at=received_at,
        )
    )
    lot_id = int(rows[0]["id"])
    await _history(uow, lot_id, None, None, rules.PENDING, "received")
    uow.audit(
        "create",
        "lot",
        lot_id,
        new={
            "product": product_id,
            "lot_number": lot_number,
            "expiry": expiry.isoformat() if expiry else None,
        },
    )
    return await lookups.lot(lot_id), True


async def create_serials(
    uow: UnitOfWork, *, product_id: int, lot_id: int, serials: Sequence[str]
) -> list[int]:
    if not serials:
        return []
    if len(set(serials)) != len(serials):
        raise Duplicate(field="serials", value="a serial repeated on the line")
    known = await SerialNumber.select(SerialNumber.serial).where(
        (SerialNumber.product == product_id) & SerialNumber.serial.is_in(list(serials))
    )
    if known:
        raise SerialKnown(serial=known[0]["serial"])
    rows = await SerialNumber.insert(
        *[
            SerialNumber(product=product_id, serial=s, lot=lot_id, status=rules.PENDING)
            for s in serials
        ]
    )
    return [int(r["id"]) for r in rows]


async def _history(
    uow: UnitOfWork,
    lot_id: int,
    serial_id: int | None,
    old: str | None,
    new: str,
    reason: str | None,
    signature_id: int | None = None,
) -> None:
    await LotStatusEvent.insert(
        LotStatusEvent(
            lot=lot_id,
            serial=serial_id,
            old_status=old,
            new_status=new,
            reason=reason,
            at=clock.now(),
            actor_id=uow.actor.user_id,
            actor_name=uow.actor.username,
            signature_id=signature_id,
        )
    )


async def set_lot_status(
    uow: UnitOfWork,
    lot_id: int,
    new: str,
    reason: str | None,
    *,
    signature_id: int | None = None,
) -> dict[str, Any]:
    lot = await lookups.lot(lot_id)
    old = lot["status"]
    if old == new:
        return lot
    rules.check_transition(old, new)
    # The status is re-checked in the UPDATE: a concurrent change makes this one fail cleanly.
    changed = (
        await Lot.update({Lot.status: new})
        .where((Lot.id == lot_id) & (Lot.status == old))
        .returning(Lot.id)
    )
    if not changed:
        rules.check_transition((await lookups.lot(lot_id))["status"], new)
    await _history(uow, lot_id, None, old, new, reason, signature_id)
    uow.audit("status", "lot", lot_id, old={"status": old}, new={"status": new}, reason=reason)
    uow.emit(
        "lot.status_changed",
        {"lot": lot_id, "product": lot["product"], "old": old, "new": new},
    )
    return {**lot, "status": new}


async def set_serial_status(
    uow: UnitOfWork,
    serial_id: int,
    new: str,
    reason: str | None,
    *,
    signature_id: int | None = None,
) -> dict[str, Any]:
    serial = await lookups.serial(serial_id)
    old = serial["status"]
    if old == new:
        return serial
    rules.check_transition(old, new)
    await SerialNumber.update({SerialNumber.status: new}).where(SerialNumber.id == serial_id)
    await _history(uow, serial["lot"], serial_id, old, new, reason, signature_id)
    uow.audit(
        "status", "serial", serial_id, old={"status": old}, new={"status": new}, reason=reason
    )
    uow.emit(
        "lot.status_changed",
        {
            "lot": serial["lot"],
            "serial": serial_id,
            "product": serial["product"],
            "old": old,
            "new": new,
        },
    )
    return {**serial, "status": new}


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidInput(field="reason", reason="say why")
    return text


async def hold_lot(actor: Actor, lot_id: int, reason: str) -> dict[str, Any]:
    async with unit_of_work(actor) as uow:
        return await set_lot_status(uow, lot_id, rules.ON_HOLD, _reason(reason))


async def release_lot_hold(actor: Actor, lot_id: int, reason: str) -> dict[str, Any]:
    async with unit_of_work(actor) as uow:
        lot = await lookups.lot(lot_id)
        if lot["status"] != rules.ON_HOLD:
            raise StatusTransition(old=lot["status"], new=rules.RELEASED)
        return await set_lot_status(uow, lot_id, rules.RELEASED, _reason(reason))


async def hold_serial(actor: Actor, serial_id: int, reason: str) -> dict[str, Any]:
    async with unit_of_work(actor) as uow:
        return await set_serial_status(uow, serial_id, rules.ON_HOLD, _reason(reason))


async def release_serial_hold(actor: Actor, serial_id: int, reason: str) -> dict[str, Any]:
    async with unit_of_work(actor) as uow:
        serial = await lookups.serial(serial_id)
        if serial["status"] != rules.ON_HOLD:
            raise StatusTransition(old=serial["status"], new=rules.RELEASED)
        return await set_serial_status(uow, serial_id, rules.RELEASED, _reason(reason))


async def recall_lot(actor: Actor, lot_id: int, reason: str) -> dict[str, Any]:
    """Stops the lot everywhere at once (the recalls domain builds on this)."""
    async with unit_of_work(actor) as uow:
        return await set_lot_status(uow, lot_id, rules.RECALLED, _reason(reason))
