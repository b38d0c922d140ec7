"""The department's budget and quotas for a period: what is set, what approved requisitions
have committed, what remains; and the check made at submit and again at approval."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from backend.core import crud, db
from backend.core.actor import SYSTEM, Actor
from backend.requisitions import common, rules
from backend.sites.service import BUDGETS, QUOTAS


async def state(
    department_id: int, period: str, *, excluding: int | None = None
) -> tuple[rules.BudgetState, list[rules.QuotaState]]:
    budgets, _ = await crud.list_records(
        BUDGETS, SYSTEM, filters={"department": department_id, "period": period}, limit=1
    )
    statuses = rules.COMMITTED_STATUSES
    marks = ", ".join("{}" for _ in statuses)
    skip = -1 if excluding is None else excluding
    committed = await db.fetch(
        "SELECT COALESCE(SUM(rl.approved_quantity * rl.unit_cost), 0) AS amount "
        "FROM requisition_line rl JOIN requisition r ON r.id = rl.requisition "
        f"WHERE r.department = {{}} AND r.period = {{}} AND r.status IN ({marks}) AND r.id <> {{}}",
        department_id,
        period,
        *statuses,
        skip,
    )
    budget = rules.BudgetState(
        period=period,
        budget=int(budgets[0]["amount"]) if budgets else None,
        committed=int(committed[0]["amount"] or 0),
    )
    quotas, _ = await crud.list_records(
        QUOTAS, SYSTEM, filters={"department": department_id, "period": period}, limit=200
    )
    if not quotas:
        return budget, []
    used_rows = await db.fetch(
        "SELECT COALESCE(rl.substitute, rl.product) AS product, SUM(rl.approved_quantity) AS n "
        "FROM requisition_line rl JOIN requisition r ON r.id = rl.requisition "
        f"WHERE r.department = {{}} AND r.period = {{}} AND r.status IN ({marks}) AND r.id <> {{}} "
        "GROUP BY COALESCE(rl.substitute, rl.product)",
        department_id,
        period,
        *statuses,
        skip,
    )
    used = {int(r["product"]): int(r["n"] or 0) for r in used_rows}
    codes = await common.products(q["product"] for q in quotas)
    return budget, [
        rules.QuotaState(
            product=int(q["product"]),
            product_code=str(codes.get(q["product"], {}).get("code", q["product"])),
            quota=int(q["quantity"]),
            committed=used.get(int(q["product"]), 0),
        )
        for q in quotas
    ]


async def check(
    department: Mapping[str, Any],
    period: str,
    requisition_id: int,
    amount: int,
    quantities: Mapping[int, int],
) -> list[dict[str, str]]:
    """Raise when the department blocks and this would go over; else the warnings."""
    if not db.is_sqlite():
        # Two approvals of one department at once must not both spend the same remainder
        # (SQLite's write transactions queue already).
        await db.fetch("SELECT id FROM department WHERE id = {} FOR UPDATE", department["id"])
    budget, quotas = await state(department["id"], period, excluding=requisition_id)
    warnings = rules.check_budget(
        budget, amount, quotas, quantities, department["budget_enforcement"]
    )
    return [asdict(w) for w in warnings]


async def summary(actor: Actor, department_id: int, period: str) -> dict[str, Any]:
    """The remaining budget shown on the tablet before and while requesting."""
    dept = await common.department(actor, department_id)
    budget, quotas = await state(department_id, period)
    return {
        "department": department_id,
        "period": period,
        "enforcement": dept["budget_enforcement"],
        "budget": budget.budget,
        "committed": budget.committed,
        "remaining": budget.remaining,
        "quotas": [
            {
                "product": q.product,
                "product_code": q.product_code,
                "quota": q.quota,
                "committed": q.committed,
                "remaining": q.remaining,
            }
            for q in quotas
        ],
    }
