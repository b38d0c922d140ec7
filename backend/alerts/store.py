"""Writing evaluation results: a reconcile plan applied in chunks, each chunk one transaction
with its outbox events (``alert.raised``, ``alert.escalated``, ``alert.resolved``).

Every write is conditional on what the plan saw (state, level), and new alerts are upserted on
the unique (rule, subject) key, so a chunk that is written twice (a rerun after a crash, two
workers evaluating the same lot) changes nothing and announces nothing the second time."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.alerts import rules
from backend.core import clock, db, outbox
from backend.core.actor import SYSTEM
from backend.core.unit_of_work import unit_of_work

CHUNK = 2000

COLUMNS = (
    "rule, subject, state, severity, level, audience, warehouse, department, product, lot, "
    "location, facts, raised_at, updated_at, times_raised"
)


def audience(roles: Iterable[str]) -> str:
    return _audience_of(roles if isinstance(roles, tuple) else tuple(roles))


@functools.lru_cache(maxsize=256)
def _audience_of(roles: tuple[str, ...]) -> str:
    """Cached: a rule's roles are the same few tuples for every finding it makes."""
    return "," + ",".join(sorted(set(roles))) + ","


def roles_of(audience_text: str) -> list[str]:
    return [r for r in audience_text.split(",") if r]


def event_payload(row: dict[str, Any]) -> dict[str, Any]:
    """What an alert event carries: ids and the figures to show, plus warehouse_id and
    department_id (when set) so /ws delivers it by scope. An alert with neither (a supplier
    licence, a registration certificate) goes to everyone's broadcast channel."""
    facts = row.get("facts") or {}
    if isinstance(facts, str):
        facts = json.loads(facts)
    payload: dict[str, Any] = {
        "alert": int(row["id"]),
        "rule": row["rule"],
        "subject": row["subject"],
        "state": row["state"],
        "severity": row["severity"],
        "level": int(row["level"]),
        "roles": roles_of(row["audience"]),
        "product": row.get("product"),
        "lot": row.get("lot"),
        "location": row.get("location"),
        "title": rules.describe(row["rule"], facts),
        "title_en": rules.describe(row["rule"], facts, "en"),
    }
    if row.get("warehouse") is not None:
        payload["warehouse_id"] = int(row["warehouse"])
    if row.get("department") is not None:
        payload["department_id"] = int(row["department"])
    return payload


@dataclass
class Applied:
    raised: int = 0
    escalated: int = 0
    refreshed: int = 0
    resolved: int = 0

    def add(self, other: Applied) -> None:
        self.raised += other.raised
        self.escalated += other.escalated
        self.refreshed += other.refreshed
        self.resolved += other.resolved

    def as_dict(self) -> dict[str, int]:
        return {
            "raised": self.raised,
            "escalated": self.escalated,
            "refreshed": self.refreshed,
            "resolved": self.resolved,
        }


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_JSON = json.JSONEncoder(ensure_ascii=False, default=str)
"""One encoder: json.dumps with options builds a new one per call (a first sweep makes
150,000 calls)."""


def _facts(f: rules.Finding) -> str:
    return _JSON.encode(f.facts if isinstance(f.facts, dict) else dict(f.facts))


class Events:
    """Alert events of one chunk, written to the outbox in one multi-row INSERT in the chunk's
    transaction, in chunks of ``CHUNK`` with one shared JSON encoder (a first sweep raises a
    hundred thousand). ``writing`` wakes the dispatchers after
    commit with ``outbox.wake`` (on PostgreSQL its NOTIFY reaches other processes), as for
    ``uow.emit``."""

    def __init__(self) -> None:
        self.items: list[tuple[str, dict[str, Any]]] = []
        self.written_in_sql = 0
        """Events the chunk's statements wrote into the outbox themselves (PostgreSQL)."""

    @property
    def any(self) -> bool:
        return bool(self.items) or self.written_in_sql > 0

    def emit(self, topic: str, payload: dict[str, Any]) -> None:
        self.items.append((topic, payload))

    async def write(self) -> None:
        if not self.any:
            return
        now = clock.now()
        for start in range(0, len(self.items), CHUNK):
            part = self.items[start : start + CHUNK]
            topics = [topic for topic, _payload in part]
            payloads = [_JSON.encode(p) for _t, p in part]
            if db.is_sqlite():
                rows = ", ".join("({}, {}, {}, 0)" for _ in part)
                args: list[Any] = []
                for topic, payload in zip(topics, payloads, strict=True):
                    args += [topic, payload, now]
                await db.fetch(
                    "INSERT INTO outbox_event (topic, payload, created_at, attempts) "
                    f"VALUES {rows}",
                    *args,
                )
            else:  # arrays: three parameters however many rows, kept in order
                await db.fetch(
                    "INSERT INTO outbox_event (topic, payload, created_at, attempts) "
                    "SELECT t, CAST(p AS JSON), CAST({} AS TIMESTAMPTZ), 0 FROM "
                    "unnest(CAST({} AS TEXT[]), CAST({} AS TEXT[])) WITH ORDINALITY "
                    "AS x(t, p, n) ORDER BY n",
                    now,
                    topics,
                    payloads,
                )


@asynccontextmanager
async def writing() -> AsyncIterator[Events]:
    """One chunk: its writes and their events in one transaction; the dispatcher woken after."""
    events = Events()
    async with unit_of_work(SYSTEM):
        yield events
        await events.write()
    if events.any:
        outbox.wake()


_ON_CONFLICT = (
    "ON CONFLICT (rule, subject) DO UPDATE SET state = 'open', "
    "severity = excluded.severity, level = excluded.level, audience = excluded.audience, "
    "warehouse = excluded.warehouse, department = excluded.department, "
    "product = excluded.product, lot = excluded.lot, location = excluded.location, "
    "facts = excluded.facts, raised_at = excluded.raised_at, "
    "updated_at = excluded.updated_at, escalated_at = NULL, acknowledged_at = NULL, "
    "acknowledged_by = NULL, snoozed_until = NULL, snooze_reason = NULL, resolved_at = NULL, "
    "times_raised = alert.times_raised + 1 "
    "WHERE alert.state = 'resolved'"
)
"""A new (rule, subject) is inserted; a resolved one is raised again in place; one that is
not resolved is left alone (a rerun, or another worker got there first)."""


def _as_row(alert_id: int, f: rules.Finding) -> dict[str, Any]:
    """The row an upsert wrote for this finding (every column is set from it)."""
    return {
        "id": alert_id,
        "rule": f.rule,
        "subject": f.subject,
        "state": rules.OPEN,
        "severity": f.severity,
        "level": f.level,
        "audience": audience(f.roles),
        "warehouse": f.warehouse,
        "department": f.department,
        "product": f.product,
        "lot": f.lot,
        "location": f.location,
        "facts": f.facts,
    }


async def _upsert(uow: Events, findings: Sequence[rules.Finding], now: datetime) -> int:
    """SQLite: insert new alerts (a resolved one of the same key is raised again in place) and
    announce each alert written as ``alert.raised``."""
    rows = ", ".join(
        "({}, {}, 'open', {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 1)" for _ in findings
    )
    args: list[Any] = []
    for f in findings:
        args += [
            f.rule,
            f.subject,
            f.severity,
            f.level,
            audience(f.roles),
            f.warehouse,
            f.department,
            f.product,
            f.lot,
            f.location,
            _facts(f),
            now,
            now,
        ]
    returned = await db.fetch(
        f"INSERT INTO alert ({COLUMNS}) VALUES {rows} {_ON_CONFLICT} RETURNING id, rule, subject",
        *args,
    )
    by_key = {(f.rule, f.subject): f for f in findings}
    for row in sorted(returned, key=lambda r: int(r["id"])):
        f = by_key[(row["rule"], row["subject"])]
        uow.emit("alert.raised", event_payload(_as_row(int(row["id"]), f)))
    return len(returned)


def _pg_arrays(findings: Sequence[rules.Finding]) -> list[list[Any]]:
    """The findings as the columns ``_RAISE_PG`` unnests (plus both titles, formatted here by
    the pure rule, for the events)."""
    return [
        [f.rule for f in findings],
        [f.subject for f in findings],
        [f.severity for f in findings],
        [f.level for f in findings],
        [audience(f.roles) for f in findings],
        [f.warehouse for f in findings],
        [f.department for f in findings],
        [f.product for f in findings],
        [f.lot for f in findings],
        [f.location for f in findings],
        [_facts(f) for f in findings],
        [rules.describe(f.rule, f.facts) for f in findings],
        [rules.describe(f.rule, f.facts, "en") for f in findings],
    ]


_PG_ARRAY_TYPES = (
    *("TEXT", "TEXT", "TEXT", "INTEGER", "TEXT"),  # rule, subject, severity, level, audience
    *("INTEGER", "INTEGER", "INTEGER", "BIGINT", "INTEGER"),  # warehouse ... location
    *("TEXT", "TEXT", "TEXT"),  # facts, title, title_en
)


def _payload_pg() -> str:
    """SQL for ``event_payload`` of an inserted row ``ins`` and its titles ``x.ti``/``x.te``:
    warehouse_id and department_id only when set (json_build_object is far cheaper than
    building and concatenating jsonb)."""
    keys = (
        "'alert', ins.id, 'rule', ins.rule, 'subject', ins.subject, 'state', ins.state, "
        "'severity', ins.severity, 'level', ins.level, "
        "'roles', to_json(string_to_array(btrim(ins.audience, ','), ',')), "
        "'product', ins.product, 'lot', ins.lot, 'location', ins.location, "
        "'title', x.ti, 'title_en', x.te"
    )
    wh, dp = ", 'warehouse_id', ins.warehouse", ", 'department_id', ins.department"
    return (
        "CASE WHEN ins.warehouse IS NULL AND ins.department IS NULL "
        f"THEN json_build_object({keys}) "
        f"WHEN ins.department IS NULL THEN json_build_object({keys}{wh}) "
        f"WHEN ins.warehouse IS NULL THEN json_build_object({keys}{dp}) "
        f"ELSE json_build_object({keys}{wh}{dp}) END"
    )


_PAYLOAD_PG = _payload_pg()

_RAISE_PG = (
    "WITH x AS (SELECT * FROM unnest("
    + ", ".join(f"CAST({{}} AS {kind}[])" for kind in _PG_ARRAY_TYPES)
    + ") AS x(r, s, sv, lv, au, wh, dp, pr, lt, lc, fa, ti, te)), "
    f"ins AS (INSERT INTO alert ({COLUMNS}) "
    "SELECT r, s, 'open', sv, lv, au, wh, dp, pr, lt, lc, CAST(fa AS JSON), "
    "CAST({} AS TIMESTAMPTZ), CAST({} AS TIMESTAMPTZ), 1 FROM x "
    f"{_ON_CONFLICT} RETURNING id, rule, subject, state, severity, level, audience, "
    "warehouse, department, product, lot, location), "
    "ev AS (INSERT INTO outbox_event (topic, payload, created_at, attempts) "
    "SELECT 'alert.raised', " + _PAYLOAD_PG + ", "
    "CAST({} AS TIMESTAMPTZ), 0 "
    "FROM ins JOIN x ON x.r = ins.rule AND x.s = ins.subject ORDER BY ins.id RETURNING id) "
    "SELECT COUNT(*) AS n FROM ev"
)
"""PostgreSQL: the upsert and its ``alert.raised`` events in one statement. The findings go
in as arrays (a dozen parameters however many rows); the alerts written feed a second INSERT,
into ``outbox_event``, inside the database, so a first sweep that raises a hundred thousand
alerts neither ships them back nor builds their events in Python. The payload is the one
``event_payload`` builds."""


async def _raise_pg(arrays: list[list[Any]], now: datetime) -> int:
    """One chunk, prepared by ``_pg_arrays``: one transaction, its events, the NOTIFY."""
    async with writing() as uow:
        returned = await db.fetch(_RAISE_PG, *arrays, now, now, now)
        uow.written_in_sql = int(returned[0]["n"])
    return uow.written_in_sql


WRITERS = 2
"""Chunks written at once on PostgreSQL (each its own transaction and connection): their keys
are disjoint, so they never wait for each other."""


async def _raise_all(findings: Sequence[rules.Finding], now: datetime) -> int:
    """Upsert (and announce) in chunks, each its own transaction. On PostgreSQL up to
    ``WRITERS`` chunks are written at once, and the next chunk's arrays are built meanwhile."""
    if db.is_sqlite():
        raised = 0
        for chunk in _chunks(findings):
            async with writing() as uow:
                raised += await _upsert(uow, chunk, now)
        return raised
    raised = 0
    pending: list[asyncio.Task[int]] = []
    try:
        for chunk in _chunks(findings):
            arrays = _pg_arrays(chunk)
            if len(pending) >= WRITERS:
                raised += await pending.pop(0)
            pending.append(asyncio.create_task(_raise_pg(arrays, now)))
        while pending:
            raised += await pending.pop(0)
    finally:
        if pending:  # something failed: let the writes in flight finish before raising
            await asyncio.gather(*pending, return_exceptions=True)
    return raised


async def _update(
    uow: Events, old: rules.Stored, f: rules.Finding, now: datetime, *, escalate: bool
) -> int:
    extra = (
        ", state = 'open', escalated_at = {}, acknowledged_at = NULL, "
        "acknowledged_by = NULL, snoozed_until = NULL, snooze_reason = NULL"
        if escalate
        else ""
    )
    args: list[Any] = [f.severity, f.level, audience(f.roles), _facts(f), now]
    if escalate:
        args.append(now)
    args += [old.id, old.level, old.state]
    returned = await db.fetch(
        "UPDATE alert SET severity = {}, level = {}, audience = {}, facts = {}, updated_at = {}"
        f"{extra} WHERE id = {{}} AND level = {{}} AND state = {{}} RETURNING *",
        *args,
    )
    if returned and escalate:
        uow.emit("alert.escalated", event_payload(returned[0]))
    return len(returned)


async def _resolve(uow: Events, alerts: Sequence[rules.Stored], now: datetime) -> int:
    marks = ", ".join("{}" for _ in alerts)
    returned = await db.fetch(
        f"UPDATE alert SET state = 'resolved', resolved_at = {{}}, updated_at = {{}} "
        f"WHERE id IN ({marks}) AND state <> 'resolved' RETURNING *",
        now,
        now,
        *[a.id for a in alerts],
    )
    for row in returned:
        uow.emit("alert.resolved", event_payload(row))
    return len(returned)


async def apply(plan: rules.Plan, *, now: datetime | None = None) -> Applied:
    """Write the plan chunk by chunk; each chunk commits with its events."""
    at = now or clock.now()
    done = Applied()
    done.raised += await _raise_all(plan.raise_new, at)
    done.raised += await _raise_all([f for _old, f in plan.reopen], at)
    for pairs, escalate in ((plan.escalate, True), (plan.refresh, False)):
        for chunk in _chunks(pairs, 200):
            async with writing() as uow:
                for old, f in chunk:
                    n = await _update(uow, old, f, at, escalate=escalate)
                    if escalate:
                        done.escalated += n
                    else:
                        done.refreshed += n
    for chunk in _chunks(plan.resolve):
        async with writing() as uow:
            done.resolved += await _resolve(uow, chunk, at)
    return done


async def stored(
    rule_names: Sequence[str],
    *,
    lots: Iterable[int] | None = None,
    products: Iterable[int] | None = None,
) -> list[rules.Stored]:
    """Alerts not resolved of these rules (narrowed to lots or products when given)."""
    marks = ", ".join("{}" for _ in rule_names)
    sql = (
        f"SELECT id, rule, subject, state, level, severity, warehouse, product, lot "
        f"FROM alert WHERE state <> 'resolved' AND rule IN ({marks})"
    )
    args: list[Any] = list(rule_names)
    for column, values in (("lot", lots), ("product", products)):
        if values is not None:
            ids = sorted(set(values))
            if not ids:
                return []
            sql += f" AND {column} IN ({', '.join('{}' for _ in ids)})"
            args += ids
    rows = await db.fetch(sql, *args)
    return [
        rules.Stored(
            int(r["id"]),
            r["rule"],
            r["subject"],
            r["state"],
            int(r["level"]),
            r["severity"],
            r["warehouse"],
            r["product"],
        )
        for r in rows
    ]


async def unsnooze(now: datetime | None = None) -> int:
    """Snoozes that ran out: the alert is open again and announced again."""
    at = now or clock.now()
    async with writing() as uow:
        returned = await db.fetch(
            "UPDATE alert SET state = 'open', snoozed_until = NULL, updated_at = {} "
            "WHERE state = 'snoozed' AND snoozed_until <= {} RETURNING *",
            at,
            at,
        )
        for row in returned:
            uow.emit("alert.raised", event_payload(row))
    return len(returned)
