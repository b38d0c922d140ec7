"""Piccolo's PostgreSQL engine, with transactions that always give their connection back
(``backend/core/released_transaction.py``); asyncpg's pool rolls back a connection that comes
back inside a transaction."""

from __future__ import annotations

from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

from backend.core.released_transaction import ReleasedTransaction


class SafePostgresEngine(PostgresEngine):
    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return SafePostgresTransaction(engine=self, allow_nested=allow_nested)


class SafePostgresTransaction(ReleasedTransaction, PostgresTransaction):
    async def _begin(self) -> None:
        self.transaction = self.connection.transaction()
        await self.begin()  # type: ignore[no-untyped-call]

    async def _release(self, *, healthy: bool) -> None:
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        else:
            await self.connection.close()
