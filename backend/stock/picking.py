"""Transfer orders and their pick lists: allocate (FEFO reservations), confirm picks line by
line against the scanned unit, short picks, cancel, ship, and receive at the other end.

Picked units go to the source warehouse's in-transit location; shipping to a customer issues
them out of it; receiving at a destination moves them in, recording any discrepancy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from backend.core import clock, db
from backend.core.actor import Actor
from backend.core.db import fetch as fetch_rows
from backend.core.errors import InvalidInput, NotFound
from backend.core.unit_of_work import UnitOfWork, unit_of_work
from backend.core.write import Write, retrying_stale, stale
from backend.stock import allocation, ledger, lookups, rules
from backend.stock.errors import (
    DeviationReasonRequired,
    DocumentOwned,
    DocumentState,
    InsufficientStock,
    NoLocationOfKind,
    PickLineClosed,
)
from backend.stock.movements import check_destination
from backend.stock.reasons import Reason
from backend.stock.tables import (
    PickList,
    TransferOrder,
    TransferOrderLine,
    TransitDiscrepancy,
)

DESTINATION_KINDS = ("storage", "point_of_use", "receiving")
DOCUMENT = "transfer_order"


@dataclass(frozen=True, slots=True)
class OrderLine:
    product: int
    quantity: int


async def _order(actor: Actor, order_id: int, *, lock: bool = False) -> dict[str, Any]:
    rows = await fetch_rows(
        "SELECT * FROM transfer_order WHERE id = {}"
        + (" FOR UPDATE" if lock and not db.is_sqlite() else ""),
        order_id,
    )
    if not rows or not actor.sees_warehouse(rows[0]["from_warehouse"]):
        raise NotFound(entity="transfer_order", key=order_id)
    return rows[0]


def _check_owner(order_id: int, order_owner: str | None, owner: str | None) -> None:
    """An order driven by another document (a requisition) moves only through that document,
    so the two never disagree."""
    if order_owner is not None and order_owner != owner:
        raise DocumentOwned(document=f"TO-{order_id}", owner=order_owner)


async def create_transfer_order(
    actor: Actor,
    *,
    from_warehouse: int,
    to_location: int | None,
    to_customer: str | None,
    lines: Sequence[OrderLine],
    note: str | None = None,
    owner: str | None = None,
) -> dict[str, Any]:
    if (to_location is None) == (not (to_customer and to_customer.strip())):
        raise InvalidInput(field="to_location", reason="give a destination location or a customer")
    if not lines:
        raise InvalidInput(field="lines", reason="at least one line")
    async with unit_of_work(actor) as uow:
        await lookups.warehouse(actor, from_warehouse, "from_warehouse")
        destination = None
        if to_location is not None:
            # The destination may lie outside the sender's scope: read it without scope.
            rows = await fetch_rows(
                "SELECT * FROM location WHERE id = {} AND active = {}", to_location, True
            )
            if not rows:
                raise NotFound(field="to_location", entity="location", key=to_location)
            destination = rows[0]
            if destination["kind"] not in DESTINATION_KINDS:
                raise InvalidInput(field="to_location", reason="storage, point of use or receiving")
        for n, line in enumerate(lines):
            rules.check_quantity(line.quantity, f"lines[{n}].quantity")
            product = await lookups.product(actor, line.product, f"lines[{n}].product")
            if destination is not None:
                check_destination(product, destination, DESTINATION_KINDS)
        await lookups.location_of_kind(from_warehouse, "in_transit")
        rows = await TransferOrder.insert(
            TransferOrder(
                from_warehouse=from_warehouse,
                to_location=to_location,
                to_customer=to_customer.strip() if to_customer else None,
                status="open",
                note=note,
                owner=owner,
                created_by=actor.user_id,
            )
        )
        order_id = int(rows[0]["id"])
        await TransferOrderLine.insert(
            *[
                TransferOrderLine(transfer_order=order_id, product=x.product, quantity=x.quantity)
                for x in lines
            ]
        )
        uow.audit(
            "create",
            DOCUMENT,
            order_id,
            new={
                "from_warehouse": from_warehouse,
                "to_location": to_location,
                "to_customer": to_customer,
                "lines": [[x.product, x.quantity] for x in lines],
            },
        )
        uow.emit("transfer_order.created", {"id": order_id})
    return await _order(actor, order_id)


async def get_order(actor: Actor, order_id: int) -> dict[str, Any]:
    return await _order(actor, order_id)


async def order_lines(order_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await TransferOrderLine.select()
        .where(TransferOrderLine.transfer_order == order_id)
        .order_by(TransferOrderLine.id)
    )
    return rows


async def allocate_order(
    actor: Actor, order_id: int, *, allow_partial: bool = False, owner: str | None = None
) -> dict[str, Any]:
    """Reserve exact lot/serial/location quantities in FEFO order (FIFO for products set so)
    and write the pick list. Not enough stock: refused (or, if allowed, partly allocated)."""
    today = clock.today()
    async with unit_of_work(actor) as uow:
        lines = await fetch_rows(
            "SELECT o.status AS order_status, o.owner, o.from_warehouse, tol.id, tol.product, "
            "tol.quantity, p.allocation FROM transfer_order o "
            "JOIN transfer_order_line tol ON tol.transfer_order = o.id "
            "JOIN product p ON p.id = tol.product WHERE o.id = {} ORDER BY tol.id"
            + ("" if db.is_sqlite() else " FOR UPDATE OF o"),
            order_id,
        )
        if not lines or not actor.sees_warehouse(lines[0]["from_warehouse"]):
            raise NotFound(entity="transfer_order", key=order_id)
        warehouse, status = lines[0]["from_warehouse"], lines[0]["order_status"]
        _check_owner(order_id, lines[0]["owner"], owner)
        if status != "open":
            raise DocumentState(document=f"TO-{order_id}", state=status, action="allocated")
        wants = [
            allocation.Want(x["id"], x["product"], x["quantity"], x["allocation"]) for x in lines
        ]
        planned, short, labels = await allocation.allocate(wants, warehouse, today)
        if short and not allow_partial:
            line = next(x for x in lines if x["id"] in short)
            raise InsufficientStock(
                field="lines",
                product=line["product"],
                wanted=line["quantity"],
                available=line["quantity"] - short[line["id"]],
            )
        if not planned:
            raise InsufficientStock(wanted=sum(x["quantity"] for x in lines), available=0)
        header = {
            "document_type": DOCUMENT,
            "document_id": order_id,
            "warehouse": warehouse,
            "status": "open",
            "created_at": clock.now(),
            "created_by": actor.user_id,
        }
        written = await _write_pick_list(header, planned)
        pick_list_id = written[0]["pick_list"]
        uow.audit(
            "allocate",
            DOCUMENT,
            order_id,
            new={
                "pick_list": pick_list_id,
                "lines": len(written),
                "short": short or None,
            },
        )
        uow.emit(
            "pick_list.created", {"id": pick_list_id, "document": DOCUMENT, "document_id": order_id}
        )
    shown = [{**x, **asdict(labels[x["balance"]])} for x in written]
    shown.sort(key=lambda x: (x["location_code"], x["id"]))
    return {"id": pick_list_id, **header, "lines": shown}


_PICK_LINE_COLUMNS = (
    "document_line",
    "product",
    "lot",
    "serial",
    "location",
    "balance",
    "quantity",
)


async def _write_pick_list(
    header: dict[str, Any], planned: Sequence[allocation.Planned]
) -> list[dict[str, Any]]:
    """The pick list, one line per (order line, balance), and the order marked allocated;
    returns the lines as written. PostgreSQL: one statement."""
    merged: dict[tuple[int, int], list[Any]] = {}
    for p in planned:
        c = p.candidate
        key = (p.line, c.balance_id)
        if key in merged:
            merged[key][-1] += p.quantity
        else:
            merged[key] = [p.line, p.product, c.lot_id, c.serial_id, c.location_id, c.balance_id]
            merged[key].append(p.quantity)
    values = list(merged.values())
    header = {**header, "open_lines": len(values)}
    columns = ", ".join(_PICK_LINE_COLUMNS)
    head_columns = ", ".join(header)
    head_marks = ", ".join("{}" for _ in header)
    order_id = header["document_id"]
    if not db.is_sqlite():
        arrays = ", ".join("CAST({} AS BIGINT[])" for _ in _PICK_LINE_COLUMNS)
        return await fetch_rows(
            f"WITH h AS (INSERT INTO pick_list ({head_columns}) VALUES ({head_marks}) "
            "RETURNING id), o AS (UPDATE transfer_order SET status = 'allocated' WHERE id = {} "
            f"RETURNING id), l AS (INSERT INTO pick_line (pick_list, {columns}) "
            f"SELECT h.id, v.* FROM h, unnest({arrays}) AS v({columns}) RETURNING *) "
            "SELECT * FROM l ORDER BY id",
            *header.values(),
            order_id,
            *[list(column) for column in zip(*values, strict=True)],
        )
    rows = await fetch_rows(
        f"INSERT INTO pick_list ({head_columns}) VALUES ({head_marks}) RETURNING id",
        *header.values(),
    )
    pick_list_id = rows[0]["id"]
    await fetch_rows("UPDATE transfer_order SET status = 'allocated' WHERE id = {}", order_id)
    written: list[dict[str, Any]] = []
    marks = "(" + ", ".join("{}" for _ in range(len(_PICK_LINE_COLUMNS) + 1)) + ")"
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        written += await fetch_rows(
            f"INSERT INTO pick_line (pick_list, {columns}) VALUES "
            + ", ".join(marks for _ in chunk)
            + " RETURNING *",
            *[x for row in chunk for x in [pick_list_id, *row]],
        )
    return sorted(written, key=lambda x: x["id"])


async def pick_list(actor: Actor, pick_list_id: int) -> dict[str, Any]:
    rows = await fetch_rows("SELECT * FROM pick_list WHERE id = {}", pick_list_id)
    if not rows or not actor.sees_warehouse(rows[0]["warehouse"]):
        raise NotFound(entity="pick_list", key=pick_list_id)
    lines = await fetch_rows(
        "SELECT pl.*, l.lot_number, l.expiry, s.serial AS serial_number, loc.code AS location_code "
        "FROM pick_line pl JOIN lot l ON l.id = pl.lot JOIN location loc ON loc.id = pl.location "
        "LEFT JOIN serial_number s ON s.id = pl.serial WHERE pl.pick_list = {} "
        "ORDER BY loc.code, pl.id",
        pick_list_id,
    )
    return {**rows[0], "lines": lines}


@dataclass(frozen=True, slots=True)
class Scan:
    """What the picker scanned or typed: a lot (by id or number) and maybe a serial."""

    lot_id: int | None = None
    lot_number: str | None = None
    serial: str | None = None
    location_id: int | None = None


_LOT_COLUMNS = ("id", "product", "lot_number", "status", "expiry", "first_received_at")


async def _open_line(
    actor: Actor, pick_list_id: int, line_id: int, scan: Scan | None = None
) -> dict[str, Any]:
    """The open line of an open list in the caller's scope, read without a lock: the write
    that closes it requires it still open (and the list's open line count unchanged), so a
    second confirmation, even a concurrent one, finds it closed. One statement brings the
    list's warehouse, document and open line count, its in-transit location and, for a scan by
    lot id or number, the scanned lot (``scan_lot``: None if not found)."""
    lot_join = ""
    args: list[Any] = []
    if scan is not None and scan.lot_id is not None:
        lot_join, args = "LEFT JOIN lot l ON l.id = {} ", [scan.lot_id]
    elif scan is not None and scan.lot_number:
        lot_join = "LEFT JOIN lot l ON l.product = pl.product AND l.lot_number = {} "
        args = [scan.lot_number]
    lot_columns = "".join(f", l.{c} AS lot_{c}" for c in _LOT_COLUMNS) if lot_join else ""
    rows = await fetch_rows(
        "SELECT pl.*, p.warehouse AS list_warehouse, p.document_id AS list_document, "
        "p.status AS list_status, p.open_lines AS list_open_lines, (SELECT t.id FROM location t "
        "WHERE t.warehouse = p.warehouse AND t.kind = 'in_transit' AND t.active = {} "
        "ORDER BY t.id LIMIT 1) AS transit"
        f"{lot_columns} FROM pick_line pl JOIN pick_list p ON p.id = pl.pick_list {lot_join}"
        "WHERE pl.id = {} AND pl.pick_list = {}",
        True,
        *args,
        line_id,
        pick_list_id,
    )
    if not rows:  # the line or the list is missing: say which
        listed = await fetch_rows("SELECT warehouse FROM pick_list WHERE id = {}", pick_list_id)
        if not listed or not actor.sees_warehouse(listed[0]["warehouse"]):
            raise NotFound(entity="pick_list", key=pick_list_id)
        raise NotFound(entity="pick_line", key=line_id)
    line = rows[0]
    if not actor.sees_warehouse(line["list_warehouse"]):
        raise NotFound(entity="pick_list", key=pick_list_id)
    if line["status"] != "open":
        raise PickLineClosed(line=line_id)
    if line["list_status"] != "open":
        raise DocumentState(
            document=f"PL-{pick_list_id}", state=line["list_status"], action="picked"
        )
    if line["transit"] is None:
        raise NoLocationOfKind(warehouse=line["list_warehouse"], kind="in_transit")
    if lot_join:
        found = line["lot_id"] is not None
        line["scan_lot"] = {c: line.pop(f"lot_{c}") for c in _LOT_COLUMNS} if found else None
    return line


async def _scanned_unit(
    line: dict[str, Any], scan: Scan
) -> tuple[rules.PickedUnit, ledger.LotFacts]:
    if scan.lot_id is not None or scan.lot_number:
        if line["scan_lot"] is None:
            field = "lot" if scan.lot_id is not None else "lot_number"
            raise NotFound(field=field, entity="lot", key=scan.lot_id or scan.lot_number)
        lot = line["scan_lot"]
    elif scan.serial:
        serial_row = await lookups.serial_by_number(line["product"], scan.serial)
        if serial_row is None:
            raise NotFound(field="serial", entity="serial", key=scan.serial)
        lot = await lookups.lot(serial_row["lot"])
    else:
        raise InvalidInput(field="lot", reason="scan the lot or the serial")
    serial = None
    if scan.serial:
        serial = await lookups.serial_by_number(lot["product"], scan.serial)
        if serial is None:
            raise NotFound(field="serial", entity="serial", key=scan.serial)
        if serial["lot"] != lot["id"]:
            raise InvalidInput(field="serial", reason="not of the scanned lot")
    elif line["serial"] is not None:
        raise InvalidInput(field="serial", reason="scan the serial of a serial-tracked unit")
    expiry = db.as_date(lot["expiry"])
    picked = rules.PickedUnit(
        product_id=lot["product"],
        lot_id=lot["id"],
        lot_number=lot["lot_number"],
        lot_status=lot["status"],
        expiry=expiry,
        serial_id=serial["id"] if serial else None,
        serial=serial["serial"] if serial else None,
        serial_status=serial["status"] if serial else None,
    )
    facts = ledger.LotFacts(lot["id"], lot["product"], expiry, lot["first_received_at"])
    return picked, facts


async def confirm_pick(
    actor: Actor,
    pick_list_id: int,
    line_id: int,
    *,
    scan: Scan,
    quantity: int,
    deviation_reason: str | None = None,
    short_reason: str | None = None,
) -> dict[str, Any]:
    """Confirm one pick line with the unit scanned. The allocated lot: the reservation is
    taken. Another usable lot: accepted as a FEFO deviation with its reason, taken from what is
    available there, the reservation released. Fewer than allocated: a short pick (reason).

    The line is read, checked and then written in one write (one statement on PostgreSQL)
    that requires the line still open; if it was changed meanwhile it is read again."""
    return await retrying_stale(
        partial(
            _confirm_once,
            actor,
            pick_list_id,
            line_id,
            scan=scan,
            quantity=quantity,
            deviation_reason=deviation_reason,
            short_reason=short_reason,
        )
    )


async def _confirm_once(
    actor: Actor,
    pick_list_id: int,
    line_id: int,
    *,
    scan: Scan,
    quantity: int,
    deviation_reason: str | None,
    short_reason: str | None,
) -> dict[str, Any]:
    today = clock.today()
    uow, write = UnitOfWork(actor), Write()
    line = await _open_line(actor, pick_list_id, line_id, scan)
    picked, facts = await _scanned_unit(line, scan)
    deviates = rules.verify_pick(
        line_product=line["product"],
        line_lot=line["lot"],
        line_serial=line["serial"],
        allocated=line["quantity"],
        picked=picked,
        quantity=quantity,
        deviation_reason=deviation_reason,
        today=today,
    )
    short = line["quantity"] - quantity
    if short and not (short_reason and short_reason.strip()):
        raise InvalidInput(field="short_reason", reason="say why fewer were picked")
    warehouse = line["list_warehouse"]
    source = line["location"] if scan.location_id is None else scan.location_id
    if scan.location_id is not None and scan.location_id != line["location"]:
        location = await lookups.location(actor, scan.location_id)
        if location["warehouse"] != warehouse or location["kind"] not in (
            allocation.PICK_FROM_KINDS
        ):
            raise InvalidInput(field="location", reason="a storage location of this warehouse")
        deviates = True
        if not (deviation_reason and deviation_reason.strip()):
            raise DeviationReasonRequired(field="deviation_reason")
    done = {
        "status": "short" if short else "picked",
        "picked": quantity,
        "picked_lot": picked.lot_id,
        "picked_serial": picked.serial_id,
        "picked_location": source,
        "deviation_reason": deviation_reason if deviates else None,
        "short_reason": short_reason if short else None,
        "picked_at": clock.now(),
        "picked_by": actor.user_id,
    }
    _close_line(write, uow, line, done)
    # The lot and serial as checked: a status changed meanwhile (a hold, a recall) is read again.
    checked: list[tuple[str, int, str | None]] = [("lot", picked.lot_id, picked.lot_status)]
    if picked.serial_id is not None:
        checked.append(("serial_number", picked.serial_id, picked.serial_status))
    for table, row_id, status in checked:
        sql = f"SELECT id FROM {table} WHERE id = {{}} AND status = {{}}"
        write.add(sql, row_id, status, required=stale)
    if deviates:
        ledger.add_unreserve(write, line["balance"], line["quantity"])
    elif short:
        # Taking the picked units from the reservation and releasing the rest change one
        # balance twice: one statement cannot, so a short pick's changes run in order.
        write.in_order = True
        ledger.add_unreserve(write, line["balance"], short)
    transit = line["transit"]
    await ledger.add_to(
        write,
        uow,
        ledger.Document("pick_list", pick_list_id),
        [
            ledger.Entry(
                source,
                picked.lot_id,
                picked.serial_id,
                -quantity,
                Reason.pick_out,
                from_reserved=not deviates,
                document_line=line_id,
                note=deviation_reason if deviates else None,
            ),
            ledger.Entry(
                transit,
                picked.lot_id,
                picked.serial_id,
                quantity,
                Reason.pick_in,
                document_line=line_id,
            ),
        ],
        facts={picked.lot_id: facts},
        warehouses={source: warehouse, transit: warehouse},
    )
    uow.audit(
        "pick",
        "pick_line",
        line_id,
        new={
            "pick_list": pick_list_id,
            "lot": picked.lot_id,
            "serial": picked.serial_id,
            "quantity": quantity,
            "deviation": deviates,
            "short": short,
        },
        reason=deviation_reason if deviates else short_reason,
    )
    if deviates:
        uow.emit(
            "pick.fefo_deviation",
            {"pick_line": line_id, "allocated_lot": line["lot"], "picked_lot": picked.lot_id},
        )
    await uow.apply(write)
    return {**line, **done}


async def short_pick(
    actor: Actor, pick_list_id: int, line_id: int, *, reason: str
) -> dict[str, Any]:
    """Nothing could be picked for this line: its reservation is released."""
    if not reason.strip():
        raise InvalidInput(field="reason", reason="say why nothing was picked")
    await retrying_stale(partial(_short_once, actor, pick_list_id, line_id, reason))
    return await _line(line_id)


async def _short_once(actor: Actor, pick_list_id: int, line_id: int, reason: str) -> None:
    uow, write = UnitOfWork(actor), Write()
    line = await _open_line(actor, pick_list_id, line_id)
    done = {
        "status": "short",
        "picked": 0,
        "picked_lot": None,
        "picked_serial": None,
        "picked_location": None,
        "deviation_reason": None,
        "short_reason": reason,
        "picked_at": clock.now(),
        "picked_by": actor.user_id,
    }
    _close_line(write, uow, line, done)
    ledger.add_unreserve(write, line["balance"], line["quantity"])
    uow.audit("short_pick", "pick_line", line_id, new={"quantity": 0}, reason=reason)
    await uow.apply(write)


async def cancel_pick_list(actor: Actor, pick_list_id: int, reason: str) -> dict[str, Any]:
    """Release every open line's reservation. With nothing picked the order can be allocated
    again; otherwise what was picked goes on."""
    if not reason.strip():
        raise InvalidInput(field="reason", reason="say why")
    async with unit_of_work(actor) as uow:
        header = await _pick_list_open(actor, pick_list_id)
        open_lines = await fetch_rows(
            "UPDATE pick_line SET status = 'cancelled' WHERE pick_list = {} AND status = 'open' "
            "RETURNING id, balance, quantity",
            pick_list_id,
        )
        for line in sorted(open_lines, key=lambda x: x["balance"]):
            await ledger.unreserve(line["balance"], line["quantity"])
        picked = await fetch_rows(
            "SELECT COUNT(*) AS n FROM pick_line WHERE pick_list = {} AND picked > 0",
            pick_list_id,
        )
        await PickList.update({PickList.status: "cancelled", PickList.open_lines: 0}).where(
            PickList.id == pick_list_id
        )
        order_status = "picked" if picked[0]["n"] else "open"
        await TransferOrder.update({TransferOrder.status: order_status}).where(
            TransferOrder.id == header["document_id"]
        )
        uow.audit(
            "cancel",
            "pick_list",
            pick_list_id,
            new={"released_lines": len(open_lines)},
            reason=reason,
        )
        uow.emit("pick_list.cancelled", {"id": pick_list_id})
    return await pick_list(actor, pick_list_id)


async def _pick_list_open(actor: Actor, pick_list_id: int) -> dict[str, Any]:
    """The open pick list in the caller's scope."""
    rows = await fetch_rows("SELECT * FROM pick_list WHERE id = {}", pick_list_id)
    if not rows or not actor.sees_warehouse(rows[0]["warehouse"]):
        raise NotFound(entity="pick_list", key=pick_list_id)
    if rows[0]["status"] != "open":
        raise DocumentState(document=f"PL-{pick_list_id}", state=rows[0]["status"], action="picked")
    return rows[0]


def _close_line(write: Write, uow: UnitOfWork, line: dict[str, Any], done: dict[str, Any]) -> None:
    """Write how the line was closed, if it is still open. The list counts it down under its
    row lock (two lines of one list confirmed at once count down one after the other), and the
    change that takes the count to 0 closes the list and marks its order picked."""
    write.add(
        "UPDATE pick_line SET status = {}, picked = {}, picked_lot = {}, picked_serial = {}, "
        "picked_location = {}, deviation_reason = {}, short_reason = {}, picked_at = {}, "
        "picked_by = {} WHERE id = {} AND status = 'open' RETURNING id",
        *done.values(),
        line["id"],
        required=stale,
    )
    counted = write.add(
        "UPDATE pick_list SET open_lines = open_lines - 1, status = CASE WHEN open_lines = 1 "
        "THEN 'done' ELSE status END WHERE id = {} AND status = 'open' RETURNING open_lines",
        line["pick_list"],
        required=stale,
    )
    last = f"EXISTS (SELECT 1 FROM w{counted} WHERE open_lines = 0)"
    write.add(
        f"UPDATE transfer_order SET status = 'picked' WHERE id = {{}} AND {last}",
        line["list_document"],
        uses=counted,
    )
    uow.emit_where(write, "pick_list.done", {"id": line["pick_list"]}, last, uses=counted)


async def _line(line_id: int) -> dict[str, Any]:
    rows = await fetch_rows("SELECT * FROM pick_line WHERE id = {}", line_id)
    return rows[0]


async def _picked_units(order_id: int) -> dict[tuple[int, int | None], int]:
    """What the order's pick lists put into transit, per (lot, serial)."""
    rows = await fetch_rows(
        "SELECT pl.picked_lot AS lot, pl.picked_serial AS serial, SUM(pl.picked) AS quantity "
        "FROM pick_line pl JOIN pick_list p ON p.id = pl.pick_list "
        "WHERE p.document_type = {} AND p.document_id = {} AND pl.picked > 0 "
        "GROUP BY pl.picked_lot, pl.picked_serial",
        DOCUMENT,
        order_id,
    )
    return {(r["lot"], r["serial"]): int(r["quantity"]) for r in rows}


async def ship(actor: Actor, order_id: int, *, owner: str | None = None) -> dict[str, Any]:
    """Dispatch what was picked. To a customer the units leave our custody now, and must be
    usable at this moment; to a location they stay in transit until received."""
    today = clock.today()
    async with unit_of_work(actor) as uow:
        order = await _order(actor, order_id, lock=True)
        _check_owner(order_id, order["owner"], owner)
        if order["status"] != "picked":
            raise DocumentState(document=f"TO-{order_id}", state=order["status"], action="shipped")
        units = await _picked_units(order_id)
        if order["to_customer"]:
            transit = await lookups.location_of_kind(order["from_warehouse"], "in_transit")
            entries = []
            for (lot_id, serial_id), quantity in sorted(units.items(), key=lambda kv: kv[0][0]):
                lot = await lookups.lot(lot_id)
                rules.check_lot_usable(lot["lot_number"], lot["status"], lot["expiry"], today)
                if serial_id is not None:
                    serial = await lookups.serial(serial_id)
                    rules.check_serial_usable(serial["serial"], serial["status"])
                entries.append(
                    ledger.Entry(
                        transit["id"],
                        lot_id,
                        serial_id,
                        -quantity,
                        Reason.issue_customer,
                        note=order["to_customer"],
                    )
                )
            await ledger.post(uow, ledger.Document(DOCUMENT, order_id), entries)
        status = "received" if order["to_customer"] else "shipped"
        now = clock.now()
        await TransferOrder.update(
            {
                TransferOrder.status: status,
                TransferOrder.shipped_at: now,
                TransferOrder.received_at: now if order["to_customer"] else None,
            }
        ).where(TransferOrder.id == order_id)
        uow.audit("ship", DOCUMENT, order_id, new={"units": sum(units.values())})
        uow.emit("transfer_order.shipped", {"id": order_id})
    return await _order(actor, order_id)


@dataclass(frozen=True, slots=True)
class Arrived:
    lot: int
    serial: int | None
    quantity: int


async def receive(
    actor: Actor,
    order_id: int,
    *,
    lines: Sequence[Arrived],
    discrepancy_reason: str | None,
    owner: str | None = None,
) -> dict[str, Any]:
    """Take delivery at the destination: what arrived moves in from transit; what was shipped
    and did not arrive is written off transit as a discrepancy, with the reason."""
    async with unit_of_work(actor) as uow:
        rows = await fetch_rows("SELECT * FROM transfer_order WHERE id = {}", order_id)
        if not rows or rows[0]["to_location"] is None:
            raise NotFound(entity="transfer_order", key=order_id)
        order = rows[0]
        await lookups.location(actor, order["to_location"])  # the receiver's scope
        _check_owner(order_id, order["owner"], owner)
        if order["status"] != "shipped":
            raise DocumentState(document=f"TO-{order_id}", state=order["status"], action="received")
        shipped = await _picked_units(order_id)
        arrived: dict[tuple[int, int | None], int] = {}
        for n, a in enumerate(lines):
            if a.quantity < 0:
                raise InvalidInput(field=f"lines[{n}].quantity", reason="must not be negative")
            key = (a.lot, a.serial)
            if key not in shipped:
                raise InvalidInput(field=f"lines[{n}].lot", reason="was not shipped on this order")
            arrived[key] = arrived.get(key, 0) + a.quantity
            if arrived[key] > shipped[key]:
                raise InvalidInput(
                    field=f"lines[{n}].quantity", reason=f"more than the {shipped[key]} shipped"
                )
        differences = {
            k: q - arrived.get(k, 0) for k, q in shipped.items() if q != arrived.get(k, 0)
        }
        if differences and not (discrepancy_reason and discrepancy_reason.strip()):
            raise InvalidInput(field="discrepancy_reason", reason="what arrived differs")
        transit = await lookups.location_of_kind(order["from_warehouse"], "in_transit")
        entries: list[ledger.Entry] = []
        for (lot_id, serial_id), quantity in sorted(arrived.items(), key=lambda kv: kv[0][0]):
            if quantity:
                entries += [
                    ledger.Entry(
                        transit["id"], lot_id, serial_id, -quantity, Reason.transit_receive_out
                    ),
                    ledger.Entry(
                        order["to_location"], lot_id, serial_id, quantity, Reason.transit_receive_in
                    ),
                ]
        for (lot_id, serial_id), missing in sorted(differences.items(), key=lambda kv: kv[0][0]):
            entries.append(
                ledger.Entry(
                    transit["id"],
                    lot_id,
                    serial_id,
                    -missing,
                    Reason.transit_loss,
                    note=discrepancy_reason,
                )
            )
            await TransitDiscrepancy.insert(
                TransitDiscrepancy(
                    transfer_order=order_id,
                    lot=lot_id,
                    serial=serial_id,
                    shipped=shipped[(lot_id, serial_id)],
                    received=arrived.get((lot_id, serial_id), 0),
                    reason=discrepancy_reason or "",
                    actor_id=actor.user_id,
                )
            )
        await ledger.post(uow, ledger.Document(DOCUMENT, order_id), entries)
        await TransferOrder.update(
            {TransferOrder.status: "received", TransferOrder.received_at: clock.now()}
        ).where(TransferOrder.id == order_id)
        uow.audit(
            "receive",
            DOCUMENT,
            order_id,
            new={
                "received": sum(arrived.values()),
                "missing": sum(differences.values()),
            },
            reason=discrepancy_reason,
        )
        uow.emit("transfer_order.received", {"id": order_id})
    return await _order(actor, order_id) if actor.sees_warehouse(order["from_warehouse"]) else order


async def discrepancies(order_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await TransitDiscrepancy.select()
        .where(TransitDiscrepancy.transfer_order == order_id)
        .order_by(TransitDiscrepancy.id)
    )
    return rows
