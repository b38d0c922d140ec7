"""The alert rules as pure functions: thresholds, levels, subjects and the lifecycle plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from backend.alerts import rules
from backend.alerts.rules import Finding, Level, Stored

TODAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
LEVELS = (
    Level(180, "info", ("purchaser",)),
    Level(90, "warning", ("purchaser", "warehouse")),
    Level(30, "critical", ("purchaser", "warehouse", "admin")),
)


def near(days_left: int, on_hand: int = 5) -> Finding | None:
    return rules.near_expiry(
        lot=7,
        warehouse=2,
        product=3,
        expiry=TODAY + timedelta(days=days_left),
        on_hand=on_hand,
        today=TODAY,
        levels=LEVELS,
        expired_severity="critical",
        expired_roles=("qa",),
    )


def test_near_expiry_picks_the_tightest_level_crossed_and_widens_who_is_told() -> None:
    assert near(181) is None
    first, second, third = near(180), near(90), near(1)
    assert first and (first.level, first.severity, first.roles) == (1, "info", ("purchaser",))
    assert second and (second.level, second.severity) == (2, "warning")
    assert third and (third.level, third.severity) == (3, "critical")
    assert "admin" in third.roles and "admin" not in second.roles
    assert third.subject == "lot:7@wh:2" and third.facts["days_left"] == 1


def test_a_lot_is_usable_on_its_expiry_day_and_expired_the_next() -> None:
    today = near(0)
    assert today and today.rule == rules.NEAR_EXPIRY
    gone = near(-1)
    assert gone and gone.rule == rules.EXPIRED and gone.severity == "critical"
    assert gone.level > 3 and gone.roles == ("qa",)


def test_no_stock_on_hand_or_no_expiry_raises_nothing() -> None:
    assert near(10, on_hand=0) is None
    assert (
        rules.near_expiry(
            lot=1,
            warehouse=1,
            product=1,
            expiry=None,
            on_hand=5,
            today=TODAY,
            levels=LEVELS,
            expired_severity="critical",
            expired_roles=("qa",),
        )
        is None
    )


def test_product_levels_win_over_category_levels_over_the_default() -> None:
    cat = (Level(60, "warning", ("qa",)),)
    own = (Level(10, "critical", ("qa",)),)
    assert rules.expiry_levels(1, "syringe", LEVELS, {"syringe": cat}, {1: own}) == own
    assert rules.expiry_levels(2, "syringe", LEVELS, {"syringe": cat}, {1: own}) == cat
    assert rules.expiry_levels(2, "stent", LEVELS, {"syringe": cat}, {1: own}) == LEVELS
    assert rules.widest_days([LEVELS, cat]) == 180


def low(available: int, reorder: int | None = 10, minimum: int | None = None) -> Finding | None:
    return rules.low_stock(
        product=3,
        warehouse=2,
        available=available,
        minimum=minimum,
        reorder_point=reorder,
        severity="warning",
        stockout_severity="critical",
        roles=("purchaser",),
    )


def test_low_stock_below_the_reorder_point_and_stock_out_is_its_higher_level() -> None:
    assert low(10) is None
    below = low(9)
    assert below and (below.rule, below.level, below.severity) == ("low_stock", 1, "warning")
    out = low(0)
    assert out and (out.rule, out.level, out.severity) == ("low_stock", 2, "critical")
    assert out.facts["stock_out"] is True
    minimum_only = low(4, reorder=None, minimum=5)
    assert minimum_only and minimum_only.level == 1


def test_a_ward_cabinet_below_par_reaches_its_department() -> None:
    f = rules.below_par(
        product=3,
        location=40,
        warehouse=2,
        department=9,
        available=2,
        par_level=5,
        severity="warning",
        stockout_severity="critical",
        roles=("department_head",),
    )
    assert f and f.department == 9 and f.subject == "product:3@loc:40" and f.level == 1
    assert (
        rules.below_par(
            product=3,
            location=40,
            warehouse=2,
            department=9,
            available=5,
            par_level=5,
            severity="warning",
            stockout_severity="critical",
            roles=("x",),
        )
        is None
    )


def test_held_recalled_or_unreleased_lots_with_reservations_are_anomalies() -> None:
    for status in ("on_hold", "recalled", "pending_inspection"):
        assert rules.blocked_reserved(
            lot=1,
            warehouse=1,
            product=1,
            status=status,
            reserved=2,
            severity="critical",
            roles=("qa",),
        )
    assert (
        rules.blocked_reserved(
            lot=1,
            warehouse=1,
            product=1,
            status="released",
            reserved=2,
            severity="critical",
            roles=("qa",),
        )
        is None
    )
    assert (
        rules.blocked_reserved(
            lot=1,
            warehouse=1,
            product=1,
            status="on_hold",
            reserved=0,
            severity="critical",
            roles=("qa",),
        )
        is None
    )


def test_same_lot_number_with_another_expiry_is_an_anomaly() -> None:
    assert (
        rules.expiry_mismatch(
            lot=1,
            warehouse=1,
            product=1,
            recorded=TODAY,
            received=TODAY,
            severity="warning",
            roles=("qa",),
        )
        is None
    )
    f = rules.expiry_mismatch(
        lot=1,
        warehouse=1,
        product=1,
        recorded=TODAY,
        received=TODAY + timedelta(days=1),
        severity="warning",
        roles=("qa",),
        facts={"lot_number": "L1"},
    )
    assert f and f.rule == rules.LOT_EXPIRY_MISMATCH
    assert f.facts["recorded"] == TODAY.isoformat()
    assert f.facts["received"] == (TODAY + timedelta(days=1)).isoformat()
    assert rules.describe(f.rule, f.facts, "en") == (
        f"Lot L1: expiry {TODAY + timedelta(days=1)} delivered, {TODAY} on record"
    )
    assert "登记" in rules.describe(f.rule, f.facts)


def test_stock_sitting_in_receiving_longer_than_n_hours() -> None:
    args = {
        "lot": 1,
        "location": 5,
        "warehouse": 1,
        "product": 1,
        "kind": "receiving",
        "on_hand": 3,
        "now": NOW,
        "hours": 48,
        "severity": "warning",
        "roles": ("qa",),
    }
    assert rules.dwell(arrived_at=NOW - timedelta(hours=48), **args) is None  # type: ignore[arg-type]
    f = rules.dwell(arrived_at=NOW - timedelta(hours=49), **args)  # type: ignore[arg-type]
    assert f and f.facts["hours"] == 49 and f.subject == "lot:1@loc:5"


def test_late_suppliers_and_transfers_in_transit() -> None:
    assert (
        rules.supplier_late(
            order=1,
            number="PO1",
            warehouse=1,
            supplier=1,
            promised=TODAY,
            today=TODAY,
            grace_days=0,
            severity="warning",
            roles=("purchaser",),
        )
        is None
    )
    late = rules.supplier_late(
        order=1,
        number="PO1",
        warehouse=1,
        supplier=1,
        promised=TODAY - timedelta(days=3),
        today=TODAY,
        grace_days=1,
        severity="warning",
        roles=("purchaser",),
    )
    assert late and late.facts["days_late"] == 3
    assert (
        rules.transit_late(
            order=1,
            warehouse=1,
            shipped_at=NOW - timedelta(days=2),
            now=NOW,
            days=3,
            severity="warning",
            roles=("x",),
        )
        is None
    )
    assert rules.transit_late(
        order=1,
        warehouse=1,
        shipped_at=NOW - timedelta(days=4),
        now=NOW,
        days=3,
        severity="warning",
        roles=("x",),
    )


def test_certificates_warn_within_n_days_and_are_critical_once_lapsed() -> None:
    def cert(days: int | None) -> Finding | None:
        until = None if days is None else TODAY + timedelta(days=days)
        return rules.certificate(
            rule=rules.LICENCE_EXPIRING,
            subject="supplier_licence:1",
            valid_until=until,
            today=TODAY,
            warn_days=60,
            severity="warning",
            lapsed_severity="critical",
            roles=("qa",),
        )

    assert cert(None) is None and cert(61) is None
    soon, lapsed = cert(60), cert(-1)
    assert soon and (soon.level, soon.severity) == (1, "warning")
    assert lapsed and (lapsed.level, lapsed.severity) == (2, "critical")


def test_slow_moving_counts_from_the_last_issue_or_the_first_receipt() -> None:
    base = {
        "product": 1,
        "warehouse": 1,
        "on_hand": 4,
        "now": NOW,
        "days": 180,
        "severity": "info",
        "roles": ("purchaser",),
    }
    old = NOW - timedelta(days=200)
    assert rules.slow_moving(last_issue=None, stocked_since=old, **base)  # type: ignore[arg-type]
    assert (
        rules.slow_moving(
            last_issue=NOW - timedelta(days=5),
            stocked_since=old,  # type: ignore[arg-type]
            **base,
        )
        is None
    )


def test_temperature_outside_the_range_widened_by_the_tolerance() -> None:
    def reading(t: float) -> Finding | None:
        return rules.temperature_excursion(
            sensor="K1",
            location=5,
            warehouse=1,
            temperature_c=t,
            minimum=2.0,
            maximum=8.0,
            tolerance_c=0.5,
            severity="critical",
            roles=("qa",),
        )

    assert reading(8.4) is None and reading(1.6) is None
    high, cold = reading(8.6), reading(1.4)
    assert high and high.facts["direction"] == "high" and high.subject == "sensor:K1"
    assert cold and cold.facts["direction"] == "low"


def f(level: int, subject: str = "s1", rule: str = "near_expiry") -> Finding:
    return Finding(rule, subject, rules.SEVERITIES[min(level, 3) - 1], level, ("qa",), 1)


def test_reconcile_raises_escalates_refreshes_and_resolves() -> None:
    stored = [
        Stored(1, "near_expiry", "s2", "acknowledged", 1, "info"),
        Stored(2, "near_expiry", "s3", "open", 3, "critical"),
        Stored(3, "near_expiry", "s4", "open", 1, "info"),
        Stored(4, "near_expiry", "s5", "resolved", 1, "info"),
    ]
    plan = rules.reconcile([f(1, "s1"), f(2, "s2"), f(2, "s3"), f(1, "s5")], stored)
    assert [x.subject for x in plan.raise_new] == ["s1"]
    assert [(o.id, n.level) for o, n in plan.escalate] == [(1, 2)]
    assert [(o.id, n.level) for o, n in plan.refresh] == [(2, 2)]
    assert [o.id for o in plan.resolve] == [3]
    assert [o.id for o, _ in plan.reopen] == [4]


def test_reconciling_the_same_findings_twice_plans_nothing_new() -> None:
    stored = [Stored(1, "near_expiry", "s1", "open", 2, "warning")]
    assert rules.reconcile([f(2, "s1")], stored).changes == 0


def test_resolving_by_absence_only_within_what_was_covered() -> None:
    stored = [
        Stored(1, "low_stock", "a", "open", 1, "warning", 1),
        Stored(2, "low_stock", "b", "open", 1, "warning", 2),
    ]
    plan = rules.reconcile([], stored, covered=lambda s: s.warehouse == 1)
    assert [s.id for s in plan.resolve] == [1]


def test_visibility_by_role_and_severity_order() -> None:
    assert rules.visible_to(["qa"], ["qa", "warehouse"])
    assert not rules.visible_to(["qa"], ["clinician"])
    assert rules.visible_to(["qa"], ["admin"])
    assert rules.severity_at_least("critical", "warning")
    assert not rules.severity_at_least("info", "warning")


def test_titles_read_in_both_languages() -> None:
    assert rules.describe("near_expiry", {"days_left": 12}, "en") == "Near expiry: 12 days left"
    assert "12" in rules.describe("near_expiry", {"days_left": 12})
    assert rules.describe("low_stock", {"stock_out": True, "available": 0}, "en") == "Stock-out"
