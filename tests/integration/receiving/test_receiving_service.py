"""Receipt, inspection, QA release with e-signature and putaway, as services on the database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.audit.tables import Signature
from backend.catalog.tables import Product, SupplierLicence
from backend.core import clock
from backend.core.errors import DomainError
from backend.receiving import inspection, orders, putaway, receipts
from backend.stock.reasons import Reason
from backend.stock.tables import Lot, SerialNumber
from tests.integration.stock.world import (
    build_world,
    ledger,
    ledger_count,
    on_hand,
    serial_ids,
    stock_in,
    violations,
)
from tests.support import PASSWORD


def line(product: int, quantity: int, **kw):  # type: ignore[no-untyped-def]
    return receipts.LineIn(quantity=quantity, product=product, **kw)


async def test_a_receipt_lands_in_receiving_pending_inspection_with_one_ledger_entry():
    w = await build_world()
    expiry = clock.today() + timedelta(days=800)
    receipt = await receipts.receive(
        w.warehouse.actor,
        warehouse=w.wh_a,
        supplier=w.supplier,
        lines=[line(w.syringe, 100, lot_number="L1", expiry=expiry)],
    )
    lot_id = receipt["lines"][0]["lot"]
    lot = await Lot.select().where(Lot.id == lot_id).first()
    assert lot["status"] == "pending_inspection"
    assert await on_hand(w.receiving_a, lot_id) == (100, 0)
    entries = await ledger(lot=lot_id)
    assert [(e["location"], e["quantity"], e["reason"], e["document_type"]) for e in entries] == [
        (w.receiving_a, 100, Reason.receipt, "receipt")
    ]
    assert entries[0]["actor_id"] == w.warehouse.id
    assert await violations() == []


async def test_inspection_and_signed_release_then_putaway_make_stock_available():
    w = await build_world()
    receipt = await receipts.receive(
        w.warehouse.actor,
        warehouse=w.wh_a,
        supplier=w.supplier,
        lines=[line(w.syringe, 10, lot_number="L2", expiry=clock.today() + timedelta(days=700))],
    )
    row = receipt["lines"][0]
    await inspection.inspect(
        w.qa.actor,
        row["id"],
        appearance_ok=True,
        packaging_ok=True,
        label_ok=True,
        certificate_ok=True,
        accepted=8,
        rejected=2,
        reject_reason="crushed boxes",
    )
    decided = await inspection.decide(w.qa.actor, row["id"], release=True, password=PASSWORD)
    assert decided["status"] == "released"
    assert decided["signature"]["printed_name"] == "质量员 陈晓"
    assert await Signature.count().where(Signature.entity == "receipt_line") == 1
    lot = await Lot.select().where(Lot.id == row["lot"]).first()
    assert lot["status"] == "released"
    assert await on_hand(w.receiving_a, row["lot"]) == (8, 0)
    assert await on_hand(w.quarantine_a, row["lot"]) == (2, 0)
    suggestions = await putaway.suggest(
        w.warehouse.actor, product_id=w.syringe, warehouse_id=w.wh_a
    )
    assert suggestions[0].kind == "storage" and suggestions[0].temp_max is None
    await putaway.put_away(
        w.warehouse.actor,
        lot_id=row["lot"],
        serial_id=None,
        quantity=8,
        from_location=w.receiving_a,
        to_location=suggestions[0].location_id,
    )
    reasons = [e["reason"] for e in await ledger(lot=row["lot"])]
    assert reasons == [
        Reason.receipt,
        Reason.reject_out,
        Reason.reject_in,
        Reason.putaway_out,
        Reason.putaway_in,
    ]
    again = await putaway.suggest(w.warehouse.actor, product_id=w.syringe, warehouse_id=w.wh_a)
    assert again[0].location_id == suggestions[0].location_id
    assert again[0].holds_product == 8
    assert await violations() == []


async def test_a_wrong_signature_password_releases_nothing():
    w = await build_world()
    receipt = await receipts.receive(
        w.warehouse.actor,
        warehouse=w.wh_a,
        supplier=w.supplier,
        lines=[line(w.syringe, 5, lot_number="L3", expiry=clock.today() + timedelta(days=700))],
    )
    row = receipt["lines"][0]
    await inspection.inspect(
        w.qa.actor,
        row["id"],
        appearance_ok=True,
        packaging_ok=True,
        label_ok=True,
        certificate_ok=True,
        accepted=5,
        rejected=0,
    )
    with pytest.raises(DomainError) as refused:
        await inspection.decide(w.qa.actor, row["id"], release=True, password="wrong-password")
    assert refused.value.code == "SIGNATURE_PASSWORD"
    lot = await Lot.select().where(Lot.id == row["lot"]).first()
    assert lot["status"] == "pending_inspection"


async def test_rejection_moves_everything_to_quarantine_and_rejects_the_lot_and_serials():
    w = await build_world()
    receipt = await receipts.receive(
        w.warehouse.actor,
        warehouse=w.wh_a,
        supplier=w.supplier,
        lines=[
            line(
                w.stent,
                2,
                lot_number="S1",
                serials=("SN-1", "SN-2"),
                expiry=clock.today() + timedelta(days=400),
            )
        ],
    )
    row = receipt["lines"][0]
    await inspection.decide(
        w.qa.actor, row["id"], release=False, password=PASSWORD, reason="sterile barrier broken"
    )
    ids = await serial_ids(row["lot"])
    for serial_id in ids:
        assert await on_hand(w.quarantine_a, row["lot"], serial_id) == (1, 0)
        assert await on_hand(w.receiving_a, row["lot"], serial_id) == (0, 0)
    statuses = {s["status"] for s in await SerialNumber.select(SerialNumber.status)}
    assert statuses == {"rejected"}
    assert (await Lot.select().where(Lot.id == row["lot"]).first())["status"] == "rejected"
    assert [e["reason"] for e in await ledger(lot=row["lot"])] == [
        Reason.receipt,
        Reason.receipt,
        Reason.reject_out,
        Reason.reject_in,
        Reason.reject_out,
        Reason.reject_in,
    ]
    assert await violations() == []


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("expired", "LOT_EXPIRED"),
        ("short_shelf_life", "SHELF_LIFE_TOO_SHORT"),
        ("serial_count", "SERIAL_COUNT_MISMATCH"),
        ("known_serial", "SERIAL_KNOWN"),
        ("cold_no_temperature", "COLD_CHAIN_TEMPERATURE_MISSING"),
        ("cold_too_warm", "COLD_CHAIN_TEMPERATURE"),
        ("registration_lapsed", "PRODUCT_REGISTRATION_LAPSED"),
        ("licence_lapsed", "SUPPLIER_LICENCE_LAPSED"),
        ("no_lot_number", "LOT_NUMBER_REQUIRED"),
        ("no_expiry", "EXPIRY_REQUIRED"),
    ],
)
async def test_a_receipt_is_refused_with_a_clear_code_and_writes_nothing(case, code):
    w = await build_world()
    today = clock.today()
    good = today + timedelta(days=700)
    lines = {
        "expired": [line(w.syringe, 1, lot_number="X", expiry=today - timedelta(days=1))],
        "short_shelf_life": [line(w.syringe, 1, lot_number="X", expiry=today + timedelta(days=90))],
        "serial_count": [line(w.stent, 2, lot_number="X", expiry=good, serials=("A",))],
        "known_serial": [line(w.stent, 1, lot_number="X", expiry=good, serials=("SN-9",))],
        "cold_no_temperature": [line(w.reagent, 1, lot_number="X", expiry=good)],
        "cold_too_warm": [
            line(w.reagent, 1, lot_number="X", expiry=good, arrival_temperature=12.5)
        ],
        "registration_lapsed": [line(w.syringe, 1, lot_number="X", expiry=good)],
        "licence_lapsed": [line(w.syringe, 1, lot_number="X", expiry=good)],
        "no_lot_number": [line(w.syringe, 1, expiry=good)],
        "no_expiry": [line(w.syringe, 1, lot_number="X")],
    }[case]
    if case == "known_serial":
        await stock_in(w, w.stent, "K", 1, serials=["SN-9"])
    if case == "registration_lapsed":
        await Product.update({Product.registration_valid_until: today - timedelta(days=1)}).where(
            Product.id == w.syringe
        )
    if case == "licence_lapsed":
        await SupplierLicence.update(
            {SupplierLicence.valid_until: today - timedelta(days=1)}
        ).where(SupplierLicence.kind == "operating_licence")
    before = await ledger_count()
    lots_before = await Lot.count()
    with pytest.raises(DomainError) as refused:
        await receipts.receive(
            w.warehouse.actor, warehouse=w.wh_a, supplier=w.supplier, lines=lines
        )
    assert refused.value.code == code
    assert await ledger_count() == before
    assert await Lot.count() == lots_before


async def test_receiving_against_a_purchase_order_counts_what_arrived():
    w = await build_world()
    po = await orders.create(
        w.purchaser.actor,
        number="PO-1",
        supplier=w.supplier,
        warehouse=w.wh_a,
        lines=[orders.OrderLine(w.syringe, 10)],
    )
    good = clock.today() + timedelta(days=700)
    await receipts.receive(
        w.warehouse.actor,
        warehouse=w.wh_a,
        supplier=w.supplier,
        purchase_order=po["id"],
        lines=[line(w.syringe, 6, lot_number="P1", expiry=good)],
    )
    with pytest.raises(DomainError) as refused:
        await receipts.receive(
            w.warehouse.actor,
            warehouse=w.wh_a,
            supplier=w.supplier,
            purchase_order=po["id"],
            lines=[line(w.syringe, 5, lot_number="P2", expiry=good)],
        )
    assert refused.value.code == "PURCHASE_ORDER_EXCEEDED"
    await receipts.receive(
        w.warehouse.actor,
        warehouse=w.wh_a,
        supplier=w.supplier,
        purchase_order=po["id"],
        lines=[line(w.syringe, 4, lot_number="P2", expiry=good)],
    )
    after = await orders.get(w.purchaser.actor, po["id"])
    assert after["status"] == "received"
    assert after["lines"][0]["received"] == 10
    with pytest.raises(DomainError) as wrong:
        await receipts.receive(
            w.warehouse.actor,
            warehouse=w.wh_a,
            supplier=w.supplier,
            purchase_order=po["id"],
            lines=[line(w.stent, 1, lot_number="S", expiry=good, serials=("Z",))],
        )
    assert wrong.value.code == "PURCHASE_ORDER_MISMATCH"


async def test_a_line_received_by_scanning_its_gs1_label_reads_lot_expiry_and_serial():
    from backend.catalog.tables import Packaging

    w = await build_world()
    await Packaging.insert(
        Packaging(
            product=w.stent,
            level="each",
            quantity=1,
            agency="GS1",
            di="06901234567892",
            original="6901234567892",
        )
    )
    expiry = clock.today() + timedelta(days=400)
    label = "]d20106901234567892" + f"17{expiry:%y%m%d}" + "10LOT-77\x1d" + "21SN-XYZ"
    receipt = await receipts.receive(
        w.warehouse.actor,
        warehouse=w.wh_a,
        supplier=w.supplier,
        lines=[receipts.LineIn(quantity=1, barcode=label)],
    )
    row = receipt["lines"][0]
    assert row["product"] == w.stent and row["serials"] == ["SN-XYZ"]
    lot = await Lot.select().where(Lot.id == row["lot"]).first()
    assert lot["lot_number"] == "LOT-77" and lot["expiry"] == expiry


async def test_a_released_lot_arriving_again_waits_for_its_own_inspection_before_putaway():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "AGAIN", 5)
    receipt = await receipts.receive(
        w.warehouse.actor,
        warehouse=w.wh_a,
        supplier=w.supplier,
        lines=[line(w.syringe, 3, lot_number="AGAIN", expiry=lot["expiry"])],
    )
    before = await ledger_count()
    with pytest.raises(DomainError) as waiting:
        await putaway.put_away(
            w.warehouse.actor,
            lot_id=lot["id"],
            serial_id=None,
            quantity=3,
            from_location=w.receiving_a,
            to_location=w.storage_a1,
        )
    assert waiting.value.code == "AWAITING_INSPECTION"
    assert await ledger_count() == before
    row = receipt["lines"][0]
    await inspection.inspect(
        w.qa.actor,
        row["id"],
        appearance_ok=True,
        packaging_ok=True,
        label_ok=True,
        certificate_ok=True,
        accepted=3,
        rejected=0,
    )
    await inspection.decide(w.qa.actor, row["id"], release=True, password=PASSWORD)
    await putaway.put_away(
        w.warehouse.actor,
        lot_id=lot["id"],
        serial_id=None,
        quantity=3,
        from_location=w.receiving_a,
        to_location=w.storage_a1,
    )
    assert await on_hand(w.storage_a1, lot["id"]) == (8, 0)
