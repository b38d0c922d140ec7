"""What every requisition step loads: the requisition in the caller's scope, its department,
the products it names, and the one event announcing a change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from backend.catalog.service import PRODUCTS
from backend.core import crud, db
from backend.core.actor import SYSTEM, Actor
from backend.core.errors import NotFound
from backend.core.unit_of_work import UnitOfWork
from backend.requisitions import rules
from backend.requisitions.errors import NoPointOfUse
from backend.sites.service import DEPARTMENTS, LOCATIONS


def label(requisition_id: int) -> str:
    return f"REQ-{requisition_id}"


def sees(actor: Actor, row: dict[str, Any]) -> bool:
    """Clinicians and heads see their departments' requisitions; warehouse users those their
    warehouse serves; admins and auditors all."""
    return actor.sees_department(row["department"]) or actor.sees_warehouse(row["warehouse"])


async def requisition(actor: Actor, requisition_id: int, *, lock: bool = False) -> dict[str, Any]:
    rows = await db.fetch(
        "SELECT * FROM requisition WHERE id = {}"
        + (" FOR UPDATE" if lock and not db.is_sqlite() else ""),
        requisition_id,
    )
    if not rows or not sees(actor, rows[0]):
        raise NotFound(entity="requisition", key=requisition_id)
    return dict(rows[0])


async def lines(requisition_id: int) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT rl.*, p.code AS product_code, p.name AS product_name, p.model, "
        "p.unit_cost AS product_unit_cost, s.code AS substitute_code, s.name AS substitute_name, "
        "s.model AS substitute_model FROM requisition_line rl JOIN product p ON p.id = rl.product "
        "LEFT JOIN product s ON s.id = rl.substitute WHERE rl.requisition = {} ORDER BY rl.id",
        requisition_id,
    )
    return [dict(r) for r in rows]


def delivered_product(line: dict[str, Any]) -> int:
    substitute: int | None = line["substitute"]
    return substitute if substitute is not None else int(line["product"])


async def department(actor: Actor, department_id: int, field: str = "department") -> dict[str, Any]:
    try:
        return await crud.get(DEPARTMENTS, actor, department_id)
    except NotFound:
        raise NotFound(field=field, entity="department", key=department_id) from None


async def point_of_use(dept: dict[str, Any]) -> dict[str, Any]:
    """The department's point-of-use location in its serving warehouse (the first, by id)."""
    rows, _ = await crud.list_records(
        LOCATIONS, SYSTEM, filters={"department": dept["id"], "kind": "point_of_use"}, limit=50
    )
    for row in rows:
        if row["warehouse"] == dept["warehouse"]:
            return row
    raise NoPointOfUse(department=dept["code"])


async def points_of_use(department_id: int) -> list[dict[str, Any]]:
    rows, _ = await crud.list_records(
        LOCATIONS, SYSTEM, filters={"department": department_id, "kind": "point_of_use"}, limit=50
    )
    return rows


async def products(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    wanted = sorted(set(ids))
    out: dict[int, dict[str, Any]] = {}
    for product_id in wanted:
        try:
            out[product_id] = await crud.get(PRODUCTS, SYSTEM, product_id)
        except NotFound:
            continue
    return out


def with_warehouse(actor: Actor, warehouse_id: int) -> Actor:
    """The same person, allowed into one more warehouse for one stock call: a ward member
    receiving into, using from, or returning from the ward's cabinet, which belongs to the
    serving warehouse. The caller has checked the department scope already; the ledger and
    audit still name the person."""
    if actor.all_scopes or warehouse_id in actor.warehouse_ids:
        return actor
    return replace(actor, warehouse_ids=actor.warehouse_ids | {warehouse_id})


def emit_change(uow: UnitOfWork, row: dict[str, Any], status: str, **extra: Any) -> None:
    """requisition.changed reaches the department's people and the serving warehouse's."""
    uow.emit(
        "requisition.changed",
        {
            "id": row["id"],
            "department_id": row["department"],
            "warehouse_id": row["warehouse"],
            "status": status,
            **extra,
        },
    )


async def set_status(
    uow: UnitOfWork,
    row: dict[str, Any],
    new: str,
    action: str,
    *,
    verb: str | None = None,
    **columns: Any,
) -> None:
    """``action`` names the audit entry; ``verb`` (default: ``action``) is the
    ``words.ACTION`` key a refused transition is worded with."""
    rules.check_transition(row["id"], row["status"], new, verb or action)
    sets = ", ".join(f"{name} = {{}}" for name in ["status", *columns])
    await db.fetch(
        f"UPDATE requisition SET {sets} WHERE id = {{}}", new, *columns.values(), row["id"]
    )
    uow.audit(
        action,
        "requisition",
        row["id"],
        old={"status": row["status"]},
        new={"status": new, **{k: _plain(v) for k, v in columns.items()}},
    )
    emit_change(uow, row, new)
    row["status"] = new


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
