"""One HTTP journey through /api/v1 (receive → inspect → signed release → put away → transfer
order → allocate → pick → ship → receive → trace), and bad input answered 4xx with a stable
code and nothing written."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from backend.core import clock
from backend.stock.reasons import Reason
from tests.integration.stock.world import build_world, ledger, ledger_count, stock_in, violations
from tests.support import PASSWORD


async def test_a_lot_travels_from_receipt_to_another_warehouse_over_http(client: httpx.AsyncClient):
    w = await build_world()
    wh, qa = w.warehouse.headers, w.qa.headers
    expiry = (clock.today() + timedelta(days=700)).isoformat()
    r = await client.post(
        "/api/v1/receipts",
        headers={**wh, "Idempotency-Key": "rcv-1"},
        json={
            "warehouse": w.wh_a,
            "supplier": w.supplier,
            "lines": [{"product": w.syringe, "lot_number": "H1", "expiry": expiry, "quantity": 20}],
        },
    )
    assert r.status_code == 201, r.text
    line = r.json()["lines"][0]
    assert (await ledger(lot=line["lot"]))[0]["idempotency_key"] == "rcv-1"
    r = await client.post(
        f"/api/v1/receipt-lines/{line['id']}/inspection",
        headers=qa,
        json={
            "appearance_ok": True,
            "packaging_ok": True,
            "label_ok": True,
            "certificate_ok": True,
            "accepted": 20,
            "rejected": 0,
        },
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/v1/receipt-lines/{line['id']}/release", headers=qa, json={"password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    assert r.json()["signature"]["meaning"] == "released"
    r = await client.get(
        "/api/v1/putaway/suggestions",
        headers=wh,
        params={"product": w.syringe, "warehouse": w.wh_a},
    )
    place = r.json()[0]["location_id"]
    r = await client.post(
        "/api/v1/putaway",
        headers=wh,
        json={
            "lot": line["lot"],
            "quantity": 20,
            "from_location": w.receiving_a,
            "to_location": place,
        },
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/transfer-orders",
        headers=wh,
        json={
            "from_warehouse": w.wh_a,
            "to_location": w.storage_b,
            "lines": [{"product": w.syringe, "quantity": 8}],
        },
    )
    assert r.status_code == 201, r.text
    order = r.json()["id"]
    r = await client.post(f"/api/v1/transfer-orders/{order}/allocate", headers=wh, json={})
    assert r.status_code == 201, r.text
    pick = r.json()
    (pick_line,) = pick["lines"]
    url = f"/api/v1/pick-lists/{pick['id']}/lines/{pick_line['id']}/confirm"
    body = {"lot_number": "H1", "quantity": 8}
    r = await client.post(url, headers={**wh, "Idempotency-Key": "pick-1"}, json=body)
    assert r.status_code == 200, r.text
    replay = await client.post(url, headers={**wh, "Idempotency-Key": "pick-1"}, json=body)
    assert replay.headers.get("idempotent-replayed") == "true"
    again = await client.post(url, headers=wh, json=body)
    assert (again.status_code, again.json()["code"]) == (409, "PICK_LINE_CLOSED")
    r = await client.post(f"/api/v1/transfer-orders/{order}/ship", headers=wh)
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/v1/transfer-orders/{order}/receive",
        headers=wh,
        json={"lines": [{"lot": line["lot"], "quantity": 8}]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "received"
    r = await client.get(f"/api/v1/lots/{line['lot']}/trace", headers=w.auditor.headers)
    assert r.status_code == 200, r.text
    trace = r.json()
    assert {x["code"]: x["quantity"] for x in trace["warehouses"]} == {"WH-A": 20, "WH-B": 8}
    r = await client.get(f"/api/v1/lots/{line['lot']}", headers=w.auditor.headers)
    page = r.json()
    assert page["lot"]["status"] == "released"
    assert [x["reason"] for x in page["ledger"]][:2] == [
        Reason.transit_receive_in,
        Reason.transit_receive_out,
    ]
    r = await client.get("/api/v1/stock", headers=wh, params={"product": w.syringe})
    assert {x["location_code"]: x["available"] for x in r.json()["items"]} == {
        "A-01": 12,
        "B-01": 8,
    }
    r = await client.get("/api/v1/stock/reasons", headers=wh)
    assert {
        "code": 50,
        "name": "pick_out",
        "zh": "拣货出库",
        "en": "Pick: out of storage",
    } in r.json()
    assert await violations() == []


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        (
            "/api/v1/stock/transfers",
            {"lot": 999999, "quantity": 1, "from_location": "A1", "to_location": "A2"},
            404,
            "NOT_FOUND",
        ),
        (
            "/api/v1/stock/transfers",
            {"lot": "LOT", "quantity": 0, "from_location": "A1", "to_location": "A2"},
            422,
            "INVALID_INPUT",
        ),
        (
            "/api/v1/stock/transfers",
            {"lot": "LOT", "quantity": -3, "from_location": "A1", "to_location": "A2"},
            422,
            "INVALID_INPUT",
        ),
        (
            "/api/v1/stock/transfers",
            {"lot": "LOT", "quantity": 6, "from_location": "A1", "to_location": "A2"},
            409,
            "INSUFFICIENT_STOCK",
        ),
        (
            "/api/v1/stock/transfers",
            {"lot": "LOT", "quantity": 1, "from_location": "A1", "to_location": 999999},
            404,
            "NOT_FOUND",
        ),
        (
            "/api/v1/stock/transfers",
            {"lot": "COLD", "quantity": 1, "from_location": "K1", "to_location": "A2"},
            422,
            "LOCATION_TEMPERATURE_CLASS",
        ),
        (
            "/api/v1/stock/adjustments",
            {"lot": "LOT", "location": "A1", "quantity": -1, "reason": 80, "note": "x"},
            422,
            "REASON_NOT_ALLOWED",
        ),
        (
            "/api/v1/stock/adjustments",
            {"lot": "LOT", "location": "A1", "quantity": -9, "reason": 81, "note": "x"},
            409,
            "INSUFFICIENT_STOCK",
        ),
        ("/api/v1/serials/999999/hold", {"reason": "x"}, 404, "NOT_FOUND"),
    ],
)
async def test_bad_input_answers_a_stable_code_and_writes_nothing(
    client: httpx.AsyncClient, path, body, status, code
):
    w = await build_world()
    lot = await stock_in(w, w.syringe, "L", 5)
    cold = await stock_in(w, w.reagent, "C", 5, temperature=4.0)
    names = {
        "LOT": lot["id"],
        "COLD": cold["id"],
        "A1": w.storage_a1,
        "A2": w.storage_a2,
        "K1": w.cold_a,
    }
    body = {
        k: names.get(v, v) if isinstance(v, str) and k != "note" else v for k, v in body.items()
    }
    headers = w.qa.headers if "hold" in path else w.warehouse.headers
    before = await ledger_count()
    response = await client.post(path, headers=headers, json=body)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await ledger_count() == before


async def test_a_pick_of_the_wrong_product_over_http_is_refused(client: httpx.AsyncClient):
    w = await build_world()
    await stock_in(w, w.syringe, "S", 5)
    other = await stock_in(w, w.forceps, None, 2, days=None)
    r = await client.post(
        "/api/v1/transfer-orders",
        headers=w.warehouse.headers,
        json={
            "from_warehouse": w.wh_a,
            "to_customer": "外院",
            "lines": [{"product": w.syringe, "quantity": 1}],
        },
    )
    order = r.json()["id"]
    pick = (
        await client.post(
            f"/api/v1/transfer-orders/{order}/allocate", headers=w.warehouse.headers, json={}
        )
    ).json()
    before = await ledger_count()
    r = await client.post(
        f"/api/v1/pick-lists/{pick['id']}/lines/{pick['lines'][0]['id']}/confirm",
        headers=w.warehouse.headers,
        json={"lot": other["id"], "quantity": 1, "deviation_reason": "x"},
    )
    assert (r.status_code, r.json()["code"]) == (422, "PICK_WRONG_PRODUCT")
    assert await ledger_count() == before


async def test_a_cold_chain_transfer_order_to_a_warm_place_is_refused(client: httpx.AsyncClient):
    w = await build_world()
    r = await client.post(
        "/api/v1/transfer-orders",
        headers=w.warehouse.headers,
        json={
            "from_warehouse": w.wh_a,
            "to_location": w.storage_b,
            "lines": [{"product": w.reagent, "quantity": 1}],
        },
    )
    assert (r.status_code, r.json()["code"]) == (422, "LOCATION_TEMPERATURE_CLASS")


async def test_a_warehouse_worker_may_not_release_a_lot(client: httpx.AsyncClient):
    w = await build_world()
    r = await client.post(
        "/api/v1/receipt-lines/1/release", headers=w.warehouse.headers, json={"password": PASSWORD}
    )
    assert r.status_code == 403
