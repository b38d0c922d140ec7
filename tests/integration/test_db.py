"""The raw-SQL helpers behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

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


async def _write_in_a_transaction(tag: str) -> None:
    async with db.transaction():
        await db.fetch("SELECT 1")
        await OutboxEvent.insert(OutboxEvent(topic=tag, payload={}))


async def test_a_transaction_cancelled_at_any_point_gives_its_connection_back():
    """Cancelled while waiting for a connection, in BEGIN, in the body or in COMMIT: the
    connection still goes back (on PostgreSQL Piccolo's own transaction kept it checked out,
    idle in transaction, when cancelled in BEGIN; on SQLite the connection would later hold the
    write lock), and the database takes new writers at once."""
    from backend.settings import get_settings

    for step in range(120):
        tasks = [asyncio.create_task(_write_in_a_transaction(f"c{step}")) for _ in range(4)]
        if step % 2:
            for _ in range(step // 2):
                await asyncio.sleep(0)
        else:
            await asyncio.sleep(step * 0.00002)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    engine = db.engine()
    if not db.is_sqlite():
        pool = engine.pool
        for _ in range(200):  # the shielded releases finish in the background
            if pool.get_idle_size() == pool.get_size():
                break
            await asyncio.sleep(0.01)
        assert pool.get_idle_size() == pool.get_size()
    writers = get_settings().pg_pool_max + 2
    await asyncio.wait_for(
        asyncio.gather(*(_write_in_a_transaction("after") for _ in range(writers))), timeout=10
    )
    assert len(await db.fetch("SELECT id FROM outbox_event WHERE topic = 'after'")) == writers
