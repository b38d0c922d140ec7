"""Receipts (收货): against a purchase order or without one; lines by product or by scanned
identifiers. Received stock lands in the receiving location, pending inspection."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from backend.catalog.service import product_by_identifier
from backend.core import clock
from backend.core.actor import Actor
from backend.core.db import fetch as fetch_rows
from backend.core.errors import InvalidInput, NotFound
from backend.core.unit_of_work import unit_of_work
from backend.receiving import orders, rules
from backend.receiving.errors import (
    LotExpiryMismatch,
    PurchaseOrderExceeded,
    PurchaseOrderMismatch,
    UnknownIdentifier,
)
from backend.receiving.tables import (
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    ReceiptRefusal,
)
from backend.scanning.decoding import decode
from backend.stock import ledger, lookups, lots
from backend.stock import rules as stock_rules
from backend.stock.errors import LotRecalled, LotRejected
from backend.stock.reasons import Reason

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LineIn:
    quantity: int
    product: int | None = None
    barcode: str | None = None
    """A scanned label (GS1, HIBC, MA): product, lot, expiry and serial are read from it."""
    lot_number: str | None = None
    expiry: date | None = None
    production_date: date | None = None
    serials: Sequence[str] = field(default_factory=tuple)
    arrival_temperature: float | None = None
    purchase_order_line: int | None = None


async def _resolve(line: LineIn, n: int, today: date) -> tuple[int, LineIn]:
    """The product and the line with what the scanned label says filled in."""
    if line.barcode is None:
        if line.product is None:
            raise InvalidInput(field=f"lines[{n}].product", reason="give a product or a barcode")
        return line.product, line
    scanned = decode(line.barcode, today=today)
    if scanned.di is None:
        raise InvalidInput(field=f"lines[{n}].barcode", reason="no device identifier on it")
    found = await product_by_identifier(scanned.agency, scanned.di)
    if found is None:
        raise UnknownIdentifier(field=f"lines[{n}].barcode", di=scanned.di)
    product = found[0]["id"]
    if line.product is not None and line.product != product:
        raise InvalidInput(field=f"lines[{n}].product", reason="the barcode names another product")
    serials = list(line.serials) or ([scanned.serial] if scanned.serial else [])
    return product, replace(
        line,
        lot_number=line.lot_number or scanned.lot,
        expiry=line.expiry or scanned.expiry,
        production_date=line.production_date or scanned.production_date,
        serials=tuple(serials),
    )


def _facts(product: dict[str, Any]) -> rules.ProductFacts:
    return rules.ProductFacts(
        code=product["code"],
        tracking=product["tracking"],
        shelf_life_days=product["shelf_life_days"],
        min_remaining_shelf_life_days=product["min_remaining_shelf_life_days"] or 0,
        cold_chain=product["cold_chain"],
        storage_temp_min=product["storage_temp_min"],
        storage_temp_max=product["storage_temp_max"],
    )


async def receive(
    actor: Actor,
    *,
    warehouse: int,
    supplier: int,
    lines: Sequence[LineIn],
    purchase_order: int | None = None,
    location: int | None = None,
    delivery_note: str | None = None,
) -> dict[str, Any]:
    if not lines:
        raise InvalidInput(field="lines", reason="at least one line")
    refused: list[Refusal] = []
    try:
        receipt_id = await _write_receipt(
            actor,
            refused,
            warehouse=warehouse,
            supplier=supplier,
            lines=lines,
            purchase_order=purchase_order,
            location=location,
            delivery_note=delivery_note,
        )
    except LotExpiryMismatch:
        # The receipt rolled back and wrote nothing; the refusal itself is kept, in its own
        # transaction, for the lot-expiry-mismatch alert.
        if refused:
            await _record_refusal(actor, refused[-1])
        raise
    return await get(actor, receipt_id)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused line worth recording: a known lot number delivered with another expiry."""

    code: str
    supplier: int
    warehouse: int
    product: int
    lot: int
    lot_number: str
    recorded_expiry: date | None
    received_expiry: date | None
    purchase_order: int | None
    delivery_note: str | None


async def _record_refusal(actor: Actor, refusal: Refusal) -> None:
    """Its own small unit of work: the refusal row, its audit entry, and ``receipt.refused``
    (which the alert workers evaluate). A failure here is logged, never hides the refusal."""
    try:
        async with unit_of_work(actor) as uow:
            rows = await ReceiptRefusal.insert(
                ReceiptRefusal(
                    code=refusal.code,
                    supplier=refusal.supplier,
                    warehouse=refusal.warehouse,
                    product=refusal.product,
                    lot=refusal.lot,
                    lot_number=refusal.lot_number,
                    recorded_expiry=refusal.recorded_expiry,
                    received_expiry=refusal.received_expiry,
                    purchase_order=refusal.purchase_order,
                    delivery_note=refusal.delivery_note,
                    refused_by=actor.user_id,
                    refused_by_name=actor.full_name or actor.username,
                    refused_at=clock.now(),
                )
            )
            refusal_id = int(rows[0]["id"])
            facts = {
                "code": refusal.code,
                "product": refusal.product,
                "lot": refusal.lot,
                "lot_number": refusal.lot_number,
                "recorded_expiry": _iso(refusal.recorded_expiry),
                "received_expiry": _iso(refusal.received_expiry),
            }
            uow.audit(
                "refuse",
                "receipt_refusal",
                refusal_id,
                new=facts | {"supplier": refusal.supplier, "warehouse": refusal.warehouse},
            )
            uow.emit(
                "receipt.refused",
                facts | {"id": refusal_id, "warehouse_id": refusal.warehouse},
            )
    except Exception:
        log.exception("receipt refusal not recorded: %s", refusal)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


async def _write_receipt(
    actor: Actor,
    refused: list[Refusal],
    *,
    warehouse: int,
    supplier: int,
    lines: Sequence[LineIn],
    purchase_order: int | None,
    location: int | None,
    delivery_note: str | None,
) -> int:
    """The receipt in one unit of work; a line refused for a reason worth recording is
    appended to ``refused`` before the refusal is raised (and everything rolls back)."""
    today = clock.today()
    async with unit_of_work(actor) as uow:
        await lookups.warehouse(actor, warehouse)
        supplier_row = await orders.qualified_supplier(actor, supplier)
        if location is None:
            landing = await lookups.location_of_kind(warehouse, "receiving")
        else:
            landing = await lookups.location(actor, location)
            if landing["kind"] != "receiving" or landing["warehouse"] != warehouse:
                raise InvalidInput(field="location", reason="a receiving location of the warehouse")
        po_lines: dict[int, dict[str, Any]] = {}
        if purchase_order is not None:
            po = await orders.get(actor, purchase_order)
            if po["status"] != "open":
                raise PurchaseOrderMismatch(
                    field="purchase_order", order=po["number"], reason=f"it is {po['status']}"
                )
            if po["supplier"] != supplier or po["warehouse"] != warehouse:
                raise PurchaseOrderMismatch(
                    field="purchase_order",
                    order=po["number"],
                    reason="another supplier or warehouse",
                )
            po_lines = {x["id"]: x for x in po["lines"]}
        now = clock.now()
        rows = await Receipt.insert(
            Receipt(
                supplier=supplier,
                warehouse=warehouse,
                location=landing["id"],
                purchase_order=purchase_order,
                delivery_note=delivery_note,
                received_by=actor.user_id,
                received_by_name=actor.full_name or actor.username,
                received_at=now,
            )
        )
        receipt_id = int(rows[0]["id"])
        entries: list[tuple[int, ledger.Entry]] = []
        line_rows: list[ReceiptLine] = []
        for n, raw in enumerate(lines, start=1):
            product_id, line = await _resolve(raw, n - 1, today)
            product = await orders.registered_product(actor, product_id, f"lines[{n - 1}].product")
            rules.check_line(
                _facts(product),
                lot_number=line.lot_number,
                expiry=line.expiry,
                serials=list(line.serials),
                quantity=line.quantity,
                arrival_temperature=line.arrival_temperature,
                today=today,
            )
            po_line = _po_line(po_lines, product_id, line, n - 1, purchase_order)
            if po_line is not None:
                remaining = po_line["quantity"] - po_line["received"]
                if line.quantity > remaining:
                    raise PurchaseOrderExceeded(
                        field=f"lines[{n - 1}].quantity", remaining=remaining
                    )
                po_line["received"] += line.quantity
            lot_number = (line.lot_number or "").strip() or rules.auto_lot_number(receipt_id, n)
            known = await lookups.lot_by_number(product_id, lot_number)
            if known is not None and known["expiry"] != line.expiry:
                refused.append(
                    Refusal(
                        LotExpiryMismatch.code,
                        supplier,
                        warehouse,
                        product_id,
                        int(known["id"]),
                        lot_number,
                        known["expiry"],
                        line.expiry,
                        purchase_order,
                        delivery_note,
                    )
                )
                raise LotExpiryMismatch(
                    field=f"lines[{n - 1}].expiry",
                    lot=lot_number,
                    recorded=_iso(known["expiry"]) or "-",
                    received=_iso(line.expiry) or "-",
                )
            lot, _new = await lots.find_or_create_lot(
                uow,
                product_id=product_id,
                lot_number=lot_number,
                expiry=line.expiry,
                production_date=line.production_date,
                supplier_id=supplier,
                received_at=now,
            )
            if lot["status"] == stock_rules.RECALLED:
                raise LotRecalled(field=f"lines[{n - 1}].lot_number", lot=lot_number)
            if lot["status"] == stock_rules.REJECTED:
                raise LotRejected(field=f"lines[{n - 1}].lot_number", lot=lot_number)
            serial_ids = await lots.create_serials(
                uow, product_id=product_id, lot_id=lot["id"], serials=list(line.serials)
            )
            if serial_ids:
                entries += [
                    (
                        n,
                        ledger.Entry(
                            landing["id"], lot["id"], s, 1, Reason.receipt, document_line=n
                        ),
                    )
                    for s in serial_ids
                ]
            else:
                entries.append(
                    (
                        n,
                        ledger.Entry(
                            landing["id"],
                            lot["id"],
                            None,
                            line.quantity,
                            Reason.receipt,
                            document_line=n,
                        ),
                    )
                )
            line_rows.append(
                ReceiptLine(
                    receipt=receipt_id,
                    line_no=n,
                    product=product_id,
                    purchase_order_line=po_line["id"] if po_line else None,
                    lot=lot["id"],
                    quantity=line.quantity,
                    serials=list(line.serials),
                    arrival_temperature=line.arrival_temperature,
                    status="pending_inspection",
                )
            )
        await ReceiptLine.insert(*line_rows)
        ids = await ledger.post(
            uow, ledger.Document("receipt", receipt_id), [e for _n, e in entries]
        )
        for po_line in po_lines.values():
            await PurchaseOrderLine.update({PurchaseOrderLine.received: po_line["received"]}).where(
                PurchaseOrderLine.id == po_line["id"]
            )
        if purchase_order is not None and all(
            x["received"] >= x["quantity"] for x in po_lines.values()
        ):
            await PurchaseOrder.update({PurchaseOrder.status: "received"}).where(
                PurchaseOrder.id == purchase_order
            )
        uow.audit(
            "receive",
            "receipt",
            receipt_id,
            new={
                "supplier": supplier_row["code"],
                "warehouse": warehouse,
                "location": landing["id"],
                "purchase_order": purchase_order,
                "lines": len(line_rows),
                "units": sum(x.quantity for x in lines),
                "ledger": [ids[0], ids[-1]],
            },
        )
        uow.emit("receipt.created", {"id": receipt_id, "warehouse_id": warehouse})
    return receipt_id


def _po_line(
    po_lines: dict[int, dict[str, Any]],
    product_id: int,
    line: LineIn,
    index: int,
    purchase_order: int | None,
) -> dict[str, Any] | None:
    if purchase_order is None:
        if line.purchase_order_line is not None:
            raise InvalidInput(
                field=f"lines[{index}].purchase_order_line", reason="no purchase order given"
            )
        return None
    if line.purchase_order_line is not None:
        chosen = po_lines.get(line.purchase_order_line)
        if chosen is None or chosen["product"] != product_id:
            raise PurchaseOrderMismatch(
                field=f"lines[{index}].purchase_order_line",
                order=purchase_order,
                reason="no such line for this product",
            )
        return chosen
    for candidate in po_lines.values():
        if candidate["product"] == product_id and candidate["received"] < candidate["quantity"]:
            return candidate
    raise PurchaseOrderMismatch(
        field=f"lines[{index}].product",
        order=purchase_order,
        reason="the product is not on it (or fully received)",
    )


async def get(actor: Actor, receipt_id: int) -> dict[str, Any]:
    rows = await fetch_rows("SELECT * FROM receipt WHERE id = {}", receipt_id)
    if not rows or not actor.sees_warehouse(rows[0]["warehouse"]):
        raise NotFound(entity="receipt", key=receipt_id)
    line_rows = (
        await ReceiptLine.select()
        .where(ReceiptLine.receipt == receipt_id)
        .order_by(ReceiptLine.line_no)
        .output(load_json=True)
    )
    return {**rows[0], "lines": list(line_rows)}


async def line(actor: Actor, line_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A receipt line and its receipt, within the caller's scope."""
    rows = await ReceiptLine.select().where(ReceiptLine.id == line_id).output(load_json=True)
    if not rows:
        raise NotFound(entity="receipt_line", key=line_id)
    receipt = await fetch_rows("SELECT * FROM receipt WHERE id = {}", rows[0]["receipt"])
    if not actor.sees_warehouse(receipt[0]["warehouse"]):
        raise NotFound(entity="receipt_line", key=line_id)
    return dict(rows[0]), receipt[0]


async def list_receipts(
    actor: Actor, *, warehouse: int | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    clauses: list[str] = ["1 = 1"]
    args: list[Any] = []
    if warehouse is not None:
        clauses.append("warehouse = {}")
        args.append(warehouse)
    if not actor.all_scopes:
        ids = sorted(actor.warehouse_ids) or [-1]
        clauses.append(f"warehouse IN ({', '.join('{}' for _ in ids)})")
        args += ids
    where = " AND ".join(clauses)
    rows = await fetch_rows(
        f"SELECT * FROM receipt WHERE {where} ORDER BY id DESC LIMIT {int(limit)} "
        f"OFFSET {int(offset)}",
        *args,
    )
    total = await fetch_rows(f"SELECT COUNT(*) AS n FROM receipt WHERE {where}", *args)
    return rows, int(total[0]["n"])
