"""One transaction per use case: the change, its audit entries and its outbox events, or nothing.

Services write their rows inside ``async with unit_of_work(actor) as uow`` and call
``uow.audit(...)`` and ``uow.emit(...)``. Audit entries and events are buffered and written at the
end, just before commit, in the same transaction as the change. Neither takes a lock that other
units of work wait for: audit entries are sealed into the hash chain after commit (see
``backend/audit/chain.py``), and the outbox dispatchers are woken after commit, not from inside
the transaction (a NOTIFY there would queue every commit on PostgreSQL's one notify lock).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from backend.audit import chain
from backend.core import db, outbox
from backend.core.actor import Actor
from backend.core.write import Refused, Write


@dataclass(slots=True)
class PendingAudit:
    action: str
    entity: str
    entity_id: str
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    reason: str | None


@dataclass(slots=True)
class UnitOfWork:
    actor: Actor
    _audits: list[PendingAudit] = field(default_factory=list)
    _events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _maybe_events: bool = False

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: object,
        *,
        old: Mapping[str, Any] | None = None,
        new: Mapping[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        self._audits.append(PendingAudit(action, entity, str(entity_id), old, new, reason))

    async def audit_now(
        self,
        action: str,
        entity: str,
        entity_id: object,
        *,
        old: Mapping[str, Any] | None = None,
        new: Mapping[str, Any] | None = None,
        reason: str | None = None,
    ) -> int:
        """Write this entry (and any buffered before it) now, and return its id: for records
        that must point at their audit entry, such as signatures."""
        self.audit(action, entity, entity_id, old=old, new=new, reason=reason)
        ids = await self._flush_audits()
        return ids[-1]

    def emit(self, topic: str, payload: dict[str, Any]) -> None:
        self._events.append((topic, payload))

    def emit_where(
        self, write: Write, topic: str, payload: dict[str, Any], condition: str, uses: int
    ) -> None:
        """An event written with ``write`` only where ``condition`` holds over the rows of its
        change ``uses`` (``w<uses>``): the last line of a list closing it, say."""
        sql, args = outbox.insert_where_sql(topic, payload, condition)
        write.add(sql, *args, uses=uses)
        self._maybe_events = True

    async def _flush_audits(self) -> list[int]:
        pending, self._audits = self._audits, []
        return await chain.append(self.actor, pending)

    async def _flush(self) -> None:
        audits, self._audits = self._audits, []
        events = self._events
        if audits and events and not db.is_sqlite():
            # One round trip for both: the audit INSERT runs as a data-modifying WITH.
            audit_sql, audit_args = chain.insert_sql(self.actor, audits)
            events_sql, events_args = outbox.insert_sql(events)
            await db.fetch(f"WITH a AS ({audit_sql}) {events_sql}", *audit_args, *events_args)
            return
        if audits:
            await chain.append(self.actor, audits)
        if events:
            sql, args = outbox.insert_sql(events)
            await db.fetch(sql, *args)

    async def apply(self, write: Write) -> None:
        """Write ``write``'s changes, this unit's audit entries and its events: all or nothing.
        For a use case that reads first, outside any transaction, and then writes only if
        what it read still holds (its required changes say so): on PostgreSQL one statement,
        no BEGIN or COMMIT. A refused change raises its refusal, and nothing is written."""
        audits, self._audits = self._audits, []
        events = self._events
        if audits:
            sql, args = chain.insert_sql(self.actor, audits)
            write.add(sql, *args)
        if events:
            sql, args = outbox.insert_sql(events)
            write.add(sql, *args)
        try:
            if write.one_statement:
                await write.run()
            else:  # the same transaction as the changes seals SQLite's audit entries
                async with db.transaction():
                    await write.run()
                    if audits and db.is_sqlite():
                        await chain.seal_in_transaction()
        except Refused as refused:
            assert refused.change.refusal is not None
            raise await refused.change.refusal() from None
        if events or self._maybe_events:
            outbox.wake()


@asynccontextmanager
async def unit_of_work(actor: Actor) -> AsyncIterator[UnitOfWork]:
    uow = UnitOfWork(actor)
    async with db.transaction():
        yield uow
        await uow._flush()
    if uow._events:
        outbox.wake()
