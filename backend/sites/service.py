"""Sites resources, scope filters, and the lookups other domains call."""

from __future__ import annotations

from typing import Any

from backend.catalog.tables import Product
from backend.core.actor import Actor
from backend.core.crud import Reference, Resource
from backend.sites import rules
from backend.sites.tables import (
    Department,
    DepartmentBudget,
    DepartmentQuota,
    Location,
    Warehouse,
)


def warehouse_scope(actor: Actor) -> Any | None:
    return None if actor.all_scopes else Warehouse.id.is_in(list(actor.warehouse_ids) or [-1])


def location_scope(actor: Actor) -> Any | None:
    """Locations of the actor's warehouses, and the ward cabinets of the actor's departments."""
    if actor.all_scopes:
        return None
    return Location.warehouse.is_in(list(actor.warehouse_ids) or [-1]) | Location.department.is_in(
        list(actor.department_ids) or [-1]
    )


def department_scope(actor: Actor) -> Any | None:
    """A department is seen by its members and by the warehouses that serve it."""
    if actor.all_scopes:
        return None
    return Department.id.is_in(list(actor.department_ids) or [-1]) | Department.warehouse.is_in(
        list(actor.warehouse_ids) or [-1]
    )


def _budget_scope(table: type[DepartmentBudget] | type[DepartmentQuota]):  # type: ignore[no-untyped-def]
    def scope(actor: Actor) -> Any | None:
        if actor.all_scopes:
            return None
        return table.department.is_in(list(actor.department_ids) or [-1]) | (
            table.department.warehouse.is_in(list(actor.warehouse_ids) or [-1])
        )

    return scope


WAREHOUSES = Resource(
    table=Warehouse,
    entity="warehouse",
    unique=("code",),
    search=("code", "name"),
    scope=warehouse_scope,
)
LOCATIONS = Resource(
    table=Location,
    entity="location",
    unique_together=(("warehouse", "code"),),
    search=("code", "name"),
    filters=("warehouse", "kind", "department"),
    references={
        "warehouse": Reference(Warehouse, "warehouse", warehouse_scope),
        "department": Reference(Department, "department", department_scope),
    },
    scope=location_scope,
    validate=rules.check_location,
)
DEPARTMENTS = Resource(
    table=Department,
    entity="department",
    unique=("code",),
    search=("code", "name", "name_en"),
    filters=("warehouse",),
    references={"warehouse": Reference(Warehouse, "warehouse", warehouse_scope)},
    scope=department_scope,
    validate=rules.check_department,
)
BUDGETS = Resource(
    table=DepartmentBudget,
    entity="department_budget",
    unique_together=(("department", "period"),),
    filters=("department", "period"),
    references={"department": Reference(Department, "department", department_scope)},
    scope=_budget_scope(DepartmentBudget),
    validate=rules.check_period,
)
QUOTAS = Resource(
    table=DepartmentQuota,
    entity="department_quota",
    unique_together=(("department", "product", "period"),),
    filters=("department", "product", "period"),
    references={
        "department": Reference(Department, "department", department_scope),
        "product": Reference(Product, "product"),
    },
    scope=_budget_scope(DepartmentQuota),
    validate=rules.check_period,
)


async def _missing(table: type[Warehouse] | type[Department], ids: list[int]) -> list[int]:
    if not ids:
        return []
    rows = await table.select(table.id).where(table.id.is_in(ids))
    found = {r["id"] for r in rows}
    return [i for i in ids if i not in found]


async def missing_warehouses(ids: list[int]) -> list[int]:
    return await _missing(Warehouse, ids)


async def missing_departments(ids: list[int]) -> list[int]:
    return await _missing(Department, ids)
