"""Alerts raised from receiving: a known lot number delivered with another expiry (refused,
the refusal recorded, the alert raised from it) and late suppliers by the purchase order's
promised delivery date. Over HTTP where the client would be, on the real database."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import httpx

from backend.alerts import rules
from backend.alerts.evaluation import engine, jobs
from backend.alerts.ruleset import DEFAULT
from backend.catalog.tables import SupplierProduct
from backend.core import clock, db
from backend.receiving.tables import Receipt
from backend.stock.tables import Lot
from backend.worker import SUBSCRIPTIONS as WORKER_SUBSCRIPTIONS
from tests.integration.alerts.world import alerts, events
from tests.integration.stock.world import World, build_world, ledger_count


async def receive(
    client: httpx.AsyncClient, w: World, lot_number: str, expiry: date
) -> httpx.Response:
    return await client.post(
        "/api/v1/receipts",
        headers=w.warehouse.headers,
        json={
            "warehouse": w.wh_a,
            "supplier": w.supplier,
            "delivery_note": "随货同行单 7",
            "lines": [
                {
                    "product": w.syringe,
                    "lot_number": lot_number,
                    "expiry": expiry.isoformat(),
                    "quantity": 5,
                }
            ],
        },
    )


async def sweep(days: int = 0) -> dict[str, Any]:
    return await engine.sweep(
        DEFAULT, today=clock.today() + timedelta(days=days), now=clock.now() + timedelta(days=days)
    )


async def test_a_lot_number_delivered_with_another_expiry_is_refused_and_raises_an_alert(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    recorded, delivered = clock.today() + timedelta(days=700), clock.today() + timedelta(days=730)
    assert (await receive(client, w, "L7", recorded)).status_code == 201
    ledger_before, lots_before = await ledger_count(), await Lot.count()

    r = await receive(client, w, "L7", delivered)

    assert r.status_code == 422, r.text
    problem = r.json()
    assert (problem["code"], problem["field"]) == ("LOT_EXPIRY_MISMATCH", "lines[0].expiry")
    assert problem["recorded"] == recorded.isoformat()
    assert problem["received"] == delivered.isoformat()
    # The refusal wrote no stock: no ledger entry, no lot, no second receipt.
    assert await ledger_count() == ledger_before
    assert await Lot.count() == lots_before
    assert await Receipt.count() == 1
    # ... but it is recorded, in its own transaction, with both expiries and who delivered it.
    (refusal,) = await db.fetch("SELECT * FROM receipt_refusal")
    lot = (await Lot.select().where(Lot.lot_number == "L7").first())["id"]
    assert refusal["code"] == "LOT_EXPIRY_MISMATCH"
    assert (refusal["product"], refusal["lot"], refusal["lot_number"]) == (w.syringe, lot, "L7")
    assert (refusal["recorded_expiry"], refusal["received_expiry"]) == (recorded, delivered)
    assert (refusal["supplier"], refusal["warehouse"]) == (w.supplier, w.wh_a)
    assert refusal["refused_by"] == w.warehouse.id
    assert refusal["delivery_note"] == "随货同行单 7"
    (audit,) = await db.fetch(
        "SELECT * FROM audit_entry WHERE entity = 'receipt_refusal' AND entity_id = {}",
        str(refusal["id"]),
    )
    assert audit["action"] == "refuse"

    # The refusal's event is what the workers evaluate: the lot's alert is raised at once.
    ((event_id, _topic, payload),) = await events("receipt.refused")
    assert payload["lot"] == lot and payload["warehouse_id"] == w.wh_a
    (job,) = WORKER_SUBSCRIPTIONS["receipt.refused"]
    assert job is jobs.evaluate_receipt_refusal
    assert (await job({}, event_id, payload))["raised"] == 1
    (alert,) = await alerts(rules.LOT_EXPIRY_MISMATCH)
    facts = alert["facts"] if isinstance(alert["facts"], dict) else json.loads(alert["facts"])
    assert (alert["state"], alert["severity"]) == ("open", "warning")
    assert alert["subject"] == f"lot:{lot}@wh:{w.wh_a}"
    assert (alert["lot"], alert["product"], alert["warehouse"]) == (lot, w.syringe, w.wh_a)
    assert (facts["recorded"], facts["received"]) == (recorded.isoformat(), delivered.isoformat())
    assert facts["lot_number"] == "L7" and facts["supplier"] == w.supplier
    ((_id, _t, raised),) = [e for e in await events() if e[2]["rule"] == rules.LOT_EXPIRY_MISMATCH]
    assert recorded.isoformat() in raised["title"] and delivered.isoformat() in raised["title"]
    assert raised["title_en"] == (
        f"Lot L7: expiry {delivered.isoformat()} delivered, {recorded.isoformat()} on record"
    )
    # A re-published event (or the sweep) changes nothing and announces nothing twice.
    assert (await job({}, event_id, payload))["raised"] == 0
    await sweep()
    assert len(await alerts(rules.LOT_EXPIRY_MISMATCH)) == 1
    assert len([e for e in await events() if e[2]["rule"] == rules.LOT_EXPIRY_MISMATCH]) == 1


async def test_the_sweep_raises_a_missed_mismatch_and_resolves_it_when_the_record_is_corrected(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    recorded, delivered = clock.today() + timedelta(days=700), clock.today() + timedelta(days=760)
    assert (await receive(client, w, "L8", recorded)).status_code == 201
    assert (await receive(client, w, "L8", delivered)).status_code == 422
    # No job ran (a Redis restart lost it): the sweep finds the refusal.
    await sweep()
    (alert,) = await alerts(rules.LOT_EXPIRY_MISMATCH)
    assert alert["state"] == "open"
    # QA checks with the manufacturer and corrects the lot's record: the condition is gone.
    await Lot.update({Lot.expiry: delivered}).where(Lot.lot_number == "L8")
    await sweep()
    (alert,) = await alerts(rules.LOT_EXPIRY_MISMATCH)
    assert alert["state"] == "resolved"


async def test_a_mismatch_alert_lasts_the_rule_sets_window(client: httpx.AsyncClient) -> None:
    w = await build_world()
    recorded = clock.today() + timedelta(days=700)
    assert (await receive(client, w, "L9", recorded)).status_code == 201
    assert (await receive(client, w, "L9", recorded + timedelta(days=1))).status_code == 422
    await sweep(days=DEFAULT.lot_anomalies.expiry_mismatch_days - 1)
    assert (await alerts(rules.LOT_EXPIRY_MISMATCH))[0]["state"] == "open"
    await sweep(days=DEFAULT.lot_anomalies.expiry_mismatch_days + 1)
    assert (await alerts(rules.LOT_EXPIRY_MISMATCH))[0]["state"] == "resolved"


async def test_a_late_supplier_is_judged_by_the_orders_promised_date(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    await SupplierProduct.insert(
        SupplierProduct(supplier=w.supplier, product=w.syringe, lead_time_days=20)
    )
    promised = clock.today() + timedelta(days=3)
    r = await client.post(
        "/api/v1/purchase-orders",
        headers=w.purchaser.headers,
        json={
            "number": "PO-LATE",
            "supplier": w.supplier,
            "warehouse": w.wh_a,
            "promised_date": promised.isoformat(),
            "lines": [{"product": w.syringe, "quantity": 10}],
        },
    )
    assert r.status_code == 201, r.text
    order = r.json()
    await sweep(days=3)  # due today: not late yet
    assert await alerts(rules.SUPPLIER_LATE) == []
    await sweep(days=4)  # the lead time (20 days) would say not late; the promise says late
    (alert,) = await alerts(rules.SUPPLIER_LATE)
    facts = alert["facts"] if isinstance(alert["facts"], dict) else json.loads(alert["facts"])
    assert alert["subject"] == f"purchase_order:{order['id']}" and alert["state"] == "open"
    assert (facts["promised"], facts["days_late"]) == (promised.isoformat(), 1)
    # The supplier moves the date: the alert resolves at the next sweep.
    r = await client.patch(
        f"/api/v1/purchase-orders/{order['id']}",
        headers=w.purchaser.headers,
        json={"promised_date": (promised + timedelta(days=7)).isoformat(), "reason": "电话确认"},
    )
    assert r.status_code == 200, r.text
    await sweep(days=4)
    assert (await alerts(rules.SUPPLIER_LATE))[0]["state"] == "resolved"
