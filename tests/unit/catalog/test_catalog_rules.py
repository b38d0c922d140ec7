"""What a valid product, packaging level, licence and supplier term is."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from backend.catalog import rules
from backend.core.errors import InvalidInput


def product(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "risk_class": "II",
        "tracking": "lot",
        "allocation": "fefo",
        "shelf_life_days": 730,
        "min_remaining_shelf_life_days": 90,
        "unit_cost": 100,
        "cold_chain": False,
        "storage_temp_min": None,
        "storage_temp_max": None,
    }
    return {**values, **changes}


def refused_field(check, values) -> str | None:
    with pytest.raises(InvalidInput) as refused:
        check(values)
    return refused.value.field


def test_a_plain_product_is_valid():
    rules.check_product(product())
    rules.check_product(product(cold_chain=True, storage_temp_min=2.0, storage_temp_max=8.0))
    rules.check_product(
        product(allocation="fifo", shelf_life_days=None, min_remaining_shelf_life_days=0)
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"risk_class": "IV"}, "risk_class"),
        ({"tracking": "batch"}, "tracking"),
        ({"allocation": "lifo"}, "allocation"),
        ({"unit_cost": -1}, "unit_cost"),
        ({"shelf_life_days": -1}, "shelf_life_days"),
        ({"storage_temp_min": 8.0, "storage_temp_max": 2.0}, "storage_temp_max"),
        ({"storage_temp_min": 5.0, "storage_temp_max": 5.0}, "storage_temp_max"),
        ({"storage_temp_min": 2.0}, "storage_temp_max"),
        ({"storage_temp_max": 8.0}, "storage_temp_min"),
        ({"storage_temp_min": -300.0, "storage_temp_max": 8.0}, "storage_temp_min"),
        ({"cold_chain": True}, "storage_temp_max"),
        ({"min_remaining_shelf_life_days": 800}, "min_remaining_shelf_life_days"),
        ({"allocation": "fifo"}, "allocation"),
    ],
)
def test_an_invalid_product_is_refused_naming_the_field(changes, field):
    assert refused_field(rules.check_product, product(**changes)) == field


def test_packaging_holds_at_least_one_base_unit():
    rules.check_packaging({"quantity": 1})
    assert refused_field(rules.check_packaging, {"quantity": 0}) == "quantity"


def test_a_licence_kind_is_one_of_the_known_documents():
    rules.check_licence({"kind": "operating_licence"})
    assert refused_field(rules.check_licence, {"kind": "gym membership"}) == "kind"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"priority": "third"}, "priority"),
        ({"moq": 0}, "moq"),
        ({"pack_size": 0}, "pack_size"),
        ({"price": -5}, "price"),
        ({"lead_time_days": -1}, "lead_time_days"),
    ],
)
def test_supplier_terms_are_checked(changes, field):
    values = {"priority": "primary", "moq": 1, "pack_size": 1, "price": 10, "lead_time_days": 3}
    rules.check_supplier_product(values)
    assert refused_field(rules.check_supplier_product, {**values, **changes}) == field


def test_a_registration_is_valid_through_its_last_day():
    today = date(2026, 11, 21)
    assert not rules.registration_lapsed(date(2026, 11, 21), today)
    assert rules.registration_lapsed(date(2026, 11, 20), today)
    assert not rules.registration_lapsed(None, today)


def test_lapsed_licences_are_named_by_kind():
    today = date(2026, 11, 21)
    licences = [
        ("business_licence", None),
        ("operating_licence", date(2026, 11, 1)),
        ("filing", date(2027, 1, 1)),
    ]
    assert rules.lapsed_licences(licences, today) == ["operating_licence"]
