"""Transfer orders and pick lists on the database: FEFO reservations, confirmation against the
scanned unit, deviations, refusals, short picks, cancel, shipping and receiving in transit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.core import clock
from backend.core.errors import DomainError
from backend.stock import lots, picking
from backend.stock.reasons import Reason
from backend.stock.tables import PickLine, TransitDiscrepancy
from tests.integration.stock.world import (
    World,
    build_world,
    ledger,
    ledger_count,
    on_hand,
    serial_ids,
    stock_in,
    violations,
)


async def order(w: World, product: int, quantity: int, **kw):  # type: ignore[no-untyped-def]
    target = {"to_location": w.storage_b, "to_customer": None} | kw
    return await picking.create_transfer_order(
        w.warehouse.actor,
        from_warehouse=w.wh_a,
        lines=[picking.OrderLine(product, quantity)],
        **target,
    )


async def test_allocation_reserves_the_earliest_expiry_first_then_the_oldest_receipt():
    w = await build_world()
    late = await stock_in(w, w.syringe, "LATE", 10, days=900)
    early = await stock_in(w, w.syringe, "EARLY", 4, days=400, to=w.storage_a2)
    same_day_newer = await stock_in(w, w.syringe, "EARLY-B", 5, days=400)
    o = await order(w, w.syringe, 12)
    pick = await picking.allocate_order(w.warehouse.actor, o["id"])
    taken = [(x["lot"], x["quantity"]) for x in sorted(pick["lines"], key=lambda x: x["id"])]
    assert taken == [(early["id"], 4), (same_day_newer["id"], 5), (late["id"], 3)]
    assert await on_hand(w.storage_a2, early["id"]) == (4, 4)
    assert await on_hand(w.storage_a1, late["id"]) == (10, 3)
    assert await violations() == []


async def test_fifo_products_go_out_oldest_receipt_first():
    w = await build_world()
    first = await stock_in(w, w.forceps, None, 2, days=None)
    await stock_in(w, w.forceps, None, 2, days=None)
    pick = await picking.allocate_order(w.warehouse.actor, (await order(w, w.forceps, 2))["id"])
    assert [x["lot"] for x in pick["lines"]] == [first["id"]]


async def test_expired_held_and_unreleased_stock_is_never_allocated():
    w = await build_world()
    held = await stock_in(w, w.syringe, "HELD", 5, days=300)
    await lots.hold_lot(w.qa.actor, held["id"], "temperature excursion")
    soon = await stock_in(w, w.syringe, "SOON", 5, days=200)
    ok = await stock_in(w, w.syringe, "OK", 5, days=600)
    o = await order(w, w.syringe, 5)
    # 201 days later SOON has expired: only OK is left to allocate.
    today = clock.today()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(clock, "today", lambda: today + timedelta(days=201))
        pick = await picking.allocate_order(w.warehouse.actor, o["id"])
    assert {x["lot"] for x in pick["lines"]} == {ok["id"]}
    assert soon["id"] not in {x["lot"] for x in pick["lines"]}


async def test_not_enough_stock_refuses_the_allocation_and_reserves_nothing():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "L", 3)
    o = await order(w, w.syringe, 4)
    with pytest.raises(DomainError) as refused:
        await picking.allocate_order(w.warehouse.actor, o["id"])
    assert refused.value.code == "INSUFFICIENT_STOCK"
    assert await on_hand(w.storage_a1, lot["id"]) == (3, 0)
    partial = await picking.allocate_order(w.warehouse.actor, o["id"], allow_partial=True)
    assert sum(x["quantity"] for x in partial["lines"]) == 3


async def test_confirming_the_allocated_lot_moves_it_into_transit_and_closes_the_list():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "L", 10)
    o = await order(w, w.syringe, 6)
    pick = await picking.allocate_order(w.warehouse.actor, o["id"])
    (line,) = pick["lines"]
    before = await ledger_count()
    done = await picking.confirm_pick(
        w.warehouse.actor, pick["id"], line["id"], scan=picking.Scan(lot_number="L"), quantity=6
    )
    assert done["status"] == "picked" and done["deviation_reason"] is None
    assert await on_hand(w.storage_a1, lot["id"]) == (4, 0)
    assert await on_hand(w.transit_a, lot["id"]) == (6, 0)
    entries = (await ledger(lot=lot["id"]))[-2:]
    assert await ledger_count() == before + 2
    assert [
        (e["location"], e["quantity"], e["reason"], e["document_type"], e["document_line"])
        for e in entries
    ] == [
        (w.storage_a1, -6, Reason.pick_out, "pick_list", line["id"]),
        (w.transit_a, 6, Reason.pick_in, "pick_list", line["id"]),
    ]
    assert (await picking.get_order(w.warehouse.actor, o["id"]))["status"] == "picked"
    with pytest.raises(DomainError) as twice:
        await picking.confirm_pick(
            w.warehouse.actor, pick["id"], line["id"], scan=picking.Scan(lot_number="L"), quantity=6
        )
    assert twice.value.code == "PICK_LINE_CLOSED"
    assert await ledger_count() == before + 2
    assert await violations() == []


async def test_another_usable_lot_is_accepted_as_a_recorded_fefo_deviation():
    w = await build_world()
    early = await stock_in(w, w.syringe, "EARLY", 5, days=300)
    late = await stock_in(w, w.syringe, "LATE", 5, days=900, to=w.storage_a2)
    o = await order(w, w.syringe, 2)
    pick = await picking.allocate_order(w.warehouse.actor, o["id"])
    (line,) = pick["lines"]
    assert line["lot"] == early["id"]
    with pytest.raises(DomainError) as no_reason:
        await picking.confirm_pick(
            w.warehouse.actor,
            pick["id"],
            line["id"],
            scan=picking.Scan(lot_number="LATE", location_id=w.storage_a2),
            quantity=2,
        )
    assert no_reason.value.code == "FEFO_DEVIATION_REASON"
    done = await picking.confirm_pick(
        w.warehouse.actor,
        pick["id"],
        line["id"],
        scan=picking.Scan(lot_number="LATE", location_id=w.storage_a2),
        quantity=2,
        deviation_reason="front box damaged",
    )
    assert done["picked_lot"] == late["id"] and done["deviation_reason"] == "front box damaged"
    assert await on_hand(w.storage_a1, early["id"]) == (5, 0)
    assert await on_hand(w.storage_a2, late["id"]) == (3, 0)
    entries = (await ledger(lot=late["id"]))[-2:]
    assert [(e["quantity"], e["reason"], e["note"]) for e in entries] == [
        (-2, Reason.pick_out, "front box damaged"),
        (2, Reason.pick_in, None),
    ]
    assert await violations() == []


@pytest.mark.parametrize("state", ["expired", "held", "recalled", "unreleased"])
async def test_an_unusable_scanned_lot_is_refused_and_nothing_is_written(state):
    w = await build_world()
    good = await stock_in(w, w.syringe, "GOOD", 5, days=800)
    bad = await stock_in(w, w.syringe, "BAD", 5, days=300, to=w.storage_a2)
    o = await order(w, w.syringe, 1)
    pick = await picking.allocate_order(w.warehouse.actor, o["id"])
    (line,) = pick["lines"]
    assert line["lot"] == bad["id"]
    today = clock.today()
    if state == "held":
        await lots.hold_lot(w.qa.actor, bad["id"], "suspected contamination")
    if state == "recalled":
        await lots.recall_lot(w.qa.actor, bad["id"], "manufacturer recall")
    scan = picking.Scan(lot_number="BAD")
    if state == "unreleased":
        from backend.receiving import receipts

        receipt = await receipts.receive(
            w.warehouse.actor,
            warehouse=w.wh_a,
            supplier=w.supplier,
            lines=[
                receipts.LineIn(
                    quantity=1,
                    product=w.syringe,
                    lot_number="NEW",
                    expiry=today + timedelta(days=500),
                )
            ],
        )
        del receipt
        scan = picking.Scan(lot_number="NEW", location_id=w.receiving_a)
    before = await ledger_count()
    expected = {
        "expired": "LOT_EXPIRED",
        "held": "LOT_ON_HOLD",
        "recalled": "LOT_RECALLED",
        "unreleased": "LOT_NOT_RELEASED",
    }[state]
    with pytest.MonkeyPatch.context() as m:
        if state == "expired":
            m.setattr(clock, "today", lambda: today + timedelta(days=301))
        with pytest.raises(DomainError) as refused:
            await picking.confirm_pick(
                w.warehouse.actor,
                pick["id"],
                line["id"],
                scan=scan,
                quantity=1,
                deviation_reason="whatever",
            )
    assert refused.value.code == expected
    assert await ledger_count() == before
    assert (await PickLine.select().where(PickLine.id == line["id"]).first())["status"] == "open"
    assert good["id"] != bad["id"]
    assert await violations() == []


async def test_a_pick_of_the_wrong_product_is_refused():
    w = await build_world()
    await stock_in(w, w.syringe, "S", 5)
    other = await stock_in(w, w.reagent, "R", 5, temperature=5.0)
    pick = await picking.allocate_order(w.warehouse.actor, (await order(w, w.syringe, 1))["id"])
    (line,) = pick["lines"]
    before = await ledger_count()
    with pytest.raises(DomainError) as refused:
        await picking.confirm_pick(
            w.warehouse.actor,
            pick["id"],
            line["id"],
            scan=picking.Scan(lot_id=other["id"]),
            quantity=1,
            deviation_reason="x",
        )
    assert refused.value.code == "PICK_WRONG_PRODUCT"
    assert await ledger_count() == before


async def test_short_picks_release_what_was_not_picked_and_cancel_releases_the_rest():
    w = await build_world()
    a = await stock_in(w, w.syringe, "A", 5, days=300)
    b = await stock_in(w, w.syringe, "B", 5, days=600, to=w.storage_a2)
    pick = await picking.allocate_order(w.warehouse.actor, (await order(w, w.syringe, 8))["id"])
    first, second = sorted(pick["lines"], key=lambda x: x["id"])
    with pytest.raises(DomainError) as why:
        await picking.confirm_pick(
            w.warehouse.actor,
            pick["id"],
            first["id"],
            scan=picking.Scan(lot_number="A"),
            quantity=3,
        )
    assert why.value.code == "INVALID_INPUT"
    await picking.confirm_pick(
        w.warehouse.actor,
        pick["id"],
        first["id"],
        scan=picking.Scan(lot_number="A"),
        quantity=3,
        short_reason="two units damaged on the shelf",
    )
    assert await on_hand(w.storage_a1, a["id"]) == (2, 0)
    assert await on_hand(w.storage_a2, b["id"]) == (5, 3)
    cancelled = await picking.cancel_pick_list(w.warehouse.actor, pick["id"], "order changed")
    assert cancelled["status"] == "cancelled"
    assert await on_hand(w.storage_a2, b["id"]) == (5, 0)
    assert second["lot"] == b["id"]
    assert await violations() == []


async def test_a_transfer_between_warehouses_ships_then_is_received_with_a_discrepancy():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "T", 10)
    o = await order(w, w.syringe, 6)
    pick = await picking.allocate_order(w.warehouse.actor, o["id"])
    for line in pick["lines"]:
        await picking.confirm_pick(
            w.warehouse.actor,
            pick["id"],
            line["id"],
            scan=picking.Scan(lot_number="T"),
            quantity=line["quantity"],
        )
    shipped = await picking.ship(w.warehouse.actor, o["id"])
    assert shipped["status"] == "shipped"
    with pytest.raises(DomainError) as no_reason:
        await picking.receive(
            w.warehouse.actor,
            o["id"],
            lines=[picking.Arrived(lot["id"], None, 5)],
            discrepancy_reason=None,
        )
    assert no_reason.value.code == "INVALID_INPUT"
    await picking.receive(
        w.warehouse.actor,
        o["id"],
        lines=[picking.Arrived(lot["id"], None, 5)],
        discrepancy_reason="one box missing on arrival",
    )
    assert await on_hand(w.storage_b, lot["id"]) == (5, 0)
    assert await on_hand(w.transit_a, lot["id"]) == (0, 0)
    gap = await TransitDiscrepancy.select().first()
    assert (gap["shipped"], gap["received"]) == (6, 5)
    tail = [(e["location"], e["quantity"], e["reason"]) for e in (await ledger(lot=lot["id"]))[-3:]]
    assert tail == [
        (w.transit_a, -5, Reason.transit_receive_out),
        (w.storage_b, 5, Reason.transit_receive_in),
        (w.transit_a, -1, Reason.transit_loss),
    ]
    assert await violations() == []


async def test_serials_are_picked_one_by_one_and_shipped_to_a_customer():
    w = await build_world()
    lot = await stock_in(w, w.stent, "S", 2, serials=["SN-1", "SN-2"])
    o = await order(w, w.stent, 1, to_location=None, to_customer="市第二医院")
    pick = await picking.allocate_order(w.warehouse.actor, o["id"])
    (line,) = pick["lines"]
    with pytest.raises(DomainError) as no_serial:
        await picking.confirm_pick(
            w.warehouse.actor, pick["id"], line["id"], scan=picking.Scan(lot_number="S"), quantity=1
        )
    assert no_serial.value.code == "INVALID_INPUT"
    other = "SN-2" if line["serial_number"] == "SN-1" else "SN-1"
    done = await picking.confirm_pick(
        w.warehouse.actor,
        pick["id"],
        line["id"],
        scan=picking.Scan(serial=other),
        quantity=1,
        deviation_reason="the other one was at the front",
    )
    assert done["picked_serial"] != line["serial"]
    await picking.ship(w.warehouse.actor, o["id"])
    ids = await serial_ids(lot["id"])
    picked = done["picked_serial"]
    assert await on_hand(w.transit_a, lot["id"], picked) == (0, 0)
    left = next(i for i in ids if i != picked)
    assert await on_hand(w.storage_a1, lot["id"], left) == (1, 0)
    last = (await ledger(serial=picked))[-1]
    assert (last["reason"], last["quantity"]) == (Reason.issue_customer, -1)
    assert await violations() == []


async def test_an_order_needing_more_lots_than_the_first_read_takes_them_in_fefo_order():
    """The candidate statement reads a few rows per product and keeps only those needed; an
    order that needs more (here 7 one-unit lots, held ones in between) is read again in full,
    and the result is still exactly what the FEFO rule gives."""
    w = await build_world()
    usable = []
    for n in range(10):
        lot = await stock_in(w, w.syringe, f"L{n}", 1, days=300 + n)
        if n in (1, 4):
            await lots.hold_lot(w.qa.actor, lot["id"], "under investigation")
        else:
            usable.append(lot["id"])
    two_lines = await picking.create_transfer_order(
        w.warehouse.actor,
        from_warehouse=w.wh_a,
        to_location=w.storage_b,
        to_customer=None,
        lines=[picking.OrderLine(w.syringe, 3), picking.OrderLine(w.syringe, 4)],
    )
    pick = await picking.allocate_order(w.warehouse.actor, two_lines["id"])
    taken = [(x["document_line"], x["lot"]) for x in sorted(pick["lines"], key=lambda x: x["id"])]
    first, second = sorted({line for line, _lot in taken})
    assert taken == [(first, lot) for lot in usable[:3]] + [(second, lot) for lot in usable[3:7]]
    for lot in usable[:7]:
        assert await on_hand(w.storage_a1, lot) == (1, 1)
    assert await on_hand(w.storage_a1, usable[7]) == (1, 0)
    assert await violations() == []
