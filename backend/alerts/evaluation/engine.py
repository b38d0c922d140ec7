"""One evaluation: find what holds, compare with the stored alerts it covers, write the changes.

A full sweep covers every rule and subject; an incremental evaluation covers only the lots and
products a stock change touched, and resolves only alerts of those."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from backend.alerts import rules, store
from backend.alerts.evaluation import finders
from backend.alerts.evaluation.finders import Scope
from backend.alerts.ruleset import RuleSet
from backend.core import clock


def _plan(
    findings: Sequence[rules.Finding], stored: Sequence[rules.Stored], scope: Scope | None
) -> rules.Plan:
    def covered(alert: rules.Stored) -> bool:
        if scope is None or scope.warehouses is None:
            return True
        return alert.warehouse in scope.warehouses

    return rules.reconcile(findings, stored, covered=covered)


async def evaluate_lots(
    rs: RuleSet, today: date, now: datetime, scope: Scope | None
) -> store.Applied:
    findings = await finders.lot_findings(rs, today, now, scope)
    stored = await store.stored(finders.LOT_RULES, lots=None if scope is None else scope.lots)
    changed, differing = await finders.expiry_changes(rs, today, scope)
    return await store.apply(rules.reconcile(findings + changed, stored + differing), now=now)


async def evaluate_products(
    rs: RuleSet, today: date, now: datetime, scope: Scope | None
) -> store.Applied:
    findings = await finders.product_findings(rs, today, now, scope)
    stored = await store.stored(
        finders.PRODUCT_RULES, products=None if scope is None else scope.products
    )
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
    """Everything, in families; each family's writes commit chunk by chunk."""
    import time

    day, at = today or clock.today(), now or clock.now()
    summary: dict[str, object] = {}
    total = store.Applied()
    for name in ("lots", "products", "time"):
        started = time.perf_counter()
        if name == "lots":
            done = await evaluate_lots(rs, day, at, None)
        elif name == "products":
            done = await evaluate_products(rs, day, at, None)
        else:
            done = await evaluate_time_rules(rs, day, at)
        total.add(done)
        summary[name] = done.as_dict() | {"seconds": round(time.perf_counter() - started, 3)}
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
