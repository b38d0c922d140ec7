"""The transactional outbox's dispatcher: publish committed events, retry until delivered.

Events are rows in ``outbox_event`` written by a unit of work. The dispatcher reads the ones not
yet published, in order, hands them as one batch to every sink (live channels, job enqueueing),
and marks them published. A sink that fails leaves the whole batch unpublished with the error
noted; the next rounds try again one event at a time (so one undeliverable event holds back only
those after it) until one is delivered, so an event written is never lost. Delivery is at least
once: the events of a failed batch before the culprit are handed over again. Several
dispatchers may run at once on PostgreSQL (rows are claimed with SKIP LOCKED); on SQLite there
is one process.

Wherever a dispatcher runs (the embedded server, `lotwise worker`), the audit chain's sealer
runs beside it on PostgreSQL (``backend.audit.chain.run_sealer``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from backend.audit import chain
from backend.core import clock, db
from backend.core.tables import OutboxEvent

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "lotwise_outbox"
"""On PostgreSQL, after a commit that wrote events, the process NOTIFYs this channel (once per
burst of commits), and every dispatcher LISTENs on it, so events committed by another process
are published at once instead of at the next poll."""

NOTIFY_GATHER_SECONDS = 0.005
"""Commits within this long of the first share one NOTIFY."""

DISPATCH_GATHER_SECONDS = 0.005
"""A woken dispatcher waits this long before its round, so a burst of commits is published in
one round (one transaction) instead of one round each."""

BUSY_GATHER_SECONDS = 0.03
"""After a round that published events (a steady stream of commits), the next round waits
this long: bigger rounds, so one alert evaluation covers more stock changes, for at most this
much more delay on live events."""


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    topic: str
    payload: dict[str, Any]


BATCH = 200
"""Events per dispatch round (one transaction, one call of each sink)."""

Sink = Callable[[Sequence[Event]], Awaitable[None]]
"""Receives a round's events in commit order; raises to have them all retried."""

_wake: asyncio.Event | None = None
_notify_pending = False
_notify_task: asyncio.Task[None] | None = None


def _event() -> asyncio.Event:
    global _wake
    if _wake is None:
        _wake = asyncio.Event()
    return _wake


def wake() -> None:
    """Called after a commit that wrote events: the in-process dispatcher runs at once, and on
    PostgreSQL the dispatchers of other processes are notified. Not from inside the transaction:
    a NOTIFY there takes PostgreSQL's one notify lock at commit, queueing every commit behind it.
    """
    global _notify_pending, _notify_task
    _event().set()
    if db.is_sqlite() or _notify_pending:
        return  # the NOTIFY already scheduled is sent after this commit: it covers it
    _notify_pending = True
    # Its own context: never run inside whatever transaction the caller's context names.
    _notify_task = asyncio.get_running_loop().create_task(_notify(), context=contextvars.Context())


async def _notify() -> None:
    global _notify_pending
    await asyncio.sleep(NOTIFY_GATHER_SECONDS)
    # Cleared before sending: a commit from now on schedules a NOTIFY of its own.
    _notify_pending = False
    try:
        await db.fetch(f"SELECT pg_notify('{NOTIFY_CHANNEL}', '')")
    except Exception as exc:  # the dispatchers' poll publishes the events all the same
        # A process stopping closes its pool under a NOTIFY still waiting to be sent.
        level = logging.DEBUG if "closing" in str(exc) or "closed" in str(exc) else logging.WARNING
        log.log(level, "outbox NOTIFY failed: %r", exc)


def insert_sql(events: Sequence[tuple[str, dict[str, Any]]]) -> tuple[str, list[Any]]:
    """The INSERT of events (topic, payload) and its parameters, for a unit of work."""
    args: list[Any] = []
    for topic, payload in events:
        args += [topic, _json(payload)]
    marks = ", ".join("({}, {})" for _ in events)
    return f"INSERT INTO outbox_event (topic, payload) VALUES {marks}", args


def insert_where_sql(topic: str, payload: dict[str, Any], condition: str) -> tuple[str, list[Any]]:
    """The INSERT of one event only where ``condition`` (SQL) holds, and its parameters."""
    value = "{}" if db.is_sqlite() else "CAST({} AS JSON)"
    return (
        f"INSERT INTO outbox_event (topic, payload) SELECT {{}}, {value} WHERE {condition}",
        [topic, _json(payload)],
    )


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, default=str)


@dataclass(frozen=True, slots=True)
class Dispatched:
    published: int
    failed: int


async def dispatch_pending(sinks: Sequence[Sink], batch: int = BATCH) -> Dispatched:
    """One round: up to ``batch`` unpublished events to every sink, published or (a sink
    failed) left for the next round with the attempt and the error noted."""
    async with db.transaction():
        lock = "" if db.is_sqlite() else " FOR UPDATE SKIP LOCKED"
        rows = await db.fetch(
            "SELECT id, topic, payload FROM outbox_event WHERE published_at IS NULL "
            f"ORDER BY id LIMIT {int(batch)}{lock}"
        )
        if not rows:
            return Dispatched(0, 0)
        events = [Event(r["id"], r["topic"], _payload(r["payload"])) for r in rows]
        ids = [e.id for e in events]
        try:
            for sink in sinks:
                await sink(events)
        except Exception as exc:  # a sink's failure must not lose the events: retry later
            log.warning("outbox events %s..%s not delivered: %r", ids[0], ids[-1], exc)
            await OutboxEvent.update(
                {
                    OutboxEvent.attempts: OutboxEvent.attempts + 1,
                    OutboxEvent.last_error: repr(exc)[:2000],
                }
            ).where(OutboxEvent.id.is_in(ids))
            return Dispatched(0, len(ids))
        await OutboxEvent.update({OutboxEvent.published_at: clock.now()}).where(
            OutboxEvent.id.is_in(ids)
        )
    return Dispatched(len(ids), 0)


def _payload(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)


async def listen(event: asyncio.Event, retry_seconds: float = 1.0) -> None:
    """PostgreSQL: set ``event`` on every NOTIFY of the outbox channel; reconnect if the
    connection drops. Runs until cancelled."""
    import asyncpg  # type: ignore[import-untyped]

    dsn = db.engine().config["dsn"]  # type: ignore[attr-defined]
    while True:
        connection = None
        try:
            connection = await asyncpg.connect(dsn)
            closed = asyncio.Event()
            connection.add_termination_listener(lambda *_args, done=closed: done.set())
            await connection.add_listener(NOTIFY_CHANNEL, lambda *_args: event.set())
            event.set()  # anything committed while not listening is picked up now
            await closed.wait()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the poll still runs; try to listen again shortly
            log.warning("outbox LISTEN failed, polling until it is back: %r", exc)
        finally:
            if connection is not None and not connection.is_closed():
                await connection.close()
        await asyncio.sleep(retry_seconds)


async def run_dispatcher(sinks: Sequence[Sink], poll_seconds: float = 0.5) -> None:
    """Loop until cancelled: dispatch, then sleep until woken or the poll interval passes.
    Woken by commits in this process (``wake``) and, on PostgreSQL, by NOTIFY from others;
    the poll is the safety net."""
    event = _event()
    helpers = (
        []
        if db.is_sqlite()
        else [asyncio.create_task(listen(event)), asyncio.create_task(chain.run_sealer())]
    )
    try:
        await _dispatch_loop(sinks, event, poll_seconds)
    finally:
        for helper in helpers:
            helper.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)


async def _dispatch_loop(sinks: Sequence[Sink], event: asyncio.Event, poll_seconds: float) -> None:
    backoff = poll_seconds
    result = Dispatched(0, 0)
    while True:
        # Cleared before reading, not after: a wake-up (NOTIFY, a local commit) that arrives
        # while this round runs must lead to another round, not be lost until the next poll.
        event.clear()
        try:
            # After a failed round, one event at a time: the ones before the culprit go out.
            result = await dispatch_pending(sinks, batch=1 if result.failed else BATCH)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbox dispatch failed; retrying")
            result = Dispatched(0, 1)
        if result.published and not result.failed:
            backoff = poll_seconds
            await asyncio.sleep(BUSY_GATHER_SECONDS)
            continue
        if result.failed:
            backoff = min(backoff * 2, 30.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=backoff if result.failed else poll_seconds)
            await asyncio.sleep(DISPATCH_GATHER_SECONDS)
