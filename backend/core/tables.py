"""Infrastructure tables of the shared kernel: the transactional outbox and idempotency records."""

from __future__ import annotations

from piccolo.columns import JSON, BigSerial, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxEvent(Table, tablename="outbox_event"):
    """An event written in the same transaction as the change it announces."""

    id = BigSerial(primary_key=True)
    topic = Varchar(length=100, help_text="What happened, e.g. stock.changed")
    payload = JSON(help_text="The event's data; ids and keys, never whole records")
    created_at = Timestamptz(default=TimestamptzNow())
    published_at = Timestamptz(null=True, default=None, index=True)
    attempts = Integer(default=0, help_text="Failed publication attempts so far")
    last_error = Text(null=True, default=None)


class IdempotencyRecord(Table, tablename="idempotency_record"):
    """The first answer to a mutation sent with an Idempotency-Key, replayed to any repeat."""

    id = BigSerial(primary_key=True)
    scope = Varchar(
        length=200, unique=True, help_text="Who sent it: user id or client address, plus the key"
    )
    request_hash = Varchar(length=64, help_text="SHA-256 of method, path and body")
    state = Varchar(length=20, help_text="in_progress or done")
    status_code = Integer(null=True, default=None)
    content_type = Varchar(length=100, null=True, default=None)
    body = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
