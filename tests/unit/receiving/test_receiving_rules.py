"""The pure receiving rules: qualification, registration, what a receipt line must carry,
what an inspection must add up to."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backend.core.errors import DomainError
from backend.receiving import rules

TODAY = date(2026, 11, 21)
SYRINGE = rules.ProductFacts("SYR", "lot", 1460, 180, False, None, None)
STENT = rules.ProductFacts("STENT", "lot_serial", 540, 90, False, None, None)
REAGENT = rules.ProductFacts("ALT", "lot", 365, 30, True, 2.0, 8.0)
FORCEPS = rules.ProductFacts("FORCEPS", "none", None, 0, False, None, None)


def check(product: rules.ProductFacts, **kw) -> None:  # type: ignore[no-untyped-def]
    values = {
        "lot_number": "L1",
        "expiry": TODAY + timedelta(days=400),
        "serials": [],
        "quantity": 1,
        "arrival_temperature": None,
        "today": TODAY,
    }
    rules.check_line(product, **{**values, **kw})


def test_a_good_line_passes_for_every_kind_of_product():
    check(SYRINGE, quantity=10)
    check(STENT, serials=["A", "B"], quantity=2)
    check(REAGENT, arrival_temperature=5.0)
    check(FORCEPS, lot_number=None, expiry=None)


@pytest.mark.parametrize(
    ("product", "overrides", "code"),
    [
        (SYRINGE, {"expiry": TODAY - timedelta(days=1)}, "LOT_EXPIRED"),
        (SYRINGE, {"expiry": TODAY + timedelta(days=179)}, "SHELF_LIFE_TOO_SHORT"),
        (SYRINGE, {"expiry": None}, "EXPIRY_REQUIRED"),
        (SYRINGE, {"lot_number": " "}, "LOT_NUMBER_REQUIRED"),
        (SYRINGE, {"quantity": 0}, "INVALID_INPUT"),
        (SYRINGE, {"serials": ["X"]}, "INVALID_INPUT"),
        (STENT, {"serials": ["A"], "quantity": 2}, "SERIAL_COUNT_MISMATCH"),
        (STENT, {"serials": ["A", "A"], "quantity": 2}, "INVALID_INPUT"),
        (REAGENT, {}, "COLD_CHAIN_TEMPERATURE_MISSING"),
        (REAGENT, {"arrival_temperature": 8.5}, "COLD_CHAIN_TEMPERATURE"),
        (REAGENT, {"arrival_temperature": 1.9}, "COLD_CHAIN_TEMPERATURE"),
    ],
)
def test_a_bad_line_is_refused_with_a_clear_code(product, overrides, code):
    with pytest.raises(DomainError) as refused:
        check(product, **overrides)
    assert refused.value.code == code


def test_exactly_the_minimum_remaining_shelf_life_is_accepted():
    check(SYRINGE, expiry=TODAY + timedelta(days=180))


def test_a_lapsed_licence_or_registration_blocks_with_its_name():
    rules.check_supplier("S", [("operating_licence", TODAY), ("business_licence", None)], TODAY)
    with pytest.raises(DomainError) as lapsed:
        rules.check_supplier("S", [("operating_licence", TODAY - timedelta(days=1))], TODAY)
    assert lapsed.value.code == "SUPPLIER_LICENCE_LAPSED"
    assert "operating_licence" in lapsed.value.message("en")
    with pytest.raises(DomainError) as registration:
        rules.check_registration("P", "国械注准1", TODAY - timedelta(days=1), TODAY)
    assert registration.value.code == "PRODUCT_REGISTRATION_LAPSED"


def test_an_inspection_adds_up_and_names_rejected_serials_and_its_reason():
    rules.check_inspection(
        quantity=3,
        accepted=2,
        rejected=1,
        serials=["A", "B", "C"],
        rejected_serials=["B"],
        reject_reason="dented",
    )
    for kw in (
        {
            "accepted": 2,
            "rejected": 0,
            "serials": [],
            "rejected_serials": [],
            "reject_reason": None,
        },
        {
            "accepted": 2,
            "rejected": 1,
            "serials": [],
            "rejected_serials": [],
            "reject_reason": None,
        },
        {
            "accepted": 2,
            "rejected": 1,
            "serials": ["A", "B", "C"],
            "rejected_serials": [],
            "reject_reason": "x",
        },
        {
            "accepted": 2,
            "rejected": 1,
            "serials": ["A", "B", "C"],
            "rejected_serials": ["Z"],
            "reject_reason": "x",
        },
    ):
        with pytest.raises(DomainError) as refused:
            rules.check_inspection(quantity=3, **kw)
        assert refused.value.code == "INSPECTION_QUANTITIES"


def test_products_without_lot_numbers_get_one_lot_per_receipt_line():
    assert rules.auto_lot_number(12, 3) == "R000012-03"
    assert not rules.needs_lot_number("none") and rules.needs_lot_number("lot_serial")


def test_the_default_promise_is_the_order_date_plus_the_longest_lead_time() -> None:
    assert rules.promised_by_lead_time(TODAY, [5, None, 12]) == TODAY + timedelta(days=12)
    assert rules.promised_by_lead_time(TODAY, [0]) == TODAY
    assert rules.promised_by_lead_time(TODAY, [None]) is None
    assert rules.promised_by_lead_time(TODAY, []) is None


def test_a_promise_before_the_order_date_is_refused_naming_the_field() -> None:
    rules.check_promised(TODAY, TODAY)
    rules.check_promised(TODAY, None)
    with pytest.raises(DomainError) as refused:
        rules.check_promised(TODAY, TODAY - timedelta(days=1))
    assert refused.value.code == "PURCHASE_ORDER_PROMISED_BEFORE_ORDER"
    assert refused.value.field == "promised_date"
    assert "2026-11-20" in refused.value.message("zh-CN")
