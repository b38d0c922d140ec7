"""Using at the point of use: consumption by scan (lot-tracked items leave the cabinet;
serial-tracked and implant items are recorded against a pseudonymous patient reference,
procedure, surgeon and time), refused for an expired, recalled or held unit and for a unit not
in that cabinet; returns of unused items with a condition check; the where-used trace that
reaches the patient record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.core import clock, crud, db
from backend.core.actor import SYSTEM, Actor
from backend.core.errors import InvalidInput, NotFound
from backend.core.unit_of_work import unit_of_work
from backend.requisitions import common, rules
from backend.requisitions.errors import NotInCabinet
from backend.requisitions.tables import PatientUse
from backend.sites.service import LOCATIONS
from backend.stock import ledger, lookups, movements, queries
from backend.stock import rules as stock_rules
from backend.stock.reasons import Reason

DOCUMENT = "patient_use"


async def _cabinet(actor: Actor, location_id: int) -> dict[str, Any]:
    """A point-of-use location of one of the caller's departments."""
    try:
        location = await crud.get(LOCATIONS, SYSTEM, location_id)
    except NotFound:
        raise NotFound(field="location", entity="location", key=location_id) from None
    if (
        not location["active"]
        or location["kind"] != "point_of_use"
        or location["department"] is None
        or not actor.sees_department(location["department"])
    ):
        raise NotFound(field="location", entity="location", key=location_id)
    return location


async def _unit(
    lot_id: int, serial_id: int | None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    lot = await lookups.lot(lot_id)
    product = (await common.products([lot["product"]]))[lot["product"]]
    serial = None
    if serial_id is not None:
        serial = await lookups.serial(serial_id)
        if serial["lot"] != lot_id:
            raise InvalidInput(field="serial", reason="not of this lot")
    return lot, product, serial


async def _in_cabinet(
    location: dict[str, Any], lot: dict[str, Any], serial: dict[str, Any] | None, quantity: int
) -> None:
    """Refuse a unit that is not in this cabinet (or not enough of it, unreserved)."""
    rows, _ = await queries.balances(
        SYSTEM,
        queries.StockFilter(location=location["id"], lot=lot["id"]),
        limit=200,
        offset=0,
    )
    wanted = serial["id"] if serial else None
    here = sum(r["on_hand"] - r["reserved"] for r in rows if r["serial"] == wanted)
    if here < quantity:
        raise NotInCabinet(
            lot=lot["lot_number"],
            serial=f" / SN {serial['serial']}" if serial else "",
            location=location["code"],
            available=here,
        )


async def consume(
    actor: Actor,
    *,
    location: int,
    lot: int,
    serial: int | None,
    quantity: int,
    patient_ref: str | None = None,
    procedure: str | None = None,
    surgeon: str | None = None,
    used_at: datetime | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    rules.check_quantity(quantity)
    today = clock.today()
    now = clock.now()
    if used_at is not None and used_at > now:
        raise InvalidInput(field="used_at", reason="must not be in the future")
    async with unit_of_work(actor) as uow:
        cabinet = await _cabinet(actor, location)
        lot_row, product, serial_row = await _unit(lot, serial)
        stock_rules.check_serial_quantity(
            stock_rules.is_serial_tracked(product["tracking"]), serial, quantity
        )
        reference = rules.check_patient_use(
            tracking=product["tracking"],
            implant=bool(product["implant"]),
            patient_ref=patient_ref,
            procedure=procedure,
            surgeon=surgeon,
        )
        # The moment of use: expired, recalled, held or unreleased is refused here too.
        stock_rules.check_lot_usable(
            lot_row["lot_number"], lot_row["status"], lot_row["expiry"], today
        )
        if serial_row is not None:
            stock_rules.check_serial_usable(serial_row["serial"], serial_row["status"])
        await _in_cabinet(cabinet, lot_row, serial_row, quantity)
        rows = await PatientUse.insert(
            PatientUse(
                department=cabinet["department"],
                location=location,
                product=product["id"],
                lot=lot,
                serial=serial,
                quantity=quantity,
                patient_ref=reference,
                procedure=procedure.strip() if procedure else None,
                surgeon=surgeon.strip() if surgeon else None,
                used_at=used_at or now,
                recorded_by=actor.user_id,
                recorded_by_name=actor.full_name or actor.username,
                note=note,
            )
        )
        use_id = int(rows[0]["id"])
        ids = await ledger.post(
            uow,
            ledger.Document(DOCUMENT, use_id),
            [ledger.Entry(location, lot, serial, -quantity, Reason.consume, note=procedure)],
        )
        await PatientUse.update({PatientUse.ledger_id: ids[0]}).where(PatientUse.id == use_id)
        uow.audit(
            "consume",
            DOCUMENT,
            use_id,
            new={
                "location": location,
                "lot": lot,
                "serial": serial,
                "quantity": quantity,
                "patient_ref": reference,
                "procedure": procedure,
                "surgeon": surgeon,
                "ledger": ids,
            },
        )
        uow.emit(
            "point_of_use.consumed",
            {"id": use_id, "department_id": cabinet["department"], "product": product["id"]},
        )
    row = await PatientUse.select().where(PatientUse.id == use_id).first()
    return dict(row or {})


async def return_unused(
    actor: Actor,
    *,
    location: int,
    lot: int,
    serial: int | None,
    quantity: int,
    condition: str,
    reason: str,
) -> dict[str, Any]:
    """Send unused units back to the serving warehouse: intact and in date to its receiving
    area (to be put away again), opened, damaged or expired to quarantine for QA."""
    rules.check_quantity(quantity)
    if not reason.strip():
        raise InvalidInput(field="reason", reason="say why it comes back")
    async with unit_of_work(actor) as uow:
        cabinet = await _cabinet(actor, location)
        lot_row, _product, serial_row = await _unit(lot, serial)
        destination = rules.return_destination(
            condition, stock_rules.is_expired(lot_row["expiry"], clock.today())
        )
        await _in_cabinet(cabinet, lot_row, serial_row, quantity)
        target = await lookups.location_of_kind(cabinet["warehouse"], destination)
        moved = await movements.return_from_department(
            common.with_warehouse(actor, cabinet["warehouse"]),
            lot_id=lot,
            serial_id=serial,
            quantity=quantity,
            from_location=location,
            to_location=target["id"],
            reason=f"{condition}: {reason.strip()}",
        )
        uow.audit(
            "return",
            "point_of_use",
            location,
            new={
                "lot": lot,
                "serial": serial,
                "quantity": quantity,
                "condition": condition,
                "to": target["id"],
                "ledger": moved.ledger_ids,
            },
            reason=reason,
        )
        uow.emit(
            "point_of_use.returned",
            {"department_id": cabinet["department"], "lot": lot, "quantity": quantity},
        )
    return {
        "ledger_ids": moved.ledger_ids,
        "lot": lot,
        "serial": serial,
        "quantity": quantity,
        "condition": condition,
        "to_location": target["id"],
        "to_kind": destination,
    }


def _use_scope(actor: Actor) -> tuple[str, list[Any]]:
    if actor.all_scopes:
        return "", []
    depts = sorted(actor.department_ids) or [-1]
    whs = sorted(actor.warehouse_ids) or [-1]
    return (
        f" AND (u.department IN ({', '.join('{}' for _ in depts)}) "
        f"OR loc.warehouse IN ({', '.join('{}' for _ in whs)}))",
        [*depts, *whs],
    )


_USES = (
    "SELECT u.*, p.code AS product_code, p.name AS product_name, p.model, p.implant, "
    "l.lot_number, l.expiry, s.serial AS serial_number, d.code AS department_code, "
    "loc.code AS location_code FROM patient_use u JOIN product p ON p.id = u.product "
    "JOIN lot l ON l.id = u.lot LEFT JOIN serial_number s ON s.id = u.serial "
    "JOIN department d ON d.id = u.department JOIN location loc ON loc.id = u.location "
)


async def uses(
    actor: Actor,
    *,
    patient_ref: str | None = None,
    lot: int | None = None,
    serial: int | None = None,
    department: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    clauses = ["1 = 1"]
    args: list[Any] = []
    if patient_ref is not None:
        clauses.append("u.patient_ref = {}")
        args.append(rules.check_patient_reference(patient_ref))
    for column, value in (("u.lot", lot), ("u.serial", serial), ("u.department", department)):
        if value is not None:
            clauses.append(f"{column} = {{}}")
            args.append(value)
    scope, scope_args = _use_scope(actor)
    rows = await db.fetch(
        _USES + f"WHERE {' AND '.join(clauses)}{scope} ORDER BY u.used_at, u.id LIMIT {int(limit)}",
        *args,
        *scope_args,
    )
    return [dict(r) for r in rows]


async def trace(actor: Actor, *, lot: int | None, serial: int | None) -> dict[str, Any]:
    """Stock's where-used trace of a lot or serial, extended to the patients it was used on
    (stock's trace has no hook for it)."""
    if (lot is None) == (serial is None):
        raise InvalidInput(field="lot", reason="give a lot or a serial")
    found = await queries.trace(actor, lot=lot, serial=serial)
    found["patients"] = await uses(actor, lot=lot, serial=serial, limit=1000)
    return found
