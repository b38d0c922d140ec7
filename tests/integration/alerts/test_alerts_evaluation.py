"""Evaluation on the real database: the sweep and the incremental jobs raise, escalate and
resolve alerts once per (rule, subject), with outbox events routed by scope."""

from __future__ import annotations

from datetime import timedelta

from backend.alerts import rules
from backend.alerts.evaluation import engine, jobs
from backend.alerts.ruleset import DEFAULT
from backend.alerts.tables import SensorLocation
from backend.catalog.tables import SupplierLicence, SupplierProduct
from backend.core import clock, db
from backend.core.actor import SYSTEM
from backend.core.unit_of_work import unit_of_work
from backend.realtime.routing import channels_for_event
from backend.receiving.tables import PurchaseOrder, PurchaseOrderLine
from backend.stock import ledger
from backend.stock.reasons import ISSUING
from backend.stock.tables import TransferOrder
from backend.worker import BATCH_SUBSCRIPTIONS as WORKER_BATCH_SUBSCRIPTIONS
from backend.worker import SUBSCRIPTIONS as WORKER_SUBSCRIPTIONS
from tests.integration.alerts.world import alerts, build_world, events, make_lot, policy, put


async def sweep(days: int = 0) -> dict[str, object]:
    return await engine.sweep(
        DEFAULT, today=clock.today() + timedelta(days=days), now=clock.now() + timedelta(days=days)
    )


async def test_near_expiry_is_raised_once_and_escalates_as_days_pass() -> None:
    w = await build_world()
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=100))
    await put(lot, w.storage_a, 10)
    await sweep()
    (alert,) = await alerts(rules.NEAR_EXPIRY)
    assert (alert["severity"], alert["level"], alert["state"]) == ("info", 1, "open")
    assert alert["warehouse"] == w.wh_a and alert["subject"] == f"lot:{lot}@wh:{w.wh_a}"
    await sweep()  # nothing changed: no duplicate, no new event
    assert len(await alerts()) == 1
    assert [t for _i, t, _p in await events()] == ["alert.raised"]
    await sweep(days=15)  # 85 days left: warning
    await sweep(days=75)  # 25 days left: critical
    (alert,) = await alerts(rules.NEAR_EXPIRY)
    assert (alert["severity"], alert["level"]) == ("critical", 3)
    topics = [t for _i, t, _p in await events()]
    assert topics == ["alert.raised", "alert.escalated", "alert.escalated"]
    _id, _topic, payload = (await events())[-1]
    assert payload["warehouse_id"] == w.wh_a and "admin" in payload["roles"]
    assert channels_for_event(payload) == [f"warehouse:{w.wh_a}|role:{r}" for r in payload["roles"]]


async def test_expired_stock_on_hand_is_its_own_alert_and_the_near_expiry_one_resolves() -> None:
    w = await build_world()
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=2))
    await put(lot, w.storage_a, 3)
    await sweep()
    await sweep(days=3)
    by_rule = {a["rule"]: a for a in await alerts()}
    assert by_rule[rules.EXPIRED]["state"] == "open"
    assert by_rule[rules.EXPIRED]["severity"] == "critical"
    assert by_rule[rules.NEAR_EXPIRY]["state"] == "resolved"


async def test_a_stock_change_event_enqueues_evaluation_of_just_its_keys() -> None:
    w = await build_world()
    assert jobs.evaluate_stock_changes in WORKER_BATCH_SUBSCRIPTIONS["stock.changed"]
    near = await make_lot(w.syringe, "L1", w.today + timedelta(days=20))
    other = await make_lot(w.stent, "S1", w.today + timedelta(days=20))
    await put(other, w.storage_a, 1)  # not in the event below: must not be evaluated
    await put(near, w.storage_a, 5)
    (event_id, _t, payload) = (await events("stock.changed"))[-1]
    result = await jobs.evaluate_stock_changes({}, [event_id], [payload])
    assert result["raised"] == 1
    (alert,) = await alerts()
    assert alert["lot"] == near and alert["severity"] == "critical"
    # The stock leaves: the same job on the new event resolves the alert.
    await put(near, w.storage_a, -5)
    (event_id, _t, payload) = (await events("stock.changed"))[-1]
    assert (await jobs.evaluate_stock_changes({}, [event_id], [payload]))["resolved"] == 1
    assert (await alerts())[0]["state"] == "resolved"
    # Running the same event's job again (a re-published event) changes nothing.
    assert (await jobs.evaluate_stock_changes({}, [event_id], [payload]))["resolved"] == 0


async def test_one_evaluation_covers_a_rounds_stock_changes_in_every_warehouse_they_touched() -> (
    None
):
    w = await build_world()
    await policy(w.syringe, w.wh_a, reorder_point=10, minimum=5)
    await policy(w.stent, w.wh_b, reorder_point=10, minimum=5)
    syringes = await make_lot(w.syringe, "L1", w.today + timedelta(days=20))
    stents = await make_lot(w.stent, "S1", w.today + timedelta(days=800))
    await put(syringes, w.storage_a, 3)
    await put(stents, w.storage_b, 2)
    changes = (await events("stock.changed"))[-2:]
    assert {p["warehouse_id"] for _i, _t, p in changes} == {w.wh_a, w.wh_b}
    await jobs.evaluate_stock_changes({}, [i for i, _t, _p in changes], [p for *_x, p in changes])
    found = {(a["rule"], a["warehouse"], a["lot"] or a["product"]) for a in await alerts()}
    assert found == {
        (rules.NEAR_EXPIRY, w.wh_a, syringes),
        (rules.LOW_STOCK, w.wh_a, w.syringe),
        (rules.LOW_STOCK, w.wh_b, w.stent),
    }


async def test_low_stock_escalates_to_stock_out_and_resolves_when_replenished() -> None:
    w = await build_world()
    await policy(w.syringe, w.wh_a, reorder_point=10, minimum=5)
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=800))
    await put(lot, w.storage_a, 8)
    await sweep()
    (alert,) = await alerts(rules.LOW_STOCK)
    assert (alert["level"], alert["severity"]) == (1, "warning")
    await put(lot, w.storage_a, -8)
    await sweep()
    (alert,) = await alerts(rules.LOW_STOCK)
    assert (alert["level"], alert["severity"]) == (2, "critical")
    await put(lot, w.storage_a, 50)
    await sweep()
    assert (await alerts(rules.LOW_STOCK))[0]["state"] == "resolved"
    topics = [t for _i, t, p in await events() if p["rule"] == rules.LOW_STOCK]
    assert topics == ["alert.raised", "alert.escalated", "alert.resolved"]


async def test_held_lots_do_not_count_as_available() -> None:
    w = await build_world()
    await policy(w.syringe, w.wh_a, reorder_point=5)
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=800), status="on_hold")
    await put(lot, w.storage_a, 100)
    await sweep()
    (alert,) = await alerts(rules.LOW_STOCK)
    assert alert["level"] == 2  # nothing usable: stock-out


async def test_a_ward_cabinet_below_par_goes_to_its_department() -> None:
    w = await build_world()
    await policy(w.syringe, w.wh_a, location=w.ward_a, par_level=6)
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=800))
    await put(lot, w.ward_a, 2)
    await sweep()
    (alert,) = await alerts(rules.PAR_LEVEL)
    assert alert["department"] == w.department and alert["location"] == w.ward_a
    (_id, _t, payload) = (await events())[-1]
    assert set(channels_for_event(payload)) == {
        f"{scope}|role:{r}"
        for scope in (f"warehouse:{w.wh_a}", f"department:{w.department}")
        for r in payload["roles"]
    }


async def test_a_held_lot_with_reservations_is_an_anomaly() -> None:
    w = await build_world()
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=800), status="on_hold")
    await put(lot, w.storage_a, 10)
    await db.fetch("UPDATE stock_balance SET reserved = 4 WHERE lot = {}", lot)
    await sweep()
    (alert,) = await alerts(rules.BLOCKED_RESERVED)
    assert alert["severity"] == "critical"


async def test_stock_left_in_receiving_too_long() -> None:
    w = await build_world()
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=800))
    await put(lot, w.receiving_a, 10)
    await sweep()
    assert await alerts(rules.DWELL) == []
    await sweep(days=3)  # 72 h > 48 h
    (alert,) = await alerts(rules.DWELL)
    assert alert["location"] == w.receiving_a


async def test_late_supplier_transit_and_certificates_are_swept() -> None:
    w = await build_world()
    await SupplierProduct.insert(
        SupplierProduct(supplier=w.supplier, product=w.syringe, lead_time_days=5)
    )
    po = (
        await PurchaseOrder.insert(
            PurchaseOrder(number="PO1", supplier=w.supplier, warehouse=w.wh_a)
        )
    )[0]["id"]
    await PurchaseOrderLine.insert(
        PurchaseOrderLine(purchase_order=po, product=w.syringe, quantity=10)
    )
    await TransferOrder.insert(
        TransferOrder(
            from_warehouse=w.wh_a, to_location=w.storage_b, status="shipped", shipped_at=clock.now()
        )
    )
    await SupplierLicence.insert(
        SupplierLicence(
            supplier=w.supplier,
            kind="operating_licence",
            number="浙1",
            valid_until=w.today + timedelta(days=30),
        )
    )
    await sweep()
    rules_now = {a["rule"] for a in await alerts() if a["state"] == "open"}
    assert rules_now == {rules.LICENCE_EXPIRING}
    await sweep(days=7)
    open_alerts = {a["rule"]: a for a in await alerts() if a["state"] == "open"}
    assert {rules.SUPPLIER_LATE, rules.TRANSIT_LATE, rules.LICENCE_EXPIRING} <= set(open_alerts)
    await sweep(days=31)
    licence = next(iter(await alerts(rules.LICENCE_EXPIRING)))
    assert (licence["level"], licence["severity"]) == (2, "critical")  # lapsed
    await sweep(days=900 - 59)
    assert await alerts(rules.REGISTRATION_EXPIRING)
    # A licence alert names no warehouse: its event is for everyone holding one of its roles.
    payload = next(p for _i, _t, p in await events() if p["rule"] == rules.LICENCE_EXPIRING)
    assert channels_for_event(payload) == [f"broadcast|role:{r}" for r in sorted(payload["roles"])]


async def test_slow_moving_stock() -> None:
    w = await build_world()
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=2000))
    await put(lot, w.storage_a, 10)
    await sweep(days=100)
    assert await alerts(rules.SLOW_MOVING) == []
    await sweep(days=181)
    (alert,) = await alerts(rules.SLOW_MOVING)
    assert alert["product"] == w.syringe and alert["warehouse"] == w.wh_a


async def test_an_issue_ends_slow_moving_at_once_and_a_stock_change_alone_never_starts_it() -> None:
    w = await build_world()
    long_ago = clock.now() - timedelta(days=200)
    syringes = await make_lot(w.syringe, "L1", w.today + timedelta(days=2000), received=long_ago)
    stents = await make_lot(w.stent, "S1", w.today + timedelta(days=2000), received=long_ago)
    await put(syringes, w.storage_a, 10)
    await sweep()
    (flagged,) = await alerts(rules.SLOW_MOVING)
    assert flagged["product"] == w.syringe
    # Old stents arrive: slow moving too, but that is the sweep's to say, not the change's.
    await put(stents, w.storage_a, 5)
    (event_id, _t, payload) = (await events("stock.changed"))[-1]
    await jobs.evaluate_stock_changes({}, [event_id], [payload])
    assert [a["product"] for a in await alerts(rules.SLOW_MOVING)] == [w.syringe]
    # Two syringes go to a patient: the flagged product is looked at again and is not slow.
    async with unit_of_work(SYSTEM) as uow:
        await ledger.post(
            uow,
            ledger.Document("patient_use"),
            [ledger.Entry(w.storage_a, syringes, None, -2, min(ISSUING))],
        )
    (event_id, _t, payload) = (await events("stock.changed"))[-1]
    await jobs.evaluate_stock_changes({}, [event_id], [payload])
    (resolved,) = [a for a in await alerts(rules.SLOW_MOVING) if a["product"] == w.syringe]
    assert resolved["state"] == "resolved"
    await sweep()
    assert {a["product"] for a in await alerts(rules.SLOW_MOVING) if a["state"] == "open"} == {
        w.stent
    }


async def test_a_temperature_reading_out_of_range_raises_and_back_in_range_resolves() -> None:
    w = await build_world()
    await SensorLocation.insert(SensorLocation(sensor="K1", location=w.cold_a))
    assert jobs.evaluate_reading in WORKER_SUBSCRIPTIONS["device.reading"]
    await jobs.evaluate_reading({}, 1, {"sensor": "K1", "temperature_c": 9.5})
    (alert,) = await alerts(rules.TEMPERATURE)
    assert alert["state"] == "open" and alert["warehouse"] == w.wh_a
    await jobs.evaluate_reading({}, 2, {"sensor": "K1", "temperature_c": 9.9})
    assert len(await alerts()) == 1
    await jobs.evaluate_reading({}, 3, {"sensor": "K1", "temperature_c": 5.0})
    assert (await alerts())[0]["state"] == "resolved"
    assert (await jobs.evaluate_reading({}, 4, {"sensor": "nope", "temperature_c": 50}))[
        "unknown_sensor"
    ] == 1


async def test_a_resolved_alert_raised_again_reopens_in_place() -> None:
    w = await build_world()
    await policy(w.syringe, w.wh_a, reorder_point=10)
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=800))
    await put(lot, w.storage_a, 5)
    await sweep()
    await put(lot, w.storage_a, 20)
    await sweep()
    await put(lot, w.storage_a, -20)
    await sweep()
    (alert,) = await alerts(rules.LOW_STOCK)
    assert alert["state"] == "open" and alert["times_raised"] == 2


async def test_a_rerun_of_an_interrupted_sweep_creates_no_duplicates_and_loses_nothing() -> None:
    w = await build_world()
    lots = [await make_lot(w.syringe, f"L{i}", w.today + timedelta(days=10 + i)) for i in range(5)]
    for lot in lots:
        await put(lot, w.storage_a, 1)
    # A sweep that died after writing part of its work: two alerts already written.
    findings, _stored = await engine.finders.expiry_changes(DEFAULT, clock.today(), None)
    assert len(findings) == 5
    from backend.alerts import store

    await store.apply(rules.reconcile(findings[:2], []))
    summary = await sweep()
    assert summary["lots"]["raised"] == 3  # type: ignore[index]
    assert len(await alerts(rules.NEAR_EXPIRY)) == 5
    assert len([1 for _i, t, _p in await events() if t == "alert.raised"]) == 5


async def test_category_and_product_levels_apply_in_the_set_based_sweep() -> None:
    from backend.alerts.ruleset import ExpiryLevel, RuleSet

    w = await build_world()
    rs = RuleSet()
    rs.near_expiry.by_category = {
        "stent": [
            ExpiryLevel(days=365, severity="warning", roles=["qa"]),
            ExpiryLevel(days=200, severity="critical", roles=["qa"]),
        ]
    }
    rs.near_expiry.by_product = {
        str(w.syringe): [ExpiryLevel(days=10, severity="critical", roles=["qa"])]
    }
    stent = await make_lot(w.stent, "S1", w.today + timedelta(days=300))
    syringe = await make_lot(w.syringe, "L1", w.today + timedelta(days=100))  # not within 10
    await put(stent, w.storage_a, 1)
    await put(syringe, w.storage_a, 1)
    await engine.sweep(rs)
    (alert,) = await alerts(rules.NEAR_EXPIRY)
    assert (alert["lot"], alert["level"], alert["severity"]) == (stent, 1, "warning")
    assert (await engine.sweep(rs))["lots"]["raised"] == 0  # type: ignore[index]
    await engine.sweep(rs, today=clock.today() + timedelta(days=100))
    by_lot = {a["lot"]: a for a in await alerts(rules.NEAR_EXPIRY)}
    assert (by_lot[stent]["level"], by_lot[stent]["severity"]) == (2, "critical")
    assert by_lot[syringe]["state"] == "open"  # 0 days left, within its own 10 days
    await engine.sweep(rs, today=clock.today() + timedelta(days=101))
    (expired,) = await alerts(rules.EXPIRED)
    assert expired["lot"] == syringe and expired["level"] == 2  # one above its single level
    assert {a["lot"]: a["state"] for a in await alerts(rules.NEAR_EXPIRY)}[syringe] == "resolved"


async def test_expiry_changes_return_only_what_differs_from_the_stored_alerts() -> None:
    from backend.alerts.evaluation.finders import Scope

    w = await build_world()
    same = await make_lot(w.syringe, "L1", w.today + timedelta(days=100))
    rises = await make_lot(w.syringe, "L2", w.today + timedelta(days=95))
    gone = await make_lot(w.stent, "S1", w.today + timedelta(days=100))
    for lot in (same, rises, gone):
        await put(lot, w.storage_a, 2)
    await sweep()
    assert await engine.finders.expiry_changes(DEFAULT, clock.today(), None) == ([], [])
    new = await make_lot(w.stent, "S2", w.today + timedelta(days=20))
    await put(new, w.storage_a, 1)
    await put(gone, w.storage_a, -2)
    # Six days on, L2 is within 90 days (level 2); L1 stays at level 1.
    findings, stored = await engine.finders.expiry_changes(
        DEFAULT, clock.today() + timedelta(days=6), None
    )
    assert sorted((f.lot, f.level) for f in findings) == sorted([(rises, 2), (new, 3)])
    assert sorted((s.subject, s.level) for s in stored) == sorted(
        [(f"lot:{rises}@wh:{w.wh_a}", 1), (f"lot:{gone}@wh:{w.wh_a}", 1)]
    )
    # Scoped to one lot: only that lot's alert is compared (and resolved).
    findings, stored = await engine.finders.expiry_changes(
        DEFAULT, clock.today(), Scope(lots=frozenset({gone}))
    )
    assert findings == [] and [s.subject for s in stored] == [f"lot:{gone}@wh:{w.wh_a}"]
