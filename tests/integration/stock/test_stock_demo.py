"""The demo's stock: thousands of lots from expired to three years out, a year of movements,
and every invariant of `lotwise verify` holding."""

from __future__ import annotations

from datetime import timedelta

from backend.core import clock
from backend.core.db import fetch
from backend.demo.build import build_demo
from backend.stock.reasons import Reason
from tests.integration.stock.world import violations


async def test_the_demo_has_thousands_of_lots_a_year_of_movements_and_verifies():
    summary = await build_demo()
    today = clock.today()
    assert summary["counts"]["lots"] >= 3000
    (lots,) = await fetch(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN expiry < {} THEN 1 ELSE 0 END) AS expired, "
        "SUM(CASE WHEN expiry > {} THEN 1 ELSE 0 END) AS far FROM lot",
        today,
        today + timedelta(days=900),
    )
    assert lots["n"] >= 3000 and lots["expired"] > 50 and lots["far"] > 50
    months = await fetch(
        "SELECT DISTINCT product, location FROM stock_ledger WHERE reason = {}",
        int(Reason.consume),
    )
    assert len(months) > 100
    (span,) = await fetch(
        "SELECT MIN(at) AS first, MAX(at) AS last FROM stock_ledger WHERE reason = {}",
        int(Reason.pick_out),
    )
    first, last = (str(span["first"])[:10], str(span["last"])[:10])
    assert first <= str(today - timedelta(days=330)) and last >= str(today - timedelta(days=14))
    statuses = {r["status"] for r in await fetch("SELECT DISTINCT status FROM lot")}
    assert statuses == {"released", "pending_inspection", "rejected", "on_hold", "recalled"}
    assert await violations() == []
