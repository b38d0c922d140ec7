"""Recalling a lot over HTTP: QA (or an admin) with a reason; the lot is then never allocated
nor picked, reservations made before the recall included; refusals write nothing."""

from __future__ import annotations

import httpx

from backend.audit.tables import AuditEntry
from backend.core.tables import OutboxEvent
from backend.stock.tables import LotStatusEvent
from tests.integration.stock.world import World, build_world, ledger_count, on_hand, stock_in


async def _recall(client: httpx.AsyncClient, headers: dict[str, str], lot: int, reason: object):
    return await client.post(f"/api/v1/lots/{lot}/recall", headers=headers, json={"reason": reason})


async def _allocate(
    client: httpx.AsyncClient, w: World, quantity: int, *, allow_partial: bool
) -> httpx.Response:
    """A transfer order of syringes to warehouse B, allocated."""
    r = await client.post(
        "/api/v1/transfer-orders",
        headers=w.warehouse.headers,
        json={
            "from_warehouse": w.wh_a,
            "to_location": w.storage_b,
            "lines": [{"product": w.syringe, "quantity": quantity}],
        },
    )
    assert r.status_code == 201, r.text
    return await client.post(
        f"/api/v1/transfer-orders/{r.json()['id']}/allocate",
        headers=w.warehouse.headers,
        json={"allow_partial": allow_partial},
    )


async def _allocated(client: httpx.AsyncClient, w: World, quantity: int) -> dict:
    r = await _allocate(client, w, quantity, allow_partial=True)
    assert r.status_code == 201, r.text
    return r.json()


async def test_qa_recalls_a_lot_with_a_reason_and_the_change_is_recorded(
    client: httpx.AsyncClient,
):
    w = await build_world()
    lot = await stock_in(w, w.syringe, "R1", 10)
    r = await _recall(client, w.qa.headers, lot["id"], "厂家召回通知 2026-17")
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["status"]) == (lot["id"], "recalled")
    page = (await client.get(f"/api/v1/lots/{lot['id']}", headers=w.qa.headers)).json()
    assert page["lot"]["status"] == "recalled"
    last = await LotStatusEvent.select().order_by(LotStatusEvent.id, ascending=False).first()
    assert (last["lot"], last["old_status"], last["new_status"], last["reason"]) == (
        lot["id"],
        "released",
        "recalled",
        "厂家召回通知 2026-17",
    )
    audit = await (
        AuditEntry.select()
        .where((AuditEntry.entity == "lot") & (AuditEntry.action == "status"))
        .order_by(AuditEntry.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    assert (audit["new"], audit["actor_name"]) == ({"status": "recalled"}, w.qa.username)
    event = await (
        OutboxEvent.select()
        .where(OutboxEvent.topic == "lot.status_changed")
        .order_by(OutboxEvent.id, ascending=False)
        .output(load_json=True)
        .first()
    )
    assert event["payload"]["new"] == "recalled" and event["payload"]["lot"] == lot["id"]
    # Final: no way back to released.
    r = await client.post(
        f"/api/v1/lots/{lot['id']}/release-hold", headers=w.qa.headers, json={"reason": "oops"}
    )
    assert (r.status_code, r.json()["code"]) == (422, "STATUS_TRANSITION")


async def test_a_recall_is_refused_without_a_reason_or_qa_and_changes_nothing(
    client: httpx.AsyncClient,
):
    w = await build_world()
    lot = await stock_in(w, w.syringe, "R1", 10)
    history = await LotStatusEvent.count()
    for headers, reason, status, code in [
        (w.warehouse.headers, "found damaged", 403, "PERMISSION_DENIED"),
        (w.auditor.headers, "found damaged", 403, "PERMISSION_DENIED"),
        (w.qa.headers, "", 422, "INVALID_INPUT"),
        (w.qa.headers, "   ", 422, "INVALID_INPUT"),
        (w.qa.headers, None, 422, "INVALID_INPUT"),
    ]:
        r = await _recall(client, headers, lot["id"], reason)
        assert (r.status_code, r.json()["code"]) == (status, code), (reason, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await _recall(client, w.qa.headers, 999_999, "no such lot")
    assert (r.status_code, r.json()["code"]) == (404, "NOT_FOUND")
    assert await LotStatusEvent.count() == history
    page = (await client.get(f"/api/v1/lots/{lot['id']}", headers=w.qa.headers)).json()
    assert page["lot"]["status"] == "released"


async def test_a_recalled_lot_is_never_allocated_nor_picked_even_if_reserved_before(
    client: httpx.AsyncClient,
):
    w = await build_world()
    lot = await stock_in(w, w.syringe, "R1", 10, days=300)
    other = await stock_in(w, w.syringe, "OK", 4, days=900)
    before_recall = await _allocated(client, w, 6)
    (line,) = before_recall["lines"]
    assert line["lot"] == lot["id"]
    assert (await _recall(client, w.admin.headers, lot["id"], "recall")).status_code == 200

    entries = await ledger_count()
    r = await client.post(
        f"/api/v1/pick-lists/{before_recall['id']}/lines/{line['id']}/confirm",
        headers=w.warehouse.headers,
        json={"lot": lot["id"], "quantity": 6},
    )
    assert (r.status_code, r.json()["code"]) == (422, "LOT_RECALLED")
    assert await ledger_count() == entries
    assert await on_hand(w.storage_a1, lot["id"]) == (10, 6)

    # New allocations pass the recalled lot by: only the other lot's 4 units are reserved.
    after = await _allocated(client, w, 6)
    assert [(x["lot"], x["quantity"]) for x in after["lines"]] == [(other["id"], 4)]
    assert await on_hand(w.storage_a1, lot["id"]) == (10, 6)
    r = await _allocate(client, w, 1, allow_partial=False)
    assert (r.status_code, r.json()["code"]) == (409, "INSUFFICIENT_STOCK")
    assert await ledger_count() == entries
