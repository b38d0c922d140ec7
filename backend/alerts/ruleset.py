"""The rule set's parameters: one msgspec document, stored as versioned rows, validated here.

Validation is pure: the caller passes the known product categories and product ids. Every
refusal is a typed error naming the field by its path (``near_expiry.levels[1].days``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal

import msgspec

from backend.alerts import errors, rules
from backend.auth.rules import Role

Severity = Literal["info", "warning", "critical"]

WAREHOUSE_TEAM = ["warehouse", "purchaser"]


class Params(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of the parameter structs: unknown keys are an error."""


class ExpiryLevel(Params, kw_only=True):
    days: int
    severity: Severity
    roles: list[str]


def _default_levels() -> list[ExpiryLevel]:
    return [
        ExpiryLevel(days=180, severity="info", roles=["purchaser"]),
        ExpiryLevel(days=90, severity="warning", roles=["purchaser", "warehouse", "qa"]),
        ExpiryLevel(
            days=30,
            severity="critical",
            roles=["purchaser", "warehouse", "qa", "department_head", "admin"],
        ),
    ]


class NearExpiry(Params, kw_only=True):
    enabled: bool = True
    levels: list[ExpiryLevel] = msgspec.field(default_factory=_default_levels)
    by_category: dict[str, list[ExpiryLevel]] = {}
    """Levels per product category (Product.category), replacing the default levels."""
    by_product: dict[str, list[ExpiryLevel]] = {}
    """Levels per product id (as a string key), replacing category and default."""
    expired_severity: Severity = "critical"
    expired_roles: list[str] = msgspec.field(default_factory=lambda: ["warehouse", "qa", "admin"])


class LowStock(Params, kw_only=True):
    enabled: bool = True
    severity: Severity = "warning"
    stockout_severity: Severity = "critical"
    roles: list[str] = msgspec.field(default_factory=lambda: list(WAREHOUSE_TEAM))
    par_roles: list[str] = msgspec.field(
        default_factory=lambda: ["warehouse", "department_head", "clinician"]
    )


class LotAnomalies(Params, kw_only=True):
    enabled: bool = True
    blocked_reserved_severity: Severity = "critical"
    expiry_mismatch_severity: Severity = "warning"
    expiry_mismatch_days: int = 30
    """Days a refused receipt of a known lot number with another expiry stays an alert
    (resolved earlier if the lot's recorded expiry is corrected to the one delivered)."""
    dwell_hours: int = 48
    """Hours stock may sit in a receiving or quarantine location."""
    dwell_severity: Severity = "warning"
    roles: list[str] = msgspec.field(default_factory=lambda: ["warehouse", "qa"])


class Deliveries(Params, kw_only=True):
    enabled: bool = True
    late_po_grace_days: int = 0
    """Days after the promised date before a purchase order counts as late."""
    transit_days: int = 3
    """Days a shipped transfer may stay in transit."""
    severity: Severity = "warning"
    roles: list[str] = msgspec.field(default_factory=lambda: list(WAREHOUSE_TEAM))


class Certificates(Params, kw_only=True):
    enabled: bool = True
    warn_days: int = 60
    severity: Severity = "warning"
    lapsed_severity: Severity = "critical"
    roles: list[str] = msgspec.field(default_factory=lambda: ["purchaser", "qa"])


class SlowMoving(Params, kw_only=True):
    enabled: bool = True
    days: int = 180
    severity: Severity = "info"
    roles: list[str] = msgspec.field(default_factory=lambda: ["purchaser"])


class Temperature(Params, kw_only=True):
    enabled: bool = True
    tolerance_c: float = 0.0
    severity: Severity = "critical"
    roles: list[str] = msgspec.field(default_factory=lambda: ["qa", "warehouse"])


class RuleSet(Params, kw_only=True):
    near_expiry: NearExpiry = msgspec.field(default_factory=NearExpiry)
    low_stock: LowStock = msgspec.field(default_factory=LowStock)
    lot_anomalies: LotAnomalies = msgspec.field(default_factory=LotAnomalies)
    deliveries: Deliveries = msgspec.field(default_factory=Deliveries)
    certificates: Certificates = msgspec.field(default_factory=Certificates)
    slow_moving: SlowMoving = msgspec.field(default_factory=SlowMoving)
    temperature: Temperature = msgspec.field(default_factory=Temperature)
    push_min_severity: Severity = "warning"
    """Web Push goes out for alerts of at least this severity."""


DEFAULT = RuleSet()

_KNOWN_ROLES = frozenset(r.value for r in Role)


def to_builtins(rule_set: RuleSet) -> dict[str, object]:
    out = msgspec.to_builtins(rule_set)
    assert isinstance(out, dict)
    return out


def from_builtins(data: object) -> RuleSet:
    return msgspec.convert(data, RuleSet)


def _non_negative(value: float, field: str) -> None:
    if value < 0:
        raise errors.RuleParameterNegative(field=field)


def _roles(roles: Sequence[str], field: str) -> None:
    if not roles:
        raise errors.RuleParameterInvalid(field=field, reason="name at least one role")
    for role in roles:
        if role not in _KNOWN_ROLES:
            raise errors.RuleUnknownRole(field=field, role=role)


def _levels(levels: Sequence[ExpiryLevel], field: str) -> None:
    if not levels:
        raise errors.RuleParameterInvalid(field=field, reason="give at least one level")
    for i, level in enumerate(levels):
        _non_negative(level.days, f"{field}[{i}].days")
        _roles(level.roles, f"{field}[{i}].roles")
    for i in range(1, len(levels)):
        before, this = levels[i - 1], levels[i]
        if this.days >= before.days or rules.rank(this.severity) < rules.rank(before.severity):
            raise errors.RuleLevelsUnordered(field=f"{field}[{i}]")


def validate(rule_set: RuleSet, *, categories: Collection[str], products: Collection[int]) -> None:
    """Raise the first problem found, naming its field; return quietly if all is well."""
    ne = rule_set.near_expiry
    _levels(ne.levels, "near_expiry.levels")
    for category, levels in ne.by_category.items():
        if category not in categories:
            raise errors.RuleUnknownCategory(
                field=f"near_expiry.by_category.{category}", category=category
            )
        _levels(levels, f"near_expiry.by_category.{category}")
    for key, levels in ne.by_product.items():
        if not key.isdigit() or int(key) not in products:
            raise errors.RuleUnknownProduct(field=f"near_expiry.by_product.{key}", product=key)
        _levels(levels, f"near_expiry.by_product.{key}")
    _roles(ne.expired_roles, "near_expiry.expired_roles")
    _roles(rule_set.low_stock.roles, "low_stock.roles")
    _roles(rule_set.low_stock.par_roles, "low_stock.par_roles")
    la = rule_set.lot_anomalies
    _non_negative(la.dwell_hours, "lot_anomalies.dwell_hours")
    _non_negative(la.expiry_mismatch_days, "lot_anomalies.expiry_mismatch_days")
    _roles(la.roles, "lot_anomalies.roles")
    de = rule_set.deliveries
    _non_negative(de.late_po_grace_days, "deliveries.late_po_grace_days")
    _non_negative(de.transit_days, "deliveries.transit_days")
    _roles(de.roles, "deliveries.roles")
    _non_negative(rule_set.certificates.warn_days, "certificates.warn_days")
    _roles(rule_set.certificates.roles, "certificates.roles")
    _non_negative(rule_set.slow_moving.days, "slow_moving.days")
    _roles(rule_set.slow_moving.roles, "slow_moving.roles")
    _non_negative(rule_set.temperature.tolerance_c, "temperature.tolerance_c")
    _roles(rule_set.temperature.roles, "temperature.roles")


def levels(items: Sequence[ExpiryLevel]) -> tuple[rules.Level, ...]:
    return tuple(rules.Level(x.days, x.severity, tuple(x.roles)) for x in items)


class ExpiryPlan(msgspec.Struct, frozen=True):
    """The near-expiry levels resolved into the pure rule's types."""

    default: tuple[rules.Level, ...]
    by_category: dict[str, tuple[rules.Level, ...]]
    by_product: dict[int, tuple[rules.Level, ...]]

    @property
    def widest(self) -> int:
        return rules.widest_days(
            [self.default, *self.by_category.values(), *self.by_product.values()]
        )


def expiry_plan(rule_set: RuleSet) -> ExpiryPlan:
    ne = rule_set.near_expiry
    return ExpiryPlan(
        levels(ne.levels),
        {k: levels(v) for k, v in ne.by_category.items()},
        {int(k): levels(v) for k, v in ne.by_product.items()},
    )
