"""Approving: by the head, never by the requester; two levels for high-value lines; budget and
quota checked at submit and again at approval, warn or block; partial approval and substitution
with a reason; the remaining budget."""

from __future__ import annotations

import pytest

from backend.core.errors import DomainError
from backend.requisitions import approving, budget, requesting, rules
from backend.requisitions.approving import LineDecision
from backend.requisitions.requesting import LineIn
from tests.integration.requisitions.ward import build_ward, count, events, set_quota
from tests.support import make_user


async def _submitted(ward, actor=None, lines=None):  # type: ignore[no-untyped-def]
    return await requesting.create(
        actor or ward.clinician.actor,
        department=ward.department,
        lines=lines or [LineIn(ward.w.syringe, 40)],
        submit=True,
    )


async def test_the_head_approves_a_clinicians_request():
    ward = await build_ward()
    req = await _submitted(ward)
    done = await approving.approve(ward.head.actor, req["id"], reason="同意")
    assert done["status"] == "approved" and done["approved_at"] is not None
    assert [(a["level"], a["decision"], a["approver"]) for a in done["approvals"]] == [
        (1, "approved", ward.head.id)
    ]
    assert done["lines"][0]["approved_quantity"] == 40 and done["lines"][0]["unit_cost"] == 100
    assert [e["status"] for e in await events("requisition.changed")][-1] == "approved"


async def test_a_requester_never_approves_their_own_requisition_and_nothing_is_written():
    ward = await build_ward()
    req = await _submitted(ward, ward.head.actor)
    audit_before = await count("audit_entry")
    with pytest.raises(DomainError) as refused:
        await approving.approve(ward.head.actor, req["id"])
    assert refused.value.code == "OWN_REQUISITION" and refused.value.status == 403
    assert await count("requisition_approval") == 0
    assert await count("audit_entry") == audit_before
    assert (await requesting.get(ward.head.actor, req["id"]))["status"] == "submitted"
    # another head of the ward may
    assert (await approving.approve(ward.deputy.actor, req["id"]))["status"] == "approved"


async def test_a_clinician_or_a_head_of_another_ward_cannot_approve():
    ward = await build_ward()
    req = await _submitted(ward)
    with pytest.raises(DomainError) as refused:
        await approving.approve(ward.nurse.actor, req["id"])
    assert refused.value.code == "NOT_AN_APPROVER"
    stranger = await make_user("head_orth", ["department_head"], [], [ward.other_department])
    with pytest.raises(DomainError) as refused:
        await approving.approve(stranger.actor, req["id"])
    assert refused.value.code == "NOT_FOUND"


async def test_high_value_lines_need_a_second_level_from_another_person():
    ward = await build_ward()
    req = await _submitted(ward, lines=[LineIn(ward.w.stent, 1), LineIn(ward.w.syringe, 5)])
    assert req["levels_required"] == 2
    first = await approving.approve(ward.head.actor, req["id"])
    assert first["status"] == "submitted" and first["levels_done"] == 1
    with pytest.raises(DomainError) as refused:
        await approving.approve(ward.deputy.actor, req["id"])  # a head may not give level 2
    assert refused.value.code == "NOT_AN_APPROVER"
    done = await approving.approve(ward.w.admin.actor, req["id"])
    assert done["status"] == "approved"
    assert [a["level"] for a in done["approvals"]] == [1, 2]


async def test_a_department_policy_sets_its_own_threshold_and_second_level_role():
    ward = await build_ward()
    default = await approving.get_policy(ward.head.actor, ward.department)
    assert (default["high_value_unit_cost"], default["level2_roles"]) == (
        rules.HIGH_VALUE_UNIT_COST,
        ["admin"],
    )
    policy = await approving.set_policy(
        ward.w.admin.actor, ward.department, high_value_unit_cost=100, level2_role="department_head"
    )
    assert policy["level2_roles"] == ["department_head"]
    req = await _submitted(ward)  # syringes at 1 yuan are high value here
    assert req["levels_required"] == 2
    await approving.approve(ward.head.actor, req["id"])
    with pytest.raises(DomainError) as refused:
        await approving.approve(ward.head.actor, req["id"])  # not twice by one person
    assert refused.value.code == "SAME_APPROVER"
    assert (await approving.approve(ward.deputy.actor, req["id"]))["status"] == "approved"


async def test_over_budget_a_warning_department_submits_with_the_warning_shown():
    ward = await build_ward(enforcement="warn", budget=3_000)  # 30 yuan
    req = await _submitted(ward)  # 40 syringes = 40 yuan
    assert req["status"] == "submitted"
    assert [w["code"] for w in req["warnings"]] == ["BUDGET_EXCEEDED"]
    assert "剩余 3000" in req["warnings"][0]["zh"]
    done = await approving.approve(ward.head.actor, req["id"])
    assert done["status"] == "approved" and done["warnings"][0]["code"] == "BUDGET_EXCEEDED"


async def test_over_budget_a_blocking_department_cannot_submit():
    ward = await build_ward(enforcement="block", budget=3_000)
    with pytest.raises(DomainError) as refused:
        await _submitted(ward)
    assert refused.value.code == "BUDGET_EXCEEDED" and refused.value.status == 409
    assert await count("requisition") == 0


async def test_approval_checks_the_budget_again_and_a_blocking_department_refuses_it():
    ward = await build_ward(enforcement="block", budget=6_000)  # 60 yuan
    first = await _submitted(ward)  # 40 yuan, fits
    second = await _submitted(ward, ward.nurse.actor)  # 40 yuan, fits alone
    await approving.approve(ward.head.actor, first["id"])
    state = await budget.summary(ward.head.actor, ward.department, rules.period_of(ward.w.today))
    assert (state["budget"], state["committed"], state["remaining"]) == (6_000, 4_000, 2_000)
    with pytest.raises(DomainError) as refused:
        await approving.approve(ward.head.actor, second["id"])
    assert refused.value.code == "BUDGET_EXCEEDED"
    again = await requesting.get(ward.head.actor, second["id"])
    assert again["status"] == "submitted" and again["approvals"] == []
    assert again["lines"][0]["approved_quantity"] is None
    # approving only what the budget allows goes through, with the reason recorded
    line = again["lines"][0]["id"]
    done = await approving.approve(
        ward.head.actor,
        second["id"],
        decisions=[LineDecision(line, 20, reason="预算所限，先发 20")],
    )
    assert done["status"] == "approved" and done["lines"][0]["approved_quantity"] == 20
    assert done["lines"][0]["decision_reason"] == "预算所限，先发 20"


async def test_a_products_quota_blocks_or_warns_as_the_department_is_set():
    ward = await build_ward(enforcement="block")
    await set_quota(ward, ward.w.syringe, 30)
    with pytest.raises(DomainError) as refused:
        await _submitted(ward)
    assert refused.value.code == "QUOTA_EXCEEDED"
    state = await budget.summary(ward.head.actor, ward.department, rules.period_of(ward.w.today))
    assert state["quotas"][0]["remaining"] == 30 and state["budget"] is None


async def test_partial_approval_and_substitution_need_a_reason_and_an_equivalent_product():
    ward = await build_ward()
    req = await _submitted(ward, lines=[LineIn(ward.w.syringe, 40), LineIn(ward.w.forceps, 4)])
    syringe_line, forceps_line = (x["id"] for x in req["lines"])
    with pytest.raises(DomainError) as refused:
        await approving.approve(
            ward.head.actor, req["id"], decisions=[LineDecision(syringe_line, 30)]
        )
    assert refused.value.code == "REASON_REQUIRED"
    with pytest.raises(DomainError) as refused:
        await approving.approve(
            ward.head.actor,
            req["id"],
            decisions=[LineDecision(forceps_line, 4, ward.syringe_b, "缺货替代")],
        )
    assert refused.value.code == "SUBSTITUTE_NOT_EQUIVALENT"
    with pytest.raises(DomainError) as refused:
        await approving.approve(
            ward.head.actor, req["id"], decisions=[LineDecision(forceps_line, 5)]
        )
    assert refused.value.code == "INVALID_INPUT"
    assert await count("requisition_approval") == 0
    done = await approving.approve(
        ward.head.actor,
        req["id"],
        decisions=[
            LineDecision(syringe_line, 40, ward.syringe_b, "原品缺货，等效替代"),
            LineDecision(forceps_line, 2, None, "本月已领 2 把"),
        ],
    )
    syringe, forceps = done["lines"]
    assert (syringe["substitute"], syringe["approved_quantity"], syringe["unit_cost"]) == (
        ward.syringe_b,
        40,
        90,
    )
    assert syringe["decision_reason"] == "原品缺货，等效替代"
    assert (forceps["approved_quantity"], forceps["decision_reason"]) == (2, "本月已领 2 把")


async def test_approving_nothing_rejects_and_a_rejection_needs_a_reason():
    ward = await build_ward()
    req = await _submitted(ward)
    line = req["lines"][0]["id"]
    done = await approving.approve(
        ward.head.actor, req["id"], decisions=[LineDecision(line, 0, reason="科室库存充足")]
    )
    assert done["status"] == "rejected"
    other = await _submitted(ward)
    rejected = await approving.reject(ward.head.actor, other["id"], reason="重复申请")
    assert rejected["status"] == "rejected" and rejected["approvals"][0]["reason"] == "重复申请"
    with pytest.raises(DomainError) as refused:
        await approving.approve(ward.head.actor, other["id"])
    assert refused.value.code == "REQUISITION_STATE"
