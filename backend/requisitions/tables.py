"""Department catalogues with par levels, requisitions and their lines, approvals, shipments
(the stock transfer orders that fulfil them), back-orders, and uses on patients."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigInt,
    BigSerial,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.catalog.tables import Product
from backend.sites.tables import Department, Location, Warehouse
from backend.stock.tables import Lot, SerialNumber, TransferOrder


class DepartmentCatalogue(Table, tablename="department_catalogue"):
    """A product the department may request, with the par level (定数) of its cabinet."""

    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict, index=True)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    par_level = Integer(
        default=0, help_text="Base units the point-of-use cabinet should hold; 0: none"
    )
    favourite = Boolean(default=False, help_text="Shown first on the ward's tablet")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())

    # Unique (department, product): unique index in migrations/ (SQLite adds no constraints)


class ApprovalPolicy(Table, tablename="approval_policy"):
    """A department's own approval chain settings; without a row the defaults of rules.py hold."""

    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict, index=True)
    high_value_unit_cost = BigInt(
        help_text="Unit cost (分) from which a line needs the second approval level"
    )
    level2_role = Varchar(length=30, default="admin", help_text="Role that gives level 2")
    created_at = Timestamptz(default=TimestamptzNow())

    # Unique (department): unique index in migrations/


class Requisition(Table, tablename="requisition"):
    """A department's request (请领单). Status: draft, submitted, approved, rejected, picking,
    back_ordered, shipped, delivered, received, cancelled."""

    id = BigSerial(primary_key=True)
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict, index=True)
    warehouse = ForeignKey(
        Warehouse,
        null=False,
        on_delete=OnDelete.restrict,
        index=True,
        help_text="The serving warehouse when it was requested",
    )
    to_location = ForeignKey(
        Location,
        null=False,
        on_delete=OnDelete.restrict,
        index=False,
        help_text="The department's point-of-use location it is delivered to",
    )
    status = Varchar(length=20, default="draft", index=True)
    urgency = Varchar(length=10, default="routine", help_text="routine, urgent or emergency")
    needed_by = Date(null=True, default=None)
    notes = Varchar(length=500, null=True, default=None)
    origin = Varchar(
        length=10, default="manual", help_text="manual or par (proposed from par levels)"
    )
    period = Varchar(length=7, null=True, default=None, help_text="YYYY-MM it counts against")
    levels_required = Integer(default=1, help_text="Approval levels needed (2: high value)")
    levels_done = Integer(default=0)
    warnings = JSON(default=[], help_text="Budget/quota warnings shown at submit and approval")
    requested_by = Integer(null=True, default=None, help_text="User id; null for the system")
    requested_by_name = Varchar(length=150)
    created_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    shipped_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz(null=True, default=None)


class RequisitionLine(Table, tablename="requisition_line"):
    id = BigSerial(primary_key=True)
    requisition = ForeignKey(Requisition, null=False, on_delete=OnDelete.restrict, index=True)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    quantity = Integer(help_text="Base units requested")
    approved_quantity = Integer(null=True, default=None)
    substitute = ForeignKey(
        Product,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        index=False,
        help_text="An equivalent product approved instead",
    )
    decision_reason = Varchar(length=500, null=True, default=None)
    shipped_quantity = Integer(default=0)
    received_quantity = Integer(default=0)
    unit_cost = BigInt(default=0, help_text="Unit cost (分) of the product delivered, when decided")


class RequisitionApproval(Table, tablename="requisition_approval"):
    """One approval (or rejection) at one level, by one person."""

    id = BigSerial(primary_key=True)
    requisition = ForeignKey(Requisition, null=False, on_delete=OnDelete.restrict, index=True)
    level = Integer()
    decision = Varchar(length=10, help_text="approved or rejected")
    approver = Integer(null=True, default=None)
    approver_name = Varchar(length=150)
    reason = Varchar(length=500, null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())


class RequisitionShipment(Table, tablename="requisition_shipment"):
    """A stock transfer order (serving warehouse → ward cabinet) fulfilling a requisition;
    a back-order allocated later makes another."""

    id = BigSerial(primary_key=True)
    requisition = ForeignKey(Requisition, null=False, on_delete=OnDelete.restrict, index=True)
    transfer_order = ForeignKey(TransferOrder, null=False, on_delete=OnDelete.restrict, index=True)
    pick_list = BigInt(null=True, default=None)
    lines = JSON(default={}, help_text="transfer-order line id → requisition line id")
    status = Varchar(
        length=20, default="picking", help_text="picking, shipped, delivered, received"
    )
    missing = Integer(default=0, help_text="Units shipped that did not arrive (discrepancy)")
    discrepancy_reason = Varchar(length=500, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    shipped_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz(null=True, default=None)
    received_by = Integer(null=True, default=None)


class BackOrder(Table, tablename="back_order"):
    """An approved quantity that could not be allocated or picked: open until allocated again."""

    id = BigSerial(primary_key=True)
    requisition = ForeignKey(Requisition, null=False, on_delete=OnDelete.restrict, index=True)
    requisition_line = ForeignKey(
        RequisitionLine, null=False, on_delete=OnDelete.restrict, index=True
    )
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    quantity = Integer()
    cause = Varchar(
        length=20,
        help_text="no_stock, short_pick, or still_short (left after a re-allocation)",
    )
    status = Varchar(
        length=20, default="open", index=True, help_text="open, allocated or cancelled"
    )
    shipment = ForeignKey(
        RequisitionShipment,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        index=False,
        help_text="The shipment that finally carried it",
    )
    created_at = Timestamptz(default=TimestamptzNow())
    allocated_at = Timestamptz(null=True, default=None)


class PatientUse(Table, tablename="patient_use"):
    """A device used on a patient at the point of use (kept forever for implants). The patient
    is a pseudonymous reference, never a name."""

    id = BigSerial(primary_key=True)
    department = ForeignKey(Department, null=False, on_delete=OnDelete.restrict, index=True)
    location = ForeignKey(Location, null=False, on_delete=OnDelete.restrict, index=False)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(Lot, null=False, on_delete=OnDelete.restrict, index=True)
    serial = ForeignKey(
        SerialNumber, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
    quantity = Integer()
    patient_ref = Varchar(
        length=40, null=True, default=None, index=True, help_text="Pseudonymous id"
    )
    procedure = Varchar(length=200, null=True, default=None)
    surgeon = Varchar(length=150, null=True, default=None)
    used_at = Timestamptz(help_text="When it was used on the patient")
    recorded_at = Timestamptz(default=TimestamptzNow())
    recorded_by = Integer(null=True, default=None)
    recorded_by_name = Varchar(length=150)
    ledger_id = BigInt(null=True, default=None, help_text="The consume entry in the stock ledger")
    note = Text(null=True, default=None)
