"""Alert rules as pure functions: facts and parameters in, findings and lifecycle decisions out.

A *finding* is a condition that holds now for one subject (a lot in a warehouse, a product in a
warehouse, a supplier licence, ...). Alerts are deduplicated by (rule, subject); ``reconcile``
compares the findings of one evaluation with the alerts already stored for the subjects it
covered and says which to raise, escalate, update quietly or resolve.

Imports only the standard library (and pure errors).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

# ---- vocabulary ------------------------------------------------------------------------------

INFO, WARNING, CRITICAL = "info", "warning", "critical"
SEVERITIES = (INFO, WARNING, CRITICAL)
SEVERITY_RANK = {INFO: 1, WARNING: 2, CRITICAL: 3}

OPEN, ACKNOWLEDGED, SNOOZED, RESOLVED = "open", "acknowledged", "snoozed", "resolved"
STATES = (OPEN, ACKNOWLEDGED, SNOOZED, RESOLVED)

NEAR_EXPIRY = "near_expiry"
EXPIRED = "expired"
LOW_STOCK = "low_stock"
PAR_LEVEL = "par_level"
BLOCKED_RESERVED = "blocked_lot_reserved"
LOT_EXPIRY_MISMATCH = "lot_expiry_mismatch"
DWELL = "dwell_time"
SUPPLIER_LATE = "supplier_late"
TRANSIT_LATE = "transit_late"
LICENCE_EXPIRING = "supplier_licence"
REGISTRATION_EXPIRING = "registration"
SLOW_MOVING = "slow_moving"
TEMPERATURE = "temperature_excursion"

RULES = (
    NEAR_EXPIRY,
    EXPIRED,
    LOW_STOCK,
    PAR_LEVEL,
    BLOCKED_RESERVED,
    LOT_EXPIRY_MISMATCH,
    DWELL,
    SUPPLIER_LATE,
    TRANSIT_LATE,
    LICENCE_EXPIRING,
    REGISTRATION_EXPIRING,
    SLOW_MOVING,
    TEMPERATURE,
)

BLOCKED_STATUSES = frozenset({"on_hold", "recalled", "pending_inspection", "rejected"})


def rank(severity: str) -> int:
    return SEVERITY_RANK[severity]


@dataclass(frozen=True, slots=True)
class Level:
    """One threshold of a multi-level rule: within ``days``, this severity, told to these roles."""

    days: int
    severity: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    subject: str
    severity: str
    level: int
    """Higher is worse: escalation is a rise in level."""
    roles: tuple[str, ...]
    warehouse: int | None = None
    department: int | None = None
    product: int | None = None
    lot: int | None = None
    location: int | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)


# ---- subjects: the dedupe key's second half ---------------------------------------------------


def lot_subject(lot: int, warehouse: int) -> str:
    return f"lot:{lot}@wh:{warehouse}"


def product_subject(product: int, warehouse: int) -> str:
    return f"product:{product}@wh:{warehouse}"


def location_subject(product: int, location: int) -> str:
    return f"product:{product}@loc:{location}"


def balance_subject(lot: int, location: int) -> str:
    return f"lot:{lot}@loc:{location}"


# ---- near expiry and expired -----------------------------------------------------------------


def expiry_levels(
    product: int,
    category: str,
    default: Sequence[Level],
    by_category: Mapping[str, Sequence[Level]],
    by_product: Mapping[int, Sequence[Level]],
) -> Sequence[Level]:
    """The most specific levels: the product's own, else its category's, else the default."""
    if product in by_product:
        return by_product[product]
    if category in by_category:
        return by_category[category]
    return default


def near_expiry(
    *,
    lot: int,
    warehouse: int,
    product: int,
    expiry: date | None,
    on_hand: int,
    today: date,
    levels: Sequence[Level],
    expired_severity: str,
    expired_roles: tuple[str, ...],
    facts: Mapping[str, Any] | None = None,
) -> Finding | None:
    """Stock on hand within a level's days of expiry (the tightest level crossed), or expired.

    A lot is usable through its expiry date and locked from the next day; an expired lot on hand
    is its own rule (disposal), at the top level."""
    if expiry is None or on_hand <= 0:
        return None
    days_left = (expiry - today).days
    base = dict(facts or {}) | {
        "expiry": expiry.isoformat(),
        "days_left": days_left,
        "on_hand": on_hand,
    }
    subject = lot_subject(lot, warehouse)
    if days_left < 0:
        return Finding(
            EXPIRED,
            subject,
            expired_severity,
            len(levels) + 1,
            expired_roles,
            warehouse,
            None,
            product,
            lot,
            None,
            base,
        )
    crossed = [i for i, level in enumerate(levels) if days_left <= level.days]
    if not crossed:
        return None
    index = max(crossed)  # levels run from widest (most days) to tightest
    level = levels[index]
    return Finding(
        NEAR_EXPIRY,
        subject,
        level.severity,
        index + 1,
        level.roles,
        warehouse,
        None,
        product,
        lot,
        None,
        base | {"threshold_days": level.days},
    )


def widest_days(levels_sets: Iterable[Sequence[Level]]) -> int:
    """The largest number of days of any level: SQL filters candidates with it."""
    return max((level.days for levels in levels_sets for level in levels), default=0)


# ---- low stock, stock-out, par levels --------------------------------------------------------


def low_stock(
    *,
    product: int,
    warehouse: int,
    available: int,
    minimum: int | None,
    reorder_point: int | None,
    severity: str,
    stockout_severity: str,
    roles: tuple[str, ...],
) -> Finding | None:
    """Available below the reorder point (or the minimum, if no reorder point): level 1; none
    available at all (stock-out): level 2, so running out escalates the low-stock alert."""
    threshold = reorder_point if reorder_point is not None else minimum
    subject = product_subject(product, warehouse)
    facts = {"available": available, "reorder_point": reorder_point, "minimum": minimum}
    if available <= 0:
        return Finding(
            LOW_STOCK,
            subject,
            stockout_severity,
            2,
            roles,
            warehouse,
            None,
            product,
            None,
            None,
            facts | {"stock_out": True},
        )
    if threshold is not None and available < threshold:
        return Finding(
            LOW_STOCK, subject, severity, 1, roles, warehouse, None, product, None, None, facts
        )
    return None


def below_par(
    *,
    product: int,
    location: int,
    warehouse: int,
    department: int | None,
    available: int,
    par_level: int,
    severity: str,
    stockout_severity: str,
    roles: tuple[str, ...],
) -> Finding | None:
    """A ward cabinet (point of use) below its par level; empty is the higher level."""
    if available >= par_level:
        return None
    empty = available <= 0
    return Finding(
        PAR_LEVEL,
        location_subject(product, location),
        stockout_severity if empty else severity,
        2 if empty else 1,
        roles,
        warehouse,
        department,
        product,
        None,
        location,
        {"available": available, "par_level": par_level},
    )


# ---- lot anomalies ---------------------------------------------------------------------------


def blocked_reserved(
    *,
    lot: int,
    warehouse: int,
    product: int,
    status: str,
    reserved: int,
    severity: str,
    roles: tuple[str, ...],
) -> Finding | None:
    """A held, recalled or unreleased lot that still has reservations: the pick would fail."""
    if reserved <= 0 or status not in BLOCKED_STATUSES:
        return None
    return Finding(
        BLOCKED_RESERVED,
        lot_subject(lot, warehouse),
        severity,
        1,
        roles,
        warehouse,
        None,
        product,
        lot,
        None,
        {"status": status, "reserved": reserved},
    )


def expiry_mismatch(
    *,
    lot: int,
    warehouse: int,
    product: int,
    recorded: date | None,
    received: date | None,
    severity: str,
    roles: tuple[str, ...],
    facts: Mapping[str, Any] | None = None,
) -> Finding | None:
    """The same lot number arrived with a different expiry than the one recorded (receiving
    refused it). Holds while the record still differs from what was delivered."""
    if recorded == received:
        return None
    return Finding(
        LOT_EXPIRY_MISMATCH,
        lot_subject(lot, warehouse),
        severity,
        1,
        roles,
        warehouse,
        None,
        product,
        lot,
        None,
        dict(facts or {})
        | {
            "recorded": recorded.isoformat() if recorded else None,
            "received": received.isoformat() if received else None,
        },
    )


def dwell(
    *,
    lot: int,
    location: int,
    warehouse: int,
    product: int,
    kind: str,
    arrived_at: datetime,
    on_hand: int,
    now: datetime,
    hours: int,
    severity: str,
    roles: tuple[str, ...],
) -> Finding | None:
    """Stock sitting in receiving or quarantine longer than ``hours``."""
    if on_hand <= 0 or now - arrived_at <= timedelta(hours=hours):
        return None
    waited = int((now - arrived_at).total_seconds() // 3600)
    return Finding(
        DWELL,
        balance_subject(lot, location),
        severity,
        1,
        roles,
        warehouse,
        None,
        product,
        lot,
        location,
        {"kind": kind, "hours": waited, "on_hand": on_hand},
    )


# ---- suppliers, transfers, certificates ------------------------------------------------------


def supplier_late(
    *,
    order: int,
    number: str,
    warehouse: int,
    supplier: int,
    promised: date,
    today: date,
    grace_days: int,
    severity: str,
    roles: tuple[str, ...],
) -> Finding | None:
    late = (today - promised).days
    if late <= grace_days:
        return None
    return Finding(
        SUPPLIER_LATE,
        f"purchase_order:{order}",
        severity,
        1,
        roles,
        warehouse,
        None,
        None,
        None,
        None,
        {
            "number": number,
            "supplier": supplier,
            "promised": promised.isoformat(),
            "days_late": late,
        },
    )


def transit_late(
    *,
    order: int,
    warehouse: int,
    shipped_at: datetime,
    now: datetime,
    days: int,
    severity: str,
    roles: tuple[str, ...],
) -> Finding | None:
    if now - shipped_at <= timedelta(days=days):
        return None
    return Finding(
        TRANSIT_LATE,
        f"transfer_order:{order}",
        severity,
        1,
        roles,
        warehouse,
        None,
        None,
        None,
        None,
        {"shipped_at": shipped_at.isoformat(), "days": (now - shipped_at).days},
    )


def certificate(
    *,
    rule: str,
    subject: str,
    valid_until: date | None,
    today: date,
    warn_days: int,
    severity: str,
    lapsed_severity: str,
    roles: tuple[str, ...],
    product: int | None = None,
    facts: Mapping[str, Any] | None = None,
) -> Finding | None:
    """A licence or registration certificate expiring within ``warn_days`` (level 1) or lapsed
    (level 2). No end date: nothing to say."""
    if valid_until is None:
        return None
    days_left = (valid_until - today).days
    base = dict(facts or {}) | {"valid_until": valid_until.isoformat(), "days_left": days_left}
    if days_left < 0:
        return Finding(
            rule, subject, lapsed_severity, 2, roles, None, None, product, None, None, base
        )
    if days_left <= warn_days:
        return Finding(rule, subject, severity, 1, roles, None, None, product, None, None, base)
    return None


# ---- slow moving -----------------------------------------------------------------------------


def slow_moving(
    *,
    product: int,
    warehouse: int,
    on_hand: int,
    last_issue: datetime | None,
    stocked_since: datetime,
    now: datetime,
    days: int,
    severity: str,
    roles: tuple[str, ...],
) -> Finding | None:
    """Stock on hand and no issue for ``days`` (counting from the first receipt if never issued)."""
    if on_hand <= 0:
        return None
    since = last_issue or stocked_since
    if now - since <= timedelta(days=days):
        return None
    return Finding(
        SLOW_MOVING,
        product_subject(product, warehouse),
        severity,
        1,
        roles,
        warehouse,
        None,
        product,
        None,
        None,
        {
            "on_hand": on_hand,
            "idle_days": (now - since).days,
            "last_issue": last_issue.isoformat() if last_issue else None,
        },
    )


# ---- temperature -----------------------------------------------------------------------------


def temperature_excursion(
    *,
    sensor: str,
    location: int,
    warehouse: int,
    temperature_c: float,
    minimum: float | None,
    maximum: float | None,
    tolerance_c: float,
    severity: str,
    roles: tuple[str, ...],
) -> Finding | None:
    """A reading outside the location's controlled range (widened by the tolerance)."""
    low = minimum is not None and temperature_c < minimum - tolerance_c
    high = maximum is not None and temperature_c > maximum + tolerance_c
    if not (low or high):
        return None
    return Finding(
        TEMPERATURE,
        f"sensor:{sensor}",
        severity,
        1,
        roles,
        warehouse,
        None,
        None,
        None,
        location,
        {
            "sensor": sensor,
            "temperature_c": temperature_c,
            "min": minimum,
            "max": maximum,
            "direction": "low" if low else "high",
        },
    )


# ---- lifecycle -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stored:
    """What reconcile needs of a stored alert."""

    id: int
    rule: str
    subject: str
    state: str
    level: int
    severity: str
    warehouse: int | None = None
    product: int | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    raise_new: list[Finding] = field(default_factory=list)
    """No alert for this (rule, subject) yet: insert, notify."""
    reopen: list[tuple[Stored, Finding]] = field(default_factory=list)
    """Resolved before, holds again: open again, notify."""
    escalate: list[tuple[Stored, Finding]] = field(default_factory=list)
    """Level rose: update, open again (even if acknowledged or snoozed), notify."""
    refresh: list[tuple[Stored, Finding]] = field(default_factory=list)
    """Level fell or facts changed: update quietly."""
    resolve: list[Stored] = field(default_factory=list)
    """Covered by this evaluation, no longer holds: resolve, notify."""

    @property
    def changes(self) -> int:
        return (
            len(self.raise_new)
            + len(self.reopen)
            + len(self.escalate)
            + len(self.refresh)
            + len(self.resolve)
        )


def reconcile(
    findings: Iterable[Finding],
    stored: Iterable[Stored],
    *,
    covered: Any = None,
) -> Plan:
    """Compare this evaluation's findings with the stored alerts of the subjects it covered.

    ``stored`` must hold every stored alert (any state) of the covered (rule, subject) pairs;
    ``covered(alert) -> bool`` narrows which stored alerts may be resolved by absence (all of
    ``stored`` if None). Running the same evaluation twice plans nothing the second time."""
    by_key = {(s.rule, s.subject): s for s in stored}
    plan = Plan()
    seen: set[tuple[str, str]] = set()
    for f in findings:
        key = (f.rule, f.subject)
        if key in seen:
            continue
        seen.add(key)
        old = by_key.get(key)
        if old is None:
            plan.raise_new.append(f)
        elif old.state == RESOLVED:
            plan.reopen.append((old, f))
        elif f.level > old.level:
            plan.escalate.append((old, f))
        elif f.level != old.level or f.severity != old.severity:
            plan.refresh.append((old, f))
    for key, old in by_key.items():
        if key in seen or old.state == RESOLVED:
            continue
        if covered is None or covered(old):
            plan.resolve.append(old)
    return plan


def snooze_over(state: str, snoozed_until: datetime | None, now: datetime) -> bool:
    return state == SNOOZED and snoozed_until is not None and snoozed_until <= now


def visible_to(audience: Iterable[str], roles: Iterable[str]) -> bool:
    """Assignment by role: an alert is for the roles in its audience (admins see all)."""
    mine = set(roles)
    return "admin" in mine or "auditor" in mine or bool(mine & set(audience))


def severity_at_least(severity: str, minimum: str) -> bool:
    return rank(severity) >= rank(minimum)


_TITLES: dict[str, tuple[str, str]] = {
    NEAR_EXPIRY: ("近效期：剩余 {days_left} 天", "Near expiry: {days_left} days left"),
    EXPIRED: ("已过期库存，待处置", "Expired stock on hand, for disposal"),
    LOW_STOCK: ("库存低于订货点：可用 {available}", "Low stock: {available} available"),
    PAR_LEVEL: (
        "科室柜低于基数：可用 {available}/{par_level}",
        "Ward cabinet below par: {available}/{par_level}",
    ),
    BLOCKED_RESERVED: (
        "冻结/召回/未放行批次仍有预留 {reserved}",
        "Blocked lot ({status}) still has {reserved} reserved",
    ),
    LOT_EXPIRY_MISMATCH: (
        "批号 {lot_number} 效期不一致：登记 {recorded}，到货 {received}",
        "Lot {lot_number}: expiry {received} delivered, {recorded} on record",
    ),
    DWELL: ("在收货/待验区滞留 {hours} 小时", "In {kind} for {hours} hours"),
    SUPPLIER_LATE: (
        "采购订单 {number} 逾期 {days_late} 天",
        "Purchase order {number} {days_late} days late",
    ),
    TRANSIT_LATE: ("调拨在途 {days} 天", "Transfer in transit for {days} days"),
    LICENCE_EXPIRING: (
        "供应商证照 {number} 有效期至 {valid_until}",
        "Supplier licence {number} valid until {valid_until}",
    ),
    REGISTRATION_EXPIRING: (
        "注册证 {registration_no} 有效期至 {valid_until}",
        "Registration {registration_no} valid until {valid_until}",
    ),
    SLOW_MOVING: ("呆滞：{idle_days} 天未出库", "Slow moving: no issue for {idle_days} days"),
    TEMPERATURE: (
        "温度超限：{sensor} {temperature_c}°C",
        "Temperature excursion: {sensor} {temperature_c} °C",
    ),
}


def describe(rule: str, facts: Mapping[str, Any], lang: str = "zh-CN") -> str:
    """A one-line title for the inbox, a push notification or a robot message."""
    zh, en = _TITLES.get(rule, (rule, rule))
    template = zh if lang == "zh-CN" else en
    if rule == LOW_STOCK and facts.get("stock_out"):
        template = "缺货" if lang == "zh-CN" else "Stock-out"
    try:
        return template.format(**facts)
    except (KeyError, IndexError, ValueError):
        return template.split("：")[0].split(":")[0]
