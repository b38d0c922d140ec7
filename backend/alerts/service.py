"""Use cases: the rule set (versions, rollback), the inbox and its counts, acknowledge, snooze,
and the actions taken from an alert (requisition, cycle count, transfer suggestion, hold)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.alerts import errors, rules, store
from backend.alerts.evaluation.finders import load_json
from backend.alerts.ruleset import DEFAULT, RuleSet, from_builtins, to_builtins, validate
from backend.alerts.tables import (
    Alert,
    AlertRuleSetActive,
    AlertRuleSetVersion,
    CycleCountTask,
    PurchaseRequisition,
    TransferSuggestion,
)
from backend.auth.rules import Permission, allowed
from backend.core import clock, db
from backend.core.actor import Actor
from backend.core.errors import InvalidInput, NotFound, PermissionDenied
from backend.core.unit_of_work import unit_of_work

# ---- the rule set ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActiveRuleSet:
    version: int
    """0: the built-in defaults, never edited yet."""
    rule_set: RuleSet


async def active_rule_set() -> ActiveRuleSet:
    rows = await db.fetch(
        "SELECT v.version, v.params FROM alert_rule_set_active a "
        "JOIN alert_rule_set_version v ON v.version = a.version WHERE a.id = 1"
    )
    if not rows:
        return ActiveRuleSet(0, DEFAULT)
    return ActiveRuleSet(int(rows[0]["version"]), from_builtins(load_json(rows[0]["params"])))


async def _known() -> tuple[set[str], set[int]]:
    rows = await db.fetch("SELECT id, category FROM product")
    return {r["category"] for r in rows}, {int(r["id"]) for r in rows}


async def _write_version(
    actor: Actor,
    rule_set: RuleSet,
    note: str | None,
    based_on: int | None,
    action: str,
    expected: int | None,
) -> ActiveRuleSet:
    async with unit_of_work(actor) as uow:
        current = await active_rule_set()
        if expected is not None and expected != current.version:
            raise errors.RuleSetChanged(version=current.version)
        latest = await db.fetch("SELECT MAX(version) AS v FROM alert_rule_set_version")
        version = int(latest[0]["v"] or 0) + 1
        params = to_builtins(rule_set)
        await AlertRuleSetVersion.insert(
            AlertRuleSetVersion(
                version=version,
                params=params,
                note=note,
                based_on=based_on,
                created_by=actor.user_id,
                created_by_name=actor.username,
                created_at=clock.now(),
            )
        )
        pointer = await AlertRuleSetActive.select(AlertRuleSetActive._meta.primary_key).where(
            AlertRuleSetActive._meta.primary_key == 1
        )
        if pointer:
            await AlertRuleSetActive.update(
                {AlertRuleSetActive.version: version, AlertRuleSetActive.changed_at: clock.now()}
            ).where(AlertRuleSetActive._meta.primary_key == 1)
        else:
            await AlertRuleSetActive.insert(AlertRuleSetActive(id=1, version=version))
        uow.audit(
            action,
            "alert_rule_set",
            version,
            old={"version": current.version, "params": to_builtins(current.rule_set)},
            new={"version": version, "params": params, "based_on": based_on},
            reason=note,
        )
        uow.emit("alert.rules_changed", {"version": version})
    return ActiveRuleSet(version, rule_set)


async def update_rule_set(
    actor: Actor, rule_set: RuleSet, *, note: str | None, expected_version: int | None = None
) -> ActiveRuleSet:
    categories, products = await _known()
    validate(rule_set, categories=categories, products=products)
    current = await active_rule_set()
    return await _write_version(
        actor, rule_set, note, current.version or None, "update", expected_version
    )


async def rule_set_versions(limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    rows = await (
        AlertRuleSetVersion.select()
        .order_by(AlertRuleSetVersion.version, ascending=False)
        .limit(limit)
        .offset(offset)
        .output(load_json=True)
    )
    total = await AlertRuleSetVersion.count()
    active = (await active_rule_set()).version
    return [r | {"active": r["version"] == active} for r in rows], total


async def rollback(actor: Actor, version: int, note: str | None) -> ActiveRuleSet:
    """Make an earlier version's parameters the active ones again (as a new version)."""
    if version == 0:
        return await _write_version(actor, DEFAULT, note, 0, "rollback", None)
    rows = (
        await AlertRuleSetVersion.select(AlertRuleSetVersion.params)
        .where(AlertRuleSetVersion.version == version)
        .output(load_json=True)
    )
    if not rows:
        raise errors.RuleSetVersionUnknown(field="version", version=version)
    return await _write_version(
        actor, from_builtins(rows[0]["params"]), note, version, "rollback", None
    )


# ---- the inbox -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InboxFilter:
    severity: str | None = None
    rule: str | None = None
    warehouse: int | None = None
    state: str | None = None
    """open, acknowledged, snoozed, resolved, or active (= not resolved; the default)."""


def _visibility(actor: Actor) -> tuple[str, list[Any]]:
    """Scope (warehouse, department; alerts of neither are for everyone) and role."""
    if actor.all_scopes:
        return "", []
    parts = ["(a.warehouse IS NULL AND a.department IS NULL)"]
    args: list[Any] = []
    if actor.warehouse_ids:
        ids = sorted(actor.warehouse_ids)
        parts.append(f"a.warehouse IN ({', '.join('{}' for _ in ids)})")
        args += ids
    if actor.department_ids:
        ids = sorted(actor.department_ids)
        parts.append(f"a.department IN ({', '.join('{}' for _ in ids)})")
        args += ids
    roles = sorted(actor.roles)
    role_sql = " OR ".join("a.audience LIKE {}" for _ in roles) or "1 = 0"
    args += [f"%,{r},%" for r in roles]
    return f" AND ({' OR '.join(parts)}) AND ({role_sql})", args


def _filters(actor: Actor, f: InboxFilter) -> tuple[str, list[Any]]:
    where, args = _visibility(actor)
    sql = "WHERE 1 = 1" + where
    if f.state in (None, "active"):
        sql += " AND a.state <> 'resolved'"
    elif f.state in rules.STATES:
        sql += " AND a.state = {}"
        args.append(f.state)
    else:
        raise InvalidInput(field="state", reason="open, acknowledged, snoozed, resolved or active")
    for column, value in (("severity", f.severity), ("rule", f.rule), ("warehouse", f.warehouse)):
        if value is not None:
            sql += f" AND a.{column} = {{}}"
            args.append(value)
    return sql, args


def _row(row: dict[str, Any]) -> dict[str, Any]:
    facts = load_json(row.get("facts")) or {}
    return row | {
        "facts": facts,
        "roles": store.roles_of(row["audience"]),
        "title": rules.describe(row["rule"], facts),
        "title_en": rules.describe(row["rule"], facts, "en"),
    }


async def inbox(
    actor: Actor, f: InboxFilter, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where, args = _filters(actor, f)
    rank = "CASE a.severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END"
    rows = await db.fetch(
        f"SELECT a.* FROM alert a {where} ORDER BY {rank} DESC, a.raised_at DESC, a.id DESC "
        f"LIMIT {int(limit)} OFFSET {int(offset)}",
        *args,
    )
    total = await db.fetch(f"SELECT COUNT(*) AS n FROM alert a {where}", *args)
    return [_row(r) for r in rows], int(total[0]["n"])


async def counts(actor: Actor) -> dict[str, Any]:
    """Badges: active alerts by state and open ones by severity."""
    where, args = _visibility(actor)
    rows = await db.fetch(
        f"SELECT a.state, a.severity, COUNT(*) AS n FROM alert a WHERE a.state <> 'resolved'"
        f"{where} GROUP BY a.state, a.severity",
        *args,
    )
    by_state = {s: 0 for s in rules.STATES if s != rules.RESOLVED}
    by_severity = dict.fromkeys(rules.SEVERITIES, 0)
    for r in rows:
        by_state[r["state"]] += int(r["n"])
        if r["state"] == rules.OPEN:
            by_severity[r["severity"]] += int(r["n"])
    return {"open": by_state[rules.OPEN], "by_state": by_state, "open_by_severity": by_severity}


async def get(actor: Actor, alert_id: int) -> dict[str, Any]:
    where, args = _visibility(actor)
    rows = await db.fetch(f"SELECT a.* FROM alert a WHERE a.id = {{}}{where}", alert_id, *args)
    if not rows:
        raise NotFound(entity="alert", key=alert_id)
    return _row(rows[0])


def _scope_payload(row: dict[str, Any]) -> dict[str, Any]:
    return store.event_payload(row)


async def acknowledge(actor: Actor, alert_id: int) -> dict[str, Any]:
    async with unit_of_work(actor) as uow:
        row = await get(actor, alert_id)
        if row["state"] == rules.RESOLVED:
            raise errors.AlertResolved(alert=alert_id)
        if row["state"] != rules.ACKNOWLEDGED:
            now = clock.now()
            await Alert.update(
                {
                    Alert.state: rules.ACKNOWLEDGED,
                    Alert.acknowledged_at: now,
                    Alert.acknowledged_by: actor.user_id,
                    Alert.snoozed_until: None,
                    Alert.snooze_reason: None,
                    Alert.updated_at: now,
                }
            ).where(Alert.id == alert_id)
            uow.audit(
                "acknowledge",
                "alert",
                alert_id,
                old={"state": row["state"]},
                new={"state": rules.ACKNOWLEDGED},
            )
            uow.emit("alert.acknowledged", _scope_payload(row | {"state": rules.ACKNOWLEDGED}))
    return await get(actor, alert_id)


async def snooze(actor: Actor, alert_id: int, until: datetime, reason: str) -> dict[str, Any]:
    if not reason.strip():
        raise InvalidInput(field="reason", reason="say why")
    if until.tzinfo is None:
        raise InvalidInput(field="until", reason="give a time zone (e.g. Z or +08:00)")
    if until <= clock.now():
        raise errors.SnoozeInPast(field="until")
    async with unit_of_work(actor) as uow:
        row = await get(actor, alert_id)
        if row["state"] == rules.RESOLVED:
            raise errors.AlertResolved(alert=alert_id)
        await Alert.update(
            {
                Alert.state: rules.SNOOZED,
                Alert.snoozed_until: until,
                Alert.snooze_reason: reason.strip(),
                Alert.updated_at: clock.now(),
            }
        ).where(Alert.id == alert_id)
        uow.audit(
            "snooze",
            "alert",
            alert_id,
            old={"state": row["state"]},
            new={"state": rules.SNOOZED, "until": until.isoformat()},
            reason=reason,
        )
        uow.emit("alert.snoozed", _scope_payload(row | {"state": rules.SNOOZED}))
    return await get(actor, alert_id)


# ---- actions ---------------------------------------------------------------------------------

ACTIONS = ("requisition", "cycle_count", "transfer", "hold")


@dataclass(frozen=True, slots=True)
class ActionIn:
    kind: str
    quantity: int | None = None
    to_warehouse: int | None = None
    to_location: int | None = None
    note: str | None = None


async def _suggested_quantity(row: dict[str, Any]) -> int:
    facts = row["facts"]
    target = facts.get("reorder_point") or facts.get("minimum") or facts.get("par_level")
    if target:
        return max(int(target) - int(facts.get("available") or 0), 1)
    return 1


async def act(actor: Actor, alert_id: int, action: ActionIn) -> dict[str, Any]:
    """One call, one draft (or the hold), audited with the alert it came from."""
    row = await get(actor, alert_id)
    if row["state"] == rules.RESOLVED:
        raise errors.AlertResolved(alert=alert_id)
    kind = action.kind
    note = (action.note or "").strip() or None
    if kind == "hold":
        if row["lot"] is None:
            raise errors.ActionNotApplicable(action=kind, reason="the alert names no lot")
        if not allowed(actor.roles, Permission.stock_hold):
            raise PermissionDenied()
        from backend.stock.lots import hold_lot

        lot = await hold_lot(actor, int(row["lot"]), note or f"alert {alert_id}: {row['title']}")
        async with unit_of_work(actor) as uow:
            uow.audit(
                "act", "alert", alert_id, new={"action": kind, "lot": row["lot"]}, reason=note
            )
        return {"kind": kind, "id": int(row["lot"]), "alert": alert_id, "status": lot["status"]}
    if row["product"] is None and kind != "cycle_count":
        raise errors.ActionNotApplicable(action=kind, reason="the alert names no product")
    if row["warehouse"] is None:
        raise errors.ActionNotApplicable(action=kind, reason="the alert names no warehouse")
    quantity = action.quantity or await _suggested_quantity(row)
    async with unit_of_work(actor) as uow:
        table: Any
        if kind == "requisition":
            table = PurchaseRequisition
            record: Any = PurchaseRequisition(
                product=row["product"],
                warehouse=row["warehouse"],
                quantity=quantity,
                alert=alert_id,
                note=note,
                created_by=actor.user_id,
            )
        elif kind == "cycle_count":
            table = CycleCountTask
            record = CycleCountTask(
                warehouse=row["warehouse"],
                location=row["location"],
                product=row["product"],
                lot=row["lot"],
                alert=alert_id,
                note=note,
                created_by=actor.user_id,
            )
        elif kind == "transfer":
            table = TransferSuggestion
            to_location = action.to_location or (
                row["location"] if row["rule"] == rules.PAR_LEVEL else None
            )
            if action.to_warehouse is None and to_location is None:
                raise InvalidInput(field="to_warehouse", reason="say where the stock should go")
            record = TransferSuggestion(
                product=row["product"],
                lot=row["lot"],
                from_warehouse=None if to_location else row["warehouse"],
                to_warehouse=action.to_warehouse,
                to_location=to_location,
                quantity=quantity,
                alert=alert_id,
                note=note,
                created_by=actor.user_id,
            )
        else:
            raise InvalidInput(field="kind", reason=" or ".join(ACTIONS))
        created = await table.insert(record)
        record_id = int(created[0]["id"])
        uow.audit(
            "act",
            "alert",
            alert_id,
            new={"action": kind, "record": record_id, "quantity": quantity},
            reason=note,
        )
        uow.audit(
            "create",
            table._meta.tablename,
            record_id,
            new={"alert": alert_id, "quantity": quantity},
        )
    return {
        "kind": kind,
        "id": record_id,
        "alert": alert_id,
        "status": "draft"
        if kind == "requisition"
        else ("open" if kind == "cycle_count" else "suggested"),
    }
