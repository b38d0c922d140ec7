"""Lots, serials, the append-only ledger, balances, lot status history, transfer orders and
pick lists."""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    BigSerial,
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

from backend.catalog.tables import Product, Supplier
from backend.sites.tables import Location, Warehouse


class Lot(Table, tablename="lot"):
    """A production batch (批次) of one product. Products without lot numbers get one lot per
    receipt line, so every unit of stock belongs to a lot and FEFO/FIFO has something to sort."""

    id = BigSerial(primary_key=True)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    lot_number = Varchar(length=60, help_text="As printed on the label (GS1 AI 10)")
    expiry = Date(null=True, default=None, help_text="Use-by date; locked from the next day")
    production_date = Date(null=True, default=None)
    supplier = ForeignKey(
        Supplier,
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
        index=True,
        help_text="The supplier of its first receipt",
    )
    status = Varchar(
        length=20,
        default="pending_inspection",
        index=True,
        help_text="pending_inspection, released, rejected, on_hold or recalled",
    )
    first_received_at = Timestamptz(help_text="First receipt time: FIFO order and FEFO tie-break")
    created_at = Timestamptz(default=TimestamptzNow())

    # Unique (product, lot_number): unique index in migrations/ (SQLite adds no constraints)


class SerialNumber(Table, tablename="serial_number"):
    """One serial-tracked unit (序列号) and its own status (a serial can be held alone)."""

    id = BigSerial(primary_key=True)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    serial = Varchar(length=60, help_text="As printed on the label (GS1 AI 21)")
    lot = ForeignKey(Lot, null=False, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=20, default="pending_inspection", index=True)
    created_at = Timestamptz(default=TimestamptzNow())

    # Unique (product, serial): unique index in migrations/ (SQLite adds no constraints)


class StockLedger(Table, tablename="stock_ledger"):
    """One append-only entry per change of stock. Never updated, never deleted: a mistake is
    reversed by a new entry. Indexed by (lot, id), (serial, id), (location, id) in migrations/."""

    id = BigSerial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow())
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(Lot, null=False, on_delete=OnDelete.restrict, index=False)
    serial = ForeignKey(
        SerialNumber, null=True, default=None, on_delete=OnDelete.restrict, index=False
    )
    location = ForeignKey(Location, null=False, on_delete=OnDelete.restrict, index=False)
    quantity = Integer(help_text="Signed, base units: + into the location, - out of it")
    reason = Integer(help_text="Numbered reason code (backend/stock/reasons.py)")
    document_type = Varchar(length=30, null=True, default=None, help_text="e.g. receipt, pick_list")
    document_id = BigInt(null=True, default=None)
    document_line = BigInt(null=True, default=None)
    actor_id = Integer(null=True, default=None)
    actor_name = Varchar(length=150)
    idempotency_key = Varchar(length=128, null=True, default=None)
    note = Varchar(length=500, null=True, default=None)


class StockBalance(Table, tablename="stock_balance"):
    """What is in one location of one lot (and serial): ``on_hand`` and ``reserved``, changed
    only together with the ledger by conditional updates. Product, expiry and first receipt are
    copies of the lot's (which never change), so FEFO reads one index in order."""

    id = BigSerial(primary_key=True)
    location = ForeignKey(Location, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(Lot, null=False, on_delete=OnDelete.restrict, index=True)
    serial = ForeignKey(
        SerialNumber, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=False)
    expiry = Date(null=True, default=None)
    received_at = Timestamptz()
    on_hand = Integer(default=0)
    reserved = Integer(default=0)

    # Unique (location, lot) where serial is null, (location, lot, serial) otherwise; a serial
    # on hand in one place only; (product, expiry, received_at) for FEFO: indexes in migrations/.
    # ``in_stock`` (on_hand > 0) is computed by the database and not declared here: the FEFO,
    # FIFO and serial indexes are partial on it, so takes and puts update rows in place.


class LotStatusEvent(Table, tablename="lot_status_event"):
    """Status history of lots and serials: verify checks issues against it."""

    id = BigSerial(primary_key=True)
    lot = ForeignKey(Lot, null=False, on_delete=OnDelete.restrict, index=True)
    serial = ForeignKey(
        SerialNumber, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
    old_status = Varchar(length=20, null=True, default=None)
    new_status = Varchar(length=20)
    reason = Text(null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())
    actor_id = Integer(null=True, default=None)
    actor_name = Varchar(length=150)
    signature_id = BigInt(null=True, default=None, help_text="The e-signature, for QA decisions")


class TransferOrder(Table, tablename="transfer_order"):
    """An outbound document: from a warehouse to a location (another warehouse, a ward's
    cabinet) or to a customer, through the source warehouse's in-transit location."""

    id = BigSerial(primary_key=True)
    from_warehouse = ForeignKey(Warehouse, null=False, on_delete=OnDelete.restrict, index=True)
    to_location = ForeignKey(
        Location, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
    to_customer = Varchar(length=200, null=True, default=None, help_text="Outside consignee")
    status = Varchar(
        length=20,
        default="open",
        index=True,
        help_text="open, allocated, picked, shipped, received or cancelled",
    )
    note = Varchar(length=500, null=True, default=None)
    owner = Varchar(
        length=30,
        null=True,
        default=None,
        help_text="The document that drives this order (requisition); only it allocates, "
        "ships and receives the order",
    )
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    shipped_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz(null=True, default=None)


class TransferOrderLine(Table, tablename="transfer_order_line"):
    id = BigSerial(primary_key=True)
    transfer_order = ForeignKey(TransferOrder, null=False, on_delete=OnDelete.restrict, index=True)
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=True)
    quantity = Integer(help_text="Base units asked for")


class PickList(Table, tablename="pick_list"):
    """The reservations made for one outbound document, line by line."""

    id = BigSerial(primary_key=True)
    document_type = Varchar(length=30, help_text="transfer_order (requisition later)")
    document_id = BigInt(index=True)
    warehouse = ForeignKey(Warehouse, null=False, on_delete=OnDelete.restrict, index=True)
    status = Varchar(length=20, default="open", help_text="open, done or cancelled")
    open_lines = Integer(
        default=0,
        help_text="Lines still to pick: the confirmation that takes it to 0 closes the list",
    )
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Integer(null=True, default=None)


class PickLine(Table, tablename="pick_line"):
    """One reservation of an exact lot/serial/location quantity, and how it was picked.

    Product, lot, serial and location are copies of the balance's (which never change): on
    PostgreSQL only ``balance`` (and the list, and the picked_* columns) are checked as foreign
    keys, the copies are not (migrations/..._pick_line_checks.py)."""

    id = BigSerial(primary_key=True)
    pick_list = ForeignKey(PickList, null=False, on_delete=OnDelete.restrict, index=True)
    document_line = BigInt(help_text="The outbound document's line")
    product = ForeignKey(Product, null=False, on_delete=OnDelete.restrict, index=False)
    lot = ForeignKey(Lot, null=False, on_delete=OnDelete.restrict, index=True)
    serial = ForeignKey(
        SerialNumber, null=True, default=None, on_delete=OnDelete.restrict, index=False
    )
    location = ForeignKey(Location, null=False, on_delete=OnDelete.restrict, index=False)
    balance = ForeignKey(StockBalance, null=False, on_delete=OnDelete.restrict, index=False)
    quantity = Integer(help_text="Reserved, base units")
    picked = Integer(default=0)
    status = Varchar(length=20, default="open", help_text="open, picked, short or cancelled")
    picked_lot = ForeignKey(Lot, null=True, default=None, on_delete=OnDelete.restrict, index=False)
    picked_serial = ForeignKey(
        SerialNumber, null=True, default=None, on_delete=OnDelete.restrict, index=False
    )
    picked_location = ForeignKey(
        Location, null=True, default=None, on_delete=OnDelete.restrict, index=False
    )
    deviation_reason = Varchar(length=500, null=True, default=None, help_text="FEFO deviation")
    short_reason = Varchar(length=500, null=True, default=None)
    picked_at = Timestamptz(null=True, default=None)
    picked_by = Integer(null=True, default=None)


class TransitDiscrepancy(Table, tablename="transit_discrepancy"):
    """Shipped but not received (or received more) at the other end of a transfer."""

    id = BigSerial(primary_key=True)
    transfer_order = ForeignKey(TransferOrder, null=False, on_delete=OnDelete.restrict, index=True)
    lot = ForeignKey(Lot, null=False, on_delete=OnDelete.restrict, index=False)
    serial = ForeignKey(
        SerialNumber, null=True, default=None, on_delete=OnDelete.restrict, index=False
    )
    shipped = Integer()
    received = Integer()
    reason = Varchar(length=500)
    at = Timestamptz(default=TimestamptzNow())
    actor_id = Integer(null=True, default=None)
