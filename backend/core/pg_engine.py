"""Piccolo's PostgreSQL engine, with transactions that always give their connection back.

Piccolo's ``PostgresTransaction`` takes a pooled connection and awaits BEGIN before it can be
left through ``__aexit__``, and in ``__aexit__`` it returns the connection only after COMMIT or
ROLLBACK succeeded. A task cancelled while BEGIN is in flight (a client that goes away, a
shutdown, a timeout) or a COMMIT that fails therefore kept its connection checked out for good,
"idle in transaction" after ``BEGIN;``: repeated, that empties the pool. Here the end of a
transaction runs shielded from cancellation, and the connection goes back to the pool whatever
happened; asyncpg's pool rolls back a connection that comes back inside a transaction.
"""

from __future__ import annotations

import asyncio
from typing import Any

from piccolo.engine.postgres import PostgresEngine, PostgresTransaction


class SafePostgresEngine(PostgresEngine):
    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return SafePostgresTransaction(engine=self, allow_nested=allow_nested)


class SafePostgresTransaction(PostgresTransaction):
    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        # asyncpg's acquire gives the connection back itself if cancelled while waiting.
        self.connection = await self.get_connection()  # type: ignore[no-untyped-call]
        try:
            self.transaction = self.connection.transaction()
            await self.begin()  # type: ignore[no-untyped-call]
        except BaseException:
            await asyncio.shield(self._release())
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        self.engine.current_transaction.reset(self.context)
        # Shielded: a cancellation here still ends the transaction and returns the connection.
        await asyncio.shield(self._finish(commit=exception is None))
        return exception is None

    async def _finish(self, *, commit: bool) -> None:
        try:
            if not self._committed and not self._rolled_back:
                await (self.commit() if commit else self.rollback())  # type: ignore[no-untyped-call]
        finally:
            await self._release()

    async def _release(self) -> None:
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        else:
            await self.connection.close()
