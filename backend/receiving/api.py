"""/api/v1 purchase orders, receipts, inspection, QA release and rejection, putaway."""

import datetime as dt
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import JSONBody, QueryParameter
from msgspec import Meta

from backend.auth.guards import CurrentActor, requires
from backend.auth.rules import Permission
from backend.core.pagination import Limit, Offset, Page, page_of
from backend.core.params import PathId, QueryId
from backend.core.structs import Id, Input, Output, to_output
from backend.receiving import inspection, orders, putaway, receipts

Quantity = Annotated[int, Meta(ge=1, le=10_000_000)]
Count = Annotated[int, Meta(ge=0, le=10_000_000)]
Serial = Annotated[str, Meta(min_length=1, max_length=60)]


class PurchaseOrderLineIn(Input, kw_only=True):
    product: Id
    quantity: Quantity


class PurchaseOrderIn(Input, kw_only=True):
    number: Annotated[str, Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._/-]+$")]
    supplier: Id
    warehouse: Id
    lines: Annotated[list[PurchaseOrderLineIn], Meta(min_length=1, max_length=500)]
    promised_date: dt.date | None = None
    """The delivery date the supplier promised; by default today plus the longest lead time
    agreed with the supplier for the ordered products. Not before today."""


class PurchaseOrderPatch(Input, kw_only=True):
    promised_date: dt.date
    """The new promised delivery date: not before the order date; the order must be open."""
    reason: Annotated[str, Meta(max_length=500)] | None = None


class PurchaseOrderLineOut(Output, kw_only=True):
    id: int
    product: int
    quantity: int
    received: int


class PurchaseOrderOut(Output, kw_only=True):
    id: int
    number: str
    supplier: int
    warehouse: int
    status: str
    promised_date: dt.date | None
    created_at: dt.datetime
    lines: list[PurchaseOrderLineOut] = []


class PurchaseOrderController(Controller):
    path = "/api/v1/purchase-orders"
    tags = ["purchase orders"]

    @post("/", **requires(Permission.purchasing_write))
    async def create(
        self, actor: CurrentActor, data: JSONBody[PurchaseOrderIn]
    ) -> PurchaseOrderOut:
        order = await orders.create(
            actor,
            number=data.number,
            supplier=data.supplier,
            warehouse=data.warehouse,
            lines=[orders.OrderLine(x.product, x.quantity) for x in data.lines],
            promised_date=data.promised_date,
        )
        return to_output(order, PurchaseOrderOut)

    @patch("/{order_id:int}", **requires(Permission.purchasing_write))
    async def update(
        self, actor: CurrentActor, order_id: PathId, data: JSONBody[PurchaseOrderPatch]
    ) -> PurchaseOrderOut:
        order = await orders.set_promised_date(
            actor, order_id, data.promised_date, reason=data.reason
        )
        return to_output(order, PurchaseOrderOut)

    @get("/", **requires(Permission.stock_read))
    async def list_orders(
        self,
        actor: CurrentActor,
        status: Annotated[str | None, QueryParameter(max_length=20)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[PurchaseOrderOut]:
        rows, total = await orders.list_orders(actor, status=status, limit=limit, offset=offset)
        return page_of(rows, PurchaseOrderOut, total, limit, offset)

    @get("/{order_id:int}", **requires(Permission.stock_read))
    async def read(self, actor: CurrentActor, order_id: PathId) -> PurchaseOrderOut:
        return to_output(await orders.get(actor, order_id), PurchaseOrderOut)


class ReceiptLineIn(Input, kw_only=True):
    product: Id | None = None
    barcode: Annotated[str, Meta(min_length=1, max_length=400)] | None = None
    """A scanned label: product, lot, expiry, production date and serial are read from it."""
    lot_number: Annotated[str, Meta(min_length=1, max_length=60)] | None = None
    expiry: dt.date | None = None
    production_date: dt.date | None = None
    serials: Annotated[list[Serial], Meta(max_length=10_000)] = []
    quantity: Quantity
    arrival_temperature: Annotated[float, Meta(ge=-200, le=100)] | None = None
    purchase_order_line: Id | None = None


class ReceiptIn(Input, kw_only=True):
    warehouse: Id
    supplier: Id
    purchase_order: Id | None = None
    location: Id | None = None
    """The receiving location; the warehouse's first one if not given."""
    delivery_note: Annotated[str, Meta(max_length=100)] | None = None
    lines: Annotated[list[ReceiptLineIn], Meta(min_length=1, max_length=500)]


class ReceiptLineOut(Output, kw_only=True):
    id: int
    line_no: int
    product: int
    purchase_order_line: int | None
    lot: int
    quantity: int
    serials: list[str]
    arrival_temperature: float | None
    status: str
    qa_signature: int | None
    qa_at: dt.datetime | None


class ReceiptOut(Output, kw_only=True):
    id: int
    supplier: int
    warehouse: int
    location: int
    purchase_order: int | None
    delivery_note: str | None
    received_by_name: str
    received_at: dt.datetime
    lines: list[ReceiptLineOut] = []


class InspectionIn(Input, kw_only=True):
    appearance_ok: bool
    packaging_ok: bool
    label_ok: bool
    certificate_ok: bool
    accepted: Count
    rejected: Count
    rejected_serials: Annotated[list[Serial], Meta(max_length=10_000)] = []
    reject_reason: Annotated[str, Meta(max_length=500)] | None = None
    note: Annotated[str, Meta(max_length=1000)] | None = None


class ReleaseIn(Input, kw_only=True):
    password: Annotated[str, Meta(min_length=1, max_length=200)]
    """The signer's password, re-entered: the e-signature."""
    reason: Annotated[str, Meta(max_length=500)] | None = None


class RejectIn(Input, kw_only=True):
    password: Annotated[str, Meta(min_length=1, max_length=200)]
    reason: Annotated[str, Meta(min_length=1, max_length=500)]


class SignatureOut(Output, kw_only=True):
    id: int
    printed_name: str
    meaning: str
    signed_at: dt.datetime


class DecidedOut(ReceiptLineOut, kw_only=True):
    signature: SignatureOut


class InspectedOut(ReceiptLineOut, kw_only=True):
    inspection: int


class ReceiptController(Controller):
    path = "/api/v1/receipts"
    tags = ["receipts"]

    @post("/", **requires(Permission.stock_receive))
    async def create(self, actor: CurrentActor, data: JSONBody[ReceiptIn]) -> ReceiptOut:
        receipt = await receipts.receive(
            actor,
            warehouse=data.warehouse,
            supplier=data.supplier,
            purchase_order=data.purchase_order,
            location=data.location,
            delivery_note=data.delivery_note,
            lines=[
                receipts.LineIn(
                    quantity=x.quantity,
                    product=x.product,
                    barcode=x.barcode,
                    lot_number=x.lot_number,
                    expiry=x.expiry,
                    production_date=x.production_date,
                    serials=tuple(x.serials),
                    arrival_temperature=x.arrival_temperature,
                    purchase_order_line=x.purchase_order_line,
                )
                for x in data.lines
            ],
        )
        return to_output(receipt, ReceiptOut)

    @get("/", **requires(Permission.stock_read))
    async def list_receipts(
        self,
        actor: CurrentActor,
        warehouse: QueryId = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ReceiptOut]:
        rows, total = await receipts.list_receipts(
            actor, warehouse=warehouse, limit=limit, offset=offset
        )
        return page_of(rows, ReceiptOut, total, limit, offset)

    @get("/{receipt_id:int}", **requires(Permission.stock_read))
    async def read(self, actor: CurrentActor, receipt_id: PathId) -> ReceiptOut:
        return to_output(await receipts.get(actor, receipt_id), ReceiptOut)


class ReceiptLineController(Controller):
    path = "/api/v1/receipt-lines"
    tags = ["receipts"]

    @post("/{line_id:int}/inspection", **requires(Permission.stock_inspect))
    async def inspect(
        self, actor: CurrentActor, line_id: PathId, data: JSONBody[InspectionIn]
    ) -> InspectedOut:
        row = await inspection.inspect(
            actor,
            line_id,
            appearance_ok=data.appearance_ok,
            packaging_ok=data.packaging_ok,
            label_ok=data.label_ok,
            certificate_ok=data.certificate_ok,
            accepted=data.accepted,
            rejected=data.rejected,
            rejected_serials=data.rejected_serials,
            reject_reason=data.reject_reason,
            note=data.note,
        )
        return to_output(row, InspectedOut)

    @post("/{line_id:int}/release", status_code=200, **requires(Permission.stock_release))
    async def release(
        self, actor: CurrentActor, line_id: PathId, data: JSONBody[ReleaseIn]
    ) -> DecidedOut:
        row = await inspection.decide(
            actor, line_id, release=True, password=data.password, reason=data.reason
        )
        return to_output(row, DecidedOut)

    @post("/{line_id:int}/reject", status_code=200, **requires(Permission.stock_release))
    async def reject(
        self, actor: CurrentActor, line_id: PathId, data: JSONBody[RejectIn]
    ) -> DecidedOut:
        row = await inspection.decide(
            actor, line_id, release=False, password=data.password, reason=data.reason
        )
        return to_output(row, DecidedOut)


class PlaceOut(Output, kw_only=True):
    location_id: int
    code: str
    temp_min: float | None
    temp_max: float | None
    holds_product: int
    holds_anything: int


class PutawayIn(Input, kw_only=True):
    lot: Id
    serial: Id | None = None
    quantity: Quantity
    from_location: Id
    to_location: Id


class PutawayOut(Output, kw_only=True):
    ledger_ids: list[int]
    lot: int
    serial: int | None
    from_location: int
    to_location: int
    quantity: int


class PutawayController(Controller):
    path = "/api/v1/putaway"
    tags = ["putaway"]

    @get("/suggestions", **requires(Permission.stock_read))
    async def suggestions(
        self,
        actor: CurrentActor,
        product: Annotated[int, QueryParameter(ge=1)],
        warehouse: Annotated[int, QueryParameter(ge=1)],
    ) -> list[PlaceOut]:
        places = await putaway.suggest(actor, product_id=product, warehouse_id=warehouse)
        return [
            PlaceOut(
                location_id=p.location_id,
                code=p.code,
                temp_min=p.temp_min,
                temp_max=p.temp_max,
                holds_product=p.holds_product,
                holds_anything=p.holds_anything,
            )
            for p in places
        ]

    @post("/", **requires(Permission.stock_move))
    async def put_away(self, actor: CurrentActor, data: JSONBody[PutawayIn]) -> PutawayOut:
        moved = await putaway.put_away(
            actor,
            lot_id=data.lot,
            serial_id=data.serial,
            quantity=data.quantity,
            from_location=data.from_location,
            to_location=data.to_location,
        )
        return PutawayOut(
            ledger_ids=moved.ledger_ids,
            lot=moved.lot,
            serial=moved.serial,
            from_location=moved.from_location,
            to_location=moved.to_location,
            quantity=moved.quantity,
        )


CONTROLLERS = [
    PurchaseOrderController,
    ReceiptController,
    ReceiptLineController,
    PutawayController,
]
