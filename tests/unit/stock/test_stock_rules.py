"""The pure stock rules: availability, usability at the moment of use, status transitions,
FEFO/FIFO allocation, temperature classes, pick verification, putaway suggestions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.core.errors import DomainError
from backend.stock import rules
from backend.stock.reasons import ADJUSTMENTS_IN, ADJUSTMENTS_OUT, ISSUING, LABELS, Reason

TODAY = date(2026, 11, 21)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def cand(
    n: int, expiry: date | None, received_days: int = 0, available: int = 5
) -> rules.Candidate:
    return rules.Candidate(n, n, None, 1, expiry, T0 + timedelta(days=received_days), available)


def test_a_lot_is_usable_through_its_expiry_day_and_expired_the_next():
    assert not rules.is_expired(TODAY, TODAY)
    assert rules.is_expired(TODAY - timedelta(days=1), TODAY)
    assert not rules.is_expired(None, TODAY)


@pytest.mark.parametrize(
    ("status", "expiry", "serial_status", "kind", "available"),
    [
        ("released", TODAY, None, "storage", True),
        ("released", TODAY - timedelta(days=1), None, "storage", False),
        ("on_hold", None, None, "storage", False),
        ("recalled", None, None, "storage", False),
        ("pending_inspection", None, None, "storage", False),
        ("released", None, "on_hold", "storage", False),
        ("released", None, "released", "point_of_use", True),
        ("released", None, None, "receiving", False),
        ("released", None, None, "quarantine", False),
        ("released", None, None, "in_transit", False),
    ],
)
def test_available_is_released_unexpired_unheld_and_in_a_place_of_use(
    status, expiry, serial_status, kind, available
):
    assert (
        rules.is_available(
            lot_status=status,
            expiry=expiry,
            serial_status=serial_status,
            location_kind=kind,
            today=TODAY,
        )
        is available
    )


@pytest.mark.parametrize(
    ("status", "expiry", "code"),
    [
        ("released", TODAY - timedelta(days=1), "LOT_EXPIRED"),
        ("on_hold", TODAY - timedelta(days=1), "LOT_EXPIRED"),
        ("recalled", None, "LOT_RECALLED"),
        ("on_hold", None, "LOT_ON_HOLD"),
        ("rejected", None, "LOT_REJECTED"),
        ("pending_inspection", None, "LOT_NOT_RELEASED"),
    ],
)
def test_an_unusable_lot_is_refused_with_its_reason_expiry_first(status, expiry, code):
    with pytest.raises(DomainError) as refused:
        rules.check_lot_usable("L1", status, expiry, TODAY)
    assert refused.value.code == code


def test_status_changes_follow_the_lifecycle():
    rules.check_transition("pending_inspection", "released")
    rules.check_transition("released", "on_hold")
    rules.check_transition("on_hold", "released")
    rules.check_transition("released", "recalled")
    for old, new in [
        ("pending_inspection", "on_hold"),
        ("rejected", "released"),
        ("recalled", "released"),
        ("released", "pending_inspection"),
    ]:
        with pytest.raises(DomainError) as refused:
            rules.check_transition(old, new)
        assert refused.value.code == "STATUS_TRANSITION"


def test_fefo_takes_the_earliest_expiry_first_and_no_expiry_last():
    a = cand(1, TODAY + timedelta(days=300))
    b = cand(2, TODAY + timedelta(days=100))
    c = cand(3, None)
    result = rules.allocate([a, b, c], 12)
    assert [(t.candidate.balance_id, t.quantity) for t in result.takes] == [(2, 5), (1, 5), (3, 2)]
    assert result.short == 0


def test_fefo_breaks_an_expiry_tie_on_the_oldest_receipt():
    newer = cand(1, TODAY, received_days=10)
    older = cand(2, TODAY, received_days=1)
    assert rules.allocate([newer, older], 1).takes[0].candidate is older


def test_fifo_ignores_expiry():
    early_expiry_newer = cand(1, TODAY, received_days=10)
    older = cand(2, TODAY + timedelta(days=999), received_days=1)
    assert rules.allocate([early_expiry_newer, older], 1, "fifo").takes[0].candidate is older


def test_what_cannot_be_allocated_is_short_and_require_full_refuses_it():
    result = rules.allocate([cand(1, None, available=3)], 5)
    assert (result.allocated, result.short) == (3, 2)
    with pytest.raises(DomainError) as refused:
        rules.require_full(result, 5)
    assert refused.value.code == "INSUFFICIENT_STOCK"


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 1000)), st.integers(0, 400), st.integers(0, 20)
        ),
        max_size=30,
    ),
    st.integers(1, 200),
)
def test_allocation_never_takes_more_than_asked_or_available_and_keeps_fefo_order(rows, wanted):
    cands = [
        cand(i + 1, None if e is None else TODAY + timedelta(days=e), r, a)
        for i, (e, r, a) in enumerate(rows)
    ]
    result = rules.allocate(cands, wanted)
    assert result.allocated + result.short == wanted
    assert result.allocated == min(wanted, sum(c.available for c in cands))
    assert all(0 < t.quantity <= t.candidate.available for t in result.takes)
    keys = [rules.allocation_key(t.candidate, "fefo") for t in result.takes]
    assert keys == sorted(keys)
    taken = {t.candidate.balance_id for t in result.takes}
    if result.takes:
        last = rules.allocation_key(result.takes[-1].candidate, "fefo")
        # Nothing earlier in FEFO order with units left was skipped.
        assert all(
            c.balance_id in taken
            for c in cands
            if c.available > 0 and rules.allocation_key(c, "fefo") < last
        )


def test_a_cold_chain_product_fits_only_a_controlled_range_inside_its_own():
    fits = {"cold_chain": True, "product_min": 2.0, "product_max": 8.0, "location_kind": "storage"}
    assert rules.fits_temperature(**fits, location_min=2.0, location_max=8.0)
    assert rules.fits_temperature(**fits, location_min=3.0, location_max=7.0)
    assert not rules.fits_temperature(**fits, location_min=None, location_max=None)
    assert not rules.fits_temperature(**fits, location_min=0.0, location_max=8.0)
    assert rules.fits_temperature(
        cold_chain=False,
        product_min=None,
        product_max=None,
        location_kind="storage",
        location_min=None,
        location_max=None,
    )
    assert rules.fits_temperature(
        **{**fits, "location_kind": "in_transit"}, location_min=None, location_max=None
    )


def unit(**kw) -> rules.PickedUnit:  # type: ignore[no-untyped-def]
    base = {
        "product_id": 1,
        "lot_id": 10,
        "lot_number": "L10",
        "lot_status": "released",
        "expiry": TODAY + timedelta(days=30),
    }
    return rules.PickedUnit(**{**base, **kw})


def verify(picked: rules.PickedUnit, quantity: int = 1, reason: str | None = None) -> bool:
    return rules.verify_pick(
        line_product=1,
        line_lot=10,
        line_serial=None,
        allocated=2,
        picked=picked,
        quantity=quantity,
        deviation_reason=reason,
        today=TODAY,
    )


def test_the_allocated_lot_is_no_deviation_another_lot_is_one_with_a_reason():
    assert verify(unit()) is False
    assert verify(unit(lot_id=11, lot_number="L11"), reason="front box") is True
    with pytest.raises(DomainError) as no_reason:
        verify(unit(lot_id=11, lot_number="L11"))
    assert no_reason.value.code == "FEFO_DEVIATION_REASON"


@pytest.mark.parametrize(
    ("picked", "quantity", "code"),
    [
        (unit(product_id=2), 1, "PICK_WRONG_PRODUCT"),
        (unit(), 3, "PICK_QUANTITY_EXCEEDED"),
        (unit(), 0, "INVALID_INPUT"),
        (unit(expiry=TODAY - timedelta(days=1)), 1, "LOT_EXPIRED"),
        (unit(lot_status="on_hold"), 1, "LOT_ON_HOLD"),
        (unit(lot_status="recalled"), 1, "LOT_RECALLED"),
        (unit(lot_status="pending_inspection"), 1, "LOT_NOT_RELEASED"),
        (unit(serial_id=5, serial="S5", serial_status="on_hold"), 1, "SERIAL_NOT_USABLE"),
    ],
)
def test_a_pick_is_refused_for_a_wrong_product_quantity_or_an_unusable_unit(picked, quantity, code):
    with pytest.raises(DomainError) as refused:
        verify(picked, quantity, reason="x")
    assert refused.value.code == code


def test_putaway_suggests_where_the_product_is_then_empty_places_of_the_right_class():
    places = [
        rules.Place(1, "A-01", "storage", None, None, holds_product=0, holds_anything=5),
        rules.Place(2, "A-02", "storage", None, None, holds_product=3, holds_anything=3),
        rules.Place(3, "A-03", "storage", None, None, holds_product=0, holds_anything=0),
        rules.Place(4, "K-01", "storage", 2.0, 8.0, holds_product=0, holds_anything=0),
        rules.Place(5, "Q", "quarantine", None, None, holds_product=0, holds_anything=0),
    ]
    warm = rules.suggest_putaway(places, cold_chain=False, product_min=None, product_max=None)
    assert [p.location_id for p in warm] == [2, 3, 4]
    cold = rules.suggest_putaway(places, cold_chain=True, product_min=2.0, product_max=8.0)
    assert [p.location_id for p in cold] == [4]


def test_serial_tracked_stock_moves_one_named_serial_at_a_time():
    rules.check_serial_quantity(True, 7, 1)
    rules.check_serial_quantity(False, None, 9)
    for tracked, serial, quantity in [(True, None, 1), (True, 7, 2), (False, 7, 1)]:
        with pytest.raises(DomainError):
            rules.check_serial_quantity(tracked, serial, quantity)


def test_reason_codes_are_unique_numbered_labelled_and_grouped():
    assert len({int(r) for r in Reason}) == len(Reason)
    assert set(LABELS) == set(Reason)
    assert not ADJUSTMENTS_IN & ADJUSTMENTS_OUT
    assert all(80 <= r < 90 for r in ADJUSTMENTS_IN | ADJUSTMENTS_OUT)
    assert Reason.pick_out in ISSUING and Reason.receipt not in ISSUING
    assert Reason.pick_out == 50  # stored on every ledger entry: a number never changes


def test_the_available_sql_is_built_from_the_same_constants():
    sql = rules.available_sql("l", "loc", "s")
    assert "l.status IN ('released')" in sql
    assert "loc.kind IN ('storage', 'point_of_use')" in sql
    assert sql.count("{}") == 1
