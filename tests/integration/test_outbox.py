"""The transactional outbox: events commit with their change, are published in order, and a
failing sink loses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from litestar.channels import ChannelsPlugin

from backend.core import clock, db, outbox
from backend.core.actor import SYSTEM
from backend.core.tables import OutboxEvent
from backend.core.unit_of_work import unit_of_work
from tests.support import make_user


async def _events(*topics: str) -> None:
    await OutboxEvent.insert(
        *[OutboxEvent(topic=t, payload={"n": i}) for i, t in enumerate(topics)]
    )


async def test_an_event_commits_with_its_unit_of_work():
    async with unit_of_work(SYSTEM) as uow:
        uow.audit("create", "thing", 1)
        uow.emit("thing.created", {"id": 1, "名": "值"})
    row = await OutboxEvent.select().output(load_json=True).first()
    assert (row["topic"], row["payload"]) == ("thing.created", {"id": 1, "名": "值"})


async def test_a_rolled_back_unit_of_work_leaves_no_event_and_no_audit_entry():
    from backend.audit.tables import AuditEntry

    with pytest.raises(RuntimeError):
        async with unit_of_work(SYSTEM) as uow:
            uow.audit("create", "thing", 1)
            uow.emit("thing.created", {"id": 1})
            raise RuntimeError("the change failed half-way")
    assert await OutboxEvent.count() == 0
    assert await AuditEntry.count() == 0


async def test_the_dispatcher_publishes_in_order_to_the_apps_channels(app):
    channels = app.plugins.get(ChannelsPlugin)
    received: list[dict[str, Any]] = []

    async def to_channels(events: Sequence[outbox.Event]) -> None:
        for e in events:
            await channels.wait_published(
                {"id": e.id, "topic": e.topic, "data": e.payload}, ["test-outbox"]
            )

    async with channels.start_subscription(["test-outbox"]) as subscriber:
        # Inside one transaction the app's own dispatcher cannot see (or take) these events.
        async with db.transaction():
            await _events("a.one", "a.two", "a.three")
            result = await outbox.dispatch_pending([to_channels])
            assert (result.published, result.failed) == (3, 0)

        async def collect() -> None:
            import json

            async for raw in subscriber.iter_events():
                received.append(json.loads(raw))
                if len(received) == 3:
                    return

        await asyncio.wait_for(collect(), timeout=5)
    assert [e["topic"] for e in received] == ["a.one", "a.two", "a.three"]
    assert [e["data"] for e in received] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert await OutboxEvent.count().where(OutboxEvent.published_at.is_null()) == 0


async def test_a_failing_sink_leaves_the_batch_unpublished_and_later_rounds_deliver_it():
    delivered: list[str] = []
    broken = True

    async def flaky(events: Sequence[outbox.Event]) -> None:
        for e in events:
            if broken and e.topic == "b.two":
                raise ConnectionError("redis went away")
            delivered.append(e.topic)

    async with db.transaction():
        await _events("b.one", "b.two", "b.three")
        first = await outbox.dispatch_pending([flaky])
        assert (first.published, first.failed) == (0, 3)
        rows = await OutboxEvent.select().order_by(OutboxEvent.id)
        assert [r["published_at"] is None for r in rows] == [True, True, True]
        assert [r["attempts"] for r in rows] == [1, 1, 1]
        assert all("redis went away" in r["last_error"] for r in rows)

        # One at a time (the dispatcher's next rounds after a failure): the event before the
        # culprit goes out; the culprit and, behind it, the later ones wait (commit order).
        one = await outbox.dispatch_pending([flaky], batch=1)
        assert (one.published, one.failed) == (1, 0)
        again = await outbox.dispatch_pending([flaky], batch=1)
        assert (again.published, again.failed) == (0, 1)
        attempts = await OutboxEvent.select(OutboxEvent.topic, OutboxEvent.attempts).order_by(
            OutboxEvent.id
        )
        assert [r["attempts"] for r in attempts] == [1, 2, 1]

        broken = False
        last = await outbox.dispatch_pending([flaky])
        assert (last.published, last.failed) == (2, 0)
    # At least once: b.one was handed over in the failed batch and again on its own.
    assert delivered == ["b.one", "b.one", "b.two", "b.three"]
    assert await OutboxEvent.count().where(OutboxEvent.published_at.is_null()) == 0


async def test_the_running_app_publishes_a_committed_change_by_itself(client):
    admin = await make_user("boss", ["admin"])
    response = await client.post(
        "/api/v1/suppliers", json={"code": "S-1", "name": "n"}, headers=admin.headers
    )
    assert response.status_code == 201
    for _ in range(50):
        if await OutboxEvent.count().where(OutboxEvent.published_at.is_not_null()) == 1:
            break
        await asyncio.sleep(0.1)
    event = await OutboxEvent.select().first()
    assert event["published_at"] is not None
    assert event["attempts"] == 0


async def test_housekeeping_never_drops_an_unpublished_event():
    from backend.worker import prune_housekeeping

    old = clock.now() - timedelta(days=90)
    await OutboxEvent.insert(
        OutboxEvent(topic="old.published", payload={}, created_at=old, published_at=old),
        OutboxEvent(
            topic="old.unpublished", payload={}, created_at=old, published_at=None, attempts=40
        ),
        OutboxEvent(topic="new.published", payload={}, published_at=clock.now()),
    )
    summary = await prune_housekeeping({})
    assert summary["events"] == 1
    topics = sorted(r["topic"] for r in await OutboxEvent.select(OutboxEvent.topic))
    assert topics == ["new.published", "old.unpublished"]


async def test_a_burst_of_commits_wakes_other_processes_with_one_notify(backend_name):
    """The NOTIFY goes out after commit, once for the commits that come close together."""
    if backend_name != "postgres":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    import asyncpg  # type: ignore[import-untyped]

    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(db.engine().config["dsn"])  # type: ignore[attr-defined]
    try:
        await listener.add_listener(outbox.NOTIFY_CHANNEL, lambda *a: heard.put_nowait(a[2]))
        for _ in range(10):  # ten commits' wake-ups before the loop turns
            outbox.wake()
        await asyncio.wait_for(heard.get(), timeout=2)
        await asyncio.sleep(0.3)
        assert heard.empty()
        outbox.wake()  # a commit after that NOTIFY was sent gets one of its own
        await asyncio.wait_for(heard.get(), timeout=2)
    finally:
        await listener.close()
