"""Random sequences of receipts, releases, transfers, allocations, picks, cancels, adjustments
and holds against the real database: after every step each operation either did its work or
refused with a typed error, and every invariant of `lotwise verify` holds."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.core import clock
from backend.core.db import fetch
from backend.core.errors import DomainError
from backend.receiving import inspection, putaway, receipts
from backend.stock import lots, movements, picking
from backend.stock.reasons import Reason
from tests.integration.stock.world import World, build_world, stock_in, violations
from tests.support import PASSWORD

OPS = (
    "receive",
    "release",
    "putaway",
    "transfer",
    "allocate",
    "pick",
    "deviate",
    "cancel",
    "adjust",
    "hold",
    "unhold",
)

steps = st.lists(
    st.tuples(
        st.sampled_from(OPS), st.integers(0, 10_000), st.integers(1, 6), st.integers(-30, 900)
    ),
    min_size=3,
    max_size=12,
)


def pick_one(rows: list[dict[str, Any]], index: int) -> dict[str, Any] | None:
    return rows[index % len(rows)] if rows else None


async def step(w: World, op: str, index: int, quantity: int, days: int) -> None:
    actor, qa = w.warehouse.actor, w.qa.actor
    products = [w.syringe, w.forceps]
    if op == "receive":
        product = products[index % 2]
        await receipts.receive(
            actor,
            warehouse=w.wh_a,
            supplier=w.supplier,
            lines=[
                receipts.LineIn(
                    quantity=quantity,
                    product=product,
                    lot_number=f"L{index % 7}" if product == w.syringe else None,
                    expiry=clock.today() + timedelta(days=days) if product == w.syringe else None,
                )
            ],
        )
    elif op == "release":
        line = pick_one(
            await fetch(
                "SELECT id, quantity FROM receipt_line WHERE status = 'pending_inspection' "
                "ORDER BY id"
            ),
            index,
        )
        if line:
            rejected = index % 2 if line["quantity"] > 1 else 0
            await inspection.inspect(
                qa,
                line["id"],
                appearance_ok=True,
                packaging_ok=True,
                label_ok=True,
                certificate_ok=True,
                accepted=line["quantity"] - rejected,
                rejected=rejected,
                reject_reason="damaged" if rejected else None,
            )
            await inspection.decide(qa, line["id"], release=True, password=PASSWORD)
    elif op == "putaway":
        b = pick_one(
            await fetch(
                "SELECT lot, on_hand FROM stock_balance WHERE location = {} AND on_hand > 0 "
                "ORDER BY id",
                w.receiving_a,
            ),
            index,
        )
        if b:
            await putaway.put_away(
                actor,
                lot_id=b["lot"],
                serial_id=None,
                quantity=min(quantity, b["on_hand"]),
                from_location=w.receiving_a,
                to_location=(w.storage_a1, w.storage_a2)[index % 2],
            )
    elif op == "transfer":
        b = pick_one(
            await fetch(
                "SELECT lot, location FROM stock_balance "
                "WHERE location IN ({}, {}) AND on_hand > 0 ORDER BY id",
                w.storage_a1,
                w.storage_a2,
            ),
            index,
        )
        if b:
            other = w.storage_a2 if b["location"] == w.storage_a1 else w.storage_a1
            await movements.transfer(
                actor,
                lot_id=b["lot"],
                serial_id=None,
                quantity=quantity,
                from_location=b["location"],
                to_location=other,
            )
    elif op == "allocate":
        o = await picking.create_transfer_order(
            actor,
            from_warehouse=w.wh_a,
            to_location=w.storage_b,
            to_customer=None,
            lines=[picking.OrderLine(products[index % 2], quantity)],
        )
        await picking.allocate_order(actor, o["id"], allow_partial=index % 3 == 0)
    elif op in ("pick", "deviate"):
        line = pick_one(
            await fetch(
                "SELECT pl.id, pl.pick_list, pl.lot, pl.quantity, pl.product FROM pick_line pl "
                "WHERE pl.status = 'open' ORDER BY pl.id"
            ),
            index,
        )
        if line:
            lot_id, location, reason = line["lot"], None, None
            if op == "deviate":
                other = pick_one(
                    await fetch(
                        "SELECT lot, location FROM stock_balance WHERE product = {} "
                        "AND on_hand > 0 AND location IN ({}, {}) ORDER BY id",
                        line["product"],
                        w.storage_a1,
                        w.storage_a2,
                    ),
                    index // 3,
                )
                if other:
                    lot_id, location, reason = other["lot"], other["location"], "nearer"
            picked = min(quantity, line["quantity"])
            await picking.confirm_pick(
                actor,
                line["pick_list"],
                line["id"],
                scan=picking.Scan(lot_id=lot_id, location_id=location),
                quantity=picked,
                deviation_reason=reason,
                short_reason="not found" if picked < line["quantity"] else None,
            )
    elif op == "cancel":
        p = pick_one(
            await fetch("SELECT id FROM pick_list WHERE status = 'open' ORDER BY id"), index
        )
        if p:
            await picking.cancel_pick_list(actor, p["id"], "changed")
    elif op == "adjust":
        b = pick_one(
            await fetch("SELECT lot, location FROM stock_balance WHERE on_hand > 0 ORDER BY id"),
            index,
        )
        if b:
            gain = index % 2 == 0
            await movements.adjust(
                actor,
                lot_id=b["lot"],
                serial_id=None,
                location_id=b["location"],
                quantity=quantity if gain else -quantity,
                reason=Reason.adjust_count_gain if gain else Reason.adjust_count_loss,
                note="count",
            )
    elif op in ("hold", "unhold"):
        lot = pick_one(await fetch("SELECT id FROM lot ORDER BY id"), index)
        if lot:
            if op == "hold":
                await lots.hold_lot(qa, lot["id"], "check")
            else:
                await lots.release_lot_hold(qa, lot["id"], "checked")


async def truncate_all() -> None:
    """Empty every table between examples, children first, as the harness does after each test
    (importing tests/conftest.py again would run its set-up a second time)."""
    from piccolo.table import sort_table_classes

    from backend.core import db
    from backend.piccolo_app import APP_CONFIG

    names = [
        t._meta.tablename for t in reversed(sort_table_classes(list(APP_CONFIG.table_classes)))
    ]
    async with db.transaction():
        for name in names:
            await db.fetch(f'DELETE FROM "{name}"')


@pytest.fixture
def quick_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 is slow by design; the signature itself is tested elsewhere."""
    from backend.audit import signatures

    async def same(stored: str, password: str) -> bool:
        return password == PASSWORD

    monkeypatch.setattr(signatures, "verify_password", same)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=steps)
async def test_random_operations_keep_every_invariant(quick_signatures, steps):  # type: ignore[no-untyped-def]
    await truncate_all()
    w = await build_world()
    # Some released stock in storage to start from, so picks and moves have work to do.
    await stock_in(w, w.syringe, "BASE-1", 6, days=200)
    await stock_in(w, w.syringe, "BASE-2", 4, days=700, to=w.storage_a2)
    await stock_in(w, w.forceps, None, 3, days=None)
    for op, index, quantity, days in steps:
        # A refusal is fine; a half-written refusal is what verify would catch.
        with contextlib.suppress(DomainError):
            await step(w, op, index, quantity, days)
        found = await violations()
        assert found == [], (op, index, quantity, days, found)
