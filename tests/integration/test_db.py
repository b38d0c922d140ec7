"""The raw-SQL helpers behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from backend.core import db
from backend.core.tables import OutboxEvent


async def test_fetch_returns_plain_dicts_on_both_databases():
    await OutboxEvent.insert(OutboxEvent(topic="t", payload={"a": 1}))
    rows = await db.fetch("SELECT id, topic FROM outbox_event WHERE topic = {}", "t")
    assert rows == [{"id": 1, "topic": "t"}]
    assert type(rows[0]) is dict


async def test_fetch_runs_inside_the_current_transaction_and_rolls_back_with_it():
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.fetch(
                "INSERT INTO outbox_event (topic, payload, attempts, created_at) "
                "VALUES ({}, {}, 0, CURRENT_TIMESTAMP)",
                "t",
                "{}",
            )
            assert db.in_transaction()
            assert len(await db.fetch("SELECT id FROM outbox_event")) == 1
            raise RuntimeError("undo")
    assert await db.fetch("SELECT id FROM outbox_event") == []
    assert not db.in_transaction()


async def test_a_unique_violation_is_recognised_on_both_databases():
    from backend.core.tables import IdempotencyRecord

    await IdempotencyRecord.insert(IdempotencyRecord(scope="k", request_hash="h", state="done"))
    with pytest.raises(Exception) as raised:
        await IdempotencyRecord.insert(IdempotencyRecord(scope="k", request_hash="h", state="done"))
    assert db.is_unique_violation(raised.value)
    assert not db.is_unique_violation(ValueError("UNIQUE constraint failed"))
