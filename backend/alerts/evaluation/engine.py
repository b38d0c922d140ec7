"""One evaluation: find what holds, compare with the stored alerts it covers, write the changes.

A full sweep covers every rule and subject; an incremental evaluation covers only the lots and
products a stock change touched, and resolves only alerts of those."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Sequence
from datetime import date, datetime
from typing import Any

from backend.alerts import rules, store
from backend.alerts.evaluation import finders
from backend.alerts.evaluation.finders import Scope
from backend.alerts.ruleset import RuleSet
from backend.core import clock, db


def _plan(
    findings: Sequence[rules.Finding], stored: Sequence[rules.Stored], scope: Scope | None
) -> rules.Plan:
    def covered(alert: rules.Stored) -> bool:
        if scope is None or scope.warehouses is None:
            return True
        return alert.warehouse in scope.warehouses

    return rules.reconcile(findings, stored, covered=covered)


async def _together(*steps: Awaitable[Any]) -> list[Any]:
    """Independent reads (or whole rule families): on PostgreSQL at once, each on its own
    pooled connection, so the database works on one while Python decides another; on SQLite
    one after the other (one file, one writer), as inside a caller's transaction (one
    connection)."""
    if db.is_sqlite() or db.in_transaction():
        return [await step for step in steps]
    return list(await asyncio.gather(*steps))


async def evaluate_lots(
    rs: RuleSet, today: date, now: datetime, scope: Scope | None
) -> store.Applied:
    findings, stored, (changed, differing) = await _together(
        finders.lot_findings(rs, today, now, scope),
        store.stored(finders.LOT_RULES, lots=None if scope is None else scope.lots),
        finders.expiry_changes(rs, today, scope),
    )
    return await store.apply(rules.reconcile(findings + changed, stored + differing), now=now)


async def evaluate_products(
    rs: RuleSet, today: date, now: datetime, scope: Scope | None
) -> store.Applied:
    if scope is None:
        findings, stored = await _together(
            finders.product_findings(rs, today, now, None),
            store.stored(finders.PRODUCT_RULES),
        )
        return await store.apply(_plan(findings, stored, None), now=now)
    # A stock change can end slow moving (an issue) but not start it (that takes days without
    # one, which the sweep sees): only products already flagged are looked at again for it.
    stored = await store.stored(finders.PRODUCT_RULES, products=scope.products)
    flagged = frozenset(
        s.product for s in stored if s.rule == rules.SLOW_MOVING and s.product is not None
    )
    slow = Scope(products=flagged, warehouses=scope.warehouses)
    findings = await finders.product_findings(rs, today, now, scope, slow_moving=slow)
    return await store.apply(_plan(findings, stored, scope), now=now)


async def evaluate_time_rules(rs: RuleSet, today: date, now: datetime) -> store.Applied:
    findings = await finders.time_findings(rs, today, now, clock.site_zone())
    stored = await store.stored(finders.TIME_RULES)
    return await store.apply(rules.reconcile(findings, stored), now=now)


async def evaluate_scope(rs: RuleSet, scope: Scope) -> dict[str, int]:
    today, now = clock.today(), clock.now()
    done = store.Applied()
    if scope.lots:
        done.add(await evaluate_lots(rs, today, now, scope))
    if scope.products:
        done.add(await evaluate_products(rs, today, now, scope))
    return done.as_dict()


async def sweep(
    rs: RuleSet, *, today: date | None = None, now: datetime | None = None
) -> dict[str, object]:
    """Everything, in three families of disjoint rules (lots, products, time-only), evaluated
    together on PostgreSQL; each family's writes commit chunk by chunk. A family's ``seconds``
    is its own wall time (they overlap)."""
    day, at = today or clock.today(), now or clock.now()

    async def family(name: str, evaluation: Awaitable[store.Applied]) -> dict[str, Any]:
        started = time.perf_counter()
        done = await evaluation
        total.add(done)
        return {name: done.as_dict() | {"seconds": round(time.perf_counter() - started, 3)}}

    total = store.Applied()
    summary: dict[str, object] = {}
    for part in await _together(
        family("lots", evaluate_lots(rs, day, at, None)),
        family("products", evaluate_products(rs, day, at, None)),
        family("time", evaluate_time_rules(rs, day, at)),
    ):
        summary.update(part)
    summary["unsnoozed"] = await store.unsnooze(at)
    summary["total"] = total.as_dict()
    return summary


async def evaluate_reading(rs: RuleSet, sensor: str, temperature_c: float) -> dict[str, int]:
    finding, known = await finders.reading_finding(rs, sensor, temperature_c)
    if not known:
        return {"unknown_sensor": 1}
    subject = f"sensor:{sensor}"
    existing = [s for s in await store.stored([rules.TEMPERATURE]) if s.subject == subject]
    plan = rules.reconcile([finding] if finding else [], existing)
    return (await store.apply(plan)).as_dict()
