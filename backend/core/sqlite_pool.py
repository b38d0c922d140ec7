"""Piccolo's SQLite engine with a few connections kept open.

Piccolo opens a new aiosqlite connection (and with it a new thread) for every query run outside a
transaction, and for every transaction. On a busy handheld fleet that is most of the time spent;
keeping connections and handing them out again removes it. Up to ``pool_size`` are kept: as many
as requests commonly run at once (a read per request under 64 concurrent requests, measured by
``bench/bench_scans.py``: 4 kept gave auth/me 700 req/s, 32 gave 1,600), since one opened beyond
them costs a connection and a thread for a single query. Behaviour is otherwise
Piccolo's: each query outside a transaction commits on its own; a transaction keeps its one
connection from BEGIN to COMMIT or ROLLBACK.
"""

from __future__ import annotations

import contextlib
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from backend.core.released_transaction import ReleasedTransaction


class PooledSQLiteEngine(SQLiteEngine):
    def __init__(self, path: str, pool_size: int = 32, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._pool_size = pool_size
        self._idle: list[aiosqlite.Connection] = []

    async def get_connection(self) -> aiosqlite.Connection:
        if self._idle:
            return self._idle.pop()
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        return connection

    async def release(self, connection: aiosqlite.Connection, healthy: bool = True) -> None:
        """Back to the pool if it is in a clean state and the pool has room; else closed."""
        if healthy and connection.in_transaction:
            with contextlib.suppress(Exception):
                await connection.rollback()
            healthy = not connection.in_transaction
        if healthy and len(self._idle) < self._pool_size:
            self._idle.append(connection)
        else:
            with contextlib.suppress(Exception):
                await connection.close()

    async def close_pool(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(Exception):
                await connection.close()

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        connection = await self.get_connection()
        healthy = False
        try:
            async with connection.execute(query, args or []) as cursor:
                await connection.commit()
                if query_type == "insert" and self.get_version_sync() < 3.35:
                    assert table is not None
                    pk = await self._get_inserted_pk(cursor, table)
                    rows: Any = [{table._meta.primary_key._meta.db_column_name: pk}]
                else:
                    rows = await cursor.fetchall()
            healthy = True
            return rows
        finally:
            await self.release(connection, healthy)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return PooledTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


class PooledTransaction(ReleasedTransaction, SQLiteTransaction):
    """Piccolo's transaction, but it gives its connection back to the pool instead of closing
    it, and whatever happens (``backend/core/released_transaction.py``). A failed BEGIN closes
    the connection: BEGIN may still be running in its thread, and the close, queued after it
    there, rolls back whatever BEGIN took."""

    async def _release(self, *, healthy: bool) -> None:
        engine = self.engine
        assert isinstance(engine, PooledSQLiteEngine)
        await engine.release(self.connection, healthy)
