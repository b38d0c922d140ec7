"""Writing the scan log with group commit: one transaction for the rows of all scans waiting.

Every scan waits until its own row is committed (nothing is acknowledged before it is stored),
but concurrent scans share the transaction: while one batch is being written, the next
gathers, so under load the cost of a commit (on SQLite also the single write lock, taken with
BEGIN IMMEDIATE) is paid once per batch instead of once per scan, and scans never queue on
the database's lock against each other.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

from backend.core import db
from backend.scanning.tables import ScanLog

MAX_BATCH: Final = 500


class _Writer:
    def __init__(self) -> None:
        self.pending: list[tuple[dict[str, Any], asyncio.Future[int]]] = []
        self.task: asyncio.Task[None] | None = None

    async def write(self, values: dict[str, Any]) -> int:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.pending.append((values, future))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self.pending:
            batch, self.pending = self.pending[:MAX_BATCH], self.pending[MAX_BATCH:]
            try:
                async with db.transaction():
                    rows = await ScanLog.insert(*[ScanLog(**v) for v, _ in batch]).returning(
                        ScanLog.id
                    )
                # Ids are given in the order of the VALUES list; sorting does not rely on the
                # order RETURNING happens to use.
                ids = sorted(int(r["id"]) for r in rows)
            except BaseException as error:  # the waiting requests get the failure
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            for (_, future), row_id in zip(batch, ids, strict=True):
                if not future.done():
                    future.set_result(row_id)


_writers: dict[asyncio.AbstractEventLoop, _Writer] = {}


async def write(values: dict[str, Any]) -> int:
    """Store one scan_log row (column name → value) and return its id once committed."""
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        for old in [known for known in _writers if known.is_closed()]:
            del _writers[old]
        writer = _writers[loop] = _Writer()
    return await writer.write(values)
