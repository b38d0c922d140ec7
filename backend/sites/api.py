"""/api/v1 warehouses, locations, departments, budgets and quotas."""

from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from backend.auth.rules import Permission
from backend.core.crud_api import crud_controller
from backend.core.structs import Id, Input, Output
from backend.sites import service

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Code = Annotated[str, Meta(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9._/-]+$")]
Celsius = Annotated[float, Meta(ge=-200, le=100)]
Period = Annotated[str, Meta(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


class WarehouseOut(Output, kw_only=True):
    id: int
    code: str
    name: str
    address: str | None
    active: bool


class WarehouseIn(Input, kw_only=True):
    code: Code
    name: Name
    address: Annotated[str, Meta(max_length=300)] | None = None


class WarehousePatch(Input, kw_only=True):
    name: Name | UnsetType = UNSET
    address: Annotated[str, Meta(max_length=300)] | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET


class LocationOut(Output, kw_only=True):
    id: int
    warehouse: int
    code: str
    name: str | None
    kind: str
    temp_min: float | None
    temp_max: float | None
    department: int | None
    active: bool


class LocationIn(Input, kw_only=True):
    warehouse: Id
    code: Code
    name: Name | None = None
    kind: str
    temp_min: Celsius | None = None
    temp_max: Celsius | None = None
    department: Id | None = None


class LocationPatch(Input, kw_only=True):
    name: Name | UnsetType | None = UNSET
    kind: str | UnsetType = UNSET
    temp_min: Celsius | UnsetType | None = UNSET
    temp_max: Celsius | UnsetType | None = UNSET
    department: Id | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET


class DepartmentOut(Output, kw_only=True):
    id: int
    code: str
    name: str
    name_en: str | None
    warehouse: int | None
    budget_enforcement: str
    active: bool


class DepartmentIn(Input, kw_only=True):
    code: Code
    name: Name
    name_en: Name | None = None
    warehouse: Id | None = None
    budget_enforcement: str = "warn"


class DepartmentPatch(Input, kw_only=True):
    name: Name | UnsetType = UNSET
    name_en: Name | UnsetType | None = UNSET
    warehouse: Id | UnsetType | None = UNSET
    budget_enforcement: str | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class BudgetOut(Output, kw_only=True):
    id: int
    department: int
    period: str
    amount: int


class BudgetIn(Input, kw_only=True):
    department: Id
    period: Period
    amount: Annotated[int, Meta(ge=0, le=10**13, description="Minor units (分)")]


class BudgetPatch(Input, kw_only=True):
    amount: Annotated[int, Meta(ge=0, le=10**13)] | UnsetType = UNSET


class QuotaOut(Output, kw_only=True):
    id: int
    department: int
    product: int
    period: str
    quantity: int


class QuotaIn(Input, kw_only=True):
    department: Id
    product: Id
    period: Period
    quantity: Annotated[int, Meta(ge=0, le=10**8)]


class QuotaPatch(Input, kw_only=True):
    quantity: Annotated[int, Meta(ge=0, le=10**8)] | UnsetType = UNSET


READ = Permission.masterdata_read

CONTROLLERS = [
    crud_controller(
        path="/api/v1/warehouses",
        tag="warehouses",
        resource=service.WAREHOUSES,
        out=WarehouseOut,
        create_in=WarehouseIn,
        update_in=WarehousePatch,
        read=READ,
        write=Permission.sites_write,
    ),
    crud_controller(
        path="/api/v1/locations",
        tag="locations",
        resource=service.LOCATIONS,
        out=LocationOut,
        create_in=LocationIn,
        update_in=LocationPatch,
        read=READ,
        write=Permission.sites_write,
        filters={"warehouse": int, "kind": str, "department": int},
    ),
    crud_controller(
        path="/api/v1/departments",
        tag="departments",
        resource=service.DEPARTMENTS,
        out=DepartmentOut,
        create_in=DepartmentIn,
        update_in=DepartmentPatch,
        read=READ,
        write=Permission.sites_write,
        filters={"warehouse": int},
    ),
    crud_controller(
        path="/api/v1/department-budgets",
        tag="department_budgets",
        resource=service.BUDGETS,
        out=BudgetOut,
        create_in=BudgetIn,
        update_in=BudgetPatch,
        read=READ,
        write=Permission.budgets_write,
        filters={"department": int, "period": str},
    ),
    crud_controller(
        path="/api/v1/department-quotas",
        tag="department_quotas",
        resource=service.QUOTAS,
        out=QuotaOut,
        create_in=QuotaIn,
        update_in=QuotaPatch,
        read=READ,
        write=Permission.budgets_write,
        filters={"department": int, "product": int, "period": str},
    ),
]
