"""The pure requisition rules: approval eligibility, budget and quota (warn vs block), par-level
shortfall, patient references, substitution, return destinations, status changes, figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.core.errors import DomainError
from backend.requisitions import errors, rules, words

TODAY = date(2026, 11, 21)


def codes(fn, *args, **kwargs) -> str | None:  # type: ignore[no-untyped-def]
    try:
        fn(*args, **kwargs)
    except DomainError as exc:
        return exc.code
    return None


# ---- approval eligibility -------------------------------------------------------------------


def test_a_requester_never_approves_their_own_requisition_even_as_head_or_admin():
    for roles in (["department_head"], ["admin"], ["admin", "department_head"]):
        assert (
            codes(
                rules.check_approver, requester_id=7, approver_id=7, approver_roles=roles, level=1
            )
            == "OWN_REQUISITION"
        )


def test_the_head_gives_level_one_and_an_admin_level_two():
    ok = {"requester_id": 1, "approver_id": 2}
    assert codes(rules.check_approver, **ok, approver_roles=["department_head"], level=1) is None
    assert (
        codes(rules.check_approver, **ok, approver_roles=["clinician"], level=1)
        == "NOT_AN_APPROVER"
    )
    assert (
        codes(rules.check_approver, **ok, approver_roles=["department_head"], level=2)
        == "NOT_AN_APPROVER"
    )
    assert codes(rules.check_approver, **ok, approver_roles=["admin"], level=2) is None


def test_one_person_does_not_give_both_levels():
    assert (
        codes(
            rules.check_approver,
            requester_id=1,
            approver_id=2,
            approver_roles=["admin"],
            level=2,
            earlier_approvers=[2],
        )
        == "SAME_APPROVER"
    )


def test_a_policy_may_name_another_role_for_level_two():
    roles = {1: frozenset({"department_head"}), 2: frozenset({"department_head"})}
    assert (
        codes(
            rules.check_approver,
            requester_id=1,
            approver_id=3,
            approver_roles=["department_head"],
            level=2,
            level_roles=roles,
            earlier_approvers=[2],
        )
        is None
    )


def test_a_line_at_or_above_the_high_value_threshold_needs_two_levels():
    assert rules.levels_needed([100, 499_999], 500_000) == 1
    assert rules.levels_needed([100, 500_000], 500_000) == 2
    assert rules.levels_needed([], 500_000) == 1


# ---- budget and quota -----------------------------------------------------------------------


def _budget(budget: int | None, committed: int = 0) -> rules.BudgetState:
    return rules.BudgetState("2026-11", budget, committed)


def test_within_budget_and_quota_there_is_nothing_to_say():
    quota = rules.QuotaState(1, "SYR", 100, 40)
    assert rules.check_budget(_budget(1_000, 400), 600, [quota], {1: 60}, "block") == []


def test_over_budget_a_warning_department_gets_a_warning_in_both_languages():
    (warning,) = rules.check_budget(_budget(1_000, 400), 601, [], {}, "warn")
    assert warning.code == "BUDGET_EXCEEDED"
    assert "剩余 600" in warning.zh and "600 left" in warning.en


def test_over_budget_a_blocking_department_is_refused():
    assert codes(rules.check_budget, _budget(1_000, 400), 601, [], {}, "block") == "BUDGET_EXCEEDED"


def test_over_a_products_quota_warns_or_blocks_like_the_budget():
    quota = rules.QuotaState(1, "SYR", 100, 40)
    assert [w.code for w in rules.check_budget(_budget(None), 0, [quota], {1: 61}, "warn")] == [
        "QUOTA_EXCEEDED"
    ]
    assert (
        codes(rules.check_budget, _budget(None), 0, [quota], {1: 61}, "block") == "QUOTA_EXCEEDED"
    )
    assert rules.check_budget(_budget(None), 0, [quota], {2: 500}, "block") == []


def test_without_a_budget_for_the_period_nothing_is_checked():
    assert rules.check_budget(_budget(None), 10**9, [], {}, "block") == []
    assert _budget(None).remaining is None and _budget(500, 200).remaining == 300


# ---- par levels -----------------------------------------------------------------------------


def test_the_par_shortfall_counts_what_is_there_and_what_is_on_its_way():
    assert rules.par_shortfall(50, 15, 5) == 30
    assert rules.par_shortfall(50, 60, 0) == 0
    assert rules.par_shortfall(0, 0, 0) == 0
    assert rules.par_proposal({1: 10, 2: 5, 3: 4}, {1: 10, 2: 1}, {2: 1}) == {2: 3, 3: 4}


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 10_000))
def test_a_par_shortfall_never_goes_negative_and_fills_up_to_par(par: int, there: int, coming: int):
    short = rules.par_shortfall(par, there, coming)
    assert short >= 0
    assert there + coming + short >= par
    if short:
        assert there + coming + short == par


# ---- patient references ---------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["MRN-0042", "px-2026-0117", "7f3a9c", "A1B2", "P" + "1" * 39])
def test_an_opaque_patient_id_is_accepted_and_upper_cased(ref: str):
    assert rules.check_patient_reference(f" {ref} ") == ref.upper()


@pytest.mark.parametrize(
    "ref",
    [
        "张三",
        "Li Lei",
        "zhangsan",
        "Wang-Fang",
        "P12",
        "P" + "1" * 40,
        "-P123",
        "P123-",
        "P--123",
        "P_123",
        "P.123",
        "",
    ],
)
def test_a_name_or_anything_not_an_opaque_id_is_refused(ref: str):
    assert codes(rules.check_patient_reference, ref) == "PATIENT_REFERENCE_INVALID"


def test_implants_and_serial_tracked_devices_need_patient_procedure_and_surgeon():
    full = {"patient_ref": "MRN-1", "procedure": "PCI", "surgeon": "王"}
    assert (
        rules.check_patient_use(
            tracking="lot", implant=False, patient_ref=None, procedure=None, surgeon=None
        )
        is None
    )
    assert rules.check_patient_use(tracking="lot_serial", implant=False, **full) == "MRN-1"
    for missing in ("patient_ref", "procedure", "surgeon"):
        given = {**full, missing: None}
        assert (
            codes(rules.check_patient_use, tracking="lot", implant=True, **given)
            == "PATIENT_USE_REQUIRED"
        )
    assert (
        codes(
            rules.check_patient_use,
            tracking="lot",
            implant=False,
            patient_ref="王五",
            procedure=None,
            surgeon=None,
        )
        == "PATIENT_REFERENCE_INVALID"
    )


# ---- decisions, substitution, status, quantities --------------------------------------------


def test_approving_less_or_a_substitute_needs_a_reason_and_never_more_than_asked():
    assert codes(rules.check_decision, rules.Decision(1, 10, 10), "lines[0]") is None
    assert codes(rules.check_decision, rules.Decision(1, 10, 6), "lines[0]") == "REASON_REQUIRED"
    assert (
        codes(rules.check_decision, rules.Decision(1, 10, 10, 5), "lines[0]") == "REASON_REQUIRED"
    )
    assert codes(rules.check_decision, rules.Decision(1, 10, 6, None, "预算"), "lines[0]") is None
    assert (
        codes(rules.check_decision, rules.Decision(1, 10, 11, None, "x"), "lines[0]")
        == "INVALID_INPUT"
    )


def test_a_substitute_is_equivalent_only_within_the_same_device_family():
    assert codes(rules.check_substitute, "SYR-5", "syringe", "SYR-5B", "syringe") is None
    assert (
        codes(rules.check_substitute, "SYR-5", "syringe", "STENT", "des_stent")
        == "SUBSTITUTE_NOT_EQUIVALENT"
    )


@pytest.mark.parametrize("quantity", [0, -1, rules.MAX_LINE_QUANTITY + 1])
def test_quantities_below_one_or_absurdly_large_are_refused(quantity: int):
    assert codes(rules.check_quantity, quantity) == "REQUISITION_QUANTITY"


def test_the_status_moves_only_forward_along_the_journey():
    path = ["draft", "submitted", "approved", "picking", "shipped", "delivered", "received"]
    for old, new in pairwise(path):
        assert codes(rules.check_transition, 1, old, new, "x") is None
    assert codes(rules.check_transition, 1, "draft", "approved", "approve") == "REQUISITION_STATE"
    assert (
        codes(rules.check_transition, 1, "received", "cancelled", "cancel") == "REQUISITION_STATE"
    )
    assert codes(rules.check_transition, 1, "shipped", "received", "x") is None  # runner skipped
    assert codes(rules.check_transition, 1, "received", "picking", "x") is None  # a back-order


def test_a_needed_by_date_in_the_past_is_refused():
    assert codes(rules.check_needed_by, TODAY - timedelta(days=1), TODAY) == "INVALID_INPUT"
    assert codes(rules.check_needed_by, TODAY, TODAY) is None


def test_returns_go_back_through_receiving_only_intact_and_in_date():
    assert rules.return_destination("intact", expired=False) == "receiving"
    assert rules.return_destination("intact", expired=True) == "quarantine"
    assert rules.return_destination("opened", expired=False) == "quarantine"
    assert rules.return_destination("damaged", expired=False) == "quarantine"
    assert codes(rules.return_destination, "lost", False) == "INVALID_INPUT"


# ---- figures --------------------------------------------------------------------------------


def test_the_fill_rate_is_received_over_requested_and_never_above_one():
    assert rules.fill_rate(18, 10) == pytest.approx(10 / 18)
    assert rules.fill_rate(10, 12) == 1.0
    assert rules.fill_rate(0, 0) is None
    assert rules.rate(2, 2) == 1.0 and rules.rate(1, 0) is None


@given(st.integers(1, 10**6), st.integers(0, 10**6))
def test_a_fill_rate_lies_between_zero_and_one(requested: int, filled: int):
    value = rules.fill_rate(requested, filled)
    assert value is not None and 0 <= value <= 1


def test_the_lead_time_is_measured_in_hours_from_request_to_delivery():
    t0 = datetime(2026, 11, 20, 8, tzinfo=UTC)
    assert rules.lead_hours(t0, t0 + timedelta(hours=26, minutes=30)) == 26.5
    summary = rules.lead_time_summary([2.0, 4.0, 30.0])
    assert summary == {"mean": 12.0, "median": 4.0, "max": 30.0}
    assert rules.lead_time_summary([]) == {"mean": None, "median": None, "max": None}


def test_the_period_is_the_calendar_month():
    assert rules.period_of(date(2026, 1, 31)) == "2026-01"


def test_a_refused_status_change_is_said_in_words_in_both_languages():
    with pytest.raises(errors.RequisitionState) as refused:
        rules.check_transition(7, "picking", "delivered", "ship")
    assert refused.value.message("zh-CN") == "请领单 REQ-7 当前状态为「拣货中」，不能发货"
    assert refused.value.message("en") == "Requisition REQ-7 is being picked and cannot be shipped"
    # The problem document keeps the machine-readable values.
    assert refused.value.extra() == {"requisition": "REQ-7", "state": "picking", "action": "ship"}
    with pytest.raises(errors.RequisitionState) as refused:
        rules.check_transition(8, "draft", "picking", "release")
    assert refused.value.message("zh-CN") == "请领单 REQ-8 当前状态为「草稿」，不能下发拣货"
    assert refused.value.message("en") == (
        "Requisition REQ-8 is a draft and cannot be released to picking"
    )


def test_nothing_to_act_on_is_said_in_words_in_both_languages():
    refused = errors.NothingToShip(requisition="REQ-3", action="allocate")
    assert refused.message("zh-CN") == "请领单 REQ-3 没有可重新分配的货物"
    assert refused.message("en") == "Requisition REQ-3 has nothing to allocate"


def _no_latin(text: str) -> bool:
    return not any("a" <= c.lower() <= "z" for c in text.replace("REQ", ""))


@pytest.mark.parametrize("old", sorted(rules.TRANSITIONS))
@pytest.mark.parametrize("action", sorted(words.ACTION))
def test_every_status_and_action_has_a_chinese_and_an_english_word(old: str, action: str):
    refused = errors.RequisitionState(requisition="REQ-1", state=old, action=action)
    zh, en = refused.message("zh-CN"), refused.message("en")
    assert _no_latin(zh.removeprefix("请领单 REQ-1")), zh
    assert words.STATUS[old].en in en and words.ACTION[action].en_done in en
    assert "_" not in en and "{" not in zh + en
