"""Lookups a scan needs from other domains: product by device identifier (with the lot and
serial it names), location by label, lot by id, pick list by id. Read-only.

The scan path is hot (every beep of every scanner), so the two look-ups nearly every scan
makes are group reads (``batching.Batcher``): the device identifiers, or the location labels,
of all scans waiting are looked up in ONE statement, the keys passed as one JSON parameter.
Under load a statement's fixed cost (a round trip; on SQLite a thread hop and a pooled
connection of its own) is paid once per batch, and concurrent scans do not each take a
connection. Nothing is cached: a lot put on hold or recalled shows in the next scan.

``item_by_di`` reads the catalog's and the stock domain's tables in one joined query instead of
calling their services one after the other. It reads columns only, never decides: the meaning
of a lot status stays in ``backend.stock.rules``. Two look-ups that belong in their owning
domain move there when it offers them:

- ``item_by_di``: catalog ``product_by_identifier`` answers the product and the base units but
  not the packaging level, and stock ``lookups.lot_by_number``/``serial_by_number`` are two
  more queries. It needs only columns that exist in both domains' committed tables.
- ``location_by_label``: the sites service has no look-up by (warehouse code, location code).
  Scope is applied per scan with ``Actor.sees_warehouse``/``sees_department``, the same rule
  as ``sites.service.location_scope``.

Lots by id and pick lists come from the stock domain's own functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from backend.catalog.tables import Product
from backend.core import db
from backend.core.actor import Actor
from backend.core.errors import NotFound
from backend.scanning.batching import Batcher
from backend.scanning.statements import json_param, keys_source, select_objects
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


async def _batch_rows(
    fields: Mapping[str, str], from_where: str, columns: tuple[str, ...], keys: Sequence[Key]
) -> list[list[dict[str, Any]]]:
    """``fields`` (name → expression) of the rows ``from_where`` finds for each key (its
    ``{keys}`` the batch's keys as ``k(i, <columns>)``), in the order of the keys."""
    source = keys_source(dict.fromkeys(columns, "text"))
    param = json_param([dict(zip(columns, key, strict=True)) for key in keys])
    answer: list[list[dict[str, Any]]] = [[] for _ in keys]
    for row in await select_objects({"i": "k.i", **fields}, from_where.format(keys=source), param):
        answer[int(row["i"])].append(row)
    return answer


_ITEM_KEYS: Final = ("agency", "di", "lot", "serial")
_ITEM_FIELDS: Final = {
    "pk_level": "pk.level", "pk_quantity": "pk.quantity",
    "id": "p.id", "code": "p.code", "name": "p.name", "name_en": "p.name_en", "model": "p.model",
    "tracking": "p.tracking", "base_unit": "p.base_unit", "active": "p.active",
    "registration_valid_until": "p.registration_valid_until",
    "lot_id": "l.id", "lot_number": "l.lot_number", "lot_expiry": "l.expiry",
    "lot_status": "l.status", "lot_product": "l.product",
    "serial_id": "s.id", "serial_number": "s.serial", "serial_status": "s.status",
    "unit_lot_id": "sl.id", "unit_lot_number": "sl.lot_number", "unit_lot_expiry": "sl.expiry",
    "unit_lot_status": "sl.status", "unit_lot_product": "sl.product",
}  # fmt: skip
_ITEM_FROM: Final = (
    "{keys} "
    "JOIN packaging pk ON pk.agency = k.agency AND pk.di = k.di "
    "JOIN product p ON p.id = pk.product "
    "LEFT JOIN lot l ON l.product = p.id AND l.lot_number = k.lot "
    "LEFT JOIN serial_number s ON s.product = p.id AND s.serial = k.serial "
    "LEFT JOIN lot sl ON sl.id = s.lot"
)
_PRODUCT_KEYS: Final = (
    "id", "code", "name", "name_en", "model", "tracking", "base_unit", "active",
    "registration_valid_until",
)  # fmt: skip

Key = tuple[str | None, ...]
ItemKey = tuple[str, str, str | None, str | None]


def _lot(row: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    if row[f"{prefix}_id"] is None:
        return None
    return {
        "id": row[f"{prefix}_id"],
        "product": row[f"{prefix}_product"],
        "lot_number": row[f"{prefix}_number"],
        "expiry": db.as_date(row[f"{prefix}_expiry"]),
        "status": row[f"{prefix}_status"],
    }


def _item(row: dict[str, Any]) -> tuple[ProductHit, StockUnit]:
    product = {key: row[key] for key in _PRODUCT_KEYS}
    product["active"] = bool(product["active"])
    product["registration_valid_until"] = db.as_date(product["registration_valid_until"])
    hit = ProductHit(product=product, level=row["pk_level"], quantity=int(row["pk_quantity"]))
    lot = _lot(row, "lot")
    serial: dict[str, Any] | None = None
    if row["serial_id"] is not None:
        serial = {
            "id": row["serial_id"],
            "serial": row["serial_number"],
            "status": row["serial_status"],
            "lot": row["unit_lot_id"],
        }
        # The unit's own lot is the truth; a lot number on the label that disagrees is shown
        # by the decoded part of the answer.
        lot = _lot(row, "unit_lot")
    return hit, StockUnit(lot=lot, serial=serial)


async def _items(keys: list[ItemKey]) -> list[tuple[ProductHit, StockUnit] | None]:
    rows = await _batch_rows(_ITEM_FIELDS, _ITEM_FROM, _ITEM_KEYS, keys)
    return [_item(found[0]) if found else None for found in rows]


_item_reader: Batcher[ItemKey, tuple[ProductHit, StockUnit] | None] = Batcher(_items)


async def item_by_di(
    agency: str, di: str, lot_number: str | None, serial: str | None
) -> tuple[ProductHit, StockUnit] | None:
    """The product whose packaging carries this identifier, the level and base units of that
    packaging, and the product's lot and serial of these numbers if stock knows them (a known
    serial brings its own lot); None when no product has the identifier. One statement for
    all scans waiting."""
    return await _item_reader.submit((agency, di, lot_number or None, serial or None))


async def product_by_id(product_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Product.select().where(Product._meta.primary_key == product_id).first()
    )
    return row


_LOCATION_KEYS: Final = ("warehouse", "code")
_LOCATION_FIELDS: Final = {
    "id": "loc.id", "code": "loc.code", "name": "loc.name", "kind": "loc.kind",
    "warehouse": "loc.warehouse", "department": "loc.department",
    "warehouse_code": "w.code", "warehouse_name": "w.name",
}  # fmt: skip
_LOCATION_FROM: Final = (
    # CROSS JOIN keeps SQLite's join order: per key, each warehouse (a handful), then the
    # location by its (warehouse, code) index; location.code alone has no index.
    "{keys} CROSS JOIN warehouse w CROSS JOIN location loc "
    "WHERE loc.warehouse = w.id AND loc.code = k.code AND loc.active "
    "AND (k.warehouse IS NULL OR w.code = k.warehouse)"
)
LocationKey = tuple[str | None, str]


async def _locations(keys: list[LocationKey]) -> list[list[dict[str, Any]]]:
    return await _batch_rows(_LOCATION_FIELDS, _LOCATION_FROM, _LOCATION_KEYS, keys)


_location_reader: Batcher[LocationKey, list[dict[str, Any]]] = Batcher(_locations)


def _sees(actor: Actor, location: dict[str, Any]) -> bool:
    """A location of the actor's warehouses, or a ward cabinet of the actor's departments."""
    department = location["department"]
    return actor.sees_warehouse(int(location["warehouse"])) or (
        department is not None and actor.sees_department(int(department))
    )


async def location_by_label(
    actor: Actor, warehouse_code: str | None, code: str
) -> dict[str, Any] | None:
    """The active location with this code in the caller's scope; with no warehouse code on the
    label, only if exactly one warehouse in scope has that code. Outside the scope reads as
    unknown. One statement for all scans waiting."""
    found = [r for r in await _location_reader.submit((warehouse_code, code)) if _sees(actor, r)]
    return found[0] if len(found) == 1 else None


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
