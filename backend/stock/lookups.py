"""Loading what stock services act on, with the caller's scope: a location outside it reads as
missing. Products and locations come through their own domains' resources."""

from __future__ import annotations

from typing import Any

from backend.catalog.service import PRODUCTS
from backend.core import crud
from backend.core.actor import Actor
from backend.core.db import fetch as fetch_rows
from backend.core.errors import NotFound
from backend.sites.service import LOCATIONS, WAREHOUSES
from backend.stock.errors import NoLocationOfKind
from backend.stock.tables import Lot, SerialNumber


async def product(actor: Actor, product_id: int, field: str = "product") -> dict[str, Any]:
    try:
        return await crud.get(PRODUCTS, actor, product_id)
    except NotFound:
        raise NotFound(field=field, entity="product", key=product_id) from None


async def location(actor: Actor, location_id: int, field: str = "location") -> dict[str, Any]:
    try:
        row = await crud.get(LOCATIONS, actor, location_id)
    except NotFound:
        raise NotFound(field=field, entity="location", key=location_id) from None
    if not row["active"]:
        raise NotFound(field=field, entity="location", key=location_id)
    return row


async def warehouse(actor: Actor, warehouse_id: int, field: str = "warehouse") -> dict[str, Any]:
    try:
        return await crud.get(WAREHOUSES, actor, warehouse_id)
    except NotFound:
        raise NotFound(field=field, entity="warehouse", key=warehouse_id) from None


async def lot(lot_id: int, field: str = "lot") -> dict[str, Any]:
    row: dict[str, Any] | None = await Lot.select().where(Lot.id == lot_id).first()
    if row is None:
        raise NotFound(field=field, entity="lot", key=lot_id)
    return row


async def lot_by_number(product_id: int, lot_number: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await (
        Lot.select().where((Lot.product == product_id) & (Lot.lot_number == lot_number)).first()
    )
    return row


async def serial(serial_id: int, field: str = "serial") -> dict[str, Any]:
    row: dict[str, Any] | None = await (
        SerialNumber.select().where(SerialNumber.id == serial_id).first()
    )
    if row is None:
        raise NotFound(field=field, entity="serial", key=serial_id)
    return row


async def serial_by_number(product_id: int, number: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await (
        SerialNumber.select()
        .where((SerialNumber.product == product_id) & (SerialNumber.serial == number))
        .first()
    )
    return row


async def location_of_kind(warehouse_id: int, kind: str) -> dict[str, Any]:
    """The warehouse's first active location of a kind (receiving, quarantine, in_transit)."""
    rows = await fetch_rows(
        "SELECT * FROM location WHERE warehouse = {} AND kind = {} AND active = {} "
        "ORDER BY id LIMIT 1",
        warehouse_id,
        kind,
        True,
    )
    if not rows:
        raise NoLocationOfKind(warehouse=warehouse_id, kind=kind)
    return rows[0]
