"""Fulfilling: approved requisitions become FEFO pick lists through stock's transfer orders;
the warehouse picks, ships and delivers; shortfalls become back-orders allocated later; the
ward receives by scan or as a whole, discrepancies recorded; the delivery note."""

from __future__ import annotations

import pytest

from backend.core.errors import DomainError
from backend.requisitions import approving, delivery_note, fulfilling, requesting
from backend.requisitions.requesting import LineIn
from backend.stock import picking
from backend.stock.reasons import Reason
from tests.integration.requisitions.ward import build_ward, count, events, pick_all
from tests.integration.stock.world import (
    ledger,
    ledger_count,
    on_hand,
    serial_ids,
    stock_in,
    violations,
)


async def _approved(ward, lines):  # type: ignore[no-untyped-def]
    req = await requesting.create(
        ward.clinician.actor, department=ward.department, lines=lines, submit=True
    )
    req = await approving.approve(ward.head.actor, req["id"])
    if req["status"] != "approved":
        req = await approving.approve(ward.w.admin.actor, req["id"])
    return req


def _moves(entries):  # type: ignore[no-untyped-def]
    return [(e["location"], e["lot"], e["quantity"], Reason(e["reason"]).name) for e in entries]


async def test_an_approved_requisition_is_picked_fefo_and_received_into_the_ward_cabinet():
    ward = await build_ward()
    w = ward.w
    late = await stock_in(w, w.syringe, "LATE", 30, days=900)
    early = await stock_in(w, w.syringe, "EARLY", 30, days=400)
    req = await _approved(ward, [LineIn(w.syringe, 40)])
    before = await ledger_count()
    req = await fulfilling.release(w.warehouse.actor, req["id"])
    assert req["status"] == "picking" and req["back_orders"] == []
    shipment = req["shipments"][0]
    pick = await picking.pick_list(w.warehouse.actor, shipment["pick_list"])
    assert pick["document_type"] == "transfer_order"
    assert pick["document_id"] == shipment["transfer_order"]
    assert [(x["lot"], x["quantity"]) for x in pick["lines"]] == [
        (early["id"], 30),
        (late["id"], 10),
    ]
    assert await on_hand(w.storage_a1, early["id"]) == (30, 30)
    assert await ledger_count() == before  # reservations are not stock changes
    await pick_all(ward, req)
    req = await fulfilling.ship(w.warehouse.actor, req["id"])
    assert req["status"] == "shipped" and req["lines"][0]["shipped_quantity"] == 40
    req = await fulfilling.deliver(w.warehouse.actor, req["id"])
    assert req["status"] == "delivered"
    req = await fulfilling.receive(ward.clinician.actor, req["id"], scanned=None)
    assert req["status"] == "received" and req["lines"][0]["received_quantity"] == 40
    assert await on_hand(ward.cabinet, early["id"]) == (30, 0)
    assert await on_hand(ward.cabinet, late["id"]) == (10, 0)
    assert _moves(await ledger(document_type="pick_list", document_id=shipment["pick_list"])) == [
        (w.storage_a1, early["id"], -30, "pick_out"),
        (w.transit_a, early["id"], 30, "pick_in"),
        (w.storage_a1, late["id"], -10, "pick_out"),
        (w.transit_a, late["id"], 10, "pick_in"),
    ]
    received = await ledger(document_type="transfer_order", document_id=shipment["transfer_order"])
    assert sorted(_moves(received)) == sorted(
        [
            (w.transit_a, early["id"], -30, "transit_receive_out"),
            (ward.cabinet, early["id"], 30, "transit_receive_in"),
            (w.transit_a, late["id"], -10, "transit_receive_out"),
            (ward.cabinet, late["id"], 10, "transit_receive_in"),
        ]
    )
    assert all(e["actor_name"] == "nurse_li" for e in received)
    statuses = [e["status"] for e in await events("requisition.changed")]
    assert statuses[-5:] == ["approved", "picking", "shipped", "delivered", "received"]
    assert await violations() == []


async def test_what_cannot_be_allocated_is_back_ordered_and_allocated_when_stock_arrives():
    ward = await build_ward()
    w = ward.w
    s1 = await stock_in(w, w.syringe, "S1", 10)
    req = await _approved(ward, [LineIn(w.syringe, 25), LineIn(w.forceps, 2)])
    req = await fulfilling.release(w.warehouse.actor, req["id"])
    assert req["status"] == "picking"
    syringe_line, forceps_line = (x["id"] for x in req["lines"])
    assert [
        (b["requisition_line"], b["quantity"], b["cause"], b["status"]) for b in req["back_orders"]
    ] == [
        (syringe_line, 15, "no_stock", "open"),
        (forceps_line, 2, "no_stock", "open"),
    ]
    assert len(await events("requisition.back_ordered")) == 1
    await pick_all(ward, req)
    await fulfilling.ship(w.warehouse.actor, req["id"])
    req = await fulfilling.receive(ward.clinician.actor, req["id"], scanned=None)
    assert [x["received_quantity"] for x in req["lines"]] == [10, 0]
    # nothing in stock yet: refused, nothing written
    orders, entries = await count("transfer_order"), await ledger_count()
    with pytest.raises(DomainError) as refused:
        await fulfilling.allocate_back_orders(w.warehouse.actor, req["id"])
    assert refused.value.code == "INSUFFICIENT_STOCK"
    assert (await count("transfer_order"), await ledger_count()) == (orders, entries)
    s2 = await stock_in(w, w.syringe, "S2", 40)
    forceps_lot = await stock_in(w, w.forceps, None, 1)
    req = await fulfilling.allocate_back_orders(w.warehouse.actor, req["id"])
    assert req["status"] == "picking" and len(req["shipments"]) == 2
    assert [b["status"] for b in req["back_orders"][:2]] == ["allocated", "allocated"]
    assert req["back_orders"][0]["shipment"] == req["shipments"][1]["id"]
    assert [(b["quantity"], b["cause"], b["status"]) for b in req["back_orders"][2:]] == [
        (1, "still_short", "open")
    ]
    await pick_all(ward, req)
    await fulfilling.ship(w.warehouse.actor, req["id"])
    req = await fulfilling.receive(ward.clinician.actor, req["id"], scanned=None)
    assert [x["received_quantity"] for x in req["lines"]] == [25, 1]
    assert await on_hand(ward.cabinet, forceps_lot["id"]) == (1, 0)
    # into the cabinet: 10 syringes with the first shipment, 15 and the forceps with the second
    arrived = [
        (e["lot"], e["quantity"], e["document_id"])
        for e in await ledger(location=ward.cabinet)
        if e["reason"] == Reason.transit_receive_in
    ]
    first, second = (s["transfer_order"] for s in req["shipments"])
    assert sorted(arrived) == sorted(
        [(s1["id"], 10, first), (s2["id"], 15, second), (forceps_lot["id"], 1, second)]
    )
    assert await violations() == []


async def test_with_nothing_in_stock_the_whole_requisition_waits_back_ordered():
    ward = await build_ward()
    req = await _approved(ward, [LineIn(ward.w.syringe, 5)])
    req = await fulfilling.release(ward.w.warehouse.actor, req["id"])
    assert req["status"] == "back_ordered" and req["shipments"] == []
    assert await count("transfer_order") == 0 and await count("pick_list") == 0
    assert [(b["quantity"], b["cause"]) for b in req["back_orders"]] == [(5, "no_stock")]
    # the ward gives up waiting: the back-orders and the requisition are cancelled
    req = await fulfilling.cancel_back_orders(ward.clinician.actor, req["id"], "已从他院借用")
    assert req["status"] == "cancelled"
    assert [b["status"] for b in req["back_orders"]] == ["cancelled"]
    with pytest.raises(DomainError) as refused:
        await fulfilling.cancel_back_orders(ward.clinician.actor, req["id"], "again")
    assert refused.value.code == "NOTHING_TO_SHIP"


async def test_a_short_pick_becomes_a_back_order_when_shipped():
    ward = await build_ward()
    w = ward.w
    lot = await stock_in(w, w.syringe, "S1", 10)
    req = await _approved(ward, [LineIn(w.syringe, 10)])
    req = await fulfilling.release(w.warehouse.actor, req["id"])
    pick = await picking.pick_list(w.warehouse.actor, req["shipments"][0]["pick_list"])
    line = pick["lines"][0]
    await picking.confirm_pick(
        w.warehouse.actor,
        pick["id"],
        line["id"],
        scan=picking.Scan(lot_id=lot["id"]),
        quantity=7,
        short_reason="3 支包装破损",
    )
    req = await fulfilling.ship(w.warehouse.actor, req["id"])
    assert req["lines"][0]["shipped_quantity"] == 7
    assert [(b["quantity"], b["cause"]) for b in req["back_orders"]] == [(3, "short_pick")]
    assert _moves(await ledger(document_type="pick_list", document_id=pick["id"])) == [
        (w.storage_a1, lot["id"], -7, "pick_out"),
        (w.transit_a, lot["id"], 7, "pick_in"),
    ]


async def test_shipping_before_the_pick_is_done_is_refused():
    ward = await build_ward()
    await stock_in(ward.w, ward.w.syringe, "S1", 10)
    req = await _approved(ward, [LineIn(ward.w.syringe, 4)])
    req = await fulfilling.release(ward.w.warehouse.actor, req["id"])
    with pytest.raises(DomainError) as refused:
        await fulfilling.ship(ward.w.warehouse.actor, req["id"])
    assert refused.value.code == "PICKING_OPEN"
    assert refused.value.message("zh-CN") == (
        f"请领单 REQ-{req['id']} 还有 1 行未拣货：拣完（或登记短拣）后才能发货"
    )
    assert (await requesting.get(ward.head.actor, req["id"]))["status"] == "picking"


async def test_the_ward_receives_by_scanning_and_a_missing_unit_is_recorded_as_a_discrepancy():
    ward = await build_ward()
    w = ward.w
    lot = await stock_in(w, w.stent, "ST1", 2, serials=["SN-1", "SN-2"])
    sn1, sn2 = await serial_ids(lot["id"])
    req = await _approved(ward, [LineIn(w.stent, 2)])
    assert [a["level"] for a in req["approvals"]] == [1, 2]
    req = await fulfilling.release(w.warehouse.actor, req["id"])
    await pick_all(ward, req)
    req = await fulfilling.ship(w.warehouse.actor, req["id"])
    scanned = [fulfilling.Scanned(lot["id"], sn1, 1)]
    with pytest.raises(DomainError) as refused:
        await fulfilling.receive(ward.clinician.actor, req["id"], scanned=scanned)
    assert refused.value.field == "discrepancy_reason"
    with pytest.raises(DomainError) as refused:
        await fulfilling.receive(
            ward.clinician.actor,
            req["id"],
            scanned=[*scanned, fulfilling.Scanned(lot["id"] + 99, None, 1)],
            discrepancy_reason="x",
        )
    assert refused.value.code in ("INVALID_INPUT", "NOT_FOUND")
    req = await fulfilling.receive(
        ward.clinician.actor, req["id"], scanned=scanned, discrepancy_reason="配送途中遗失一枚"
    )
    assert req["status"] == "received" and req["lines"][0]["received_quantity"] == 1
    assert (req["shipments"][0]["missing"], req["shipments"][0]["discrepancy_reason"]) == (
        1,
        "配送途中遗失一枚",
    )
    gaps = await fulfilling.discrepancies(ward.head.actor, req["id"])
    assert [(g["serial"], g["shipped"], g["received"]) for g in gaps] == [(sn2, 1, 0)]
    entries = await ledger(
        document_type="transfer_order", document_id=req["shipments"][0]["transfer_order"]
    )
    assert sorted(
        (e["serial"], e["quantity"], Reason(e["reason"]).name) for e in entries
    ) == sorted(
        [
            (sn1, -1, "transit_receive_out"),
            (sn1, 1, "transit_receive_in"),
            (sn2, -1, "transit_loss"),
        ]
    )
    assert await on_hand(ward.cabinet, lot["id"], sn1) == (1, 0)
    assert await violations() == []


async def test_other_wards_and_warehouses_do_not_see_or_move_the_requisition():
    ward = await build_ward()
    await stock_in(ward.w, ward.w.syringe, "S1", 10)
    req = await _approved(ward, [LineIn(ward.w.syringe, 4)])
    with pytest.raises(DomainError) as refused:
        await fulfilling.release(ward.clinician.actor, req["id"])  # not the warehouse side
    assert refused.value.code == "NOT_FOUND"
    with pytest.raises(DomainError) as refused:
        await requesting.get(ward.other_clinician.actor, req["id"])
    assert refused.value.code == "NOT_FOUND"


async def test_the_delivery_note_lists_product_model_registration_lot_serial_expiry_and_quantity():
    ward = await build_ward()
    w = ward.w
    lot = await stock_in(w, w.stent, "ST9", 1, serials=["SN-9"])
    req = await _approved(ward, [LineIn(w.stent, 1)])
    req = await fulfilling.release(w.warehouse.actor, req["id"])
    await pick_all(ward, req)
    await fulfilling.ship(w.warehouse.actor, req["id"])
    assert _moves(await ledger(serial=(await serial_ids(lot["id"]))[0]))[-2:] == [
        (w.storage_a1, lot["id"], -1, "pick_out"),
        (w.transit_a, lot["id"], 1, "pick_in"),
    ]
    data = await fulfilling.delivery(ward.clinician.actor, req["id"])
    html = delivery_note.html(data)
    for text in (
        "医疗器械配送单",
        "支架",
        "3.0×18mm",
        "国械注准20243140001",
        "ST9",
        "SN-9",
        str(lot["expiry"])[:10],
        "心内科",
    ):
        assert text in html, text
    pdf = delivery_note.render(data)
    assert pdf.startswith(b"%PDF")
