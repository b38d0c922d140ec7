"""Lookups a scan needs from other domains: product by device identifier (with the lot and
serial it names), location by label, lot by id, pick list by id. Read-only.

The scan path is hot (every beep of every scanner), so ``item_by_di`` reads the catalog's and
the stock domain's tables in ONE joined query instead of calling their services one after the
other: each statement costs a round trip through the database driver, and on SQLite a
connection of its own outside a transaction. It reads columns only, never decides: the
meaning of a lot status stays in ``backend.stock.rules``. Two look-ups that belong in their
owning domain move there when it offers them:

- ``item_by_di``: catalog ``product_by_identifier`` answers the product and the base units but
  not the packaging level, and stock ``lookups.lot_by_number``/``serial_by_number`` are two
  more queries. It needs only columns that exist in both domains' committed tables.
- ``location_by_label``: the sites service has no look-up by (warehouse code, location code).
  Scope uses ``sites.service.location_scope``.

Lots by id and pick lists come from the stock domain's own functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from backend.catalog.tables import Product
from backend.core import db
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


@dataclass(frozen=True, slots=True)
class StockUnit:
    """The lot and serial records a label points at, where the stock domain knows them."""

    lot: dict[str, Any] | None = None
    serial: dict[str, Any] | None = None


_ITEM_SQL = (
    "SELECT pk.level AS pk_level, pk.quantity AS pk_quantity, "
    "p.id, p.code, p.name, p.name_en, p.model, p.tracking, p.base_unit, p.active, "
    "p.registration_valid_until, "
    "l.id AS lot_id, l.lot_number AS lot_number, l.expiry AS lot_expiry, "
    "l.status AS lot_status, l.product AS lot_product, "
    "s.id AS serial_id, s.serial AS serial_number, s.status AS serial_status, "
    "s.lot AS serial_lot "
    "FROM packaging pk JOIN product p ON p.id = pk.product "
    "LEFT JOIN lot l ON l.product = p.id AND l.lot_number = {} "
    "LEFT JOIN serial_number s ON s.product = p.id AND s.serial = {} "
    "WHERE pk.agency = {} AND pk.di = {} LIMIT 1"
)
_PRODUCT_KEYS = (
    "id", "code", "name", "name_en", "model", "tracking", "base_unit", "active",
    "registration_valid_until",
)  # fmt: skip


async def item_by_di(
    agency: str, di: str, lot_number: str | None, serial: str | None
) -> tuple[ProductHit, StockUnit] | None:
    """The product whose packaging carries this identifier, the level and base units of that
    packaging, and the product's lot and serial of these numbers if stock knows them; None
    when no product has the identifier. One query (a serial scanned without its lot costs a
    second one, for the serial's lot)."""
    rows = await db.fetch(_ITEM_SQL, lot_number or "", serial or "", agency, di)
    if not rows:
        return None
    row = rows[0]
    product = {key: row[key] for key in _PRODUCT_KEYS}
    product["active"] = bool(product["active"])
    product["registration_valid_until"] = as_date(product["registration_valid_until"])
    hit = ProductHit(product=product, level=row["pk_level"], quantity=int(row["pk_quantity"]))
    lot: dict[str, Any] | None = None
    if row["lot_id"] is not None and lot_number:
        lot = {
            "id": row["lot_id"],
            "product": row["lot_product"],
            "lot_number": row["lot_number"],
            "expiry": as_date(row["lot_expiry"]),
            "status": row["lot_status"],
        }
    found: dict[str, Any] | None = None
    if row["serial_id"] is not None and serial:
        found = {
            "id": row["serial_id"],
            "serial": row["serial_number"],
            "status": row["serial_status"],
            "lot": row["serial_lot"],
        }
        if lot is None or lot["id"] != found["lot"]:
            # The unit's own lot is the truth; a lot number on the label that disagrees is
            # shown by the decoded part of the answer.
            lot = await lot_by_id(int(found["lot"]))
    return hit, StockUnit(lot=lot, serial=found)


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
