"""Purchase orders over HTTP: the promised delivery date, by default the order date plus the
longest lead time agreed with the supplier, given or changed by the purchaser, never before
the order date."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from backend.catalog.tables import SupplierProduct
from backend.core import clock, db
from backend.receiving.tables import PurchaseOrder
from tests.integration.stock.world import World, build_world


async def create(client: httpx.AsyncClient, w: World, number: str, **extra: Any) -> httpx.Response:
    return await client.post(
        "/api/v1/purchase-orders",
        headers=w.purchaser.headers,
        json={
            "number": number,
            "supplier": w.supplier,
            "warehouse": w.wh_a,
            "lines": [
                {"product": w.syringe, "quantity": 10},
                {"product": w.reagent, "quantity": 4},
            ],
            **extra,
        },
    )


async def test_without_a_promised_date_an_order_is_promised_after_the_longest_lead_time(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    r = await create(client, w, "PO-NONE")
    assert r.status_code == 201, r.text
    assert r.json()["promised_date"] is None  # no lead time agreed: no promise known
    await SupplierProduct.insert(
        SupplierProduct(supplier=w.supplier, product=w.syringe, lead_time_days=5),
        SupplierProduct(supplier=w.supplier, product=w.reagent, lead_time_days=12),
        SupplierProduct(supplier=w.supplier, product=w.stent, lead_time_days=40),  # not ordered
    )
    r = await create(client, w, "PO-LEAD")
    assert r.status_code == 201, r.text
    assert r.json()["promised_date"] == (clock.today() + timedelta(days=12)).isoformat()


async def test_a_promised_date_given_is_kept_and_one_before_the_order_date_is_refused(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    promised = (clock.today() + timedelta(days=2)).isoformat()
    r = await create(client, w, "PO-1", promised_date=promised)
    assert r.status_code == 201, r.text
    assert r.json()["promised_date"] == promised
    r = await client.get(f"/api/v1/purchase-orders/{r.json()['id']}", headers=w.purchaser.headers)
    assert r.json()["promised_date"] == promised
    r = await create(
        client, w, "PO-2", promised_date=(clock.today() - timedelta(days=1)).isoformat()
    )
    assert r.status_code == 422, r.text
    problem = r.json()
    assert (problem["code"], problem["field"]) == (
        "PURCHASE_ORDER_PROMISED_BEFORE_ORDER",
        "promised_date",
    )
    assert await PurchaseOrder.count() == 1


async def test_the_promised_date_is_changed_audited_and_validated(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    order = (await create(client, w, "PO-3")).json()
    url, headers = f"/api/v1/purchase-orders/{order['id']}", w.purchaser.headers
    later = (clock.today() + timedelta(days=9)).isoformat()
    r = await client.patch(url, headers=headers, json={"promised_date": later, "reason": "延期"})
    assert r.status_code == 200, r.text
    assert r.json()["promised_date"] == later
    entries = await db.fetch(
        "SELECT * FROM audit_entry WHERE entity = 'purchase_order' AND entity_id = {} "
        "AND action = 'set_promised_date'",
        str(order["id"]),
    )
    assert len(entries) == 1 and entries[0]["reason"] == "延期"
    r = await client.patch(
        url,
        headers=headers,
        json={"promised_date": (clock.today() - timedelta(days=3)).isoformat()},
    )
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == (
        "PURCHASE_ORDER_PROMISED_BEFORE_ORDER",
        "promised_date",
    )
    r = await client.patch(url, headers=w.warehouse.headers, json={"promised_date": later})
    assert r.status_code == 403  # purchasing, not the warehouse
    r = await client.patch(url, headers=headers, json={"promised_date": "not a date"})
    assert r.status_code == 422 and r.json()["field"] == "promised_date", r.text
    await PurchaseOrder.update({PurchaseOrder.status: "received"}).where(
        PurchaseOrder.id == order["id"]
    )
    r = await client.patch(url, headers=headers, json={"promised_date": later})
    assert r.status_code == 409 and r.json()["code"] == "PURCHASE_ORDER_NOT_OPEN"
    assert (await client.get(url, headers=headers)).json()["promised_date"] == later


async def test_the_demo_orders_carry_promised_dates_and_some_are_late() -> None:
    from backend.alerts import rules
    from backend.alerts.evaluation import engine
    from backend.alerts.ruleset import DEFAULT
    from backend.demo.build import build_demo

    summary = await build_demo()
    assert summary["counts"]["purchase_orders"] >= 10
    assert summary["counts"]["purchase_orders_late"] >= 2
    orders = await db.fetch("SELECT * FROM purchase_order")
    assert all(o["promised_date"] is not None for o in orders)
    assert all(
        o["promised_date"] >= o["created_at"].astimezone(clock.site_zone()).date() for o in orders
    )
    await engine.sweep(DEFAULT)
    late = await db.fetch("SELECT * FROM alert WHERE rule = {}", rules.SUPPLIER_LATE)
    assert len(late) == summary["counts"]["purchase_orders_late"]
