"""Catalog resources and the lookups other domains call (by id, by device identifier)."""

from __future__ import annotations

from typing import Any

from backend.catalog import rules
from backend.catalog.tables import (
    Manufacturer,
    Packaging,
    Product,
    Supplier,
    SupplierLicence,
    SupplierProduct,
)
from backend.core.crud import Reference, Resource

MANUFACTURERS = Resource(
    table=Manufacturer, entity="manufacturer", unique=("name",), search=("name", "name_en")
)
PRODUCTS = Resource(
    table=Product,
    entity="product",
    unique=("code",),
    search=("name", "name_en", "model", "code", "registration_no"),
    filters=("category", "risk_class", "tracking", "manufacturer", "cold_chain", "implant"),
    references={"manufacturer": Reference(Manufacturer, "manufacturer")},
    validate=rules.check_product,
)
PACKAGING = Resource(
    table=Packaging,
    entity="packaging",
    unique_together=(("agency", "di"),),
    filters=("product", "agency"),
    search=("di", "original"),
    references={"product": Reference(Product, "product")},
    validate=rules.check_packaging,
    field_names={"di": "identifier"},
)
SUPPLIERS = Resource(table=Supplier, entity="supplier", unique=("code",), search=("name", "code"))
LICENCES = Resource(
    table=SupplierLicence,
    entity="supplier_licence",
    filters=("supplier", "kind"),
    search=("number",),
    references={"supplier": Reference(Supplier, "supplier")},
    validate=rules.check_licence,
)
SUPPLIER_PRODUCTS = Resource(
    table=SupplierProduct,
    entity="supplier_product",
    unique_together=(("supplier", "product"),),
    filters=("supplier", "product", "priority"),
    references={
        "supplier": Reference(Supplier, "supplier"),
        "product": Reference(Product, "product"),
    },
    validate=rules.check_supplier_product,
)


def product_identifier_search(q: str) -> Any:
    """Products whose packaging identifier contains the text: a GTIN typed or pasted."""
    from backend.core.crud import contains

    return Product.id.is_in(Packaging.select(Packaging.product).where(contains(Packaging.di, q)))


async def product_by_identifier(agency: str, di: str) -> tuple[dict[str, Any], int] | None:
    """The product and the base units in one of the scanned level, or None if unknown."""
    pack = await (
        Packaging.select(Packaging.product, Packaging.quantity)
        .where((Packaging.agency == agency) & (Packaging.di == di))
        .first()
    )
    if pack is None:
        return None
    product = await Product.select().where(Product.id == pack["product"]).first()
    return (product, pack["quantity"]) if product else None
