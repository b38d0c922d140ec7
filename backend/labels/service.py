"""Building labels: load what they show (within the caller's scope), choose the GTIN, check that
what is printed decodes back to the same data, and render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final, Literal

import anyio

from backend.catalog.service import PACKAGING, PRODUCTS
from backend.core import crud
from backend.core.actor import Actor
from backend.core.errors import InvalidInput
from backend.labels import pdf, zpl
from backend.labels.pdf import LocationLabel, LotLabel, Size
from backend.labels.symbols import Gs1Data, LabelDataInvalid
from backend.scanning.decoding import decode
from backend.scanning.decoding.internal import location_label as location_payload
from backend.sites.service import LOCATIONS, WAREHOUSES

Format = Literal["pdf", "zpl"]

KIND_NAMES: Final = {
    "receiving": "收货区 receiving",
    "storage": "存储区 storage",
    "quarantine": "待验隔离区 quarantine",
    "point_of_use": "二级库 point of use",
    "in_transit": "在途 in transit",
    "disposal": "报废区 disposal",
}


async def _gtin(actor: Actor, product_id: int, wanted: str | None) -> str:
    """The GTIN to print: the one asked for (any of the product's GS1 levels), else the
    product's smallest GS1 level."""
    rows, _ = await crud.list_records(
        PACKAGING, actor, filters={"product": product_id, "agency": "GS1"}, limit=100
    )
    if wanted is not None:
        padded = wanted.zfill(14)
        if not any(row["di"] == padded for row in rows):
            raise InvalidInput(field="gtin", reason="not a GS1 identifier of this product")
        return padded
    if not rows:
        raise LabelDataInvalid(field="gtin", reason="the product has no GS1 GTIN")
    return str(min(rows, key=lambda row: (row["quantity"], row["id"]))["di"])


async def lot_labels(
    actor: Actor,
    *,
    product_id: int,
    gtin: str | None,
    lot: str | None,
    expiry: dt.date | None,
    serials: Sequence[str],
    copies: int,
    today: dt.date,
) -> list[LotLabel]:
    """One label per serial, or ``copies`` labels of the lot. Each label's data is decoded
    back with the scanner's decoder before it is printed: what we print, we can scan."""
    product: dict[str, Any] = await crud.get(PRODUCTS, actor, product_id)
    number = await _gtin(actor, product_id, gtin)
    data = [Gs1Data(number, expiry, lot, serial) for serial in serials] or [
        Gs1Data(number, expiry, lot)
    ] * copies
    for item in {d.transmitted(): d for d in data}.values():
        decoded = decode(item.transmitted(), today=today)
        if (decoded.gtin, decoded.lot, decoded.serial) != (item.gtin, item.lot, item.serial):
            raise LabelDataInvalid(reason="the symbol would not scan back to the same data")
    name = str(product["name"])
    return [LotLabel(name=name, model=str(product["model"]), data=d) for d in data]


async def location_label(
    actor: Actor, location_id: int, symbol: Literal["qr", "datamatrix"]
) -> LocationLabel:
    location = await crud.get(LOCATIONS, actor, location_id)
    warehouse = await crud.get(WAREHOUSES, actor, int(location["warehouse"]))
    try:
        payload = location_payload(str(warehouse["code"]), str(location["code"]))
    except ValueError as error:
        raise LabelDataInvalid(field="code", reason=str(error)) from None
    return LocationLabel(
        code=str(location["code"]),
        name=str(location["name"] or ""),
        warehouse=f"{warehouse['name']} {warehouse['code']}",
        kind=KIND_NAMES.get(str(location["kind"]), str(location["kind"])),
        payload=payload,
        symbol=symbol,
    )


async def render_lot(labels: Sequence[LotLabel], size: Size, fmt: Format) -> bytes:
    if fmt == "zpl":
        return zpl.join([zpl.lot_label(label, size) for label in labels]).encode()
    html = pdf.document([pdf.lot_html(label) for label in labels], size)
    return await anyio.to_thread.run_sync(pdf.render, html)


async def render_location(label: LocationLabel, size: Size, fmt: Format, copies: int) -> bytes:
    if fmt == "zpl":
        return zpl.join([zpl.location_label(label, size)] * copies).encode()
    html = pdf.document([pdf.location_html(label)] * copies, size)
    return await anyio.to_thread.run_sync(pdf.render, html)
