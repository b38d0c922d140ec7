"""Production mode (`lotwise serve` + `lotwise worker` on a throwaway Redis): killing the worker
mid-sweep, restarting Redis, or restarting the API loses no alert and creates no duplicate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from backend.core import clock, db
from tests.e2e.alerts.support import (
    ThrowawayRedis,
    Worker,
    bearer,
    env_with,
    listening,
    throwaway_redis,
)
from tests.e2e.conftest import LiveServer, free_port
from tests.integration.alerts.world import World, build_world, make_lot, policy


@dataclass
class Production:
    redis: ThrowawayRedis
    server: LiveServer
    worker: Worker


@pytest.fixture
def production(database: None, tmp_path: Path) -> Iterator[Production]:
    redis = throwaway_redis(tmp_path)
    redis.start()
    env = env_with(REDIS_URL=redis.url)
    server = LiveServer(port=free_port(), env=env, log_path=tmp_path / "server.log")
    worker = Worker(env, tmp_path / "worker.log")
    try:
        server.start()
        worker.start()
        yield Production(redis, server, worker)
    finally:
        worker.stop()
        server.stop()
        redis.stop()


async def count(sql: str, *args: object) -> int:
    return int((await db.fetch(f"SELECT COUNT(*) AS n FROM ({sql}) x", *args))[0]["n"])


async def wait_until(check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


async def assert_once_each() -> None:
    """One alert per (rule, subject), announced by exactly one alert.raised event."""
    alerts = await count("SELECT id FROM alert")
    assert alerts == await count("SELECT DISTINCT rule, subject FROM alert")
    rows = await db.fetch("SELECT payload FROM outbox_event WHERE topic = 'alert.raised'")
    import json

    ids = [
        (json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"])["alert"]
        for r in rows
    ]
    assert len(ids) == len(set(ids)) == alerts


async def enqueue(redis_url: str, job: str, job_id: str) -> None:
    from arq import create_pool
    from arq.connections import RedisSettings

    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    try:
        await pool.enqueue_job(job, _job_id=job_id)
    finally:
        await pool.aclose()


async def many_near_expiry_lots(w: World, n: int) -> None:
    """n lots on the shelf within 30 days of expiry (rows written directly: the sweep's input)."""
    expiry, now = clock.today() + timedelta(days=20), clock.now()
    for start in range(0, n, 500):
        numbers = range(start, min(start + 500, n))
        rows = await db.fetch(
            "INSERT INTO lot (product, lot_number, expiry, status, first_received_at, created_at) "
            f"VALUES {', '.join('({}, {}, {}, {}, {}, {})' for _ in numbers)} RETURNING id",
            *[v for i in numbers for v in (w.syringe, f"N{i}", expiry, "released", now, now)],
        )
        await db.fetch(
            "INSERT INTO stock_balance (location, lot, product, expiry, received_at, on_hand, "
            f"reserved) VALUES {', '.join('({}, {}, {}, {}, {}, 1, 0)' for _ in rows)}",
            *[v for r in rows for v in (w.storage_a, r["id"], w.syringe, expiry, now)],
        )


async def test_killing_the_worker_mid_sweep_loses_no_alert_and_duplicates_none(
    production: Production,
) -> None:
    w = await build_world()
    n = 8000
    await many_near_expiry_lots(w, n)
    await enqueue(production.redis.url, "sweep_alerts", "sweep-1")
    await wait_until(lambda: _some_alerts(), timeout=60)
    production.worker.kill()
    written = await count("SELECT id FROM alert")
    assert 0 < written < n, f"the kill must land mid-sweep ({written} of {n} written)"
    production.worker.start()
    # The next sweep (the cron's next tick) finishes the job.
    await enqueue(production.redis.url, "sweep_alerts", "sweep-2")
    await wait_until(lambda: _alerts_are(n), timeout=90)
    await assert_once_each()


async def _some_alerts() -> bool:
    return await count("SELECT id FROM alert") > 0


async def _alerts_are(n: int) -> bool:
    return await count("SELECT id FROM alert") >= n


async def _adjust(server: LiveServer, w: World, lot: int, quantity: int) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        answer = await http.post(
            "/api/v1/stock/adjustments",
            headers=w.admin.headers,
            json={
                "lot": lot,
                "location": w.storage_a,
                "quantity": quantity,
                "reason": 85 if quantity > 0 else 82,
                "note": "test",
            },
        )
        assert answer.status_code == 201, answer.text


async def test_restarting_redis_loses_no_alert_and_duplicates_none(
    production: Production,
) -> None:
    w = await build_world()
    await policy(w.syringe, w.wh_a, reorder_point=10)
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=800))
    production.redis.stop()
    await _adjust(production.server, w, lot, 3)  # committed while Redis is down
    await asyncio.sleep(1.0)
    assert await count("SELECT id FROM alert") == 0
    production.redis.start()  # empty: whatever was queued in it is gone
    if not production.worker.alive():
        production.worker.start()  # a supervisor would restart it
    await wait_until(lambda: _alerts_are(1), timeout=60)
    await enqueue(production.redis.url, "sweep_alerts", "sweep-after-restart")
    await asyncio.sleep(3.0)
    await assert_once_each()
    (row,) = await db.fetch("SELECT rule, state, level FROM alert")
    assert (row["rule"], row["state"], row["level"]) == ("low_stock", "open", 1)


async def test_restarting_the_api_loses_no_alert_and_live_delivery_resumes(
    production: Production,
) -> None:
    w = await build_world()
    await policy(w.syringe, w.wh_a, reorder_point=10)
    lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=800))
    await _adjust(production.server, w, lot, 3)
    production.server.restart()  # right after the commit
    await wait_until(lambda: _alerts_are(1), timeout=60)
    async with listening(production.server.ws_url, bearer(w.keeper_a.headers)) as phone:
        await _adjust(production.server, w, lot, -3)  # stock-out: the alert escalates
        escalated = await phone.wait_for("alert.escalated", rule="low_stock", timeout=20)
        assert escalated["data"]["level"] == 2
    await assert_once_each()
