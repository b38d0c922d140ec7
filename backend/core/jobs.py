"""Background jobs behind one small interface: arq on Redis in production, in-process embedded.

A job is ``async def job(ctx: dict, *args) -> summary``: it takes ids, reloads what it needs,
tolerates a missing row, and is safe to run twice (arq retries after a crash or timeout).
The same functions and the same cron table run in both modes; only the queue differs.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from backend.core import clock

log = logging.getLogger(__name__)

JobFunction = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Cron:
    """Run ``function`` when the UTC time matches: every listed hour (all if None), at each
    listed minute."""

    function: JobFunction
    minutes: frozenset[int]
    hours: frozenset[int] | None = None

    def due(self, at: datetime) -> bool:
        return at.minute in self.minutes and (self.hours is None or at.hour in self.hours)


class JobQueue(Protocol):
    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None: ...

    async def close(self) -> None: ...


class InProcessQueue:
    """Runs jobs as tasks on the server's event loop, and the cron table every minute."""

    def __init__(self, functions: Sequence[JobFunction], cron: Sequence[Cron] = ()) -> None:
        self._functions = {f.__name__: f for f in functions}
        self._cron = list(cron)
        self._running: dict[str, asyncio.Task[Any]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._cron_task: asyncio.Task[None] | None = None

    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        function = self._functions.get(name)
        if function is None:
            raise LookupError(f"no job function named {name}")
        if job_id is not None and job_id in self._running:
            return  # like arq: a job id already queued or running is not queued again
        # A fresh context: a job must not inherit its caller's open transaction (the outbox
        # dispatcher enqueues from inside one), or it would run on a connection about to close.
        task = asyncio.create_task(self._run(function, args, job_id), context=contextvars.Context())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if job_id is not None:
            self._running[job_id] = task
            task.add_done_callback(lambda _t: self._running.pop(job_id, None))

    async def _run(self, function: JobFunction, args: tuple[Any, ...], job_id: str | None) -> None:
        ctx: dict[str, Any] = {"job_id": job_id, "job_try": 1, "enqueue_time": clock.now()}
        try:
            result = await function(ctx, *args)
            log.debug("job %s done: %s", function.__name__, result)
        except Exception:
            log.exception("job %s failed", function.__name__)

    def start_cron(self) -> None:
        if self._cron and self._cron_task is None:
            self._cron_task = asyncio.create_task(self._cron_loop())

    async def _cron_loop(self) -> None:
        while True:
            now = clock.now()
            next_minute = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
            await asyncio.sleep((next_minute - now).total_seconds())
            for entry in self._cron:
                if entry.due(next_minute):
                    key = f"cron:{entry.function.__name__}:{next_minute:%Y%m%d%H%M}"
                    await self.enqueue(entry.function.__name__, job_id=key)

    async def drain(self) -> None:
        """Wait for every job started so far (tests use it to observe their effects)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        if self._cron_task is not None:
            self._cron_task.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class ArqQueue:
    """Enqueues into arq on Redis; `lotwise worker` processes run the jobs."""

    def __init__(self, redis_url: str) -> None:
        self._redis_url = redis_url
        self._pool: Any = None

    async def _get_pool(self) -> Any:
        if self._pool is None:
            from arq import create_pool
            from arq.connections import RedisSettings

            self._pool = await create_pool(RedisSettings.from_dsn(self._redis_url))
        return self._pool

    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> None:
        pool = await self._get_pool()
        await pool.enqueue_job(name, *args, _job_id=job_id)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None
