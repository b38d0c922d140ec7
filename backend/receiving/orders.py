"""Purchase orders, minimal: enough to receive against one. Only qualified suppliers and
registered devices are ordered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from backend.catalog.service import LICENCES, SUPPLIERS
from backend.core import clock, crud
from backend.core.actor import Actor
from backend.core.db import fetch as fetch_rows
from backend.core.errors import Duplicate, InvalidInput, NotFound
from backend.core.unit_of_work import unit_of_work
from backend.receiving import rules
from backend.receiving.errors import PurchaseOrderNotOpen
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


async def default_promise(supplier: int, products: Sequence[int], ordered: date) -> date | None:
    """The order date plus the longest lead time agreed with the supplier for these products."""
    ids = sorted(set(products))
    rows = await fetch_rows(
        "SELECT lead_time_days FROM supplier_product WHERE supplier = {} "
        f"AND product IN ({', '.join('{}' for _ in ids)})",
        supplier,
        *ids,
    )
    return rules.promised_by_lead_time(ordered, [r["lead_time_days"] for r in rows])


def order_date(order: dict[str, Any]) -> date:
    """The day the order was placed, on the site's calendar."""
    created: datetime = order["created_at"]
    return created.astimezone(clock.site_zone()).date()


async def create(
    actor: Actor,
    *,
    number: str,
    supplier: int,
    warehouse: int,
    lines: Sequence[OrderLine],
    promised_date: date | None = None,
) -> dict[str, Any]:
    """A new open order. Without a promised date it gets the default promise (see
    ``default_promise``); a promise before today, the order date, is refused."""
    if not lines:
        raise InvalidInput(field="lines", reason="at least one line")
    ordered = clock.today()
    rules.check_promised(ordered, promised_date)
    async with unit_of_work(actor) as uow:
        await lookups.warehouse(actor, warehouse)
        await qualified_supplier(actor, supplier)
        if await PurchaseOrder.exists().where(PurchaseOrder.number == number):
            raise Duplicate(field="number", value=number)
        for n, line in enumerate(lines):
            if line.quantity <= 0:
                raise InvalidInput(field=f"lines[{n}].quantity", reason="must be at least 1")
            await registered_product(actor, line.product, f"lines[{n}].product")
        promised = promised_date or await default_promise(
            supplier, [x.product for x in lines], ordered
        )
        rows = await PurchaseOrder.insert(
            PurchaseOrder(
                number=number,
                supplier=supplier,
                warehouse=warehouse,
                status="open",
                promised_date=promised,
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
                "promised_date": promised.isoformat() if promised else None,
                "lines": [[x.product, x.quantity] for x in lines],
            },
        )
        uow.emit("purchase_order.created", {"id": order_id, "warehouse_id": warehouse})
    return await get(actor, order_id)


async def set_promised_date(
    actor: Actor, order_id: int, promised_date: date, *, reason: str | None = None
) -> dict[str, Any]:
    """Change an open order's promised delivery date (the supplier moved it); audited. The
    late-supplier alert follows at the next sweep."""
    async with unit_of_work(actor) as uow:
        order = await get(actor, order_id)
        if order["status"] != "open":
            raise PurchaseOrderNotOpen(
                field="promised_date", order=order["number"], status=order["status"]
            )
        rules.check_promised(order_date(order), promised_date)
        before = order["promised_date"]
        if before == promised_date:
            return order
        await PurchaseOrder.update({PurchaseOrder.promised_date: promised_date}).where(
            PurchaseOrder.id == order_id
        )
        uow.audit(
            "set_promised_date",
            "purchase_order",
            order_id,
            old={"promised_date": before.isoformat() if before else None},
            new={"promised_date": promised_date.isoformat()},
            reason=reason,
        )
        uow.emit("purchase_order.updated", {"id": order_id, "warehouse_id": order["warehouse"]})
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
