"""Incoming inspection (验收) of a receipt line, and QA's release or rejection of it with an
electronic signature. Rejected units move to the warehouse's quarantine location."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend.audit.signatures import Meaning, sign
from backend.core import clock
from backend.core.actor import Actor
from backend.core.db import fetch as fetch_rows
from backend.core.errors import InvalidInput
from backend.core.unit_of_work import UnitOfWork, unit_of_work
from backend.receiving import receipts, rules
from backend.receiving.errors import LineState
from backend.receiving.tables import Inspection, ReceiptLine
from backend.stock import ledger, lookups, lots
from backend.stock import rules as stock_rules
from backend.stock.reasons import Reason


async def inspect(
    actor: Actor,
    line_id: int,
    *,
    appearance_ok: bool,
    packaging_ok: bool,
    label_ok: bool,
    certificate_ok: bool,
    accepted: int,
    rejected: int,
    rejected_serials: Sequence[str] = (),
    reject_reason: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    async with unit_of_work(actor) as uow:
        line, _receipt = await receipts.line(actor, line_id)
        if line["status"] != "pending_inspection":
            raise LineState(line=line_id, state=line["status"], action="inspected")
        rules.check_inspection(
            quantity=line["quantity"],
            accepted=accepted,
            rejected=rejected,
            serials=line["serials"] or [],
            rejected_serials=list(rejected_serials),
            reject_reason=reject_reason,
        )
        if (
            not all((appearance_ok, packaging_ok, label_ok, certificate_ok))
            and accepted
            and not (note and note.strip())
        ):
            raise InvalidInput(field="note", reason="a failed check with units accepted: explain")
        rows = await Inspection.insert(
            Inspection(
                receipt_line=line_id,
                appearance_ok=appearance_ok,
                packaging_ok=packaging_ok,
                label_ok=label_ok,
                certificate_ok=certificate_ok,
                accepted=accepted,
                rejected=rejected,
                rejected_serials=list(rejected_serials),
                reject_reason=reject_reason,
                note=note,
                inspector_id=actor.user_id,
                inspector_name=actor.full_name or actor.username,
                inspected_at=clock.now(),
            )
        )
        await ReceiptLine.update({ReceiptLine.status: "inspected"}).where(ReceiptLine.id == line_id)
        uow.audit(
            "inspect",
            "receipt_line",
            line_id,
            new={
                "appearance_ok": appearance_ok,
                "packaging_ok": packaging_ok,
                "label_ok": label_ok,
                "certificate_ok": certificate_ok,
                "accepted": accepted,
                "rejected": rejected,
                "rejected_serials": list(rejected_serials),
            },
            reason=reject_reason,
        )
        uow.emit(
            "receipt.inspected", {"receipt_line": line_id, "warehouse_id": _receipt["warehouse"]}
        )
    return {"inspection": int(rows[0]["id"]), **(await receipts.line(actor, line_id))[0]}


async def inspection_of(line_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Inspection.select()
        .where(Inspection.receipt_line == line_id)
        .order_by(Inspection.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    return row


async def _serial_ids(product: int, numbers: Sequence[str]) -> dict[str, int]:
    if not numbers:
        return {}
    marks = ", ".join("{}" for _ in numbers)
    rows = await fetch_rows(
        f"SELECT id, serial FROM serial_number WHERE product = {{}} AND serial IN ({marks})",
        product,
        *numbers,
    )
    return {r["serial"]: r["id"] for r in rows}


async def decide(
    actor: Actor, line_id: int, *, release: bool, password: str, reason: str | None = None
) -> dict[str, Any]:
    """QA's decision on an inspected line, signed. Release: the lot (if new) and the accepted
    serials become released, the rejected units go to quarantine. Reject: all of it does."""
    async with unit_of_work(actor) as uow:
        line, receipt = await receipts.line(actor, line_id)
        allowed = ("inspected",) if release else ("inspected", "pending_inspection")
        if line["status"] not in allowed:
            raise LineState(
                line=line_id, state=line["status"], action="released" if release else "rejected"
            )
        if not release and not (reason and reason.strip()):
            raise InvalidInput(field="reason", reason="say why the line is rejected")
        inspection = await inspection_of(line_id)
        serials: list[str] = list(line["serials"] or [])
        if release:
            assert inspection is not None
            rejected_qty = int(inspection["rejected"])
            rejected_serials = list(inspection["rejected_serials"] or [])
        else:
            rejected_qty = int(line["quantity"])
            rejected_serials = serials
        if release and rejected_qty == line["quantity"]:
            raise InvalidInput(field="decision", reason="every unit was rejected: reject the line")
        meaning = Meaning.released if release else Meaning.rejected
        signature = await sign(
            uow,
            password=password,
            meaning=meaning.value,
            entity="receipt_line",
            entity_id=line_id,
            record={
                "receipt": receipt["id"],
                "line": line_id,
                "product": line["product"],
                "lot": line["lot"],
                "quantity": line["quantity"],
                "rejected": rejected_qty,
                "serials": serials,
                "decision": meaning.value,
            },
        )
        ids = await _settle(
            uow,
            line,
            receipt,
            release=release,
            rejected_qty=rejected_qty,
            serials=serials,
            rejected_serials=rejected_serials,
            signature_id=signature.id,
            reason=reason,
        )
        await ReceiptLine.update(
            {
                ReceiptLine.status: "released" if release else "rejected",
                ReceiptLine.qa_signature: signature.id,
                ReceiptLine.qa_at: signature.signed_at,
            }
        ).where(ReceiptLine.id == line_id)
        uow.audit(
            "release" if release else "reject",
            "receipt_line",
            line_id,
            new={
                "signature": signature.id,
                "rejected": rejected_qty,
                "ledger": ids,
            },
            reason=reason,
        )
    row, _ = await receipts.line(actor, line_id)
    return {
        **row,
        "signature": {
            "id": signature.id,
            "printed_name": signature.printed_name,
            "meaning": signature.meaning,
            "signed_at": signature.signed_at.isoformat(),
        },
    }


async def _settle(
    uow: UnitOfWork,
    line: dict[str, Any],
    receipt: dict[str, Any],
    *,
    release: bool,
    rejected_qty: int,
    serials: list[str],
    rejected_serials: list[str],
    signature_id: int,
    reason: str | None,
) -> list[int]:
    lot = await lookups.lot(line["lot"])
    why = reason or ("QA release" if release else "QA rejection")
    if lot["status"] == stock_rules.PENDING:
        await lots.set_lot_status(
            uow,
            lot["id"],
            stock_rules.RELEASED if release else stock_rules.REJECTED,
            why,
            signature_id=signature_id,
        )
    ids_of = await _serial_ids(line["product"], serials)
    for number in serials:
        rejected = number in rejected_serials
        await lots.set_serial_status(
            uow,
            ids_of[number],
            stock_rules.REJECTED if rejected else stock_rules.RELEASED,
            why,
            signature_id=signature_id,
        )
    if not rejected_qty:
        return []
    quarantine = await lookups.location_of_kind(receipt["warehouse"], "quarantine")
    document = ledger.Document("receipt", receipt["id"])
    entries: list[ledger.Entry] = []
    units = [(ids_of[s], 1) for s in rejected_serials] if serials else [(None, rejected_qty)]
    for serial_id, quantity in units:
        entries += [
            ledger.Entry(
                receipt["location"],
                lot["id"],
                serial_id,
                -quantity,
                Reason.reject_out,
                document_line=line["line_no"],
                note=why,
            ),
            ledger.Entry(
                quarantine["id"],
                lot["id"],
                serial_id,
                quantity,
                Reason.reject_in,
                document_line=line["line_no"],
                note=why,
            ),
        ]
    return await ledger.post(uow, document, entries)
