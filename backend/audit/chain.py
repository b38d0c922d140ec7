"""The hash-chained audit log: appending entries, sealing them into the chain, verifying it.

Appending takes no lock and reads nothing: an entry is inserted unsealed in its change's
transaction, so audited writes never wait for one another. Sealing gives the committed entries
their chain position (``seq``) and hashes, in id order, each hash covering the one sealed before
it. An id that is still in flight, or was rolled back, never blocks the chain: whatever has
committed is sealed, and a late id is sealed after it. One sealer at a time: on PostgreSQL under
an advisory lock (the loop in ``run_sealer`` runs beside every outbox dispatcher); on SQLite the
unit of work seals its own entries before commit, under the write lock it already holds.

``verify`` walks the chain in seal order and names the first entry whose hash or link fails;
``unsealed`` names entries left unsealed for too long (no sealer running).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from backend.audit.rules import GENESIS, ChainBreak, canonical_json, entry_hash, first_break
from backend.core import clock, db
from backend.core.actor import Actor

if TYPE_CHECKING:
    from backend.core.unit_of_work import PendingAudit

log = logging.getLogger(__name__)

# Any constant key works; it names the one lock that serialises sealers on PostgreSQL.
_SEAL_LOCK_KEY = 7_460_001

SEAL_BATCH = 1000
"""Entries sealed per statement round; a sealer with more waiting seals again at once."""

UNSEALED_TOO_LONG = timedelta(minutes=5)
"""An entry unsealed for longer than this means no sealer is running: verify reports it."""

_COLUMNS = "id, at, actor_id, actor_name, action, entity, entity_id, old, new, reason"


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


def _json(value: Any) -> Any:
    # Both drivers hand JSON columns back as text to raw SQL; entries hold objects or nothing.
    return json.loads(value) if isinstance(value, str) else value


def _content(row: dict[str, Any]) -> dict[str, Any]:
    """An entry's hashed content from a row read with ``_COLUMNS``: the sealer and verify read
    entries the same way, so what is sealed is exactly what is verified."""
    at = row["at"]
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return content_of(
        at,
        row["actor_id"],
        row["actor_name"],
        row["action"],
        row["entity"],
        row["entity_id"],
        _json(row["old"]),
        _json(row["new"]),
        row["reason"],
    )


def insert_sql(actor: Actor, pending: Sequence[PendingAudit]) -> tuple[str, list[Any]]:
    """The INSERT of unsealed entries (RETURNING their ids) and its parameters: for ``append``,
    and for a unit of work that writes its entries and events in one statement."""
    at = clock.now()
    args: list[Any] = []
    for p in pending:
        old, new = (None if v is None else canonical_json(v) for v in (p.old, p.new))
        args += [at, actor.user_id, actor.username, p.action, p.entity, p.entity_id, old, new]
        args.append(p.reason)
    marks = ", ".join("({}, {}, {}, {}, {}, {}, {}, {}, {})" for _ in pending)
    return (
        "INSERT INTO audit_entry (at, actor_id, actor_name, action, entity, entity_id, old, new, "
        f"reason) VALUES {marks} RETURNING id",
        args,
    )


async def append(actor: Actor, pending: Sequence[PendingAudit]) -> list[int]:
    """Insert entries, unsealed, in the caller's transaction; return their ids (signatures
    point at them). On SQLite they are sealed at once, still inside the transaction."""
    if not db.in_transaction():
        raise RuntimeError("audit entries are written inside a unit of work")
    if not pending:
        return []
    sql, args = insert_sql(actor, pending)
    rows = await db.fetch(sql, *args)
    if db.is_sqlite():
        await seal_in_transaction()
    return [int(r["id"]) for r in rows]


async def seal_in_transaction() -> None:
    """SQLite: seal what is unsealed inside the caller's write transaction."""
    while await _seal_batch() == SEAL_BATCH:
        pass


class _SealRaced(Exception):
    """Entries read for sealing changed before they were sealed (only a clean-up that deletes
    entries can do that); the round is rolled back and tried again."""


async def _seal_batch() -> int:
    """Seal the oldest unsealed committed entries after the newest sealed one, in the current
    transaction (the caller holds the sealer's lock). Returns how many were sealed."""
    # One statement, so the entries and the chain's end are read from one snapshot.
    rows = await db.fetch(
        f"SELECT {_COLUMNS}, "
        "(SELECT e.seq FROM audit_entry e WHERE e.seq IS NOT NULL "
        "ORDER BY e.seq DESC LIMIT 1) AS last_seq, "
        "(SELECT e.hash FROM audit_entry e WHERE e.seq IS NOT NULL "
        "ORDER BY e.seq DESC LIMIT 1) AS last_hash "
        f"FROM audit_entry WHERE seq IS NULL ORDER BY id LIMIT {SEAL_BATCH}"
    )
    if not rows:
        return 0
    seq = rows[0]["last_seq"] or 0
    prev = rows[0]["last_hash"] or GENESIS
    ids: list[int] = []
    seqs: list[int] = []
    prevs: list[str] = []
    hashes: list[str] = []
    for row in rows:
        digest = entry_hash(prev, _content(row))
        seq += 1
        ids.append(row["id"])
        seqs.append(seq)
        prevs.append(prev)
        hashes.append(digest)
        prev = digest
    if db.is_sqlite():
        sealed = 0
        for values in zip(seqs, prevs, hashes, ids, strict=True):
            sealed += len(
                await db.fetch(
                    "UPDATE audit_entry SET seq = {}, prev_hash = {}, hash = {} "
                    "WHERE id = {} AND seq IS NULL RETURNING id",
                    *values,
                )
            )
    else:
        sealed = len(
            await db.fetch(
                "UPDATE audit_entry AS a SET seq = v.seq, prev_hash = v.prev, hash = v.hash "
                "FROM unnest(CAST({} AS BIGINT[]), CAST({} AS BIGINT[]), CAST({} AS TEXT[]), "
                "CAST({} AS TEXT[])) AS v(id, seq, prev, hash) "
                "WHERE a.id = v.id AND a.seq IS NULL RETURNING a.id",
                ids,
                seqs,
                prevs,
                hashes,
            )
        )
    if sealed != len(rows):
        raise _SealRaced()
    return sealed


async def seal(*, wait: bool = False) -> int:
    """Seal everything committed so far, in rounds of ``SEAL_BATCH``; returns how many. If
    another sealer holds the lock this returns 0 at once, or with ``wait`` waits its turn (a
    test or a command that needs the chain sealed up to now)."""
    total = 0
    while True:
        try:
            async with db.transaction():
                if not db.is_sqlite():
                    lock = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
                    got = await db.fetch(f"SELECT {lock}({{}}) AS got", _SEAL_LOCK_KEY)
                    if not (wait or got[0]["got"]):
                        return total
                sealed = await _seal_batch()
        except _SealRaced:
            continue
        total += sealed
        if sealed < SEAL_BATCH:
            return total


async def run_sealer(poll_seconds: float = 0.25) -> None:
    """Loop until cancelled: seal what has committed, then sleep a moment, so a burst of
    commits (from this process or any other) is sealed in one round. PostgreSQL only: on
    SQLite units of work seal their own entries."""
    while True:
        try:
            if await seal() >= SEAL_BATCH:
                continue  # more waiting
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("sealing the audit chain failed; retrying")
        await asyncio.sleep(poll_seconds)


async def _sealed(batch: int = 5000) -> AsyncIterator[tuple[int, str, str, dict[str, Any]]]:
    after = 0
    while True:
        rows = await db.fetch(
            f"SELECT {_COLUMNS}, seq, prev_hash, hash FROM audit_entry "
            f"WHERE seq > {{}} ORDER BY seq LIMIT {int(batch)}",
            after,
        )
        if not rows:
            return
        for r in rows:
            yield r["id"], r["prev_hash"], r["hash"], _content(r)
        after = rows[-1]["seq"]


async def verify() -> tuple[int, ChainBreak | None]:
    """Recompute the sealed chain in seal order; return how many entries were read and the
    first break."""
    collected = [e async for e in _sealed()]
    return len(collected), first_break(collected)


async def unsealed(older_than: timedelta = UNSEALED_TOO_LONG) -> tuple[int, int | None]:
    """How many entries written more than ``older_than`` ago are still unsealed, and the
    first of them."""
    rows = await db.fetch(
        "SELECT COUNT(*) AS n, MIN(id) AS first FROM audit_entry WHERE seq IS NULL AND at < {}",
        clock.now() - older_than,
    )
    return int(rows[0]["n"]), rows[0]["first"]
