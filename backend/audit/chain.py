"""Appending to the hash-chained audit log, and verifying it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from backend.audit.rules import GENESIS, ChainBreak, canonical_json, entry_hash, first_break
from backend.audit.tables import AuditEntry
from backend.core import clock, db
from backend.core.actor import Actor

if TYPE_CHECKING:
    from backend.core.unit_of_work import PendingAudit

# Any constant key works; it names the one lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 7_460_001


def content_of(
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    entity: str,
    entity_id: str,
    old: Any,
    new: Any,
    reason: str | None,
) -> dict[str, Any]:
    """The fields an entry's hash covers, in the form they are read back from the database."""
    return {
        "at": at.isoformat(),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "old": old,
        "new": new,
        "reason": reason,
    }


def _jsonable(value: Any) -> Any:
    """Values stored as JSON come back as JSON types; hash what will be read back."""
    return None if value is None else json.loads(canonical_json(value))


async def append(actor: Actor, pending: Sequence[PendingAudit]) -> list[int]:
    """Append entries to the chain inside the caller's transaction. On PostgreSQL an advisory
    lock held to commit serialises appenders; SQLite's write transaction already does."""
    if not db.in_transaction():
        raise RuntimeError("audit entries are written inside a unit of work")
    if not db.is_sqlite():
        await db.fetch("SELECT pg_advisory_xact_lock({})", _CHAIN_LOCK_KEY)
    last = await AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.id, ascending=False).first()
    prev = last["hash"] if last else GENESIS
    at = clock.now()
    ids: list[int] = []
    for p in pending:
        old, new = _jsonable(p.old), _jsonable(p.new)
        content = content_of(
            at, actor.user_id, actor.username, p.action, p.entity, p.entity_id, old, new, p.reason
        )
        digest = entry_hash(prev, content)
        rows = await AuditEntry.insert(
            AuditEntry(
                at=at,
                actor_id=actor.user_id,
                actor_name=actor.username,
                action=p.action,
                entity=p.entity,
                entity_id=p.entity_id,
                old=old,
                new=new,
                reason=p.reason,
                prev_hash=prev,
                hash=digest,
            )
        )
        ids.append(int(rows[0]["id"]))
        prev = digest
    return ids


async def _entries(batch: int = 5000) -> AsyncIterator[tuple[int, str, str, dict[str, Any]]]:
    after = 0
    while True:
        rows = await (
            AuditEntry.select()
            .where(AuditEntry.id > after)
            .order_by(AuditEntry.id)
            .limit(batch)
            .output(load_json=True)
        )
        if not rows:
            return
        for r in rows:
            at = r["at"]
            if isinstance(at, str):
                at = datetime.fromisoformat(at)
            content = content_of(
                at,
                r["actor_id"],
                r["actor_name"],
                r["action"],
                r["entity"],
                r["entity_id"],
                r["old"],
                r["new"],
                r["reason"],
            )
            yield r["id"], r["prev_hash"], r["hash"], content
        after = rows[-1]["id"]


async def verify() -> tuple[int, ChainBreak | None]:
    """Recompute the whole chain; return how many entries were read and the first break."""
    collected = [e async for e in _entries()]
    return len(collected), first_break(collected)
