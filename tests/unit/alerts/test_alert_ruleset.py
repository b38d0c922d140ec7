"""The rule set's parameters: defaults, and every invalid parameter refused by field name."""

from __future__ import annotations

import msgspec
import pytest

from backend.alerts import errors
from backend.alerts.ruleset import (
    DEFAULT,
    ExpiryLevel,
    RuleSet,
    expiry_plan,
    from_builtins,
    to_builtins,
    validate,
)

CATS = {"syringe", "stent"}
PRODUCTS = {1, 2}


def edited(**changes: object) -> RuleSet:
    data = to_builtins(DEFAULT)
    for path, value in changes.items():
        node: dict[str, object] = data
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[key]  # type: ignore[assignment]
        node[keys[-1]] = value
    return from_builtins(data)


def test_the_defaults_are_valid_and_expiry_levels_are_180_90_30() -> None:
    validate(DEFAULT, categories=CATS, products=PRODUCTS)
    assert [x.days for x in DEFAULT.near_expiry.levels] == [180, 90, 30]
    assert [x.severity for x in DEFAULT.near_expiry.levels] == ["info", "warning", "critical"]
    assert expiry_plan(DEFAULT).widest == 180


def test_the_rule_set_round_trips_through_json() -> None:
    again = from_builtins(msgspec.json.decode(msgspec.json.encode(to_builtins(DEFAULT))))
    assert again == DEFAULT


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"slow_moving__days": -1}, errors.RuleParameterNegative, "slow_moving.days"),
        (
            {"lot_anomalies__dwell_hours": -5},
            errors.RuleParameterNegative,
            "lot_anomalies.dwell_hours",
        ),
        (
            {"lot_anomalies__expiry_mismatch_days": -1},
            errors.RuleParameterNegative,
            "lot_anomalies.expiry_mismatch_days",
        ),
        ({"deliveries__transit_days": -1}, errors.RuleParameterNegative, "deliveries.transit_days"),
        ({"certificates__warn_days": -1}, errors.RuleParameterNegative, "certificates.warn_days"),
        (
            {
                "near_expiry__by_category": {
                    "ventilator": [{"days": 30, "severity": "info", "roles": ["qa"]}]
                }
            },
            errors.RuleUnknownCategory,
            "near_expiry.by_category.ventilator",
        ),
        (
            {
                "near_expiry__by_product": {
                    "99": [{"days": 30, "severity": "info", "roles": ["qa"]}]
                }
            },
            errors.RuleUnknownProduct,
            "near_expiry.by_product.99",
        ),
        ({"low_stock__roles": ["janitor"]}, errors.RuleUnknownRole, "low_stock.roles"),
    ],
)
def test_invalid_parameters_are_refused_naming_the_field(
    changes: dict[str, object], error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as caught:
        validate(edited(**changes), categories=CATS, products=PRODUCTS)
    assert caught.value.field == field  # type: ignore[attr-defined]


def level(days: int, severity: str) -> ExpiryLevel:
    return ExpiryLevel(days=days, severity=severity, roles=["qa"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "levels",
    [
        [level(30, "info"), level(90, "warning")],  # unordered days
        [level(90, "info"), level(90, "warning")],  # overlapping
        [level(90, "critical"), level(30, "info")],  # severity falls as expiry nears
    ],
)
def test_overlapping_or_unordered_levels_are_refused(levels: list[ExpiryLevel]) -> None:
    rs = RuleSet()
    rs.near_expiry.levels = levels
    with pytest.raises(errors.RuleLevelsUnordered) as caught:
        validate(rs, categories=CATS, products=PRODUCTS)
    assert caught.value.field == "near_expiry.levels[1]"
    assert caught.value.status == 422 and caught.value.code == "ALERT_RULE_LEVELS_UNORDERED"


def test_negative_level_days_name_the_level() -> None:
    rs = RuleSet()
    rs.near_expiry.by_category = {"stent": [level(-3, "info")]}
    with pytest.raises(errors.RuleParameterNegative) as caught:
        validate(rs, categories=CATS, products=PRODUCTS)
    assert caught.value.field == "near_expiry.by_category.stent[0].days"


def test_category_and_product_levels_replace_the_default() -> None:
    rs = RuleSet()
    rs.near_expiry.by_category = {"stent": [level(365, "info"), level(120, "critical")]}
    rs.near_expiry.by_product = {"2": [level(10, "critical")]}
    validate(rs, categories=CATS, products=PRODUCTS)
    plan = expiry_plan(rs)
    assert plan.widest == 365 and plan.by_product[2][0].days == 10
