"""Demo purchase orders: a few per warehouse from qualified suppliers for registered products,
each with its promised delivery date as purchasing would set it (the order date plus the
longest lead time agreed for its lines). Most are still due; two per warehouse are past their
promise (the late-supplier alert has something to show); one is received in full."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from backend.core import clock
from backend.core.db import fetch
from backend.receiving.rules import promised_by_lead_time
from backend.receiving.tables import PurchaseOrder, PurchaseOrderLine

ORDERS_PER_WAREHOUSE = 5
LATE_PER_WAREHOUSE = 2


async def _terms(today: date) -> dict[int, list[dict[str, Any]]]:
    """Supplier terms of active suppliers without a lapsed licence, for active products whose
    registration holds: what may be ordered, by supplier."""
    rows = await fetch(
        "SELECT sp.supplier, sp.product, sp.lead_time_days, sp.moq FROM supplier_product sp "
        "JOIN supplier s ON s.id = sp.supplier JOIN product p ON p.id = sp.product "
        "WHERE s.active AND p.active AND (p.registration_valid_until IS NULL "
        "OR p.registration_valid_until >= {}) AND NOT EXISTS (SELECT 1 FROM supplier_licence sl "
        "WHERE sl.supplier = s.id AND sl.valid_until IS NOT NULL AND sl.valid_until < {}) "
        "ORDER BY sp.supplier, sp.product",
        today,
        today,
    )
    by_supplier: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_supplier.setdefault(int(r["supplier"]), []).append(r)
    return by_supplier


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of that site day."""
    local = datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)))
    return local.replace(tzinfo=clock.site_zone())


async def build(rng: random.Random, today: date) -> dict[str, int]:
    terms = await _terms(today)
    suppliers = sorted(s for s, lines in terms.items() if len(lines) >= 3)
    warehouses = [int(r["id"]) for r in await fetch("SELECT id FROM warehouse ORDER BY id")]
    buyer = await fetch("SELECT id FROM app_user WHERE username = {}", "purchaser")
    if not suppliers or not warehouses:
        return {"purchase_orders": 0}
    made = late = 0
    for warehouse in warehouses:
        for n in range(ORDERS_PER_WAREHOUSE):
            supplier = rng.choice(suppliers)
            chosen = rng.sample(terms[supplier], 3)
            lead = max(int(x["lead_time_days"] or 0) for x in chosen)
            if n < LATE_PER_WAREHOUSE:  # placed long enough ago to be past its promise
                ordered = today - timedelta(days=lead + rng.randint(2, 6))
            else:
                ordered = today - timedelta(days=rng.randint(0, max(lead - 1, 0)))
            promised = promised_by_lead_time(ordered, [x["lead_time_days"] for x in chosen])
            received_in_full = n == ORDERS_PER_WAREHOUSE - 1
            made += 1
            late += promised is not None and promised < today and not received_in_full
            rows = await PurchaseOrder.insert(
                PurchaseOrder(
                    number=f"PO-{today:%y%m}-{warehouse:02d}{n + 1:02d}",
                    supplier=supplier,
                    warehouse=warehouse,
                    status="received" if received_in_full else "open",
                    promised_date=promised,
                    created_by=buyer[0]["id"] if buyer else None,
                    created_at=_at(ordered, rng),
                )
            )
            quantities = [int(x["moq"] or 1) * rng.randint(2, 10) for x in chosen]
            await PurchaseOrderLine.insert(
                *[
                    PurchaseOrderLine(
                        purchase_order=rows[0]["id"],
                        product=x["product"],
                        quantity=q,
                        received=q if received_in_full else 0,
                    )
                    for x, q in zip(chosen, quantities, strict=True)
                ]
            )
    return {"purchase_orders": made, "purchase_orders_late": late}
