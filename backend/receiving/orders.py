"""Purchase orders, minimal: enough to receive against one. Only qualified suppliers and
registered devices are ordered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backend.catalog.service import LICENCES, SUPPLIERS
from backend.core import clock, crud
from backend.core.actor import Actor
from backend.core.db import fetch as fetch_rows
from backend.core.errors import Duplicate, InvalidInput, NotFound
from backend.core.unit_of_work import unit_of_work
from backend.receiving import rules
from backend.receiving.tables import PurchaseOrder, PurchaseOrderLine
from backend.stock import lookups


@dataclass(frozen=True, slots=True)
class OrderLine:
    product: int
    quantity: int


async def qualified_supplier(actor: Actor, supplier_id: int) -> dict[str, Any]:
    """The supplier, if active and no active licence has lapsed."""
    try:
        supplier = await crud.get(SUPPLIERS, actor, supplier_id)
    except NotFound:
        raise NotFound(field="supplier", entity="supplier", key=supplier_id) from None
    if not supplier["active"]:
        raise NotFound(field="supplier", entity="supplier", key=supplier_id)
    licences, _ = await crud.list_records(
        LICENCES, actor, filters={"supplier": supplier_id}, limit=200
    )
    rules.check_supplier(
        supplier["code"], [(x["kind"], x["valid_until"]) for x in licences], clock.today()
    )
    return supplier


async def registered_product(actor: Actor, product_id: int, field: str) -> dict[str, Any]:
    product = await lookups.product(actor, product_id, field)
    if not product["active"]:
        raise NotFound(field=field, entity="product", key=product_id)
    rules.check_registration(
        product["code"],
        product["registration_no"],
        product["registration_valid_until"],
        clock.today(),
    )
    return product


async def create(
    actor: Actor, *, number: str, supplier: int, warehouse: int, lines: Sequence[OrderLine]
) -> dict[str, Any]:
    if not lines:
        raise InvalidInput(field="lines", reason="at least one line")
    async with unit_of_work(actor) as uow:
        await lookups.warehouse(actor, warehouse)
        await qualified_supplier(actor, supplier)
        if await PurchaseOrder.exists().where(PurchaseOrder.number == number):
            raise Duplicate(field="number", value=number)
        for n, line in enumerate(lines):
            if line.quantity <= 0:
                raise InvalidInput(field=f"lines[{n}].quantity", reason="must be at least 1")
            await registered_product(actor, line.product, f"lines[{n}].product")
        rows = await PurchaseOrder.insert(
            PurchaseOrder(
                number=number,
                supplier=supplier,
                warehouse=warehouse,
                status="open",
                created_by=actor.user_id,
            )
        )
        order_id = int(rows[0]["id"])
        await PurchaseOrderLine.insert(
            *[
                PurchaseOrderLine(purchase_order=order_id, product=x.product, quantity=x.quantity)
                for x in lines
            ]
        )
        uow.audit(
            "create",
            "purchase_order",
            order_id,
            new={
                "number": number,
                "supplier": supplier,
                "warehouse": warehouse,
                "lines": [[x.product, x.quantity] for x in lines],
            },
        )
        uow.emit("purchase_order.created", {"id": order_id, "warehouse_id": warehouse})
    return await get(actor, order_id)


async def get(actor: Actor, order_id: int) -> dict[str, Any]:
    rows = await fetch_rows("SELECT * FROM purchase_order WHERE id = {}", order_id)
    if not rows or not actor.sees_warehouse(rows[0]["warehouse"]):
        raise NotFound(entity="purchase_order", key=order_id)
    lines = await fetch_rows(
        "SELECT * FROM purchase_order_line WHERE purchase_order = {} ORDER BY id", order_id
    )
    return {**rows[0], "lines": lines}


async def list_orders(
    actor: Actor, *, status: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    clauses: list[str] = ["1 = 1"]
    args: list[Any] = []
    if status is not None:
        clauses.append("status = {}")
        args.append(status)
    if not actor.all_scopes:
        ids = sorted(actor.warehouse_ids) or [-1]
        clauses.append(f"warehouse IN ({', '.join('{}' for _ in ids)})")
        args += ids
    where = " AND ".join(clauses)
    rows = await fetch_rows(
        f"SELECT * FROM purchase_order WHERE {where} ORDER BY id DESC "
        f"LIMIT {int(limit)} OFFSET {int(offset)}",
        *args,
    )
    total = await fetch_rows(f"SELECT COUNT(*) AS n FROM purchase_order WHERE {where}", *args)
    return rows, int(total[0]["n"])
