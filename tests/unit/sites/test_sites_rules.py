"""What a valid location, department and budget period is."""

from __future__ import annotations

from typing import Any

import pytest

from backend.core.errors import InvalidInput
from backend.sites import rules


def location(**changes: Any) -> dict[str, Any]:
    return {"kind": "storage", "temp_min": None, "temp_max": None, "department": None, **changes}


def test_valid_locations():
    rules.check_location(location())
    rules.check_location(location(temp_min=2.0, temp_max=8.0))
    rules.check_location(location(kind="point_of_use", department=3))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "roof"}, "kind"),
        ({"temp_min": 8.0, "temp_max": 2.0}, "temp_max"),
        ({"temp_min": 2.0}, "temp_max"),
        ({"kind": "point_of_use"}, "department"),
        ({"department": 3}, "department"),
    ],
)
def test_invalid_locations_name_the_field(changes, field):
    with pytest.raises(InvalidInput) as refused:
        rules.check_location(location(**changes))
    assert refused.value.field == field


def test_budget_enforcement_is_warn_or_block():
    rules.check_department({"budget_enforcement": "block"})
    with pytest.raises(InvalidInput) as refused:
        rules.check_department({"budget_enforcement": "ignore"})
    assert refused.value.field == "budget_enforcement"


@pytest.mark.parametrize("period", ["2026-01", "2026-12"])
def test_a_period_is_a_month(period):
    rules.check_period({"period": period, "amount": 0})


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"period": "2026-13", "amount": 1}, "period"),
        ({"period": "2026-00", "amount": 1}, "period"),
        ({"period": "2026-1", "amount": 1}, "period"),
        ({"period": "2026-11-01", "amount": 1}, "period"),
        ({"amount": 1}, "period"),
        ({"period": "2026-11", "amount": -1}, "amount"),
        ({"period": "2026-11", "quantity": -1}, "quantity"),
    ],
)
def test_bad_periods_and_negative_amounts_are_refused(values, field):
    with pytest.raises(InvalidInput) as refused:
        rules.check_period(values)
    assert refused.value.field == field
