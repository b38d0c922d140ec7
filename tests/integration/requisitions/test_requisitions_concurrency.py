"""At once, on the real database: heads approving against one blocking budget never spend
the same remainder twice, and nurses using the cabinet's last units never use one twice."""

from __future__ import annotations

import asyncio
from collections import Counter

from backend.core.errors import DomainError
from backend.requisitions import approving, budget, requesting, rules, using
from backend.requisitions.requesting import LineIn
from tests.integration.requisitions.ward import build_ward, to_cabinet
from tests.integration.stock.world import ledger, on_hand, stock_in, violations
from tests.support import make_user


async def _outcome(coro) -> str:  # type: ignore[no-untyped-def]
    try:
        await coro
        return "ok"
    except DomainError as refused:
        return refused.code


async def test_eight_approvals_at_once_spend_a_blocking_budget_only_once():
    ward = await build_ward(enforcement="block", budget=10_000)  # room for 2 of 8 (40 yuan each)
    heads = [ward.head, ward.deputy] + [
        await make_user(f"head_{n}", ["department_head"], [], [ward.department]) for n in range(6)
    ]
    reqs = [
        await requesting.create(
            ward.clinician.actor,
            department=ward.department,
            lines=[LineIn(ward.w.syringe, 40)],
            submit=True,
        )
        for _ in range(8)
    ]
    outcomes = await asyncio.gather(
        *[_outcome(approving.approve(h.actor, r["id"])) for h, r in zip(heads, reqs, strict=True)]
    )
    assert Counter(outcomes) == {"ok": 2, "BUDGET_EXCEEDED": 6}
    state = await budget.summary(ward.head.actor, ward.department, rules.period_of(ward.w.today))
    assert (state["committed"], state["remaining"]) == (8_000, 2_000)


async def test_nurses_using_the_last_units_at_once_never_use_one_twice():
    ward = await build_ward()
    lot = await stock_in(ward.w, ward.w.syringe, "S1", 20)
    await to_cabinet(ward, [(ward.w.syringe, 5)])
    nurses = [ward.clinician, ward.nurse] + [
        await make_user(f"nurse_{n}", ["clinician"], [], [ward.department]) for n in range(10)
    ]
    outcomes = await asyncio.gather(
        *[
            _outcome(
                using.consume(
                    n.actor, location=ward.cabinet, lot=lot["id"], serial=None, quantity=1
                )
            )
            for n in nurses
        ]
    )
    counted = Counter(outcomes)
    assert counted["ok"] == 5
    assert set(counted) <= {"ok", "NOT_IN_CABINET", "INSUFFICIENT_STOCK"}
    assert await on_hand(ward.cabinet, lot["id"]) == (0, 0)
    assert len(await ledger(document_type="patient_use")) == 5
    assert await violations() == []
