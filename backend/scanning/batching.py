"""Coalescing concurrent requests into one database statement (group commit, group read).

Each scan submits its item and waits; one task per event loop takes every item waiting (at most
``max_batch``) and hands them to the batch function in one call, then answers each waiter with
its own result. While a batch is being handled, the next gathers. Under load a statement's
fixed cost (a round trip, a thread hop into SQLite, a commit) is paid once per batch instead of
once per scan, and scans stop competing for connections and for SQLite's one write lock.

The batch function answers one result per item, in order; an item's result may be an
exception, which only that item's waiter receives. If the batch function itself fails, every
waiter of that batch receives the failure (``BatchAborted`` when the task was cancelled, e.g. at
shutdown): nobody is answered with a result that was not produced.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class BatchAborted(RuntimeError):
    """The batch was not completed (its task was cancelled); the item's outcome is unknown."""


class _Queue(Generic[T, R]):
    __slots__ = ("batch", "pending", "task")

    def __init__(self) -> None:
        self.pending: list[tuple[T, asyncio.Future[R]]] = []
        self.batch: list[tuple[T, asyncio.Future[R]]] = []
        """The batch being handled."""
        self.task: asyncio.Task[None] | None = None


class Batcher(Generic[T, R]):
    def __init__(
        self,
        handle: Callable[[list[T]], Awaitable[Sequence[R | Exception]]],
        max_batch: int = 500,
    ) -> None:
        self.handle = handle
        self.max_batch = max_batch
        self._queues: dict[asyncio.AbstractEventLoop, _Queue[T, R]] = {}

    async def submit(self, item: T) -> R:
        """Wait for the batch holding ``item`` and return its result (or raise its error)."""
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            for old in [known for known in self._queues if known.is_closed()]:
                del self._queues[old]
            queue = self._queues[loop] = _Queue()
        future: asyncio.Future[R] = loop.create_future()
        queue.pending.append((item, future))
        if queue.task is None or queue.task.done():
            # A context of its own: the batch must not run inside the transaction (or any
            # other context) of the request that happened to start the task.
            task = loop.create_task(self._drain(queue), context=contextvars.Context())
            task.add_done_callback(lambda done: _abandoned(queue, done))
            queue.task = task
        return await future

    async def _drain(self, queue: _Queue[T, R]) -> None:
        await asyncio.sleep(0)  # the other requests ready to run now join the first batch
        while queue.pending:
            queue.batch = batch = queue.pending[: self.max_batch]
            del queue.pending[: self.max_batch]
            try:
                results = await self.handle([item for item, _ in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"{len(results)} results for a batch of {len(batch)}")
            except Exception as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            queue.batch = []
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():  # its request was cancelled meanwhile
                    continue
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)


def _abandoned(queue: _Queue[Any, Any], task: asyncio.Task[None]) -> None:
    """The flusher ended without finishing (cancelled, at shutdown say, perhaps before it ever
    ran): whoever still waits on it is told the batch was not completed."""
    if not task.cancelled() and task.exception() is None:
        return
    waiting = queue.batch
    queue.batch = []
    if queue.task is task:  # no newer flusher has taken the pending items over
        waiting += queue.pending
        queue.pending.clear()
    for _, future in waiting:
        if not future.done():
            future.set_exception(BatchAborted())
