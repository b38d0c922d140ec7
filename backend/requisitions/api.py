"""/api/v1 requisitions, department catalogues and budgets, point-of-use use and returns,
patient uses and trace, and the requisition reports."""

import asyncio
import datetime as dt
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter
from msgspec import Meta

from backend.auth.guards import CurrentActor, requires
from backend.auth.rules import Permission
from backend.core import clock
from backend.core.errors import InvalidInput
from backend.core.pagination import Limit, Offset, Page, Search, page_of
from backend.core.params import PathId, QueryId
from backend.core.structs import Id, Input, Output, to_output
from backend.requisitions import (
    approving,
    budget,
    catalogue,
    delivery_note,
    fulfilling,
    reports,
    requesting,
    rules,
    using,
)

Quantity = Annotated[int, Meta(ge=1, le=rules.MAX_LINE_QUANTITY)]
"""More than MAX_LINE_QUANTITY on one line is refused (422 INVALID_INPUT) before any lookup."""
Reason = Annotated[str, Meta(min_length=1, max_length=500)]
Note = Annotated[str, Meta(max_length=500)]


# ---- structs --------------------------------------------------------------------------------


class CatalogueOut(Output, kw_only=True):
    id: int
    department: int
    product: int
    product_code: str
    product_name: str
    model: str
    base_unit: str
    tracking: str
    implant: bool
    unit_cost: int
    par_level: int
    favourite: bool


class CatalogueIn(Input, kw_only=True):
    par_level: Annotated[int, Meta(ge=0, le=rules.MAX_LINE_QUANTITY)] = 0
    favourite: bool = False
    active: bool = True


class CatalogueEntryOut(Output, kw_only=True):
    id: int
    department: int
    product: int
    par_level: int
    favourite: bool
    active: bool


class DepartmentQuotaOut(Output, kw_only=True):
    product: int
    product_code: str
    quota: int
    """Units of the product the department may have approved in the period."""
    committed: int
    remaining: int


class DepartmentBudgetOut(Output, kw_only=True):
    """A department's budget and quotas for one month (``GET /departments/{id}/budget``)."""

    department: int
    period: Annotated[str, Meta(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
    """YYYY-MM."""
    enforcement: Literal["warn", "block"]
    """Over budget or quota: "warn" submits with warnings, "block" refuses."""
    budget: int | None
    """Minor units (分); null when no budget is set for the period."""
    committed: int
    """Approved value (分) of the period's requisitions, approved and later."""
    remaining: int | None
    """budget - committed (may be negative); null when no budget is set."""
    quotas: list[DepartmentQuotaOut]


class PolicyIn(Input, kw_only=True):
    high_value_unit_cost: Annotated[int, Meta(ge=0, le=10**12)]
    """Unit cost (分) from which a line needs the second approval level."""
    level2_role: Literal["admin", "department_head"] = "admin"


class PolicyOut(Output, kw_only=True):
    department: int
    high_value_unit_cost: int
    level1_roles: list[str]
    level2_roles: list[str]


class ParLineOut(Output, kw_only=True):
    product: int
    product_code: str
    product_name: str
    model: str
    par_level: int
    on_hand: int
    on_order: int
    shortfall: int


class ParOut(Output, kw_only=True):
    department: int
    lines: list[ParLineOut]


class LineIn(Input, kw_only=True):
    product: Id
    quantity: Quantity


class RequisitionIn(Input, kw_only=True):
    department: Id
    lines: Annotated[list[LineIn], Meta(min_length=1, max_length=rules.MAX_LINES)]
    urgency: Literal["routine", "urgent", "emergency"] = "routine"
    needed_by: dt.date | None = None
    notes: Note | None = None
    submit: bool = False
    """Submit at once instead of keeping a draft."""


class DraftIn(Input, kw_only=True):
    lines: Annotated[list[LineIn], Meta(min_length=1, max_length=rules.MAX_LINES)]
    urgency: Literal["routine", "urgent", "emergency"] | None = None
    needed_by: dt.date | None = None
    notes: Note | None = None


class ReasonIn(Input, kw_only=True):
    reason: Reason


class DecisionIn(Input, kw_only=True):
    line: Id
    approved_quantity: Annotated[int, Meta(ge=0, le=rules.MAX_LINE_QUANTITY)]
    substitute: Id | None = None
    """An equivalent product (same category) delivered instead."""
    reason: Note | None = None
    """Required when approving less than asked or substituting."""


class ApproveIn(Input, kw_only=True):
    lines: Annotated[list[DecisionIn], Meta(max_length=rules.MAX_LINES)] = []
    reason: Note | None = None


class ScannedIn(Input, kw_only=True):
    lot: Id
    serial: Id | None = None
    quantity: Annotated[int, Meta(ge=0, le=rules.MAX_LINE_QUANTITY)]


class ReceiveIn(Input, kw_only=True):
    lines: Annotated[list[ScannedIn], Meta(max_length=2000)] | None = None
    """The units scanned at the ward (lot and serial ids, as POST /api/v1/scans resolves
    them); omit to confirm the whole delivery."""
    discrepancy_reason: Note | None = None


class WarningOut(Output, kw_only=True):
    code: str
    zh: str
    en: str


class LineOut(Output, kw_only=True):
    id: int
    product: int
    product_code: str
    product_name: str
    model: str
    quantity: int
    approved_quantity: int | None
    substitute: int | None
    substitute_code: str | None
    substitute_name: str | None
    decision_reason: str | None
    shipped_quantity: int
    received_quantity: int
    unit_cost: int


class ApprovalOut(Output, kw_only=True):
    id: int
    level: int
    decision: str
    approver: int | None
    approver_name: str
    reason: str | None
    at: dt.datetime


class ShipmentOut(Output, kw_only=True):
    id: int
    transfer_order: int
    pick_list: int | None
    status: str
    missing: int
    discrepancy_reason: str | None
    created_at: dt.datetime
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    received_at: dt.datetime | None


class BackOrderOut(Output, kw_only=True):
    id: int
    requisition_line: int
    product: int
    quantity: int
    cause: str
    status: str
    shipment: int | None
    created_at: dt.datetime


class RequisitionOut(Output, kw_only=True):
    id: int
    department: int
    warehouse: int
    to_location: int
    status: str
    urgency: str
    needed_by: dt.date | None
    notes: str | None
    origin: str
    period: str | None
    levels_required: int
    levels_done: int
    warnings: list[WarningOut]
    requested_by: int | None
    requested_by_name: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    received_at: dt.datetime | None
    lines: list[LineOut]
    approvals: list[ApprovalOut]
    shipments: list[ShipmentOut]
    back_orders: list[BackOrderOut]


class RequisitionSummaryOut(Output, kw_only=True):
    id: int
    department: int
    department_code: str
    department_name: str
    warehouse: int
    status: str
    urgency: str
    needed_by: dt.date | None
    origin: str
    line_count: int
    levels_required: int
    levels_done: int
    warnings: list[WarningOut]
    requested_by_name: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None


class WardDeliveryShipmentOut(Output, kw_only=True):
    id: int
    transfer_order: int
    status: Literal["shipped", "delivered", "received"]
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    received_at: dt.datetime | None
    missing: int
    """Units shipped and not received (0 until the ward has received the shipment)."""
    discrepancy_reason: str | None


class WardDeliveryUnitOut(Output, kw_only=True):
    """One lot (or serial) of one requisition line on one shipment."""

    shipment: int
    requisition_line: int
    product: int
    """The product delivered (the substitute, when the line has one)."""
    product_code: str
    product_name: str
    model: str
    registration_no: str | None
    base_unit: str
    tracking: str
    lot: int
    lot_number: str
    expiry: dt.date | None
    serial: int | None
    serial_number: str | None
    quantity: int
    """Units shipped."""
    received: int
    """Units the ward received (0 until it has received the shipment)."""
    missing: int
    """Units recorded as a discrepancy at the ward's receipt."""


class WardDeliveryOut(Output, kw_only=True):
    """What the requisition's deliveries contain (the shipments that left the warehouse)."""

    requisition: int
    status: str
    department: int
    department_code: str
    department_name: str
    warehouse: int
    warehouse_code: str
    warehouse_name: str
    to_location: int
    to_location_code: str
    shipments: list[WardDeliveryShipmentOut]
    units: list[WardDeliveryUnitOut]


class ProposalOut(Output, kw_only=True):
    requisition: RequisitionOut | None
    """The draft proposed; null when nothing is below par (or a par draft already waits)."""


class DiscrepancyOut(Output, kw_only=True):
    id: int
    transfer_order: int
    lot: int
    serial: int | None
    shipped: int
    received: int
    reason: str
    at: dt.datetime


class ConsumeIn(Input, kw_only=True):
    location: Id
    """The ward's point-of-use location (scanned from its label)."""
    lot: Id
    serial: Id | None = None
    quantity: Quantity = 1
    patient_ref: Annotated[str, Meta(min_length=1, max_length=60)] | None = None
    """Pseudonymous patient id, never a name: letters, digits, dashes, 4-40 long, a digit."""
    procedure: Annotated[str, Meta(max_length=200)] | None = None
    surgeon: Annotated[str, Meta(max_length=150)] | None = None
    used_at: dt.datetime | None = None
    note: Note | None = None


class PatientUseOut(Output, kw_only=True):
    id: int
    department: int
    location: int
    product: int
    lot: int
    serial: int | None
    quantity: int
    patient_ref: str | None
    procedure: str | None
    surgeon: str | None
    used_at: dt.datetime
    recorded_at: dt.datetime
    recorded_by_name: str
    ledger_id: int | None


class PatientUseRowOut(PatientUseOut, kw_only=True):
    product_code: str
    product_name: str
    model: str
    implant: bool
    lot_number: str
    expiry: dt.date | None
    serial_number: str | None
    department_code: str
    location_code: str


class ReturnIn(Input, kw_only=True):
    location: Id
    lot: Id
    serial: Id | None = None
    quantity: Quantity
    condition: Literal["intact", "opened", "damaged"]
    reason: Reason


class ReturnOut(Output, kw_only=True):
    ledger_ids: list[int]
    lot: int
    serial: int | None
    quantity: int
    condition: str
    to_location: int
    to_kind: str


class TraceOut(Output, kw_only=True):
    lot: int
    serial: int | None
    now: list[dict[str, Any]]
    warehouses: list[dict[str, Any]]
    departments: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    patients: list[PatientUseRowOut]


def _requisition(row: dict[str, Any]) -> RequisitionOut:
    return to_output(row, RequisitionOut)


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: (v.isoformat() if isinstance(v, dt.date | dt.datetime) else v) for k, v in r.items()}
        for r in rows
    ]


# ---- controllers ----------------------------------------------------------------------------


class DepartmentRequisitionController(Controller):
    path = "/api/v1/departments/{department_id:int}"
    tags = ["requisitions"]

    @get("/catalogue", **requires(Permission.requisitions_read))
    async def catalogue(
        self,
        actor: CurrentActor,
        department_id: PathId,
        q: Search = None,
        favourites: Annotated[bool, QueryParameter()] = False,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[CatalogueOut]:
        rows, total = await catalogue.search(
            actor, department_id, q=q, favourites=favourites, limit=limit, offset=offset
        )
        return page_of(rows, CatalogueOut, total, limit, offset)

    @put(
        "/catalogue/{product_id:int}", status_code=200, **requires(Permission.requisitions_approve)
    )
    async def put_entry(
        self,
        actor: CurrentActor,
        department_id: PathId,
        product_id: PathId,
        data: JSONBody[CatalogueIn],
    ) -> CatalogueEntryOut:
        row = await catalogue.put(
            actor,
            department_id,
            product=product_id,
            par_level=data.par_level,
            favourite=data.favourite,
            active=data.active,
        )
        return to_output(row, CatalogueEntryOut)

    @get("/budget", **requires(Permission.requisitions_read))
    async def budget(
        self,
        actor: CurrentActor,
        department_id: PathId,
        period: Annotated[str | None, QueryParameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
    ) -> DepartmentBudgetOut:
        month = period or rules.period_of(clock.today())
        return to_output(await budget.summary(actor, department_id, month), DepartmentBudgetOut)

    @get("/approval-policy", **requires(Permission.requisitions_read))
    async def policy(self, actor: CurrentActor, department_id: PathId) -> PolicyOut:
        return to_output(await approving.get_policy(actor, department_id), PolicyOut)

    @put("/approval-policy", status_code=200, **requires(Permission.sites_write))
    async def set_policy(
        self, actor: CurrentActor, department_id: PathId, data: JSONBody[PolicyIn]
    ) -> PolicyOut:
        row = await approving.set_policy(
            actor,
            department_id,
            high_value_unit_cost=data.high_value_unit_cost,
            level2_role=data.level2_role,
        )
        return to_output(row, PolicyOut)

    @get("/par-levels", **requires(Permission.requisitions_read))
    async def par_levels(self, actor: CurrentActor, department_id: PathId) -> ParOut:
        return to_output(await requesting.par_shortfall(actor, department_id), ParOut)

    @post("/par-proposal", status_code=200, **requires(Permission.requisitions_request))
    async def par_proposal(self, actor: CurrentActor, department_id: PathId) -> ProposalOut:
        await requesting.par_shortfall(actor, department_id)  # scope: 404 outside it
        row = await requesting.propose_from_par(actor, department_id)
        return ProposalOut(requisition=_requisition(row) if row else None)


class RequisitionController(Controller):
    path = "/api/v1/requisitions"
    tags = ["requisitions"]

    @post("/", **requires(Permission.requisitions_request))
    async def create(self, actor: CurrentActor, data: JSONBody[RequisitionIn]) -> RequisitionOut:
        row = await requesting.create(
            actor,
            department=data.department,
            lines=[requesting.LineIn(x.product, x.quantity) for x in data.lines],
            urgency=data.urgency,
            needed_by=data.needed_by,
            notes=data.notes,
            submit=data.submit,
        )
        return _requisition(row)

    @get("/", **requires(Permission.requisitions_read))
    async def listing(
        self,
        actor: CurrentActor,
        department: QueryId = None,
        status: Annotated[str | None, QueryParameter(max_length=20)] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[RequisitionSummaryOut]:
        rows, total = await requesting.listing(
            actor, department=department, status=status, limit=limit, offset=offset
        )
        return page_of(rows, RequisitionSummaryOut, total, limit, offset)

    @get("/{requisition_id:int}", **requires(Permission.requisitions_read))
    async def read(self, actor: CurrentActor, requisition_id: PathId) -> RequisitionOut:
        return _requisition(await requesting.get(actor, requisition_id))

    @put("/{requisition_id:int}", status_code=200, **requires(Permission.requisitions_request))
    async def update(
        self, actor: CurrentActor, requisition_id: PathId, data: JSONBody[DraftIn]
    ) -> RequisitionOut:
        row = await requesting.update_draft(
            actor,
            requisition_id,
            lines=[requesting.LineIn(x.product, x.quantity) for x in data.lines],
            urgency=data.urgency,
            needed_by=data.needed_by,
            notes=data.notes,
        )
        return _requisition(row)

    @post(
        "/{requisition_id:int}/submit", status_code=200, **requires(Permission.requisitions_request)
    )
    async def submit(self, actor: CurrentActor, requisition_id: PathId) -> RequisitionOut:
        return _requisition(await requesting.submit(actor, requisition_id))

    @post(
        "/{requisition_id:int}/cancel", status_code=200, **requires(Permission.requisitions_request)
    )
    async def cancel(
        self, actor: CurrentActor, requisition_id: PathId, data: JSONBody[ReasonIn]
    ) -> RequisitionOut:
        return _requisition(await requesting.cancel(actor, requisition_id, data.reason))

    @post(
        "/{requisition_id:int}/approve",
        status_code=200,
        **requires(Permission.requisitions_approve),
    )
    async def approve(
        self, actor: CurrentActor, requisition_id: PathId, data: JSONBody[ApproveIn]
    ) -> RequisitionOut:
        row = await approving.approve(
            actor,
            requisition_id,
            decisions=[
                approving.LineDecision(x.line, x.approved_quantity, x.substitute, x.reason)
                for x in data.lines
            ],
            reason=data.reason,
        )
        return _requisition(row)

    @post(
        "/{requisition_id:int}/reject", status_code=200, **requires(Permission.requisitions_approve)
    )
    async def reject(
        self, actor: CurrentActor, requisition_id: PathId, data: JSONBody[ReasonIn]
    ) -> RequisitionOut:
        return _requisition(await approving.reject(actor, requisition_id, reason=data.reason))

    @post(
        "/{requisition_id:int}/release", status_code=200, **requires(Permission.requisitions_fulfil)
    )
    async def release(self, actor: CurrentActor, requisition_id: PathId) -> RequisitionOut:
        return _requisition(await fulfilling.release(actor, requisition_id))

    @post(
        "/{requisition_id:int}/back-orders/allocate",
        status_code=200,
        **requires(Permission.requisitions_fulfil),
    )
    async def allocate_back_orders(
        self, actor: CurrentActor, requisition_id: PathId
    ) -> RequisitionOut:
        return _requisition(await fulfilling.allocate_back_orders(actor, requisition_id))

    @post(
        "/{requisition_id:int}/back-orders/cancel",
        status_code=200,
        **requires(Permission.requisitions_request),
    )
    async def cancel_back_orders(
        self, actor: CurrentActor, requisition_id: PathId, data: JSONBody[ReasonIn]
    ) -> RequisitionOut:
        return _requisition(await fulfilling.cancel_back_orders(actor, requisition_id, data.reason))

    @post("/{requisition_id:int}/ship", status_code=200, **requires(Permission.requisitions_fulfil))
    async def ship(self, actor: CurrentActor, requisition_id: PathId) -> RequisitionOut:
        return _requisition(await fulfilling.ship(actor, requisition_id))

    @post(
        "/{requisition_id:int}/deliver", status_code=200, **requires(Permission.requisitions_fulfil)
    )
    async def deliver(self, actor: CurrentActor, requisition_id: PathId) -> RequisitionOut:
        return _requisition(await fulfilling.deliver(actor, requisition_id))

    @post(
        "/{requisition_id:int}/receive",
        status_code=200,
        **requires(Permission.requisitions_request),
    )
    async def receive(
        self, actor: CurrentActor, requisition_id: PathId, data: JSONBody[ReceiveIn]
    ) -> RequisitionOut:
        scanned = (
            None
            if data.lines is None
            else [fulfilling.Scanned(x.lot, x.serial, x.quantity) for x in data.lines]
        )
        row = await fulfilling.receive(
            actor, requisition_id, scanned=scanned, discrepancy_reason=data.discrepancy_reason
        )
        return _requisition(row)

    @get("/{requisition_id:int}/discrepancies", **requires(Permission.requisitions_read))
    async def discrepancies(
        self, actor: CurrentActor, requisition_id: PathId
    ) -> list[DiscrepancyOut]:
        rows = await fulfilling.discrepancies(actor, requisition_id)
        return [to_output(r, DiscrepancyOut) for r in rows]

    @get("/{requisition_id:int}/delivery", **requires(Permission.requisitions_read))
    async def delivery(self, actor: CurrentActor, requisition_id: PathId) -> WardDeliveryOut:
        return to_output(await fulfilling.delivery(actor, requisition_id), WardDeliveryOut)

    @get(
        "/{requisition_id:int}/delivery-note",
        media_type="application/pdf",
        **requires(Permission.requisitions_read),
    )
    async def delivery_note(self, actor: CurrentActor, requisition_id: PathId) -> Response[bytes]:
        data = await fulfilling.delivery(actor, requisition_id)
        pdf = await asyncio.to_thread(delivery_note.render, data)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="REQ-{requisition_id}-delivery-note.pdf"'
            },
        )


class PointOfUseController(Controller):
    path = "/api/v1/point-of-use"
    tags = ["point of use"]

    @post("/consumptions", **requires(Permission.requisitions_consume))
    async def consume(self, actor: CurrentActor, data: JSONBody[ConsumeIn]) -> PatientUseOut:
        row = await using.consume(
            actor,
            location=data.location,
            lot=data.lot,
            serial=data.serial,
            quantity=data.quantity,
            patient_ref=data.patient_ref,
            procedure=data.procedure,
            surgeon=data.surgeon,
            used_at=data.used_at,
            note=data.note,
        )
        return to_output(row, PatientUseOut)

    @post("/returns", **requires(Permission.requisitions_consume))
    async def return_unused(self, actor: CurrentActor, data: JSONBody[ReturnIn]) -> ReturnOut:
        row = await using.return_unused(
            actor,
            location=data.location,
            lot=data.lot,
            serial=data.serial,
            quantity=data.quantity,
            condition=data.condition,
            reason=data.reason,
        )
        return to_output(row, ReturnOut)

    @get("/uses", **requires(Permission.requisitions_read))
    async def uses(
        self,
        actor: CurrentActor,
        patient_ref: Annotated[str | None, QueryParameter(max_length=60)] = None,
        lot: QueryId = None,
        serial: QueryId = None,
        department: QueryId = None,
        limit: Limit = 100,
    ) -> list[PatientUseRowOut]:
        rows = await using.uses(
            actor,
            patient_ref=patient_ref,
            lot=lot,
            serial=serial,
            department=department,
            limit=limit,
        )
        return [to_output(r, PatientUseRowOut) for r in rows]

    @get("/trace", **requires(Permission.requisitions_read))
    async def trace(
        self, actor: CurrentActor, lot: QueryId = None, serial: QueryId = None
    ) -> TraceOut:
        found = await using.trace(actor, lot=lot, serial=serial)
        for key in ("now", "warehouses", "departments", "customers"):
            found[key] = _plain(found[key])
        return to_output(found, TraceOut)


class RequisitionReportController(Controller):
    path = "/api/v1/requisition-reports"
    tags = ["requisitions"]

    @get("/{name:str}", **requires(Permission.requisitions_read))
    async def report(
        self,
        actor: CurrentActor,
        name: Annotated[str, PathParameter(max_length=20)],
        start: Annotated[dt.date | None, QueryParameter()] = None,
        end: Annotated[dt.date | None, QueryParameter()] = None,
        format: Annotated[Literal["json", "csv", "xlsx"], QueryParameter()] = "json",
    ) -> Response[Any]:
        if name not in reports.REPORTS:
            raise InvalidInput(field="name", reason=", ".join(reports.REPORTS))
        last = end or clock.today()
        first = start or last.replace(day=1)
        if first > last:
            raise InvalidInput(field="start", reason="after end")
        rows = await reports.run(name, actor, first, last)
        filename = f"{name}-{first}-{last}"
        if format == "csv":
            return Response(
                reports.to_csv(rows),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
            )
        if format == "xlsx":
            return Response(
                reports.to_xlsx(rows, name),
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"Content-Disposition": f'attachment; filename="{filename}.xlsx"'},
            )
        return Response({"report": name, "start": first, "end": last, "rows": rows})


CONTROLLERS = [
    DepartmentRequisitionController,
    RequisitionController,
    PointOfUseController,
    RequisitionReportController,
]
