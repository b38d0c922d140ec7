"""Jobs: the in-process queue runs and dedupes; the production path enqueues into arq on Redis
and an arq worker with the app's functions runs them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.core import clock
from backend.core.jobs import ArqQueue, Cron, InProcessQueue
from backend.core.tables import IdempotencyRecord, OutboxEvent


async def test_the_in_process_queue_runs_a_job_with_its_arguments():
    seen: list[tuple[Any, ...]] = []

    async def remember(ctx: dict[str, Any], *args: Any) -> str:
        seen.append((ctx["job_id"], *args))
        return "ok"

    queue = InProcessQueue([remember])
    await queue.enqueue("remember", 7, {"k": "v"}, job_id="remember:7")
    await queue.drain()
    assert seen == [("remember:7", 7, {"k": "v"})]
    await queue.close()


async def test_the_in_process_queue_does_not_queue_a_job_id_twice_while_it_runs():
    release = asyncio.Event()
    runs = 0

    async def slow(ctx: dict[str, Any]) -> None:
        nonlocal runs
        runs += 1
        await release.wait()

    queue = InProcessQueue([slow])
    await queue.enqueue("slow", job_id="slow:1")
    await queue.enqueue("slow", job_id="slow:1")
    await queue.enqueue("slow", job_id="slow:2")
    await asyncio.sleep(0)
    release.set()
    await queue.drain()
    assert runs == 2
    await queue.close()


async def test_a_failing_job_is_logged_and_does_not_stop_the_queue(caplog):
    async def broken(ctx: dict[str, Any]) -> None:
        raise ValueError("bad row")

    async def fine(ctx: dict[str, Any]) -> None:
        return None

    queue = InProcessQueue([broken, fine])
    await queue.enqueue("broken")
    await queue.enqueue("fine")
    await queue.drain()
    assert "job broken failed" in caplog.text
    with pytest.raises(LookupError):
        await queue.enqueue("missing")
    await queue.close()


def test_a_cron_entry_is_due_at_its_minutes_and_hours():
    entry = Cron(lambda ctx: None, minutes=frozenset({17}), hours=frozenset({19}))  # type: ignore[arg-type, return-value]
    assert entry.due(datetime(2026, 11, 21, 19, 17, tzinfo=UTC))
    assert not entry.due(datetime(2026, 11, 21, 18, 17, tzinfo=UTC))
    assert not entry.due(datetime(2026, 11, 21, 19, 18, tzinfo=UTC))
    hourly = Cron(lambda ctx: None, minutes=frozenset({0, 30}))  # type: ignore[arg-type, return-value]
    assert hourly.due(datetime(2026, 11, 21, 3, 30, tzinfo=UTC))


async def test_arq_runs_the_apps_housekeeping_job_from_redis(redis_url):
    from arq.worker import Worker

    from backend.worker import worker_settings

    old = clock.now() - timedelta(days=60)
    await IdempotencyRecord.insert(
        IdempotencyRecord(scope="u1:old", request_hash="0" * 64, state="done", created_at=old),
        IdempotencyRecord(scope="u1:new", request_hash="0" * 64, state="done"),
    )
    await OutboxEvent.insert(
        OutboxEvent(topic="x", payload={}, created_at=old, published_at=old),
        OutboxEvent(topic="y", payload={}, created_at=old, published_at=None),
    )
    queue = ArqQueue(redis_url)
    await queue.enqueue("prune_housekeeping", job_id="prune:test")
    await queue.enqueue("prune_housekeeping", job_id="prune:test")  # the same id: not queued again
    pool = await queue._get_pool()
    assert len(await pool.queued_jobs()) == 1
    await queue.close()

    settings: Any = worker_settings(redis_url)
    worker = Worker(
        functions=settings.functions,
        redis_settings=settings.redis_settings,
        on_startup=settings.on_startup,
        on_shutdown=settings.on_shutdown,
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
        max_tries=settings.max_tries,
    )
    try:
        await asyncio.wait_for(worker.main(), timeout=30)
    finally:
        await worker.close()
    assert (worker.jobs_complete, worker.jobs_failed) == (1, 0)
    assert [r["scope"] for r in await IdempotencyRecord.select(IdempotencyRecord.scope)] == [
        "u1:new"
    ]
    assert [r["topic"] for r in await OutboxEvent.select(OutboxEvent.topic)] == ["y"]


async def test_the_worker_enqueues_on_the_redis_it_was_started_with(redis_url):
    from backend.worker import worker_settings

    settings: Any = worker_settings(redis_url)
    ctx: dict[str, Any] = {}
    await settings.on_startup(ctx)
    try:
        assert ctx["queue"]._redis_url == redis_url
    finally:
        await settings.on_shutdown(ctx)
