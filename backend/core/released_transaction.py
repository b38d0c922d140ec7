"""How Lotwise's transactions begin and end, on either database: the connection always goes back.

Piccolo's transactions take a connection and await BEGIN before they can be left through
``__aexit__``, and give the connection back only after COMMIT or ROLLBACK succeeded. A task
cancelled in BEGIN (a client that goes away, a shutdown, a timeout) or a COMMIT that fails
therefore kept its connection for good: on PostgreSQL a pooled connection "idle in transaction"
after ``BEGIN;`` (repeated, that empties the pool); on SQLite a connection that takes the write
lock once its BEGIN IMMEDIATE gets it, and holds it. Here a failed BEGIN gives the connection back
at once, and the end of a transaction runs shielded from cancellation and gives the connection
back whatever happened.
"""

from __future__ import annotations

import asyncio
from typing import Any


class ReleasedTransaction:
    """Put before Piccolo's transaction class; the engine's subclass says how a connection is
    given back (``_release``) and, if it must, how BEGIN is sent (``_begin``)."""

    async def __aenter__(self: Any) -> Any:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            await self._begin()
        except BaseException:
            await asyncio.shield(self._release(healthy=False))
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self: Any, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        self.engine.current_transaction.reset(self.context)
        # Shielded: a cancellation here still ends the transaction and returns the connection.
        await asyncio.shield(self._finish(commit=exception is None))
        return exception is None

    async def _finish(self: Any, *, commit: bool) -> None:
        healthy = False
        try:
            if not self._committed and not self._rolled_back:
                await (self.commit() if commit else self.rollback())
            healthy = True
        finally:
            await self._release(healthy=healthy)

    async def _begin(self: Any) -> None:
        await self.begin()

    async def _release(self, *, healthy: bool) -> None:
        raise NotImplementedError
