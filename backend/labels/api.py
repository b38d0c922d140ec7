"""/api/v1/labels: lot labels (GS1 DataMatrix) and location labels (QR or DataMatrix), as PDF
or as ZPL for Zebra printers."""

import datetime as dt
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from backend.auth.guards import CurrentActor, requires
from backend.auth.rules import Permission
from backend.core import clock
from backend.core.structs import Input
from backend.labels import service

# GS1 CSET 82 without the characters that would need escaping anywhere we print them.
Cset82 = Annotated[
    str, msgspec.Meta(min_length=1, max_length=20, pattern=r"^[!-\"%-/0-9:-?A-Z_a-z]+$")
]
FormatParam = Annotated[
    Literal["pdf", "zpl"], QueryParameter(description="pdf (default) or zpl (Zebra)")
]
SizeParam = Annotated[Literal["60x40", "100x50"], QueryParameter(description="Label size, mm")]


class LotLabelIn(Input, kw_only=True):
    product: Annotated[int, msgspec.Meta(ge=1)]
    gtin: Annotated[str, msgspec.Meta(pattern=r"^(\d{8}|\d{12,14})$")] | None = None
    """One of the product's GS1 GTINs; default: its smallest packaging level."""
    lot: Cset82 | None = None
    expiry: dt.date | None = None
    serials: Annotated[list[Cset82], msgspec.Meta(max_length=500)] = []
    """One label per serial; none: ``copies`` labels of the lot."""
    copies: Annotated[int, msgspec.Meta(ge=1, le=500)] = 1


def _file(body: bytes, fmt: str, name: str) -> Response[bytes]:
    if fmt == "zpl":
        return Response(body, media_type="text/plain; charset=utf-8")
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


class LabelController(Controller):
    path = "/api/v1/labels"
    tags = ["labels"]

    @post("/lot", status_code=200, **requires(Permission.labels_print))
    async def lot_labels(
        self,
        actor: CurrentActor,
        data: JSONBody[LotLabelIn],
        format: FormatParam = "pdf",
        size: SizeParam = "60x40",
    ) -> Response[bytes]:
        """Labels for a lot received without a usable label, or for internal use."""
        labels = await service.lot_labels(
            actor,
            product_id=data.product,
            gtin=data.gtin,
            lot=data.lot,
            expiry=data.expiry,
            serials=data.serials,
            copies=data.copies,
            today=clock.today(),
        )
        return _file(await service.render_lot(labels, size, format), format, "lot-labels")

    @get("/locations/{location_id:int}", **requires(Permission.labels_print))
    async def location_label(
        self,
        actor: CurrentActor,
        location_id: Annotated[int, PathParameter(ge=1)],
        format: FormatParam = "pdf",
        size: SizeParam = "60x40",
        symbol: Annotated[Literal["qr", "datamatrix"], QueryParameter()] = "qr",
        copies: Annotated[int, QueryParameter(ge=1, le=500)] = 1,
    ) -> Response[bytes]:
        """A location's label; it scans as ``LW:LOC:<warehouse code>:<location code>``."""
        label = await service.location_label(actor, location_id, symbol)
        body = await service.render_location(label, size, format, copies)
        return _file(body, format, f"location-{location_id}")


CONTROLLERS = [LabelController]
