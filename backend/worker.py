"""Background work: the job functions, the cron table, which events enqueue which jobs, and
arq's WorkerSettings for `lotwise worker`. The in-process runner uses the same lists."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, cast

from backend.core import clock, outbox
from backend.core.jobs import Cron, JobFunction, JobQueue
from backend.core.tables import IdempotencyRecord, OutboxEvent

log = logging.getLogger(__name__)

IDEMPOTENCY_KEEP = timedelta(days=7)
PUBLISHED_EVENTS_KEEP = timedelta(days=30)


async def prune_housekeeping(ctx: dict[str, Any]) -> dict[str, int]:
    """Drop idempotency records past their replay window, published events past their keep
    time, and expired revoked tokens. Unpublished events are never dropped."""
    from backend.auth.service import prune_revoked_tokens

    now = clock.now()
    records = await IdempotencyRecord.count().where(
        IdempotencyRecord.created_at < now - IDEMPOTENCY_KEEP
    )
    await IdempotencyRecord.delete().where(IdempotencyRecord.created_at < now - IDEMPOTENCY_KEEP)
    old_events = (OutboxEvent.published_at.is_not_null()) & (
        OutboxEvent.published_at < now - PUBLISHED_EVENTS_KEEP
    )
    events = await OutboxEvent.count().where(old_events)
    await OutboxEvent.delete().where(old_events)
    tokens = await prune_revoked_tokens()
    return {"idempotency_records": records, "events": events, "revoked_tokens": tokens}


from backend.alerts.evaluation import jobs as alert_jobs  # noqa: E402
from backend.requisitions import jobs as requisition_jobs  # noqa: E402

FUNCTIONS: list[JobFunction] = [
    prune_housekeeping,
    *alert_jobs.FUNCTIONS,
    *requisition_jobs.FUNCTIONS,
]

CRON: list[Cron] = [
    Cron(prune_housekeeping, minutes=frozenset({17}), hours=frozenset({19})),
    # Alerts: a full sweep every 5 minutes (thresholds crossed at the site's midnight are seen
    # within 5 minutes), due webhook retries every minute.
    Cron(alert_jobs.sweep_alerts, minutes=frozenset(range(0, 60, 5))),
    Cron(alert_jobs.retry_webhooks, minutes=frozenset(range(60))),
    # Par-level replenishment drafts for the ward cabinets, nightly (21:30 UTC = 05:30 Beijing).
    Cron(requisition_jobs.propose_par_requisitions, minutes=frozenset({30}), hours=frozenset({21})),
]

# Outbox topic -> job functions enqueued with (event id, payload) for each event published.
SUBSCRIPTIONS: dict[str, list[JobFunction]] = {**alert_jobs.SUBSCRIPTIONS}
# Outbox topic -> job functions enqueued once per dispatch round with (event ids, payloads) of
# all that round's events of the topic: one evaluation of many stock changes instead of many.
BATCH_SUBSCRIPTIONS: dict[str, list[JobFunction]] = {**alert_jobs.BATCH_SUBSCRIPTIONS}


def job_sink(queue: JobQueue) -> outbox.Sink:
    async def sink(events: Sequence[outbox.Event]) -> None:
        batched: dict[str, list[outbox.Event]] = {}
        for event in events:
            for function in SUBSCRIPTIONS.get(event.topic, []):
                # The job id makes a re-published event (after a crash) enqueue nothing new.
                name = function.__name__
                await queue.enqueue(name, event.id, event.payload, job_id=f"{name}:{event.id}")
            for function in BATCH_SUBSCRIPTIONS.get(event.topic, []):
                batched.setdefault(function.__name__, []).append(event)
        for name, mine in batched.items():
            ids, payloads = [e.id for e in mine], [e.payload for e in mine]
            await queue.enqueue(name, ids, payloads, job_id=f"{name}:{ids[0]}-{ids[-1]}")

    return sink


def channel_sink(publish: Any) -> outbox.Sink:
    """Live events to WebSocket subscribers: `publish` is ChannelsPlugin.wait_published."""
    from backend.realtime.routing import channels_for_event

    async def sink(events: Sequence[outbox.Event]) -> None:
        for event in events:
            channels = channels_for_event(event.payload)
            if channels:
                await publish(
                    {"id": event.id, "topic": event.topic, "data": event.payload}, channels
                )

    return sink


def sinks(queue: JobQueue, publish: Any) -> Sequence[outbox.Sink]:
    return [channel_sink(publish), job_sink(queue)]


# ---- arq: `lotwise worker` -------------------------------------------------------------------


async def _startup(ctx: dict[str, Any]) -> None:
    from litestar.channels import ChannelsPlugin

    from backend.core import db
    from backend.core.jobs import ArqQueue
    from backend.realtime.channels import make_backend
    from backend.settings import get_settings

    settings = get_settings()
    await db.start(settings)
    channels = ChannelsPlugin(backend=make_backend(settings), arbitrary_channels_allowed=True)
    await channels.__aenter__()
    # The Redis the worker was started on (worker_settings), which is where jobs belong.
    queue = ArqQueue(ctx.get("redis_url") or settings.redis_url)
    ctx["channels"] = channels
    ctx["queue"] = queue
    ctx["dispatcher"] = asyncio.create_task(
        outbox.run_dispatcher(sinks(queue, channels.wait_published))
    )
    log.info("worker started: outbox dispatcher running")


async def _shutdown(ctx: dict[str, Any]) -> None:
    from backend.core import db

    ctx["dispatcher"].cancel()
    await asyncio.gather(ctx["dispatcher"], return_exceptions=True)
    await ctx["queue"].close()
    await ctx["channels"].__aexit__(None, None, None)
    await db.stop()


def _startup_on(redis_url: str) -> Callable[[dict[str, Any]], Awaitable[None]]:
    async def startup(ctx: dict[str, Any]) -> None:
        ctx["redis_url"] = redis_url
        await _startup(ctx)

    return startup


def worker_settings(redis_url: str) -> type:
    from arq import cron
    from arq.connections import RedisSettings

    class WorkerSettings:
        functions = FUNCTIONS
        cron_jobs = [
            cron(
                cast(Any, c.function), minute=set(c.minutes), hour=set(c.hours) if c.hours else None
            )
            for c in CRON
        ]
        redis_settings = RedisSettings.from_dsn(redis_url)
        on_startup = _startup_on(redis_url)
        on_shutdown = _shutdown
        # Jobs are idempotent; a killed worker's job is retried by arq after this many seconds.
        job_timeout = 600
        max_tries = 5
        # Live alerts: look for new jobs every 20 ms rather than arq's 0.5 s.
        poll_delay = 0.02

    return WorkerSettings
