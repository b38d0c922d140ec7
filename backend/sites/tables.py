"""Warehouses, locations, departments, budgets and quotas."""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Real,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.catalog.tables import Product


class Warehouse(Table, tablename="warehouse"):
    id: Serial  # added by Piccolo; declared for the type checker
    code = Varchar(length=30, unique=True)
    name = Varchar(length=200)
    address = Varchar(length=300, null=True, default=None)
    active = Boolean(default=True, help_text="Retired records stay for history")
    created_at = Timestamptz(default=TimestamptzNow())


class Department(Table, tablename="department"):
    """A hospital unit (科室) that requests and consumes devices."""

    id: Serial  # added by Piccolo; declared for the type checker
    code = Varchar(length=30, unique=True)
    name = Varchar(length=200)
    name_en = Varchar(length=200, null=True, default=None)
    warehouse = ForeignKey(
        Warehouse,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        index=True,
        help_text="The warehouse that serves this department",
    )
    budget_enforcement = Varchar(
        length=10, default="warn", help_text="warn or block when a budget or quota is exceeded"
    )
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Location(Table, tablename="location"):
    warehouse = ForeignKey(Warehouse, null=False, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=60, help_text="Unique within the warehouse, printed on its label")
    name = Varchar(length=200, null=True, default=None)
    kind = Varchar(
        length=20,
        index=True,
        help_text="receiving, storage, quarantine, point_of_use, in_transit or disposal",
    )
    temp_min = Real(null=True, default=None, help_text="Controlled range lower bound, °C")
    temp_max = Real(null=True, default=None, help_text="Controlled range upper bound, °C")
    department = ForeignKey(
        Department,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        index=True,
        help_text="The ward a point-of-use cabinet belongs to",
    )
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())

    # Unique (warehouse, code): unique index in migrations/ (SQLite adds no constraints)


class DepartmentBudget(Table, tablename="department_budget"):
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict, index=True)
    period = Varchar(length=7, help_text="YYYY-MM")
    amount = BigInt(help_text="Budget in minor units (分)")
    created_at = Timestamptz(default=TimestamptzNow())

    # Unique (department, period): unique index in migrations/ (SQLite adds no constraints)


class DepartmentQuota(Table, tablename="department_quota"):
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict, index=True)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    period = Varchar(length=7, help_text="YYYY-MM")
    quantity = Integer(help_text="Most base units the department may receive in the period")
    created_at = Timestamptz(default=TimestamptzNow())

    # Unique (department, product, period): unique index in migrations/ (SQLite adds no constraints)
