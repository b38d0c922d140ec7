"""Lookups a scan needs from other domains: product by device identifier, location by label,
lot and serial by number, pick list by id. Read-only, one small query each.

Two of them read other domains' tables directly, each for a reason given beside it; they
belong in the owning domain's service and move there when it offers them:

- ``product_by_di`` (catalog): ``catalog.service.product_by_identifier`` answers the product
  and the base units, but a scan must also say which packaging level it hit, and one joined
  query is cheaper than two on the hot path.
- ``location_by_label`` (sites): a label names the warehouse by code, and the sites service has
  no look-up by (warehouse code, location code) yet. Scope uses ``sites.service.location_scope``.

Lot and serial come from the stock domain's look-ups (``backend.stock.lookups``):
``stock_unit`` is the one function to change if those move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from backend.catalog.tables import Packaging, Product
from backend.core.actor import Actor
from backend.core.errors import NotFound
from backend.sites.service import location_scope
from backend.sites.tables import Location
from backend.stock import lookups as stock_lookups


@dataclass(frozen=True, slots=True)
class ProductHit:
    product: dict[str, Any]
    level: str
    """each, box, case or pallet: the packaging level whose identifier was scanned."""
    quantity: int
    """Base units in one of that level."""


async def product_by_di(agency: str, di: str) -> ProductHit | None:
    row: dict[str, Any] | None = await (
        Packaging.select(Packaging.level, Packaging.quantity, *Packaging.product.all_columns())
        .where((Packaging.agency == agency) & (Packaging.di == di))
        .output(nested=True)
        .first()
    )
    if row is None:
        return None
    return ProductHit(product=row["product"], level=row["level"], quantity=row["quantity"])


async def product_by_id(product_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Product.select().where(Product._meta.primary_key == product_id).first()
    )
    return row


async def location_by_label(
    actor: Actor, warehouse_code: str | None, code: str
) -> dict[str, Any] | None:
    """The active location with this code in the caller's scope; with no warehouse code on the
    label, only if exactly one warehouse in scope has that code. Outside the scope reads as
    unknown."""
    where: Any = (Location.code == code) & (Location.active == True)  # noqa: E712
    if warehouse_code is not None:
        where &= Location.warehouse.code == warehouse_code
    if (scope := location_scope(actor)) is not None:
        where &= scope
    rows: list[dict[str, Any]] = await (
        Location.select(
            Location._meta.primary_key,
            Location.code,
            Location.name,
            Location.kind,
            Location.warehouse,
            Location.warehouse.code.as_alias("warehouse_code"),
            Location.warehouse.name.as_alias("warehouse_name"),
        )
        .where(where)
        .limit(2)
    )
    return rows[0] if len(rows) == 1 else None


@dataclass(frozen=True, slots=True)
class StockUnit:
    """The lot and serial records a label points at, where the stock domain knows them."""

    lot: dict[str, Any] | None = None
    serial: dict[str, Any] | None = None


async def stock_unit(product_id: int, lot_number: str | None, serial: str | None) -> StockUnit:
    """Needs from the stock domain: the lot of a product by number, the serial of a product by
    number, and a lot by id (rows with ``id``, ``lot_number``, ``expiry``, ``status``; a
    serial row with ``id``, ``serial``, ``lot``, ``status``)."""
    lot = await stock_lookups.lot_by_number(product_id, lot_number) if lot_number else None
    found_serial = await stock_lookups.serial_by_number(product_id, serial) if serial else None
    if lot is None and found_serial is not None:
        lot = await lot_by_id(int(found_serial["lot"]))
    return StockUnit(lot=lot, serial=found_serial)


async def lot_by_id(lot_id: int) -> dict[str, Any] | None:
    try:
        return await stock_lookups.lot(lot_id)
    except NotFound:
        return None


async def pick_list_by_id(actor: Actor, pick_list_id: int) -> dict[str, Any] | None:
    """The pick list header (with its lines) in the caller's scope, or None."""
    from backend.stock.picking import pick_list

    try:
        return await pick_list(actor, pick_list_id)
    except NotFound:
        return None


def as_date(value: object) -> date | None:
    """Dates as SQLite may hand them back (ISO text) or as PostgreSQL does."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
