"""What a resolved scan offers and warns about: pure decisions over lot status, expiry and today."""

from __future__ import annotations

import datetime as dt

import pytest

from backend.scanning.rules import (
    ItemFacts,
    action_label,
    effective_expiry,
    item_actions,
    location_actions,
    near_expiry_level,
    pick_list_actions,
    status_warnings,
    unknown_product_actions,
)

TODAY = dt.date(2026, 11, 21)
LATER = dt.date(2028, 1, 31)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def codes(warnings: tuple[object, ...]) -> list[str]:
    return [w.code for w in warnings]  # type: ignore[attr-defined]


def test_a_released_lot_in_date_may_be_received_picked_put_away_and_looked_up() -> None:
    facts = ItemFacts(lot_known=True, lot_status="released", expiry=LATER)
    assert item_actions(facts, TODAY) == ("receive", "pick", "put_away", "look_up")


def test_a_product_whose_lot_is_not_yet_known_may_be_received_and_looked_up() -> None:
    assert item_actions(ItemFacts(expiry=LATER), TODAY) == ("receive", "look_up")


@pytest.mark.parametrize("status", ["pending_inspection", "on_hold"])
def test_a_lot_not_released_may_be_received_but_not_picked(status: str) -> None:
    facts = ItemFacts(lot_known=True, lot_status=status)
    assert item_actions(facts, TODAY) == ("receive", "look_up")


@pytest.mark.parametrize("status", ["recalled", "rejected"])
def test_a_recalled_or_rejected_lot_may_only_be_looked_up(status: str) -> None:
    assert item_actions(ItemFacts(lot_known=True, lot_status=status), TODAY) == ("look_up",)


def test_an_expired_lot_may_only_be_looked_up_whatever_its_status() -> None:
    facts = ItemFacts(lot_known=True, lot_status="released", expiry=days(-1))
    assert item_actions(facts, TODAY) == ("look_up",)


def test_a_lot_expiring_today_is_still_usable_today() -> None:
    facts = ItemFacts(lot_known=True, lot_status="released", expiry=TODAY)
    assert "pick" in item_actions(facts, TODAY)


def test_a_held_serial_of_a_released_lot_may_not_be_picked() -> None:
    facts = ItemFacts(
        lot_known=True, lot_status="released", serial_known=True, serial_status="on_hold"
    )
    assert item_actions(facts, TODAY) == ("receive", "look_up")


def test_a_retired_product_is_not_offered_for_receipt() -> None:
    assert item_actions(ItemFacts(product_active=False), TODAY) == ("look_up",)


def test_an_unknown_product_is_offered_for_creation_only_to_those_who_may() -> None:
    assert unknown_product_actions(True) == ("create_product",)
    assert unknown_product_actions(False) == ()


def test_a_storage_location_takes_put_away_and_a_transit_one_is_only_looked_up() -> None:
    assert location_actions("storage") == ("put_away", "look_up")
    assert location_actions("in_transit") == ("look_up",)


def test_only_an_open_pick_list_offers_picking() -> None:
    assert pick_list_actions("open") == ("open_pick_list", "pick")
    assert pick_list_actions("done") == ("open_pick_list",)


def test_actions_have_labels_in_both_languages() -> None:
    assert action_label("pick", "zh-CN") == "拣货"
    assert action_label("pick", "en") == "Pick this line"


@pytest.mark.parametrize(
    ("left", "level"),
    [(181, None), (180, 180), (91, 180), (90, 90), (31, 90), (30, 30), (0, 30), (-1, None)],
)
def test_near_expiry_is_the_tightest_level_reached(left: int, level: int | None) -> None:
    assert near_expiry_level(days(left), TODAY) == level


def test_no_expiry_is_never_near() -> None:
    assert near_expiry_level(None, TODAY) is None


def test_the_earlier_of_label_and_record_expiry_applies() -> None:
    assert effective_expiry(days(10), days(5)) == days(5)
    assert effective_expiry(None, days(5)) == days(5)
    assert effective_expiry(days(10), None) == days(10)


def test_an_expired_lot_warns_expired_and_not_near_expiry() -> None:
    warnings = status_warnings(today=TODAY, lot="L1", label_expiry=days(-3))
    assert codes(warnings) == ["LOT_EXPIRED"]
    assert warnings[0].message("en") == f"Lot L1 expired on {days(-3)}"


def test_a_near_expiry_warning_says_the_days_left_and_the_level() -> None:
    (warning,) = status_warnings(today=TODAY, lot="L1", record_expiry=days(45))
    assert warning.code == "LOT_NEAR_EXPIRY"
    assert "45 days left, within 90 days" in warning.message("en")
    assert "剩余 45 天" in warning.message("zh-CN")


def test_the_warning_levels_may_be_given() -> None:
    assert status_warnings(today=TODAY, record_expiry=days(45), levels=(30,)) == ()


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("on_hold", "LOT_ON_HOLD"),
        ("recalled", "LOT_RECALLED"),
        ("rejected", "LOT_REJECTED"),
        ("pending_inspection", "LOT_NOT_RELEASED"),
    ],
)
def test_each_blocking_lot_status_warns(status: str, code: str) -> None:
    assert codes(status_warnings(today=TODAY, lot="L1", lot_status=status)) == [code]


def test_a_released_lot_in_date_has_no_warning() -> None:
    assert status_warnings(today=TODAY, lot="L1", lot_status="released", record_expiry=LATER) == ()


def test_expiry_comes_first_then_status_then_the_product() -> None:
    warnings = status_warnings(
        today=TODAY,
        lot="L1",
        lot_status="recalled",
        label_expiry=days(-1),
        serial="S1",
        serial_status="on_hold",
        product="P1",
        product_active=False,
        registration_valid_until=days(-30),
    )
    assert codes(warnings) == [
        "LOT_EXPIRED",
        "LOT_RECALLED",
        "SERIAL_ON_HOLD",
        "PRODUCT_INACTIVE",
        "REGISTRATION_EXPIRED",
    ]


def test_a_serial_with_the_same_status_as_its_lot_is_not_warned_twice() -> None:
    warnings = status_warnings(
        today=TODAY, lot="L1", lot_status="on_hold", serial="S1", serial_status="on_hold"
    )
    assert codes(warnings) == ["LOT_ON_HOLD"]


def test_a_label_disagreeing_with_the_lot_record_is_warned_and_the_earlier_date_applies() -> None:
    warnings = status_warnings(today=TODAY, lot="L1", label_expiry=days(5), record_expiry=days(-2))
    assert codes(warnings) == ["LOT_EXPIRY_MISMATCH", "LOT_EXPIRED"]
