"""PostgreSQL LISTEN/NOTIFY wake-up of the outbox dispatcher (for the live-alert latency): a
unit of work that wrote events notifies at commit, and the dispatcher's listener wakes on a
notification from another connection, without waiting for its poll."""

from __future__ import annotations

import asyncio

import pytest

from backend.core import db, outbox
from backend.core.actor import SYSTEM
from backend.core.unit_of_work import unit_of_work


@pytest.fixture(autouse=True)
def _postgres_only(backend_name: str) -> None:
    if backend_name != "postgres":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite has one process and wakes in it")


async def _quiet(heard: asyncio.Queue[str], seconds: float = 0.5, limit: float = 10) -> None:
    """Wait until nothing has been heard for ``seconds``, then empty the queue."""
    deadline = asyncio.get_running_loop().time() + limit
    while asyncio.get_running_loop().time() < deadline:
        try:
            await asyncio.wait_for(heard.get(), timeout=seconds)
        except TimeoutError:
            return
    raise AssertionError("the outbox channel never went quiet")


async def test_a_commit_with_events_notifies_the_outbox_channel() -> None:
    import asyncpg  # type: ignore[import-untyped]

    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(db.engine().config["dsn"])  # type: ignore[attr-defined]
    try:
        await listener.add_listener(outbox.NOTIFY_CHANNEL, lambda *a: heard.put_nowait(a[2]))
        await _quiet(heard)  # work that earlier tests left running commits and notifies too
        async with unit_of_work(SYSTEM) as uow:
            uow.emit("test.notify", {"n": 1})
            await asyncio.sleep(0.2)
            assert heard.empty()  # not before commit
        assert await asyncio.wait_for(heard.get(), timeout=2) == outbox.NOTIFY_CHANNEL
        async with unit_of_work(SYSTEM):
            pass  # no events: no notification
        await asyncio.sleep(0.2)
        assert heard.empty()
    finally:
        await listener.close()


async def test_the_dispatcher_listener_wakes_on_another_connections_notify() -> None:
    import asyncpg

    event = asyncio.Event()
    task = asyncio.create_task(outbox.listen(event))
    try:
        await asyncio.wait_for(event.wait(), timeout=5)  # listening
        event.clear()
        other = await asyncpg.connect(db.engine().config["dsn"])  # type: ignore[attr-defined]
        try:
            loop = asyncio.get_running_loop()
            sent = loop.time()
            await other.execute(f"NOTIFY {outbox.NOTIFY_CHANNEL}")
            await asyncio.wait_for(event.wait(), timeout=2)
            assert loop.time() - sent < 0.25  # well inside the 0.5 s poll
        finally:
            await other.close()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
