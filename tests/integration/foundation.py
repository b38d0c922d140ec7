"""Shared by the foundation's integration tests: one record of every master-data kind, valid
request bodies, and counters for "nothing was written"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.audit.tables import AuditEntry
from backend.core import crud
from backend.core.actor import SYSTEM, Actor
from backend.core.tables import OutboxEvent

GTIN13 = "6901234567892"  # a valid EAN-13
GTIN13_BAD = "6901234567893"


def product_body(code: str = "P-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "name": "一次性使用无菌注射器",
        "model": "5ml",
        "category": "syringe",
        "risk_class": "III",
        "tracking": "lot",
        "shelf_life_days": 1460,
    }
    return {**body, **overrides}


@dataclass(frozen=True)
class Seeded:
    manufacturer: int
    product: int
    packaging: int
    supplier: int
    licence: int
    supplier_product: int
    warehouse_a: int
    warehouse_b: int
    department_a: int
    department_b: int
    location_a: int
    location_b: int
    budget_a: int
    quota_a: int


async def seed(actor: Actor = SYSTEM) -> Seeded:
    """Two warehouses (A, B), a department served by each, a location in each, and one record
    of every catalog kind, written through the same service the API uses."""
    from backend.catalog import service as catalog
    from backend.sites import service as sites

    async def make(resource: crud.Resource, values: dict[str, Any]) -> int:
        return int((await crud.create(resource, actor, values))["id"])

    manufacturer = await make(catalog.MANUFACTURERS, {"name": "威高", "country": "CN"})
    product = await make(
        catalog.PRODUCTS,
        {**product_body(), "allocation": "fefo", "manufacturer": manufacturer},
    )
    packaging = await make(
        catalog.PACKAGING,
        {
            "product": product,
            "level": "each",
            "quantity": 1,
            "agency": "GS1",
            "di": "0" + GTIN13,
            "original": GTIN13,
        },
    )
    supplier = await make(catalog.SUPPLIERS, {"code": "SUP-1", "name": "国药控股"})
    licence = await make(
        catalog.LICENCES,
        {"supplier": supplier, "kind": "operating_licence", "number": "浙杭械经营许001"},
    )
    term = await make(
        catalog.SUPPLIER_PRODUCTS,
        {
            "supplier": supplier,
            "product": product,
            "lead_time_days": 3,
            "price": 120,
            "moq": 1,
            "pack_size": 1,
            "priority": "primary",
        },
    )
    wa = await make(sites.WAREHOUSES, {"code": "WH-A", "name": "中心库房"})
    wb = await make(sites.WAREHOUSES, {"code": "WH-B", "name": "东院库房"})
    da = await make(
        sites.DEPARTMENTS,
        {"code": "CARD", "name": "心内科", "warehouse": wa, "budget_enforcement": "warn"},
    )
    db_ = await make(
        sites.DEPARTMENTS,
        {"code": "ORTH", "name": "骨科", "warehouse": wb, "budget_enforcement": "warn"},
    )
    la = await make(sites.LOCATIONS, {"warehouse": wa, "code": "A-01", "kind": "storage"})
    lb = await make(sites.LOCATIONS, {"warehouse": wb, "code": "B-01", "kind": "storage"})
    budget = await make(sites.BUDGETS, {"department": da, "period": "2026-11", "amount": 100})
    quota = await make(
        sites.QUOTAS, {"department": da, "product": product, "period": "2026-11", "quantity": 5}
    )
    return Seeded(
        manufacturer,
        product,
        packaging,
        supplier,
        licence,
        term,
        wa,
        wb,
        da,
        db_,
        la,
        lb,
        budget,
        quota,
    )


async def written() -> tuple[int, int]:
    """(audit entries, outbox events): both unchanged means nothing was written."""
    return int(await AuditEntry.count()), int(await OutboxEvent.count())
