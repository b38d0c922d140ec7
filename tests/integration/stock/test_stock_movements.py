"""Transfers, department returns, adjustments, holds, queries, trace and verify."""

from __future__ import annotations

import pytest

from backend.core import db
from backend.core.errors import DomainError
from backend.core.tables import OutboxEvent
from backend.stock import lots, movements, picking, queries
from backend.stock.reasons import Reason
from tests.integration.stock.world import (
    build_world,
    deliver,
    ledger,
    ledger_count,
    on_hand,
    serial_ids,
    stock_in,
    violations,
)


async def test_a_transfer_moves_units_with_a_pair_of_entries_and_an_event():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "L", 10)
    events = await OutboxEvent.count().where(OutboxEvent.topic == "stock.changed")
    moved = await movements.transfer(
        w.warehouse.actor,
        lot_id=lot["id"],
        serial_id=None,
        quantity=4,
        from_location=w.storage_a1,
        to_location=w.storage_a2,
    )
    assert await on_hand(w.storage_a1, lot["id"]) == (6, 0)
    assert await on_hand(w.storage_a2, lot["id"]) == (4, 0)
    entries = await ledger(lot=lot["id"])
    assert [(e["location"], e["quantity"], e["reason"]) for e in entries[-2:]] == [
        (w.storage_a1, -4, Reason.transfer_out),
        (w.storage_a2, 4, Reason.transfer_in),
    ]
    assert [e["id"] for e in entries[-2:]] == moved.ledger_ids
    assert await OutboxEvent.count().where(OutboxEvent.topic == "stock.changed") == events + 1


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("too_many", "INSUFFICIENT_STOCK"),
        ("unknown_lot", "NOT_FOUND"),
        ("unknown_location", "NOT_FOUND"),
        ("zero", "INVALID_INPUT"),
        ("warm_place_for_cold_chain", "LOCATION_TEMPERATURE_CLASS"),
        ("same_place", "SAME_LOCATION"),
        ("other_warehouse", "INVALID_INPUT"),
        ("serial_missing", "SERIAL_REQUIRED"),
    ],
)
async def test_a_bad_transfer_is_refused_with_a_stable_code_and_writes_nothing(case, code):
    w = await build_world()
    lot = await stock_in(w, w.syringe, "L", 3)
    cold = await stock_in(w, w.reagent, "R", 3, temperature=4.0)
    stent = await stock_in(w, w.stent, "S", 1, serials=["SN-1"])
    args = {
        "lot_id": lot["id"],
        "serial_id": None,
        "quantity": 1,
        "from_location": w.storage_a1,
        "to_location": w.storage_a2,
    }
    args |= {
        "too_many": {"quantity": 4},
        "unknown_lot": {"lot_id": 999_999},
        "unknown_location": {"to_location": 999_999},
        "zero": {"quantity": 0},
        "warm_place_for_cold_chain": {"lot_id": cold["id"], "from_location": w.cold_a},
        "same_place": {"to_location": w.storage_a1},
        "other_warehouse": {"to_location": w.storage_b},
        "serial_missing": {"lot_id": stent["id"]},
    }[case]
    before = await ledger_count()
    with pytest.raises(DomainError) as refused:
        await movements.transfer(w.warehouse.actor, **args)
    assert refused.value.code == code
    assert await ledger_count() == before
    assert await violations() == []


async def test_adjustments_need_a_matching_reason_code_and_never_go_negative():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "L", 5)
    await movements.adjust(
        w.warehouse.actor,
        lot_id=lot["id"],
        serial_id=None,
        location_id=w.storage_a1,
        quantity=-2,
        reason=Reason.adjust_damage,
        note="dropped",
    )
    await movements.adjust(
        w.warehouse.actor,
        lot_id=lot["id"],
        serial_id=None,
        location_id=w.storage_a1,
        quantity=1,
        reason=Reason.adjust_count_gain,
        note="found in count",
    )
    assert await on_hand(w.storage_a1, lot["id"]) == (4, 0)
    with pytest.raises(DomainError) as wrong_reason:
        await movements.adjust(
            w.warehouse.actor,
            lot_id=lot["id"],
            serial_id=None,
            location_id=w.storage_a1,
            quantity=1,
            reason=Reason.adjust_damage,
            note="x",
        )
    assert wrong_reason.value.code == "REASON_NOT_ALLOWED"
    with pytest.raises(DomainError) as negative:
        await movements.adjust(
            w.warehouse.actor,
            lot_id=lot["id"],
            serial_id=None,
            location_id=w.storage_a1,
            quantity=-5,
            reason=Reason.adjust_count_loss,
            note="x",
        )
    assert negative.value.code == "INSUFFICIENT_STOCK"
    assert [e["reason"] for e in (await ledger(lot=lot["id"]))[-2:]] == [
        Reason.adjust_damage,
        Reason.adjust_count_gain,
    ]
    assert await violations() == []


async def test_a_department_returns_stock_to_the_warehouse():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "L", 5)
    await deliver(w, lot, 5, w.ward)
    await movements.return_from_department(
        w.warehouse.actor,
        lot_id=lot["id"],
        serial_id=None,
        quantity=2,
        from_location=w.ward,
        to_location=w.quarantine_a,
        reason="overstocked",
    )
    assert await on_hand(w.ward, lot["id"]) == (3, 0)
    assert await on_hand(w.quarantine_a, lot["id"]) == (2, 0)
    assert [e["reason"] for e in (await ledger(lot=lot["id"]))[-2:]] == [
        Reason.return_out,
        Reason.return_in,
    ]


async def test_holding_and_releasing_a_lot_or_a_serial_is_recorded_with_its_reason():
    w = await build_world()
    lot = await stock_in(w, w.stent, "S", 2, serials=["A", "B"])
    held = await lots.hold_lot(w.qa.actor, lot["id"], "excursion 9.5 °C")
    assert held["status"] == "on_hold"
    with pytest.raises(DomainError) as again:
        await lots.release_serial_hold(w.qa.actor, (await serial_ids(lot["id"]))[0], "x")
    assert again.value.code == "STATUS_TRANSITION"
    released = await lots.release_lot_hold(w.qa.actor, lot["id"], "QA reviewed logger data")
    assert released["status"] == "released"
    first = (await serial_ids(lot["id"]))[0]
    assert (await lots.hold_serial(w.qa.actor, first, "dented box"))["status"] == "on_hold"
    page = await queries.lot_page(w.qa.actor, lot["id"])
    assert [
        (e["old_status"], e["new_status"]) for e in page["status_history"] if e["serial"] is None
    ] == [
        (None, "pending_inspection"),
        ("pending_inspection", "released"),
        ("released", "on_hold"),
        ("on_hold", "released"),
    ]
    assert page["stock"][0]["available"] in (0, 1)
    events = await OutboxEvent.count().where(OutboxEvent.topic == "lot.status_changed")
    assert events >= 4


async def test_stock_queries_show_available_beside_reserved():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "L", 10)
    await stock_in(w, w.syringe, "M", 3, to=w.storage_a2)
    o = await picking.create_transfer_order(
        w.warehouse.actor,
        from_warehouse=w.wh_a,
        to_location=w.storage_b,
        to_customer=None,
        lines=[picking.OrderLine(w.syringe, 4)],
    )
    await picking.allocate_order(w.warehouse.actor, o["id"])
    rows, total = await queries.balances(
        w.warehouse.actor, queries.StockFilter(product=w.syringe), limit=50, offset=0
    )
    assert total == 2
    by_lot = {r["lot"]: (r["on_hand"], r["reserved"], r["available"]) for r in rows}
    assert by_lot[lot["id"]] in ((10, 4, 6), (10, 1, 9))
    totals = await queries.totals(w.warehouse.actor, queries.StockFilter(), "product")
    assert [(t["on_hand"], t["reserved"], t["available"]) for t in totals] == [(13, 4, 9)]
    per_location = await queries.totals(w.auditor.actor, queries.StockFilter(), "location")
    assert sum(t["on_hand"] for t in per_location) == 13
    outsider = w.warehouse.actor.__class__(
        user_id=999, username="x", roles=frozenset({"warehouse"})
    )
    assert (await queries.balances(outsider, queries.StockFilter(), limit=50, offset=0))[1] == 0


async def test_the_trace_names_every_warehouse_department_and_customer_a_lot_went_to():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "L", 10)
    to_b = await picking.create_transfer_order(
        w.warehouse.actor,
        from_warehouse=w.wh_a,
        to_location=w.storage_b,
        to_customer=None,
        lines=[picking.OrderLine(w.syringe, 3)],
    )
    to_ward = await picking.create_transfer_order(
        w.warehouse.actor,
        from_warehouse=w.wh_a,
        to_location=w.ward,
        to_customer=None,
        lines=[picking.OrderLine(w.syringe, 2)],
    )
    to_customer = await picking.create_transfer_order(
        w.warehouse.actor,
        from_warehouse=w.wh_a,
        to_location=None,
        to_customer="市第二医院",
        lines=[picking.OrderLine(w.syringe, 1)],
    )
    for o in (to_b, to_ward, to_customer):
        pick = await picking.allocate_order(w.warehouse.actor, o["id"])
        for line in pick["lines"]:
            await picking.confirm_pick(
                w.warehouse.actor,
                pick["id"],
                line["id"],
                scan=picking.Scan(lot_id=lot["id"]),
                quantity=line["quantity"],
            )
        await picking.ship(w.warehouse.actor, o["id"])
    for o, q in ((to_b, 3), (to_ward, 2)):
        await picking.receive(
            w.warehouse.actor,
            o["id"],
            lines=[picking.Arrived(lot["id"], None, q)],
            discrepancy_reason=None,
        )
    trace = await queries.trace(w.auditor.actor, lot=lot["id"])
    now = {r["location"]: r["on_hand"] for r in trace["now"]}
    assert now == {w.storage_a1: 4, w.storage_b: 3, w.ward: 2}
    assert {r["warehouse"]: r["quantity"] for r in trace["warehouses"]} == {w.wh_a: 10, w.wh_b: 3}
    assert [(r["department"], r["quantity"]) for r in trace["departments"]] == [(w.department, 2)]
    assert [(r["customer"], r["quantity"]) for r in trace["customers"]] == [("市第二医院", 1)]
    assert await violations() == []


async def test_verify_names_a_balance_that_disagrees_with_the_ledger_and_a_bad_reservation():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "L", 5)
    assert await violations() == []
    await db.fetch(
        "UPDATE stock_balance SET on_hand = on_hand + 1, reserved = 9 "
        "WHERE location = {} AND lot = {}",
        w.storage_a1,
        lot["id"],
    )
    found = "\n".join(await violations())
    assert "balance_equals_ledger" in found
    assert "reserved_within_on_hand" in found
    assert "reservations_match_pick_lines" in found


async def test_verify_names_an_issue_of_a_held_lot_written_behind_the_services_back():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "L", 5)
    await lots.hold_lot(w.qa.actor, lot["id"], "hold")
    await db.fetch(
        "INSERT INTO stock_ledger (at, product, lot, location, quantity, reason, actor_name) "
        "VALUES ({}, {}, {}, {}, {}, {}, {})",
        __import__("backend.core.clock", fromlist=["now"]).now(),
        w.syringe,
        lot["id"],
        w.storage_a1,
        -1,
        int(Reason.pick_out),
        "mallory",
    )
    found = "\n".join(await violations())
    assert "no_unusable_issue" in found and "lot status on_hold" in found


async def test_lotwise_verify_exits_1_naming_a_serial_on_hand_in_two_places():
    from tests.integration.test_audit_chain import run_lotwise

    w = await build_world()
    lot = await stock_in(w, w.stent, "S", 1, serials=["SN-1"])
    (serial,) = await serial_ids(lot["id"])
    assert (await run_lotwise("verify")).returncode == 0
    await db.fetch(
        "INSERT INTO stock_balance (location, lot, serial, product, expiry, received_at, "
        "on_hand, reserved) SELECT {}, lot, serial, product, expiry, received_at, 0, 0 "
        "FROM stock_balance WHERE serial = {} AND on_hand = 1",
        w.storage_a2,
        serial,
    )
    await db.fetch("DROP INDEX stock_balance_serial_one_place")
    try:
        await db.fetch(
            "UPDATE stock_balance SET on_hand = 1 WHERE location = {} AND serial = {}",
            w.storage_a2,
            serial,
        )
        result = await run_lotwise("verify")
        assert result.returncode == 1
        assert "VIOLATION serial_in_one_place" in result.stderr
        assert "VIOLATION balance_equals_ledger" in result.stderr
    finally:
        await db.fetch(
            "DELETE FROM stock_balance WHERE location = {} AND serial = {}", w.storage_a2, serial
        )
        await db.fetch(
            "CREATE UNIQUE INDEX stock_balance_serial_one_place ON stock_balance "
            "(serial) WHERE serial IS NOT NULL AND on_hand > 0"
        )
