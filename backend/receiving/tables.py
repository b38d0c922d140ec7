"""Purchase orders, receipts and their lines, and incoming inspection records."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigSerial,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Real,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.catalog.tables import Product, Supplier
from backend.sites.tables import Location, Warehouse
from backend.stock.tables import Lot


class PurchaseOrder(Table, tablename="purchase_order"):
    """A purchase order (采购订单): what was ordered from which supplier for which warehouse."""

    id = BigSerial(primary_key=True)
    number = Varchar(length=40, unique=True, help_text="The order number as sent to the supplier")
    supplier = ForeignKey(Supplier, null=False, on_delete=OnDelete.restrict, index=True)
    warehouse = ForeignKey(Warehouse, null=False, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=20, default="open", help_text="open, received or cancelled")
    promised_date = Date(
        null=True,
        default=None,
        help_text="Delivery date the supplier promised (site calendar); by default the order "
        "date plus the longest agreed lead time of its lines; never before the order date",
    )
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class PurchaseOrderLine(Table, tablename="purchase_order_line"):
    id = BigSerial(primary_key=True)
    purchase_order = ForeignKey(PurchaseOrder, null=False, on_delete=OnDelete.restrict, index=True)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    quantity = Integer(help_text="Base units ordered")
    received = Integer(default=0, help_text="Base units received so far")


class Receipt(Table, tablename="receipt"):
    """One delivery (收货单) into a warehouse's receiving location."""

    id = BigSerial(primary_key=True)
    supplier = ForeignKey(Supplier, null=False, on_delete=OnDelete.restrict, index=True)
    warehouse = ForeignKey(Warehouse, null=False, on_delete=OnDelete.restrict, index=True)
    location = ForeignKey(
        Location,
        null=False,
        on_delete=OnDelete.restrict,
        index=True,
        help_text="The receiving location the goods landed in",
    )
    purchase_order = ForeignKey(
        PurchaseOrder, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
    delivery_note = Varchar(length=100, null=True, default=None, help_text="Supplier's 随货同行单")
    received_by = Integer(null=True, default=None)
    received_by_name = Varchar(length=150)
    received_at = Timestamptz(default=TimestamptzNow())


class ReceiptLine(Table, tablename="receipt_line"):
    """One lot of one product on a receipt, with its serials and arrival temperature."""

    id = BigSerial(primary_key=True)
    receipt = ForeignKey(Receipt, null=False, on_delete=OnDelete.restrict, index=True)
    line_no = Integer()
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    purchase_order_line = ForeignKey(
        PurchaseOrderLine, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
    lot = ForeignKey(Lot, null=False, on_delete=OnDelete.restrict, index=True)
    quantity = Integer(help_text="Base units received")
    serials = JSON(default=[], help_text="Serial numbers received, for serial-tracked products")
    arrival_temperature = Real(null=True, default=None, help_text="°C on arrival (cold chain)")
    status = Varchar(
        length=20,
        default="pending_inspection",
        help_text="pending_inspection, inspected, released or rejected",
    )
    qa_signature = Integer(null=True, default=None, help_text="The QA decision's e-signature")
    qa_at = Timestamptz(null=True, default=None)


class Inspection(Table, tablename="inspection"):
    """The incoming inspection record (验收记录) of one receipt line."""

    id = BigSerial(primary_key=True)
    receipt_line = ForeignKey(ReceiptLine, null=False, on_delete=OnDelete.restrict, index=True)
    appearance_ok = Boolean()
    packaging_ok = Boolean()
    label_ok = Boolean()
    certificate_ok = Boolean(help_text="合格证明文件 present and matching")
    accepted = Integer(help_text="Base units accepted")
    rejected = Integer(help_text="Base units rejected")
    rejected_serials = JSON(default=[])
    reject_reason = Text(null=True, default=None)
    note = Text(null=True, default=None)
    inspector_id = Integer(null=True, default=None)
    inspector_name = Varchar(length=150)
    inspected_at = Timestamptz(default=TimestamptzNow())


class ReceiptRefusal(Table, tablename="receipt_refusal"):
    """A receipt line refused for a reason worth keeping although the receipt wrote nothing:
    today a known lot number delivered with another expiry (LOT_EXPIRY_MISMATCH). Written in
    its own transaction after the refused receipt rolled back; the lot-expiry-mismatch alert
    is raised from it."""

    id = BigSerial(primary_key=True)
    code = Varchar(length=40, help_text="The refusal's error code, e.g. LOT_EXPIRY_MISMATCH")
    supplier = ForeignKey(Supplier, null=False, on_delete=OnDelete.restrict, index=True)
    warehouse = ForeignKey(Warehouse, null=False, on_delete=OnDelete.restrict, index=True)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(
        Lot,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        index=True,
        help_text="The lot already recorded under this lot number",
    )
    lot_number = Varchar(length=60, help_text="The lot number as delivered")
    recorded_expiry = Date(null=True, default=None, help_text="The lot's expiry on record")
    received_expiry = Date(null=True, default=None, help_text="The expiry on the delivery")
    purchase_order = ForeignKey(
        PurchaseOrder, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
    delivery_note = Varchar(length=100, null=True, default=None)
    refused_by = Integer(null=True, default=None)
    refused_by_name = Varchar(length=150)
    refused_at = Timestamptz(default=TimestamptzNow(), index=True)
