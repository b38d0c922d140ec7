"""A stock change committed through the real server produces an alert on the /ws client of a
person in scope, and not on one of another warehouse (embedded mode: in-process jobs)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from tests.e2e.alerts.support import bearer, listening
from tests.e2e.conftest import LiveServer
from tests.integration.alerts.world import build_world, make_lot, policy


async def test_a_stock_change_raises_a_live_alert_for_people_in_scope_only(
    live_server: LiveServer,
) -> None:
    w = await build_world()
    await policy(w.syringe, w.wh_a, reorder_point=10)
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=800))
    async with (
        listening(live_server.ws_url, bearer(w.keeper_a.headers)) as in_scope,
        listening(live_server.ws_url, bearer(w.keeper_b.headers)) as elsewhere,
    ):
        async with httpx.AsyncClient(base_url=live_server.url) as http:
            answer = await http.post(
                "/api/v1/stock/adjustments",
                headers=w.admin.headers,
                json={
                    "lot": lot,
                    "location": w.storage_a,
                    "quantity": 3,
                    "reason": 85,
                    "note": "found on the shelf",
                },
            )
            assert answer.status_code == 201, answer.text
        raised = await in_scope.wait_for("alert.raised", rule="low_stock")
        assert raised["data"]["warehouse_id"] == w.wh_a
        assert raised["data"]["severity"] == "warning"
        await asyncio.sleep(1.0)
        assert elsewhere.of("alert.raised") == []
        assert elsewhere.of("stock.changed") == []
