"""32 pickers at once against a lot with fewer units than they ask for, on the real database
(SQLite: writers queue on the busy timeout; PostgreSQL: the pool and row locks): exactly the
available units are picked, the rest refused, and every invariant holds."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from backend.core import db
from backend.core.errors import DomainError
from backend.stock import picking
from backend.stock.reasons import Reason
from tests.integration.stock.world import World, build_world, ledger, on_hand, stock_in, violations

PICKERS = 32


async def _order_and_pick(w: World, lot_id: int) -> str:
    """One picker: a one-unit transfer order, allocated and confirmed."""
    try:
        o = await picking.create_transfer_order(
            w.warehouse.actor,
            from_warehouse=w.wh_a,
            to_location=w.storage_b,
            to_customer=None,
            lines=[picking.OrderLine(w.syringe, 1)],
        )
        pick = await picking.allocate_order(w.warehouse.actor, o["id"])
        (line,) = pick["lines"]
        await picking.confirm_pick(
            w.warehouse.actor, pick["id"], line["id"], scan=picking.Scan(lot_id=lot_id), quantity=1
        )
        return "picked"
    except DomainError as refused:
        return refused.code


async def _one_list_of_32_lines(w: World) -> tuple[dict[str, Any], dict[str, Any]]:
    """A transfer order of 32 one-unit syringe lines, allocated: (order, pick list)."""
    o = await picking.create_transfer_order(
        w.warehouse.actor,
        from_warehouse=w.wh_a,
        to_location=w.storage_b,
        to_customer=None,
        lines=[picking.OrderLine(w.syringe, 1) for _ in range(PICKERS)],
    )
    pick = await picking.allocate_order(w.warehouse.actor, o["id"])
    return o, pick


async def test_32_pickers_allocating_and_picking_one_unit_each_from_20_units():
    w = await build_world()
    lot = await stock_in(w, w.syringe, "HOT", 20)
    results = await asyncio.gather(*[_order_and_pick(w, lot["id"]) for _ in range(PICKERS)])
    assert Counter(results) == {"picked": 20, "INSUFFICIENT_STOCK": PICKERS - 20}
    assert await on_hand(w.storage_a1, lot["id"]) == (0, 0)
    assert await on_hand(w.transit_a, lot["id"]) == (20, 0)
    picks = [e for e in await ledger(lot=lot["id"]) if e["reason"] == Reason.pick_out]
    assert len(picks) == 20 and all(e["quantity"] == -1 for e in picks)
    assert await violations() == []


async def test_32_pickers_scanning_the_same_other_lot_take_exactly_its_units():
    """Every picker was allocated lot A but scans lot B (a FEFO deviation), which holds only
    10 units: the unreserved takes race on B's balance and exactly 10 win."""
    w = await build_world()
    a = await stock_in(w, w.syringe, "A", 40, days=400)
    b = await stock_in(w, w.syringe, "B", 10, days=800, to=w.storage_a2)
    _order, pick = await _one_list_of_32_lines(w)
    assert len(pick["lines"]) == PICKERS and {x["lot"] for x in pick["lines"]} == {a["id"]}

    async def picker(line_id: int) -> str:
        try:
            await picking.confirm_pick(
                w.warehouse.actor,
                pick["id"],
                line_id,
                scan=picking.Scan(lot_id=b["id"], location_id=w.storage_a2),
                quantity=1,
                deviation_reason="closer to the door",
            )
            return "picked"
        except DomainError as refused:
            return refused.code

    results = await asyncio.gather(*[picker(x["id"]) for x in pick["lines"]])
    assert Counter(results) == {"picked": 10, "INSUFFICIENT_STOCK": PICKERS - 10}
    assert await on_hand(w.storage_a2, b["id"]) == (0, 0)
    assert await on_hand(w.storage_a1, a["id"]) == (40, PICKERS - 10)
    assert len([e for e in await ledger(lot=b["id"]) if e["reason"] == Reason.pick_out]) == 10
    assert await violations() == []


async def test_32_lines_of_one_list_confirmed_at_once_close_the_list_exactly_once():
    """Each confirmation counts the list down under its row lock: whichever is last closes the
    list and marks the order picked, and says so once."""
    w = await build_world()
    a = await stock_in(w, w.syringe, "A", 40, days=400)
    o, pick = await _one_list_of_32_lines(w)
    assert len(pick["lines"]) == PICKERS

    async def picker(line_id: int) -> str:
        await picking.confirm_pick(
            w.warehouse.actor, pick["id"], line_id, scan=picking.Scan(lot_id=a["id"]), quantity=1
        )
        return "picked"

    results = await asyncio.gather(*[picker(x["id"]) for x in pick["lines"]])
    assert results == ["picked"] * PICKERS
    listed = await picking.pick_list(w.warehouse.actor, pick["id"])
    assert (listed["status"], listed["open_lines"]) == ("done", 0)
    assert (await picking.get_order(w.warehouse.actor, o["id"]))["status"] == "picked"
    done = await db.fetch("SELECT payload FROM outbox_event WHERE topic = 'pick_list.done'")
    assert len(done) == 1
    assert await on_hand(w.transit_a, a["id"]) == (PICKERS, 0)
    assert await violations() == []
