"""Set-based SQL that finds each rule's candidates, and the pure rules that decide.

Each finder takes the rule set, the time, and an optional :class:`Scope` (the keys a stock
change touched); without a scope it looks at everything (the sweep). SQL narrows to the few
rows that can matter (lots within the widest expiry horizon, policies, reservations on blocked
lots, ...); ``backend/alerts/rules.py`` makes every decision."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from backend.alerts import rules
from backend.alerts.ruleset import RuleSet, expiry_plan
from backend.core import db
from backend.receiving.rules import promised_by_lead_time
from backend.stock.reasons import ISSUING


@dataclass(frozen=True, slots=True)
class Scope:
    """The keys to evaluate: lots, and products (optionally in some warehouses)."""

    lots: frozenset[int] = frozenset()
    products: frozenset[int] = frozenset()
    warehouses: frozenset[int] | None = None


def _roles(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(items)


# ---- lot family: near expiry, expired, blocked lot reserved, dwell ---------------------------

LOT_RULES = (rules.BLOCKED_RESERVED, rules.DWELL, rules.LOT_EXPIRY_MISMATCH)
"""Found row by row in ``lot_findings``; near expiry and expired in ``expiry_changes``."""


async def lot_findings(
    rs: RuleSet, today: date, now: datetime, scope: Scope | None
) -> list[rules.Finding]:
    out: list[rules.Finding] = []
    where, args = ("", []) if scope is None else db.and_in("b.lot", scope.lots)
    la = rs.lot_anomalies
    if la.enabled:
        roles = _roles(la.roles)
        rows = await db.fetch(
            "SELECT b.lot, loc.warehouse, b.product, l.status, SUM(b.reserved) AS reserved "
            "FROM stock_balance b JOIN lot l ON l.id = b.lot "
            "JOIN location loc ON loc.id = b.location "
            f"WHERE b.reserved > 0 AND l.status <> 'released'{where} "
            "GROUP BY b.lot, loc.warehouse, b.product, l.status",
            *args,
        )
        for r in rows:
            f = rules.blocked_reserved(
                lot=r["lot"],
                warehouse=r["warehouse"],
                product=r["product"],
                status=r["status"],
                reserved=int(r["reserved"]),
                severity=la.blocked_reserved_severity,
                roles=roles,
            )
            if f is not None:
                out.append(f)
        rows = await db.fetch(
            "SELECT b.lot, b.location, loc.warehouse, b.product, loc.kind, b.on_hand, "
            "(SELECT MAX(sl.at) FROM stock_ledger sl WHERE sl.lot = b.lot "
            "AND sl.location = b.location AND sl.quantity > 0) AS arrived_at "
            "FROM stock_balance b JOIN location loc ON loc.id = b.location "
            f"WHERE loc.kind IN ('receiving', 'quarantine') AND b.on_hand > 0{where}",
            *args,
        )
        for r in rows:
            arrived = db.as_datetime(r["arrived_at"])
            if arrived is None:
                continue
            f = rules.dwell(
                lot=r["lot"],
                location=r["location"],
                warehouse=r["warehouse"],
                product=r["product"],
                kind=r["kind"],
                arrived_at=arrived,
                on_hand=int(r["on_hand"]),
                now=now,
                hours=la.dwell_hours,
                severity=la.dwell_severity,
                roles=roles,
            )
            if f is not None:
                out.append(f)
        out += await _expiry_mismatches(rs, now, scope)
    return out


async def _expiry_mismatches(
    rs: RuleSet, now: datetime, scope: Scope | None
) -> list[rules.Finding]:
    """Receipts refused because the lot number is known with another expiry, within the last
    ``expiry_mismatch_days``: the latest refusal per lot and warehouse, compared with the lot's
    expiry on record now (corrected to the delivered one, the alert resolves)."""
    la = rs.lot_anomalies
    where, args = ("", []) if scope is None else db.and_in("r.lot", scope.lots)
    rows = await db.fetch(
        "SELECT r.lot, r.warehouse, r.product, r.supplier, r.lot_number, r.received_expiry, "
        "r.refused_at, r.refused_by_name, l.expiry AS recorded FROM receipt_refusal r "
        "JOIN lot l ON l.id = r.lot "
        f"WHERE r.code = 'LOT_EXPIRY_MISMATCH' AND r.refused_at >= {{}}{where} "
        "ORDER BY r.refused_at, r.id",
        now - timedelta(days=la.expiry_mismatch_days),
        *args,
    )
    latest = {(r["lot"], r["warehouse"]): r for r in rows}
    out: list[rules.Finding] = []
    for r in latest.values():
        refused_at = db.as_datetime(r["refused_at"])
        f = rules.expiry_mismatch(
            lot=r["lot"],
            warehouse=r["warehouse"],
            product=r["product"],
            recorded=db.as_date(r["recorded"]),
            received=db.as_date(r["received_expiry"]),
            severity=la.expiry_mismatch_severity,
            roles=_roles(la.roles),
            facts={
                "lot_number": r["lot_number"],
                "supplier": r["supplier"],
                "refused_at": refused_at.isoformat() if refused_at else None,
                "refused_by": r["refused_by_name"],
            },
        )
        if f is not None:
            out.append(f)
    return out


def _level_case(levels: Sequence[rules.Level], today: date) -> tuple[str, list[Any]]:
    """SQL for the level ``rules.near_expiry`` decides (expired: one above the tightest)."""
    sql = "CASE WHEN c.expiry < {} THEN " + str(len(levels) + 1)
    args: list[Any] = [today]
    for index in range(len(levels) - 1, -1, -1):  # tightest first
        sql += " WHEN c.expiry <= {} THEN " + str(index + 1)
        args.append(today + timedelta(days=levels[index].days))
    return sql + " ELSE 0 END", args


def _level_sql(rs: RuleSet, today: date) -> tuple[str, list[Any]]:
    plan = expiry_plan(rs)
    sql, args = "CASE", []
    for product, levels in plan.by_product.items():
        case, more = _level_case(levels, today)
        sql += f" WHEN c.product = {{}} THEN {case}"
        args += [product, *more]
    for category, levels in plan.by_category.items():
        case, more = _level_case(levels, today)
        sql += f" WHEN c.category = {{}} THEN {case}"
        args += [category, *more]
    case, more = _level_case(plan.default, today)
    if not args:
        return case, more
    return f"{sql} ELSE {case} END", args + more


_NOT_FOUND_SQLITE = "(a.rule, a.subject) NOT IN (SELECT f.rule, f.subject FROM f)"
"""SQLite builds an index (a temporary B-tree) for an ``IN (SELECT ...)`` list; it does not
for a correlated NOT EXISTS or a LEFT JOIN ... IS NULL into findings whose keys are
expressions: those scan every finding per alert. No NULLs on either side: NOT IN is exact."""

_NOT_FOUND_PG = "NOT EXISTS (SELECT 1 FROM f WHERE f.rule = a.rule AND f.subject = a.subject)"
"""PostgreSQL: a hash anti join (its NOT IN hashes only while the list fits in work_mem, and
otherwise rescans it per alert)."""


async def expiry_changes(
    rs: RuleSet, today: date, scope: Scope | None
) -> tuple[list[rules.Finding], list[rules.Stored]]:
    """Near expiry and expired, set-based: the levels are computed in SQL and compared with the
    stored alerts there, so only what changed comes back (a steady-state sweep over a million
    lots returns nothing). Returns the findings that differ from their stored alert (new,
    other level) and the stored alerts they differ from or that no longer hold; the pure rule
    decides each finding again."""
    expiry_rules = (rules.NEAR_EXPIRY, rules.EXPIRED)
    if not rs.near_expiry.enabled:
        return [], await _stored_of(expiry_rules, scope)
    ne = rs.near_expiry
    plan = expiry_plan(rs)
    horizon = today + timedelta(days=plan.widest)
    where, args = ("", []) if scope is None else db.and_in("b.lot", scope.lots)
    alert_where, alert_args = ("", []) if scope is None else db.and_in("a.lot", scope.lots)
    level, level_args = _level_sql(rs, today)
    # Two halves, each an indexed lookup (a FULL OUTER JOIN of the findings with the stored
    # alerts has no index on either side: SQLite compared every pair, quadratic in the alerts).
    # 1. every finding with its stored alert through the unique (rule, subject) index: new,
    #    or at another level; 2. stored alerts no finding holds any more (to resolve): an
    #    anti-join into the findings, materialised once (see ``_NOT_FOUND_SQLITE``).
    rows = await db.fetch(
        "WITH c AS (SELECT b.lot, loc.warehouse, b.product, p.category, "
        "MIN(b.expiry) AS expiry, SUM(b.on_hand) AS on_hand FROM stock_balance b "
        "JOIN location loc ON loc.id = b.location JOIN product p ON p.id = b.product "
        "WHERE b.on_hand > 0 AND b.expiry IS NOT NULL AND b.expiry <= {} "
        f"AND loc.kind <> 'disposal'{where} "
        "GROUP BY b.lot, loc.warehouse, b.product, p.category), "
        f"l AS (SELECT c.*, {level} AS lvl FROM c), "
        "f AS MATERIALIZED (SELECT l.*, "
        "CASE WHEN l.expiry < {} THEN 'expired' ELSE 'near_expiry' END AS rule, "
        "'lot:' || CAST(l.lot AS TEXT) || '@wh:' || CAST(l.warehouse AS TEXT) AS subject "
        "FROM l WHERE l.lvl > 0) "
        "SELECT f.lot, f.warehouse, f.product, f.category, f.expiry, f.on_hand, "
        "a.id AS a_id, a.rule AS a_rule, a.subject AS a_subject, a.state AS a_state, "
        "a.level AS a_level, a.severity AS a_severity, a.warehouse AS a_warehouse "
        "FROM f LEFT JOIN alert a ON a.rule = f.rule AND a.subject = f.subject "
        f"AND a.state <> 'resolved'{alert_where} "
        "WHERE a.id IS NULL OR a.level <> f.lvl "
        "UNION ALL "
        "SELECT NULL, NULL, NULL, NULL, NULL, NULL, a.id, a.rule, a.subject, a.state, "
        "a.level, a.severity, a.warehouse FROM alert a "
        f"WHERE a.rule IN ('near_expiry', 'expired') AND a.state <> 'resolved'{alert_where} "
        f"AND {_NOT_FOUND_SQLITE if db.is_sqlite() else _NOT_FOUND_PG}",
        horizon,
        *args,
        *level_args,
        today,
        *alert_args,
        *alert_args,
    )
    findings: list[rules.Finding] = []
    stored: list[rules.Stored] = []
    expired_roles = _roles(ne.expired_roles)
    for r in rows:
        if r["a_id"] is not None:
            stored.append(
                rules.Stored(
                    int(r["a_id"]),
                    r["a_rule"],
                    r["a_subject"],
                    r["a_state"],
                    int(r["a_level"]),
                    r["a_severity"],
                    r["a_warehouse"],
                )
            )
        if r["lot"] is None:
            continue
        levels = rules.expiry_levels(
            r["product"], r["category"], plan.default, plan.by_category, plan.by_product
        )
        f = rules.near_expiry(
            lot=r["lot"],
            warehouse=r["warehouse"],
            product=r["product"],
            expiry=db.as_date(r["expiry"]),
            on_hand=int(r["on_hand"]),
            today=today,
            levels=levels,
            expired_severity=ne.expired_severity,
            expired_roles=expired_roles,
        )
        if f is not None:
            findings.append(f)
    return findings, stored


async def _stored_of(rule_names: Sequence[str], scope: Scope | None) -> list[rules.Stored]:
    from backend.alerts import store

    return await store.stored(rule_names, lots=None if scope is None else scope.lots)


# ---- product family: low stock / stock-out, ward par levels, slow moving ---------------------

PRODUCT_RULES = (rules.LOW_STOCK, rules.PAR_LEVEL, rules.SLOW_MOVING)


def _product_scope(scope: Scope | None, product: str, warehouse: str) -> tuple[str, list[Any]]:
    if scope is None:
        return "", []
    sql, args = db.and_in(product, scope.products)
    if scope.warehouses is not None:
        more, more_args = db.and_in(warehouse, scope.warehouses)
        sql, args = sql + more, args + more_args
    return sql, args


async def product_findings(
    rs: RuleSet,
    today: date,
    now: datetime,
    scope: Scope | None,
    *,
    slow_moving: Scope | None = None,
) -> list[rules.Finding]:
    """Low stock and par levels in ``scope``; slow moving in ``slow_moving`` (by default the
    same scope)."""
    out: list[rules.Finding] = []
    ls = rs.low_stock
    if ls.enabled:
        roles = _roles(ls.roles)
        inner, inner_args = _product_scope(scope, "b.product", "loc.warehouse")
        outer, outer_args = _product_scope(scope, "sp.product", "sp.warehouse")
        rows = await db.fetch(
            "WITH avail AS (SELECT b.product, loc.warehouse, "
            "SUM(b.on_hand - b.reserved) AS available FROM stock_balance b "
            "JOIN location loc ON loc.id = b.location JOIN lot l ON l.id = b.lot "
            "WHERE b.on_hand > 0 AND loc.kind = 'storage' AND l.status = 'released' "
            "AND (b.expiry IS NULL OR b.expiry >= {}) "
            "AND b.product IN (SELECT product FROM stock_policy WHERE location IS NULL)"
            f"{inner} GROUP BY b.product, loc.warehouse) "
            "SELECT sp.product, sp.warehouse, sp.minimum, sp.reorder_point, "
            "COALESCE(a.available, 0) AS available FROM stock_policy sp "
            "LEFT JOIN avail a ON a.product = sp.product AND a.warehouse = sp.warehouse "
            f"WHERE sp.location IS NULL{outer}",
            today,
            *inner_args,
            *outer_args,
        )
        for r in rows:
            f = rules.low_stock(
                product=r["product"],
                warehouse=r["warehouse"],
                available=int(r["available"]),
                minimum=r["minimum"],
                reorder_point=r["reorder_point"],
                severity=ls.severity,
                stockout_severity=ls.stockout_severity,
                roles=roles,
            )
            if f is not None:
                out.append(f)
        par_roles = _roles(ls.par_roles)
        rows = await db.fetch(
            "SELECT sp.product, sp.location, sp.warehouse, loc.department, sp.par_level, "
            "COALESCE(SUM(CASE WHEN l.status = 'released' AND (b.expiry IS NULL OR b.expiry >= {}) "
            "THEN b.on_hand - b.reserved ELSE 0 END), 0) AS available "
            "FROM stock_policy sp JOIN location loc ON loc.id = sp.location "
            "LEFT JOIN stock_balance b ON b.location = sp.location AND b.product = sp.product "
            "AND b.on_hand > 0 LEFT JOIN lot l ON l.id = b.lot "
            f"WHERE sp.location IS NOT NULL AND sp.par_level IS NOT NULL{outer} "
            "GROUP BY sp.product, sp.location, sp.warehouse, loc.department, sp.par_level",
            today,
            *outer_args,
        )
        for r in rows:
            f = rules.below_par(
                product=r["product"],
                location=r["location"],
                warehouse=r["warehouse"],
                department=r["department"],
                available=int(r["available"]),
                par_level=int(r["par_level"]),
                severity=ls.severity,
                stockout_severity=ls.stockout_severity,
                roles=par_roles,
            )
            if f is not None:
                out.append(f)
    sm = rs.slow_moving
    slow = scope if slow_moving is None else slow_moving
    if sm.enabled and (slow is None or slow.products):
        roles = _roles(sm.roles)
        inner, inner_args = _product_scope(slow, "b.product", "loc.warehouse")
        issued, issued_args = _product_scope(slow, "sl.product", "loc.warehouse")
        reasons = ", ".join(str(int(r)) for r in sorted(ISSUING))
        rows = await db.fetch(
            "WITH onhand AS (SELECT b.product, loc.warehouse, SUM(b.on_hand) AS on_hand, "
            "MIN(b.received_at) AS since FROM stock_balance b "
            "JOIN location loc ON loc.id = b.location "
            f"WHERE b.on_hand > 0 AND loc.kind IN ('storage', 'point_of_use'){inner} "
            "GROUP BY b.product, loc.warehouse), "
            "issued AS (SELECT sl.product, loc.warehouse, MAX(sl.at) AS last_issue "
            "FROM stock_ledger sl JOIN location loc ON loc.id = sl.location "
            f"WHERE sl.quantity < 0 AND sl.reason IN ({reasons}){issued} "
            "GROUP BY sl.product, loc.warehouse) "
            "SELECT o.product, o.warehouse, o.on_hand, o.since, i.last_issue FROM onhand o "
            "LEFT JOIN issued i ON i.product = o.product AND i.warehouse = o.warehouse",
            *inner_args,
            *issued_args,
        )
        for r in rows:
            since = db.as_datetime(r["since"])
            if since is None:
                continue
            f = rules.slow_moving(
                product=r["product"],
                warehouse=r["warehouse"],
                on_hand=int(r["on_hand"]),
                last_issue=db.as_datetime(r["last_issue"]),
                stocked_since=since,
                now=now,
                days=sm.days,
                severity=sm.severity,
                roles=roles,
            )
            if f is not None:
                out.append(f)
    return out


# ---- time-only rules: suppliers late, transfers in transit, certificates ---------------------

TIME_RULES = (
    rules.SUPPLIER_LATE,
    rules.TRANSIT_LATE,
    rules.LICENCE_EXPIRING,
    rules.REGISTRATION_EXPIRING,
)


def _site_date(value: Any, zone: Any) -> date:
    at = db.as_datetime(value)
    assert at is not None
    return at.astimezone(zone).date()


async def time_findings(rs: RuleSet, today: date, now: datetime, zone: Any) -> list[rules.Finding]:
    out: list[rules.Finding] = []
    de = rs.deliveries
    if de.enabled:
        roles = _roles(de.roles)
        # The promised delivery date is the order's own; orders from before it was recorded
        # fall back to the order date plus the longest agreed lead time of their lines.
        rows = await db.fetch(
            "SELECT po.id, po.number, po.warehouse, po.supplier, po.created_at, "
            "po.promised_date, MAX(sp.lead_time_days) AS lead FROM purchase_order po "
            "JOIN purchase_order_line pl ON pl.purchase_order = po.id "
            "LEFT JOIN supplier_product sp ON sp.supplier = po.supplier "
            "AND sp.product = pl.product "
            "WHERE po.status = 'open' AND pl.received < pl.quantity "
            "GROUP BY po.id, po.number, po.warehouse, po.supplier, po.created_at, "
            "po.promised_date"
        )
        for r in rows:
            promised = db.as_date(r["promised_date"]) or promised_by_lead_time(
                _site_date(r["created_at"], zone), [r["lead"]]
            )
            if promised is None:
                continue
            f = rules.supplier_late(
                order=r["id"],
                number=r["number"],
                warehouse=r["warehouse"],
                supplier=r["supplier"],
                promised=promised,
                today=today,
                grace_days=de.late_po_grace_days,
                severity=de.severity,
                roles=roles,
            )
            if f is not None:
                out.append(f)
        rows = await db.fetch(
            "SELECT id, from_warehouse, shipped_at FROM transfer_order "
            "WHERE status = 'shipped' AND shipped_at IS NOT NULL"
        )
        for r in rows:
            shipped = db.as_datetime(r["shipped_at"])
            assert shipped is not None
            f = rules.transit_late(
                order=r["id"],
                warehouse=r["from_warehouse"],
                shipped_at=shipped,
                now=now,
                days=de.transit_days,
                severity=de.severity,
                roles=roles,
            )
            if f is not None:
                out.append(f)
    ce = rs.certificates
    if ce.enabled:
        roles = _roles(ce.roles)
        horizon = today + timedelta(days=ce.warn_days)
        rows = await db.fetch(
            "SELECT sl.id, sl.supplier, sl.kind, sl.number, sl.valid_until, s.name "
            "FROM supplier_licence sl JOIN supplier s ON s.id = sl.supplier "
            "WHERE sl.active AND s.active AND sl.valid_until IS NOT NULL "
            "AND sl.valid_until <= {}",
            horizon,
        )
        for r in rows:
            f = rules.certificate(
                rule=rules.LICENCE_EXPIRING,
                subject=f"supplier_licence:{r['id']}",
                valid_until=db.as_date(r["valid_until"]),
                today=today,
                warn_days=ce.warn_days,
                severity=ce.severity,
                lapsed_severity=ce.lapsed_severity,
                roles=roles,
                facts={
                    "supplier": r["supplier"],
                    "kind": r["kind"],
                    "number": r["number"],
                    "supplier_name": r["name"],
                },
            )
            if f is not None:
                out.append(f)
        rows = await db.fetch(
            "SELECT id, code, registration_no, registration_valid_until FROM product "
            "WHERE active AND registration_valid_until IS NOT NULL "
            "AND registration_valid_until <= {}",
            horizon,
        )
        for r in rows:
            f = rules.certificate(
                rule=rules.REGISTRATION_EXPIRING,
                subject=f"product:{r['id']}",
                valid_until=db.as_date(r["registration_valid_until"]),
                today=today,
                warn_days=ce.warn_days,
                severity=ce.severity,
                lapsed_severity=ce.lapsed_severity,
                roles=roles,
                product=r["id"],
                facts={"code": r["code"], "registration_no": r["registration_no"]},
            )
            if f is not None:
                out.append(f)
    return out


# ---- temperature (readings from the device bridge) -------------------------------------------


async def reading_finding(
    rs: RuleSet, sensor: str, temperature_c: float
) -> tuple[rules.Finding | None, bool]:
    """(the excursion or None, whether the sensor watches a known location)."""
    rows = await db.fetch(
        "SELECT loc.id, loc.warehouse, loc.temp_min, loc.temp_max FROM alert_sensor_location s "
        "JOIN location loc ON loc.id = s.location WHERE s.sensor = {}",
        sensor,
    )
    if not rows or not rs.temperature.enabled:
        return None, bool(rows)
    r = rows[0]
    te = rs.temperature
    return rules.temperature_excursion(
        sensor=sensor,
        location=r["id"],
        warehouse=r["warehouse"],
        temperature_c=temperature_c,
        minimum=r["temp_min"],
        maximum=r["temp_max"],
        tolerance_c=te.tolerance_c,
        severity=te.severity,
        roles=_roles(te.roles),
    ), True


def load_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
