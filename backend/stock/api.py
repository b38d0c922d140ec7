"""/api/v1 stock, lots, serials, transfers, adjustments, returns, transfer orders, pick lists."""

import datetime as dt
from typing import Annotated, Any, Literal

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter
from msgspec import Meta

from backend.auth.guards import CurrentActor, requires
from backend.auth.rules import Permission
from backend.core.pagination import Limit, Offset, Page, page_of
from backend.core.params import PathId, QueryId
from backend.core.structs import Id, Input, Output, to_output
from backend.stock import lookups, lots, movements, picking, queries
from backend.stock.errors import ReasonNotAllowed
from backend.stock.reasons import LABELS, Reason

Quantity = Annotated[int, Meta(ge=1, le=10_000_000)]
Text = Annotated[str, Meta(min_length=1, max_length=500)]


class BalanceOut(Output, kw_only=True):
    id: int
    product: int
    product_code: str
    product_name: str
    model: str
    location: int
    location_code: str
    location_kind: str
    warehouse: int
    lot: int
    lot_number: str
    expiry: dt.date | None
    lot_status: str
    serial: int | None
    serial_number: str | None
    serial_status: str | None
    on_hand: int
    reserved: int
    available: int


class TotalOut(Output, kw_only=True):
    id: int
    code: str | None
    name: str | None
    on_hand: int
    reserved: int
    available: int


class ReasonOut(Output, kw_only=True):
    code: int
    name: str
    zh: str
    en: str


class LotOut(Output, kw_only=True):
    id: int
    product: int
    lot_number: str
    expiry: dt.date | None
    production_date: dt.date | None
    supplier: int | None
    status: str
    first_received_at: dt.datetime


class SerialOut(Output, kw_only=True):
    id: int
    product: int
    serial: str
    lot: int
    status: str


class LedgerOut(Output, kw_only=True):
    id: int
    at: dt.datetime
    product: int
    lot: int
    serial: int | None
    location: int
    location_code: str
    warehouse: int
    quantity: int
    reason: int
    reason_name: str
    document_type: str | None
    document_id: int | None
    document_line: int | None
    actor_id: int | None
    actor_name: str
    idempotency_key: str | None
    note: str | None


class StatusEventOut(Output, kw_only=True):
    id: int
    serial: int | None
    old_status: str | None
    new_status: str
    reason: str | None
    at: dt.datetime
    actor_name: str
    signature_id: int | None


class LotProductOut(Output, kw_only=True):
    id: int
    code: str
    name: str
    model: str
    tracking: str
    registration_no: str | None


class LotPageOut(Output, kw_only=True):
    lot: LotOut
    product: LotProductOut
    expired: bool
    status_history: list[StatusEventOut]
    stock: list[BalanceOut]
    ledger: list[LedgerOut]


class TraceHereOut(Output, kw_only=True):
    location: int
    location_code: str
    location_kind: str
    warehouse: int
    department: int | None
    serial: int | None
    on_hand: int
    reserved: int


class TraceWarehouseOut(Output, kw_only=True):
    warehouse: int
    code: str
    quantity: int
    first_at: dt.datetime
    last_at: dt.datetime


class TraceDepartmentOut(Output, kw_only=True):
    department: int
    code: str
    name: str
    quantity: int
    first_at: dt.datetime
    last_at: dt.datetime


class TraceCustomerOut(Output, kw_only=True):
    customer: str
    quantity: int
    first_at: dt.datetime
    last_at: dt.datetime


class TraceOut(Output, kw_only=True):
    lot: int
    serial: int | None
    now: list[TraceHereOut]
    warehouses: list[TraceWarehouseOut]
    departments: list[TraceDepartmentOut]
    customers: list[TraceCustomerOut]


class ReasonIn(Input, kw_only=True):
    reason: Text


class MoveIn(Input, kw_only=True):
    lot: Id
    serial: Id | None = None
    quantity: Quantity
    from_location: Id
    to_location: Id
    note: Annotated[str, Meta(max_length=500)] | None = None


class ReturnIn(Input, kw_only=True):
    lot: Id
    serial: Id | None = None
    quantity: Quantity
    from_location: Id
    to_location: Id
    reason: Text


class MovedOut(Output, kw_only=True):
    ledger_ids: list[int]
    lot: int
    serial: int | None
    from_location: int
    to_location: int
    quantity: int


class AdjustIn(Input, kw_only=True):
    lot: Id
    serial: Id | None = None
    location: Id
    quantity: Annotated[int, Meta(ge=-10_000_000, le=10_000_000)]
    """Signed: positive adds, negative removes; never 0."""
    reason: int
    """A reason code of the 8x range (GET /api/v1/stock/reasons)."""
    note: Text


class AdjustedOut(Output, kw_only=True):
    ledger_ids: list[int]


class StockController(Controller):
    path = "/api/v1/stock"
    tags = ["stock"]

    @get("/", **requires(Permission.stock_read))
    async def balances(
        self,
        actor: CurrentActor,
        product: QueryId = None,
        warehouse: QueryId = None,
        location: QueryId = None,
        lot: QueryId = None,
        include_empty: Annotated[bool, QueryParameter()] = False,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[BalanceOut]:
        rows, total = await queries.balances(
            actor,
            queries.StockFilter(product, warehouse, location, lot, include_empty),
            limit=limit,
            offset=offset,
        )
        return page_of(rows, BalanceOut, total, limit, offset)

    @get("/totals", **requires(Permission.stock_read))
    async def totals(
        self,
        actor: CurrentActor,
        group: Annotated[
            Literal["product", "warehouse", "location", "lot"], QueryParameter()
        ] = "product",
        product: QueryId = None,
        warehouse: QueryId = None,
        location: QueryId = None,
        lot: QueryId = None,
    ) -> list[TotalOut]:
        rows = await queries.totals(
            actor, queries.StockFilter(product, warehouse, location, lot), group
        )
        return [to_output(r, TotalOut) for r in rows]

    @get("/reasons", **requires(Permission.stock_read))
    async def reasons(self) -> list[ReasonOut]:
        return [
            ReasonOut(code=int(r), name=r.name, zh=LABELS[r][0], en=LABELS[r][1]) for r in Reason
        ]

    @post("/transfers", **requires(Permission.stock_move))
    async def transfer(self, actor: CurrentActor, data: JSONBody[MoveIn]) -> MovedOut:
        moved = await movements.transfer(
            actor,
            lot_id=data.lot,
            serial_id=data.serial,
            quantity=data.quantity,
            from_location=data.from_location,
            to_location=data.to_location,
            note=data.note,
        )
        return to_output(_moved(moved), MovedOut)

    @post("/returns", **requires(Permission.stock_move))
    async def department_return(self, actor: CurrentActor, data: JSONBody[ReturnIn]) -> MovedOut:
        moved = await movements.return_from_department(
            actor,
            lot_id=data.lot,
            serial_id=data.serial,
            quantity=data.quantity,
            from_location=data.from_location,
            to_location=data.to_location,
            reason=data.reason,
        )
        return to_output(_moved(moved), MovedOut)

    @post("/adjustments", **requires(Permission.stock_adjust))
    async def adjust(self, actor: CurrentActor, data: JSONBody[AdjustIn]) -> AdjustedOut:
        try:
            reason = Reason(data.reason)
        except ValueError:
            raise ReasonNotAllowed(field="reason", reason=data.reason) from None
        ids = await movements.adjust(
            actor,
            lot_id=data.lot,
            serial_id=data.serial,
            location_id=data.location,
            quantity=data.quantity,
            reason=reason,
            note=data.note,
        )
        return AdjustedOut(ledger_ids=ids)


def _moved(moved: movements.Moved) -> dict[str, Any]:
    return {
        "ledger_ids": moved.ledger_ids,
        "lot": moved.lot,
        "serial": moved.serial,
        "from_location": moved.from_location,
        "to_location": moved.to_location,
        "quantity": moved.quantity,
    }


class LotController(Controller):
    path = "/api/v1/lots"
    tags = ["lots"]

    @get("/", **requires(Permission.stock_read))
    async def list_lots(
        self,
        product: QueryId = None,
        lot_number: Annotated[str | None, QueryParameter(max_length=60)] = None,
        status: Annotated[str | None, QueryParameter(max_length=20)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[LotOut]:
        rows, total = await queries.lots(
            product=product, lot_number=lot_number, status=status, limit=limit, offset=offset
        )
        return page_of(rows, LotOut, total, limit, offset)

    @get("/{lot_id:int}", **requires(Permission.stock_read))
    async def lot_page(self, actor: CurrentActor, lot_id: PathId) -> LotPageOut:
        return to_output(await queries.lot_page(actor, lot_id), LotPageOut)

    @get("/{lot_id:int}/ledger", **requires(Permission.stock_read))
    async def lot_ledger(
        self,
        lot_id: PathId,
        before: QueryId = None,
        limit: Limit = 100,
    ) -> list[LedgerOut]:
        await lookups.lot(lot_id)
        rows = await queries.ledger_of(lot=lot_id, before=before, limit=limit)
        return [to_output(r, LedgerOut) for r in rows]

    @get("/{lot_id:int}/trace", **requires(Permission.stock_read))
    async def lot_trace(self, actor: CurrentActor, lot_id: PathId) -> TraceOut:
        return to_output(await queries.trace(actor, lot=lot_id), TraceOut)

    @post("/{lot_id:int}/hold", status_code=200, **requires(Permission.stock_hold))
    async def hold(self, actor: CurrentActor, lot_id: PathId, data: JSONBody[ReasonIn]) -> LotOut:
        return to_output(await lots.hold_lot(actor, lot_id, data.reason), LotOut)

    @post("/{lot_id:int}/release-hold", status_code=200, **requires(Permission.stock_hold))
    async def release_hold(
        self, actor: CurrentActor, lot_id: PathId, data: JSONBody[ReasonIn]
    ) -> LotOut:
        return to_output(await lots.release_lot_hold(actor, lot_id, data.reason), LotOut)

    @post("/{lot_id:int}/recall", status_code=200, **requires(Permission.stock_hold))
    async def recall(self, actor: CurrentActor, lot_id: PathId, data: JSONBody[ReasonIn]) -> LotOut:
        """Stop the lot everywhere at once: from now on it is never allocated, picked or
        issued. A QA decision like hold and release (no e-signature; closing a recall is
        what gets signed), and final: a recalled lot changes status no more."""
        return to_output(await lots.recall_lot(actor, lot_id, data.reason), LotOut)


class SerialController(Controller):
    path = "/api/v1/serials"
    tags = ["lots"]

    @get("/", **requires(Permission.stock_read))
    async def list_serials(
        self,
        product: QueryId = None,
        serial: Annotated[str | None, QueryParameter(max_length=60)] = None,
        lot: QueryId = None,
    ) -> list[SerialOut]:
        return [to_output(r, SerialOut) for r in await queries.serials(product, serial, lot)]

    @get("/{serial_id:int}/trace", **requires(Permission.stock_read))
    async def serial_trace(self, actor: CurrentActor, serial_id: PathId) -> TraceOut:
        return to_output(await queries.trace(actor, serial=serial_id), TraceOut)

    @post("/{serial_id:int}/hold", status_code=200, **requires(Permission.stock_hold))
    async def hold(
        self, actor: CurrentActor, serial_id: PathId, data: JSONBody[ReasonIn]
    ) -> SerialOut:
        return to_output(await lots.hold_serial(actor, serial_id, data.reason), SerialOut)

    @post("/{serial_id:int}/release-hold", status_code=200, **requires(Permission.stock_hold))
    async def release_hold(
        self, actor: CurrentActor, serial_id: PathId, data: JSONBody[ReasonIn]
    ) -> SerialOut:
        return to_output(await lots.release_serial_hold(actor, serial_id, data.reason), SerialOut)


# ---- transfer orders and pick lists ---------------------------------------------------------


class OrderLineIn(Input, kw_only=True):
    product: Id
    quantity: Quantity


class TransferOrderIn(Input, kw_only=True):
    from_warehouse: Id
    to_location: Id | None = None
    to_customer: Annotated[str, Meta(min_length=1, max_length=200)] | None = None
    lines: Annotated[list[OrderLineIn], Meta(min_length=1, max_length=500)]
    note: Annotated[str, Meta(max_length=500)] | None = None


class OrderLineOut(Output, kw_only=True):
    id: int
    product: int
    quantity: int


class TransferOrderOut(Output, kw_only=True):
    id: int
    from_warehouse: int
    to_location: int | None
    to_customer: str | None
    status: str
    note: str | None
    created_at: dt.datetime
    shipped_at: dt.datetime | None
    received_at: dt.datetime | None
    lines: list[OrderLineOut]
    discrepancies: list[dict[str, Any]] = []


class AllocateIn(Input, kw_only=True):
    allow_partial: bool = False


class PickLineOut(Output, kw_only=True):
    id: int
    document_line: int
    product: int
    lot: int
    lot_number: str
    expiry: dt.date | None
    serial: int | None
    serial_number: str | None
    location: int
    location_code: str
    quantity: int
    picked: int
    status: str
    picked_lot: int | None
    picked_serial: int | None
    picked_location: int | None
    deviation_reason: str | None
    short_reason: str | None
    picked_at: dt.datetime | None


class PickListOut(Output, kw_only=True):
    id: int
    document_type: str
    document_id: int
    warehouse: int
    status: str
    created_at: dt.datetime
    lines: list[PickLineOut]


class ConfirmIn(Input, kw_only=True):
    lot: Id | None = None
    lot_number: Annotated[str, Meta(min_length=1, max_length=60)] | None = None
    serial: Annotated[str, Meta(min_length=1, max_length=60)] | None = None
    location: Id | None = None
    """Where it was picked, if not the allocated location (a deviation)."""
    quantity: Quantity
    deviation_reason: Annotated[str, Meta(max_length=500)] | None = None
    short_reason: Annotated[str, Meta(max_length=500)] | None = None


class PickLineDoneOut(Output, kw_only=True):
    id: int
    status: str
    quantity: int
    picked: int
    picked_lot: int | None
    picked_serial: int | None
    picked_location: int | None
    deviation_reason: str | None
    short_reason: str | None


class ArrivedIn(Input, kw_only=True):
    lot: Id
    serial: Id | None = None
    quantity: Annotated[int, Meta(ge=0, le=10_000_000)]


class ReceiveTransitIn(Input, kw_only=True):
    lines: Annotated[list[ArrivedIn], Meta(max_length=2000)]
    discrepancy_reason: Annotated[str, Meta(max_length=500)] | None = None


async def _order_out(actor: Any, order: dict[str, Any]) -> TransferOrderOut:
    lines = await picking.order_lines(order["id"])
    gaps = await picking.discrepancies(order["id"])
    return to_output(
        {
            **order,
            "lines": lines,
            "discrepancies": [
                {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in g.items()}
                for g in gaps
            ],
        },
        TransferOrderOut,
    )


class TransferOrderController(Controller):
    path = "/api/v1/transfer-orders"
    tags = ["transfer orders"]

    @post("/", **requires(Permission.stock_pick))
    async def create(
        self, actor: CurrentActor, data: JSONBody[TransferOrderIn]
    ) -> TransferOrderOut:
        order = await picking.create_transfer_order(
            actor,
            from_warehouse=data.from_warehouse,
            to_location=data.to_location,
            to_customer=data.to_customer,
            note=data.note,
            lines=[picking.OrderLine(x.product, x.quantity) for x in data.lines],
        )
        return await _order_out(actor, order)

    @get("/{order_id:int}", **requires(Permission.stock_read))
    async def read(self, actor: CurrentActor, order_id: PathId) -> TransferOrderOut:
        return await _order_out(actor, await picking.get_order(actor, order_id))

    @post("/{order_id:int}/allocate", **requires(Permission.stock_pick))
    async def allocate(
        self, actor: CurrentActor, order_id: PathId, data: JSONBody[AllocateIn]
    ) -> PickListOut:
        return to_output(
            await picking.allocate_order(actor, order_id, allow_partial=data.allow_partial),
            PickListOut,
        )

    @post("/{order_id:int}/ship", status_code=200, **requires(Permission.stock_pick))
    async def ship(self, actor: CurrentActor, order_id: PathId) -> TransferOrderOut:
        return await _order_out(actor, await picking.ship(actor, order_id))

    @post("/{order_id:int}/receive", status_code=200, **requires(Permission.stock_receive))
    async def receive(
        self, actor: CurrentActor, order_id: PathId, data: JSONBody[ReceiveTransitIn]
    ) -> TransferOrderOut:
        order = await picking.receive(
            actor,
            order_id,
            discrepancy_reason=data.discrepancy_reason,
            lines=[picking.Arrived(x.lot, x.serial, x.quantity) for x in data.lines],
        )
        return await _order_out(actor, order)


class PickListController(Controller):
    path = "/api/v1/pick-lists"
    tags = ["pick lists"]

    @get("/{pick_list_id:int}", **requires(Permission.stock_read))
    async def read(self, actor: CurrentActor, pick_list_id: PathId) -> PickListOut:
        return to_output(await picking.pick_list(actor, pick_list_id), PickListOut)

    @post(
        "/{pick_list_id:int}/lines/{line_id:int}/confirm",
        status_code=200,
        **requires(Permission.stock_pick),
    )
    async def confirm(
        self,
        actor: CurrentActor,
        pick_list_id: PathId,
        line_id: PathId,
        data: JSONBody[ConfirmIn],
    ) -> PickLineDoneOut:
        line = await picking.confirm_pick(
            actor,
            pick_list_id,
            line_id,
            scan=picking.Scan(data.lot, data.lot_number, data.serial, data.location),
            quantity=data.quantity,
            deviation_reason=data.deviation_reason,
            short_reason=data.short_reason,
        )
        return to_output(line, PickLineDoneOut)

    @post(
        "/{pick_list_id:int}/lines/{line_id:int}/short",
        status_code=200,
        **requires(Permission.stock_pick),
    )
    async def short(
        self,
        actor: CurrentActor,
        pick_list_id: PathId,
        line_id: PathId,
        data: JSONBody[ReasonIn],
    ) -> PickLineDoneOut:
        return to_output(
            await picking.short_pick(actor, pick_list_id, line_id, reason=data.reason),
            PickLineDoneOut,
        )

    @post("/{pick_list_id:int}/cancel", status_code=200, **requires(Permission.stock_pick))
    async def cancel(
        self, actor: CurrentActor, pick_list_id: PathId, data: JSONBody[ReasonIn]
    ) -> PickListOut:
        return to_output(
            await picking.cancel_pick_list(actor, pick_list_id, data.reason), PickListOut
        )


CONTROLLERS = [
    StockController,
    LotController,
    SerialController,
    TransferOrderController,
    PickListController,
]
