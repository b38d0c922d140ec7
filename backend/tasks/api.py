"""/api/v1/tasks: today's work for the signed-in user (Home's counts, task lists)."""

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, get
from litestar.params import QueryParameter

from backend.auth.guards import CurrentActor, requires
from backend.auth.rules import Permission
from backend.core.structs import Output, S, to_output
from backend.tasks import service

ListLimit = Annotated[int, QueryParameter(ge=1, le=500)]


def _out(rows: list[dict[str, Any]], kind: type[S]) -> list[S]:
    return [to_output(r, kind) for r in rows]


class SummaryOut(Output, kw_only=True):
    receive: int
    qa_release: int
    putaway: int
    pick: int
    transfer: int
    dispatch: int
    """Ward requisitions approved or back-ordered, waiting for release (Ward orders)."""


class InspectionOut(Output, kw_only=True):
    appearance_ok: bool
    packaging_ok: bool
    label_ok: bool
    certificate_ok: bool
    accepted: int
    rejected: int
    rejected_serials: list[str]
    reject_reason: str | None
    note: str | None
    inspector_name: str
    inspected_at: dt.datetime


class QaLineOut(Output, kw_only=True):
    id: int
    receipt: int
    line_no: int
    status: str
    quantity: int
    serials: list[str]
    arrival_temperature: float | None
    received_at: dt.datetime
    received_by_name: str
    delivery_note: str | None
    warehouse: int
    warehouse_code: str
    supplier_name: str
    product: int
    product_code: str
    product_name: str
    product_name_en: str | None
    model: str
    cold_chain: bool
    storage_temp_min: float | None
    storage_temp_max: float | None
    registration_no: str | None
    lot: int
    lot_number: str
    expiry: dt.date | None
    lot_status: str
    inspection: InspectionOut | None


class PutawayItemOut(Output, kw_only=True):
    id: int
    lot: int
    lot_number: str
    expiry: dt.date | None
    lot_status: str
    serial: int | None
    serial_number: str | None
    on_hand: int
    reserved: int
    location: int
    location_code: str
    warehouse: int
    warehouse_code: str
    product: int
    product_code: str
    product_name: str
    product_name_en: str | None
    model: str


class PickTaskOut(Output, kw_only=True):
    id: int
    document_type: str
    document_id: int
    warehouse: int
    warehouse_code: str
    created_at: dt.datetime
    to_customer: str | None
    to_location_code: str | None
    to_warehouse_code: str | None
    lines: int
    open_lines: int


class TransitUnitOut(Output, kw_only=True):
    lot: int
    lot_number: str
    expiry: dt.date | None
    serial: int | None
    serial_number: str | None
    product: int
    product_code: str
    product_name: str
    product_name_en: str | None
    model: str
    quantity: int


class TransferTaskOut(Output, kw_only=True):
    id: int
    direction: str
    """outgoing (picked here, to ship) or incoming (shipped to here, to receive)."""
    status: str
    from_warehouse: int
    from_warehouse_code: str
    to_location: int | None
    to_location_code: str | None
    to_warehouse: int | None
    to_warehouse_code: str | None
    to_customer: str | None
    note: str | None
    created_at: dt.datetime
    shipped_at: dt.datetime | None
    units: list[TransitUnitOut]


class DestinationOut(Output, kw_only=True):
    id: int
    code: str
    name: str | None
    warehouse: int
    warehouse_code: str
    warehouse_name: str


class TaskController(Controller):
    path = "/api/v1/tasks"
    tags = ["tasks"]

    @get("/summary", **requires(Permission.stock_read))
    async def summary(self, actor: CurrentActor) -> SummaryOut:
        s = await service.summary(actor)
        return SummaryOut(
            receive=s.receive,
            qa_release=s.qa_release,
            putaway=s.putaway,
            pick=s.pick,
            transfer=s.transfer,
            dispatch=s.dispatch,
        )

    @get("/qa", **requires(Permission.stock_read))
    async def qa(self, actor: CurrentActor, limit: ListLimit = 100) -> list[QaLineOut]:
        return _out(await service.inspection_queue(actor, limit), QaLineOut)

    @get("/putaway", **requires(Permission.stock_read))
    async def putaway(self, actor: CurrentActor, limit: ListLimit = 100) -> list[PutawayItemOut]:
        return _out(await service.putaway_queue(actor, limit), PutawayItemOut)

    @get("/picks", **requires(Permission.stock_read))
    async def picks(self, actor: CurrentActor, limit: ListLimit = 100) -> list[PickTaskOut]:
        return _out(await service.pick_queue(actor, limit), PickTaskOut)

    @get("/transfers", **requires(Permission.stock_read))
    async def transfers(self, actor: CurrentActor, limit: ListLimit = 100) -> list[TransferTaskOut]:
        return _out(await service.transfer_queue(actor, limit), TransferTaskOut)

    @get("/destinations", **requires(Permission.stock_read))
    async def destinations(self, actor: CurrentActor) -> list[DestinationOut]:
        return _out(await service.destinations(actor), DestinationOut)


CONTROLLERS = [TaskController]
