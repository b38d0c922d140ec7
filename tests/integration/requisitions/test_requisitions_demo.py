"""The demo's requisitions: a catalogue with par levels for each of the twelve departments,
cardiology requisitions in every state made through the real services, and verify holding."""

from __future__ import annotations

import time

from backend.core import db
from backend.demo.build import build_demo
from tests.integration.stock.world import violations


async def test_the_demo_has_ward_catalogues_and_requisitions_in_every_state():
    started = time.perf_counter()
    summary = await build_demo()
    took = time.perf_counter() - started
    assert summary["counts"]["catalogue_entries"] > 12 * 15
    departments = await db.fetch(
        "SELECT COUNT(DISTINCT department) AS n FROM department_catalogue WHERE par_level > 0"
    )
    assert departments[0]["n"] == 12
    statuses = {r["status"] for r in await db.fetch("SELECT DISTINCT status FROM requisition")}
    assert {
        "draft",
        "submitted",
        "approved",
        "picking",
        "shipped",
        "received",
        "rejected",
    } <= statuses
    assert summary["counts"]["requisitions"] >= 7
    uses = await db.fetch("SELECT COUNT(*) AS n FROM patient_use")
    assert uses[0]["n"] == 1
    assert await violations() == []
    print(f"demo built in {took:.1f} s")
