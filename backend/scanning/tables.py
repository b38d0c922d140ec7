"""The scan log: every scan, decoded or not, with who, where and what came of it."""

from __future__ import annotations

from piccolo.columns import (
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

from backend.catalog.tables import Product
from backend.sites.tables import Location


class ScanLog(Table, tablename="scan_log"):
    """One row per scan sent to ``POST /api/v1/scans``. Written in a short transaction of its
    own, also when the scan is refused, so support can see what a scanner really sent."""

    id = BigSerial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow())
    user_id = Integer(null=True, default=None, index=True)
    username = Varchar(length=150)
    raw_text = Text(
        help_text="The scan as received (raw), first 4096 characters; NUL shown as U+2400, "
        "unpaired surrogates as U+FFFD (databases store neither)"
    )
    raw_length = Integer(help_text="Length of the scan as received, in characters")
    station = Varchar(length=100, null=True, default=None, help_text="Fixed station, if any")
    profile = Varchar(length=40, null=True, default=None, help_text="Scanner profile name")
    outcome = Varchar(
        length=40,
        index=True,
        help_text="What the scan was (product, product_unknown, location, ...) or the "
        "decoder's error code (BARCODE_CHECK_DIGIT, ...)",
    )
    agency = Varchar(
        length=10, null=True, default=None, help_text="GS1, HIBC, MA, ICCBBA, INTERNAL"
    )
    symbology = Varchar(length=3, null=True, default=None, help_text="AIM identifier, e.g. ]d2")
    di = Varchar(length=60, null=True, default=None, help_text="Device identifier as decoded")
    lot = Varchar(length=60, null=True, default=None)
    serial = Varchar(length=60, null=True, default=None)
    expiry = Date(null=True, default=None)
    product = ForeignKey(Product, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    location = ForeignKey(
        Location, null=True, default=None, on_delete=OnDelete.restrict, index=True
    )
