"""GET /api/v1/tasks: today's counts and lists follow a lot from receipt to the other
warehouse, and stay inside the user's warehouses."""

from __future__ import annotations

from datetime import timedelta

import httpx

from backend.core import clock
from backend.requisitions import approving, fulfilling, requesting
from backend.stock.reasons import Reason
from tests.integration.requisitions.ward import build_ward
from tests.integration.stock.world import build_world, ledger, stock_in
from tests.support import PASSWORD, make_user

CHECKS = {"appearance_ok": True, "packaging_ok": True, "label_ok": True, "certificate_ok": True}


async def test_counts_and_lists_follow_a_lot_from_receipt_to_the_other_warehouse(
    client: httpx.AsyncClient,
):
    w = await build_world()
    wh, qa = w.warehouse.headers, w.qa.headers
    only_a = (await make_user("a-only", ["warehouse"], [w.wh_a])).headers
    only_b = (await make_user("b-only", ["warehouse"], [w.wh_b])).headers
    nowhere = (await make_user("nowhere", ["warehouse"], [])).headers

    async def summary(headers: dict[str, str]) -> dict[str, int]:
        r = await client.get("/api/v1/tasks/summary", headers=headers)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    zero = {"receive": 0, "qa_release": 0, "putaway": 0, "pick": 0, "transfer": 0, "dispatch": 0}
    assert await summary(wh) == zero

    expiry = (clock.today() + timedelta(days=700)).isoformat()
    r = await client.post(
        "/api/v1/receipts",
        headers=wh,
        json={
            "warehouse": w.wh_a,
            "supplier": w.supplier,
            "lines": [
                {"product": w.syringe, "lot_number": "T1", "expiry": expiry, "quantity": 10},
                {"product": w.syringe, "lot_number": "T2", "expiry": expiry, "quantity": 4},
            ],
        },
    )
    assert r.status_code == 201, r.text
    first, _second = r.json()["lines"]
    assert await summary(wh) == {**zero, "receive": 2}
    assert await summary(only_b) == zero
    assert await summary(nowhere) == zero

    r = await client.post(
        f"/api/v1/receipt-lines/{first['id']}/inspection",
        headers=qa,
        json={**CHECKS, "accepted": 10, "rejected": 0, "note": "ok"},
    )
    assert r.status_code == 201, r.text
    assert await summary(wh) == {**zero, "receive": 1, "qa_release": 1}

    r = await client.get("/api/v1/tasks/qa", headers=qa)
    queue = {x["lot_number"]: x for x in r.json()}
    assert set(queue) == {"T1", "T2"}
    assert queue["T1"]["status"] == "inspected"
    assert queue["T1"]["inspection"]["accepted"] == 10
    assert queue["T1"]["inspection"]["note"] == "ok"
    assert queue["T1"]["product_name"] == "注射器" and queue["T1"]["model"] == "5ml"
    assert queue["T2"]["inspection"] is None
    assert (await client.get("/api/v1/tasks/qa", headers=only_b)).json() == []

    r = await client.post(
        f"/api/v1/receipt-lines/{first['id']}/release", headers=qa, json={"password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    assert await summary(wh) == {**zero, "receive": 1, "putaway": 1}
    (item,) = [
        x
        for x in (await client.get("/api/v1/tasks/putaway", headers=wh)).json()
        if x["lot_status"] == "released"
    ]
    assert (item["lot_number"], item["on_hand"], item["location"]) == ("T1", 10, w.receiving_a)

    r = await client.post(
        "/api/v1/putaway",
        headers=wh,
        json={
            "lot": first["lot"],
            "quantity": 10,
            "from_location": w.receiving_a,
            "to_location": w.storage_a1,
        },
    )
    assert r.status_code == 201, r.text
    assert await summary(wh) == {**zero, "receive": 1}

    r = await client.get("/api/v1/tasks/destinations", headers=wh)
    assert {(x["warehouse_code"], x["code"]) for x in r.json()} == {
        ("WH-A", "A-RCV"),
        ("WH-B", "B-RCV"),
    }
    r = await client.post(
        "/api/v1/transfer-orders",
        headers=wh,
        json={
            "from_warehouse": w.wh_a,
            "to_location": w.receiving_b,
            "lines": [{"product": w.syringe, "quantity": 6}],
        },
    )
    assert r.status_code == 201, r.text
    order = r.json()["id"]
    r = await client.post(f"/api/v1/transfer-orders/{order}/allocate", headers=wh, json={})
    pick = r.json()
    assert (await summary(only_a))["pick"] == 1
    (task,) = (await client.get("/api/v1/tasks/picks", headers=wh)).json()
    assert (task["id"], task["open_lines"], task["to_warehouse_code"]) == (pick["id"], 1, "WH-B")

    (line,) = pick["lines"]
    r = await client.post(
        f"/api/v1/pick-lists/{pick['id']}/lines/{line['id']}/confirm",
        headers=wh,
        json={"lot_number": "T1", "quantity": 6},
    )
    assert r.status_code == 200, r.text
    assert await summary(only_a) == {**zero, "receive": 1, "transfer": 1}
    (outgoing,) = (await client.get("/api/v1/tasks/transfers", headers=only_a)).json()
    assert (outgoing["direction"], outgoing["status"]) == ("outgoing", "picked")

    r = await client.post(f"/api/v1/transfer-orders/{order}/ship", headers=wh)
    assert r.status_code == 200, r.text
    assert await summary(only_a) == {**zero, "receive": 1}
    assert await summary(only_b) == {**zero, "transfer": 1}
    (incoming,) = (await client.get("/api/v1/tasks/transfers", headers=only_b)).json()
    assert incoming["direction"] == "incoming" and incoming["to_location_code"] == "B-RCV"
    assert [(u["lot"], u["lot_number"], u["quantity"]) for u in incoming["units"]] == [
        (first["lot"], "T1", 6)
    ]

    r = await client.post(
        f"/api/v1/transfer-orders/{order}/receive",
        headers=only_b,
        json={"lines": [{"lot": first["lot"], "quantity": 5}], "discrepancy_reason": "1 broken"},
    )
    assert r.status_code == 200, r.text
    assert await summary(only_b) == {**zero, "putaway": 1}
    entries = await ledger(lot=first["lot"], document_type="transfer_order")
    assert [(e["reason"], e["quantity"]) for e in entries] == [
        (Reason.transit_receive_out, -5),
        (Reason.transit_receive_in, 5),
        (Reason.transit_loss, -1),
    ]


async def test_ward_orders_waiting_for_release_are_counted_for_the_serving_warehouse_only(
    client: httpx.AsyncClient,
):
    ward = await build_ward()
    w = ward.w
    only_a = await make_user("a-only", ["warehouse"], [w.wh_a])
    only_b = await make_user("b-only", ["warehouse"], [w.wh_b])

    async def dispatch(headers: dict[str, str]) -> int:
        r = await client.get("/api/v1/tasks/summary", headers=headers)
        assert r.status_code == 200, r.text
        return int(r.json()["dispatch"])

    async def requested(quantity: int, *, submit: bool = True) -> int:
        req = await requesting.create(
            ward.clinician.actor,
            department=ward.department,
            lines=[requesting.LineIn(w.syringe, quantity)],
            submit=submit,
        )
        return int(req["id"])

    await requested(3, submit=False)  # a draft
    waiting = await requested(4)  # submitted, waiting for the head
    assert [await dispatch(u.headers) for u in (only_a, only_b, w.admin)] == [0, 0, 0]

    await approving.approve(ward.head.actor, waiting)
    second = await requested(2)
    await approving.approve(ward.head.actor, second)
    assert [await dispatch(u.headers) for u in (only_a, w.warehouse, w.admin)] == [2, 2, 2]
    assert await dispatch(only_b.headers) == 0  # WH-B does not serve the ward

    # Nothing in stock: released, the requisition is back-ordered and still waits.
    req = await fulfilling.release(only_a.actor, waiting)
    assert req["status"] == "back_ordered"
    assert await dispatch(only_a.headers) == 2
    # Released with stock: picking, no longer waiting for release.
    await stock_in(w, w.syringe, "S1", 10)
    req = await fulfilling.release(only_a.actor, second)
    assert req["status"] == "picking"
    assert await dispatch(only_a.headers) == 1
    req = await fulfilling.allocate_back_orders(only_a.actor, waiting)
    assert req["status"] == "picking"
    assert [await dispatch(u.headers) for u in (only_a, only_b, w.admin)] == [0, 0, 0]


async def test_the_task_lists_need_a_signed_in_user(client: httpx.AsyncClient):
    for path in ("summary", "qa", "putaway", "picks", "transfers", "destinations"):
        r = await client.get(f"/api/v1/tasks/{path}")
        assert r.status_code == 401, (path, r.text)
