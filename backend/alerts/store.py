"""Writing evaluation results: a reconcile plan applied in chunks, each chunk one transaction
with its outbox events (``alert.raised``, ``alert.escalated``, ``alert.resolved``).

Every write is conditional on what the plan saw (state, level), and new alerts are upserted on
the unique (rule, subject) key, so a chunk that is written twice (a rerun after a crash, two
workers evaluating the same lot) changes nothing and announces nothing the second time."""

from __future__ import annotations

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


def _facts(f: rules.Finding) -> str:
    return json.dumps(dict(f.facts), ensure_ascii=False, default=str)


class Events:
    """Alert events of one chunk, written to the outbox in one multi-row INSERT in the chunk's
    transaction (the unit of work's per-object insert costs more than the alerts themselves
    when a first sweep raises a hundred thousand). The dispatcher is woken after commit, and
    on PostgreSQL other processes' dispatchers by NOTIFY, as for ``uow.emit``."""

    def __init__(self) -> None:
        self.items: list[tuple[str, dict[str, Any]]] = []

    def emit(self, topic: str, payload: dict[str, Any]) -> None:
        self.items.append((topic, payload))

    async def write(self) -> None:
        if not self.items:
            return
        now = clock.now()
        for start in range(0, len(self.items), CHUNK):
            part = self.items[start : start + CHUNK]
            topics = [topic for topic, _payload in part]
            payloads = [json.dumps(p, ensure_ascii=False, default=str) for _t, p in part]
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
        if not db.is_sqlite():
            await db.fetch(f"SELECT pg_notify('{outbox.NOTIFY_CHANNEL}', '')")


@asynccontextmanager
async def writing() -> AsyncIterator[Events]:
    """One chunk: its writes and their events in one transaction; the dispatcher woken after."""
    events = Events()
    async with unit_of_work(SYSTEM):
        yield events
        await events.write()
    if events.items:
        outbox.wake()


async def _upsert(uow: Events, findings: Sequence[rules.Finding], now: datetime) -> int:
    """Insert new alerts; a resolved one of the same key is raised again in place."""
    args: list[Any]
    if db.is_sqlite():
        rows = ", ".join(
            "({}, {}, 'open', {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 1)" for _ in findings
        )
        args = []
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
        source = f"VALUES {rows}"
    else:  # arrays: a dozen parameters however many rows
        columns = [
            ("TEXT", [f.rule for f in findings]),
            ("TEXT", [f.subject for f in findings]),
            ("TEXT", [f.severity for f in findings]),
            ("INTEGER", [f.level for f in findings]),
            ("TEXT", [audience(f.roles) for f in findings]),
            ("INTEGER", [f.warehouse for f in findings]),
            ("INTEGER", [f.department for f in findings]),
            ("INTEGER", [f.product for f in findings]),
            ("BIGINT", [f.lot for f in findings]),
            ("INTEGER", [f.location for f in findings]),
            ("TEXT", [_facts(f) for f in findings]),
        ]
        arrays = ", ".join(f"CAST({{}} AS {kind}[])" for kind, _values in columns)
        source = (
            "SELECT r, s, 'open', sv, lv, au, wh, dp, pr, lt, lc, CAST(fa AS JSON), "
            "CAST({} AS TIMESTAMPTZ), CAST({} AS TIMESTAMPTZ), 1 "
            f"FROM unnest({arrays}) AS x(r, s, sv, lv, au, wh, dp, pr, lt, lc, fa)"
        )
        args = [now, now, *[values for _kind, values in columns]]
    returned = await db.fetch(
        f"INSERT INTO alert ({COLUMNS}) {source} "
        "ON CONFLICT (rule, subject) DO UPDATE SET state = 'open', "
        "severity = excluded.severity, level = excluded.level, audience = excluded.audience, "
        "warehouse = excluded.warehouse, department = excluded.department, "
        "product = excluded.product, lot = excluded.lot, location = excluded.location, "
        "facts = excluded.facts, raised_at = excluded.raised_at, "
        "updated_at = excluded.updated_at, escalated_at = NULL, acknowledged_at = NULL, "
        "acknowledged_by = NULL, snoozed_until = NULL, snooze_reason = NULL, resolved_at = NULL, "
        "times_raised = alert.times_raised + 1 "
        "WHERE alert.state = 'resolved' "
        "RETURNING *",
        *args,
    )
    for row in returned:
        uow.emit("alert.raised", event_payload(row))
    return len(returned)


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
    for chunk in _chunks(plan.raise_new):
        async with writing() as uow:
            done.raised += await _upsert(uow, chunk, at)
    for chunk in _chunks(plan.reopen):
        async with writing() as uow:
            done.raised += await _upsert(uow, [f for _old, f in chunk], at)
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
