"""Registered bridges, every frame they delivered (deduplicated by id), and who is signed in at
which station."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    BigSerial,
    ForeignKey,
    Integer,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Device(Table, tablename="device"):
    name = Varchar(length=100, unique=True, help_text="e.g. WH-C receiving bench 1")
    token_hash = Varchar(
        length=64, unique=True, help_text="SHA-256 of the token; the token is shown once"
    )
    token_hint = Varchar(length=8, help_text="First characters of the token, to tell them apart")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    last_seen_at = Timestamptz(null=True, default=None)


class DeviceFrame(Table, tablename="device_frame"):
    """A scan or reading as the bridge captured it. `frame_id` is the bridge's id: a resend of
    the same id is acknowledged and not stored again."""

    id = BigSerial(primary_key=True)
    frame_id = Varchar(length=36, unique=True)
    device = ForeignKey(Device, null=False, on_delete=OnDelete.restrict, index=True)
    station = Varchar(length=100, index=True)
    kind = Varchar(length=20, help_text="scan, reading or reading_error")
    port = Varchar(length=100, null=True, default=None)
    payload = JSON(help_text="The frame as received")
    captured_at = Timestamptz(help_text="At the bridge, when the terminator arrived")
    received_at = Timestamptz(default=TimestamptzNow())
    routed_to = Integer(null=True, default=None, help_text="User the scan was sent to")


class StationSession(Table, tablename="station_session"):
    """The user signed in at a fixed station: its scanners' scans go to that user's app."""

    station = Varchar(length=100, unique=True)
    user_id = Integer(index=True)
    since = Timestamptz(default=TimestamptzNow())
