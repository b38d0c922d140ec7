"""/api/v1 manufacturers, products, packaging, suppliers, licences and supplier terms."""

import datetime as dt
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from backend.auth.rules import Permission
from backend.catalog import service
from backend.catalog.identifiers import normalise
from backend.core.crud_api import crud_controller
from backend.core.structs import Id, Input, Output

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Code = Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._/-]+$")]
Days = Annotated[int, Meta(ge=0, le=36500)]
Celsius = Annotated[float, Meta(ge=-200, le=100)]
Money = Annotated[int, Meta(ge=0, le=10**12, description="Minor units (分)")]
Count = Annotated[int, Meta(ge=1, le=10**7)]


class ManufacturerOut(Output, kw_only=True):
    id: int
    name: str
    name_en: str | None
    country: str | None
    active: bool


class ManufacturerIn(Input, kw_only=True):
    name: Name
    name_en: Name | None = None
    country: Annotated[str, Meta(pattern=r"^[A-Z]{2}$")] | None = None


class ManufacturerPatch(Input, kw_only=True):
    name: Name | UnsetType = UNSET
    name_en: Name | UnsetType | None = UNSET
    country: Annotated[str, Meta(pattern=r"^[A-Z]{2}$")] | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET


class ProductOut(Output, kw_only=True):
    id: int
    code: str
    name: str
    name_en: str | None
    model: str
    category: str
    risk_class: str
    tracking: str
    base_unit: str
    shelf_life_days: int | None
    min_remaining_shelf_life_days: int
    storage_temp_min: float | None
    storage_temp_max: float | None
    cold_chain: bool
    implant: bool
    registration_no: str | None
    registration_valid_until: dt.date | None
    registrant: str | None
    manufacturer: int | None
    allocation: str
    unit_cost: int
    active: bool


class ProductIn(Input, kw_only=True):
    code: Code
    name: Name
    name_en: Name | None = None
    model: Name
    category: Annotated[str, Meta(min_length=1, max_length=40)]
    risk_class: str
    tracking: str
    base_unit: Annotated[str, Meta(min_length=1, max_length=20)] = "each"
    shelf_life_days: Days | None = None
    min_remaining_shelf_life_days: Days = 0
    storage_temp_min: Celsius | None = None
    storage_temp_max: Celsius | None = None
    cold_chain: bool = False
    implant: bool = False
    registration_no: Annotated[str, Meta(max_length=100)] | None = None
    registration_valid_until: dt.date | None = None
    registrant: Name | None = None
    manufacturer: Id | None = None
    allocation: str = "fefo"
    unit_cost: Money = 0


class ProductPatch(Input, kw_only=True):
    name: Name | UnsetType = UNSET
    name_en: Name | UnsetType | None = UNSET
    model: Name | UnsetType = UNSET
    category: Annotated[str, Meta(min_length=1, max_length=40)] | UnsetType = UNSET
    risk_class: str | UnsetType = UNSET
    tracking: str | UnsetType = UNSET
    base_unit: Annotated[str, Meta(min_length=1, max_length=20)] | UnsetType = UNSET
    shelf_life_days: Days | UnsetType | None = UNSET
    min_remaining_shelf_life_days: Days | UnsetType = UNSET
    storage_temp_min: Celsius | UnsetType | None = UNSET
    storage_temp_max: Celsius | UnsetType | None = UNSET
    cold_chain: bool | UnsetType = UNSET
    implant: bool | UnsetType = UNSET
    registration_no: Annotated[str, Meta(max_length=100)] | UnsetType | None = UNSET
    registration_valid_until: dt.date | UnsetType | None = UNSET
    registrant: Name | UnsetType | None = UNSET
    manufacturer: Id | UnsetType | None = UNSET
    allocation: str | UnsetType = UNSET
    unit_cost: Money | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class PackagingOut(Output, kw_only=True):
    id: int
    product: int
    level: str
    quantity: int
    agency: str
    di: str
    original: str
    active: bool


class PackagingIn(Input, kw_only=True):
    product: Id
    level: Annotated[str, Meta(min_length=1, max_length=20)]
    quantity: Count
    agency: str = "GS1"
    identifier: Annotated[str, Meta(min_length=1, max_length=60)]
    """As printed: a GTIN-8/12/13/14, an HIBC LIC+PCN+U/M, or an MA code's first five segments."""


class PackagingPatch(Input, kw_only=True):
    level: Annotated[str, Meta(min_length=1, max_length=20)] | UnsetType = UNSET
    quantity: Count | UnsetType = UNSET
    active: bool | UnsetType = UNSET


def _packaging_values(values: dict[str, Any]) -> dict[str, Any]:
    if "identifier" not in values:
        return values
    ident = normalise(values.pop("agency"), values.pop("identifier"), field="identifier")
    return {**values, "agency": ident.agency, "di": ident.di, "original": ident.original}


class SupplierOut(Output, kw_only=True):
    id: int
    code: str
    name: str
    contact: str | None
    phone: str | None
    active: bool


class SupplierIn(Input, kw_only=True):
    code: Code
    name: Name
    contact: Annotated[str, Meta(max_length=100)] | None = None
    phone: Annotated[str, Meta(max_length=40)] | None = None


class SupplierPatch(Input, kw_only=True):
    name: Name | UnsetType = UNSET
    contact: Annotated[str, Meta(max_length=100)] | UnsetType | None = UNSET
    phone: Annotated[str, Meta(max_length=40)] | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET


class LicenceOut(Output, kw_only=True):
    id: int
    supplier: int
    kind: str
    number: str
    valid_until: dt.date | None
    active: bool


class LicenceIn(Input, kw_only=True):
    supplier: Id
    kind: str
    number: Annotated[str, Meta(min_length=1, max_length=100)]
    valid_until: dt.date | None = None


class LicencePatch(Input, kw_only=True):
    number: Annotated[str, Meta(min_length=1, max_length=100)] | UnsetType = UNSET
    valid_until: dt.date | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET


class SupplierProductOut(Output, kw_only=True):
    id: int
    supplier: int
    product: int
    lead_time_days: int
    moq: int
    pack_size: int
    price: int
    priority: str
    active: bool


class SupplierProductIn(Input, kw_only=True):
    supplier: Id
    product: Id
    lead_time_days: Days
    moq: Count = 1
    pack_size: Count = 1
    price: Money
    priority: str = "primary"


class SupplierProductPatch(Input, kw_only=True):
    lead_time_days: Days | UnsetType = UNSET
    moq: Count | UnsetType = UNSET
    pack_size: Count | UnsetType = UNSET
    price: Money | UnsetType = UNSET
    priority: str | UnsetType = UNSET
    active: bool | UnsetType = UNSET


READ, CATALOG, SUPPLIERS = (
    Permission.masterdata_read,
    Permission.catalog_write,
    Permission.suppliers_write,
)

CONTROLLERS = [
    crud_controller(
        path="/api/v1/manufacturers",
        tag="manufacturers",
        resource=service.MANUFACTURERS,
        out=ManufacturerOut,
        create_in=ManufacturerIn,
        update_in=ManufacturerPatch,
        read=READ,
        write=CATALOG,
    ),
    crud_controller(
        path="/api/v1/products",
        tag="products",
        resource=service.PRODUCTS,
        out=ProductOut,
        create_in=ProductIn,
        update_in=ProductPatch,
        read=READ,
        write=CATALOG,
        filters={
            "category": str,
            "risk_class": str,
            "tracking": str,
            "manufacturer": int,
            "cold_chain": bool,
            "implant": bool,
        },
        extra_search=service.product_identifier_search,
    ),
    crud_controller(
        path="/api/v1/packaging",
        tag="packaging",
        resource=service.PACKAGING,
        out=PackagingOut,
        create_in=PackagingIn,
        update_in=PackagingPatch,
        read=READ,
        write=CATALOG,
        filters={"product": int, "agency": str},
        to_values=_packaging_values,
    ),
    crud_controller(
        path="/api/v1/suppliers",
        tag="suppliers",
        resource=service.SUPPLIERS,
        out=SupplierOut,
        create_in=SupplierIn,
        update_in=SupplierPatch,
        read=READ,
        write=SUPPLIERS,
    ),
    crud_controller(
        path="/api/v1/supplier-licences",
        tag="supplier_licences",
        resource=service.LICENCES,
        out=LicenceOut,
        create_in=LicenceIn,
        update_in=LicencePatch,
        read=READ,
        write=SUPPLIERS,
        filters={"supplier": int, "kind": str},
    ),
    crud_controller(
        path="/api/v1/supplier-products",
        tag="supplier_products",
        resource=service.SUPPLIER_PRODUCTS,
        out=SupplierProductOut,
        create_in=SupplierProductIn,
        update_in=SupplierProductPatch,
        read=READ,
        write=SUPPLIERS,
        filters={"supplier": int, "product": int, "priority": str},
    ),
]

__all__ = ["CONTROLLERS", "msgspec"]
