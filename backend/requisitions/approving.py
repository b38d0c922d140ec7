"""Approving: by the department head (and, for high-value lines, a second level), never by the
requester; partial approval and substitution with a reason; budget and quota checked again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backend.core import clock, db
from backend.core.actor import Actor
from backend.core.errors import InvalidInput, NotFound
from backend.core.unit_of_work import unit_of_work
from backend.requisitions import budget, common, requesting, rules
from backend.requisitions.tables import (
    ApprovalPolicy,
    Requisition,
    RequisitionApproval,
    RequisitionLine,
)


@dataclass(frozen=True, slots=True)
class LineDecision:
    line: int
    approved_quantity: int
    substitute: int | None = None
    reason: str | None = None


async def _approvable(actor: Actor, requisition_id: int) -> tuple[dict[str, Any], int]:
    row = await common.requisition(actor, requisition_id, lock=True)
    if not actor.sees_department(row["department"]):
        # A warehouse user sees the requisition but is no approver of the ward.
        raise NotFound(entity="requisition", key=requisition_id)
    if row["status"] != rules.SUBMITTED:
        rules.check_transition(requisition_id, row["status"], rules.APPROVED, "approve")
    level = int(row["levels_done"]) + 1
    _threshold, roles = await requesting.policy(row["department"])
    earlier = await db.fetch(
        "SELECT approver FROM requisition_approval WHERE requisition = {} AND decision = {}",
        requisition_id,
        "approved",
    )
    rules.check_approver(
        requester_id=row["requested_by"],
        approver_id=actor.user_id,
        approver_roles=actor.roles,
        level=level,
        level_roles=roles,
        earlier_approvers=[r["approver"] for r in earlier],
    )
    return row, level


async def approve(
    actor: Actor,
    requisition_id: int,
    *,
    decisions: Sequence[LineDecision] = (),
    reason: str | None = None,
) -> dict[str, Any]:
    """Approve at the next level. Lines not named are approved as they stand (as requested,
    or as the level before approved them)."""
    async with unit_of_work(actor) as uow:
        row, level = await _approvable(actor, requisition_id)
        lines = await common.lines(requisition_id)
        by_id = {x["id"]: x for x in lines}
        given: dict[int, LineDecision] = {}
        for n, named in enumerate(decisions):
            if named.line not in by_id:
                raise InvalidInput(
                    field=f"lines[{n}].line", reason="not a line of this requisition"
                )
            if named.line in given:
                raise InvalidInput(field=f"lines[{n}].line", reason="named twice")
            given[named.line] = named
        substitutes = await common.products(
            x.substitute for x in given.values() if x.substitute is not None
        )
        changes: list[dict[str, Any]] = []
        for n, line in enumerate(lines):
            ceiling = line["approved_quantity"] if level > 1 else line["quantity"]
            d: LineDecision | None = given.get(line["id"])
            substitute = line["substitute"]
            decision = rules.Decision(line["id"], ceiling, ceiling, None, None)
            if d is not None:
                decision = rules.Decision(
                    line["id"], ceiling, d.approved_quantity, d.substitute, d.reason
                )
                rules.check_decision(decision, f"lines[{n}]")
                if d.substitute is not None:
                    sub = substitutes.get(d.substitute)
                    if sub is None or not sub["active"] or d.substitute == line["product"]:
                        raise NotFound(
                            field=f"lines[{n}].substitute", entity="product", key=d.substitute
                        )
                    original = (await common.products([line["product"]]))[line["product"]]
                    rules.check_substitute(
                        original["code"], original["category"], sub["code"], sub["category"]
                    )
                    substitute = d.substitute
            delivered = substitute if substitute is not None else line["product"]
            cost = (
                substitutes[delivered]["unit_cost"]
                if delivered in substitutes
                else line["product_unit_cost"]
                if delivered == line["product"]
                else line["unit_cost"]
            )
            changes.append(
                {
                    "line": line["id"],
                    "approved": decision.approved,
                    "substitute": substitute,
                    "product": delivered,
                    "unit_cost": int(cost),
                    "reason": decision.reason if d is not None else line["decision_reason"],
                }
            )
        dept = await common.department(actor, row["department"])
        amount = sum(c["approved"] * c["unit_cost"] for c in changes)
        quantities: dict[int, int] = {}
        for c in changes:
            quantities[c["product"]] = quantities.get(c["product"], 0) + c["approved"]
        period = row["period"] or rules.period_of(clock.today())
        warnings = await budget.check(dept, period, requisition_id, amount, quantities)
        for c in changes:
            await RequisitionLine.update(
                {
                    RequisitionLine.approved_quantity: c["approved"],
                    RequisitionLine.substitute: c["substitute"],
                    RequisitionLine.unit_cost: c["unit_cost"],
                    RequisitionLine.decision_reason: c["reason"],
                }
            ).where(RequisitionLine.id == c["line"])
        await RequisitionApproval.insert(
            RequisitionApproval(
                requisition=requisition_id,
                level=level,
                decision="approved",
                approver=actor.user_id,
                approver_name=actor.full_name or actor.username,
                reason=reason,
            )
        )
        await Requisition.update(
            {Requisition.levels_done: level, Requisition.warnings: warnings}
        ).where(Requisition.id == requisition_id)
        uow.audit(
            "approve",
            "requisition",
            requisition_id,
            new={"level": level, "lines": changes, "amount": amount, "warnings": warnings},
            reason=reason,
        )
        if level >= int(row["levels_required"]):
            if not any(c["approved"] for c in changes):
                await common.set_status(uow, row, rules.REJECTED, "reject")
            else:
                await common.set_status(
                    uow, row, rules.APPROVED, "approved", verb="approve", approved_at=clock.now()
                )
        else:
            common.emit_change(uow, row, row["status"], approvals=level)
    return await requesting.get(actor, requisition_id)


async def reject(actor: Actor, requisition_id: int, *, reason: str) -> dict[str, Any]:
    if not reason.strip():
        raise InvalidInput(field="reason", reason="say why")
    async with unit_of_work(actor) as uow:
        row, level = await _approvable(actor, requisition_id)
        await RequisitionApproval.insert(
            RequisitionApproval(
                requisition=requisition_id,
                level=level,
                decision="rejected",
                approver=actor.user_id,
                approver_name=actor.full_name or actor.username,
                reason=reason,
            )
        )
        await common.set_status(uow, row, rules.REJECTED, "reject")
        uow.audit("reject_reason", "requisition", requisition_id, reason=reason)
    return await requesting.get(actor, requisition_id)


async def get_policy(actor: Actor, department_id: int) -> dict[str, Any]:
    """The department's approval chain: the high-value threshold and the level-2 role."""
    await common.department(actor, department_id)
    threshold, roles = await requesting.policy(department_id)
    return {
        "department": department_id,
        "high_value_unit_cost": threshold,
        "level1_roles": sorted(roles[1]),
        "level2_roles": sorted(roles[2]),
    }


async def set_policy(
    actor: Actor, department_id: int, *, high_value_unit_cost: int, level2_role: str
) -> dict[str, Any]:
    if high_value_unit_cost < 0:
        raise InvalidInput(field="high_value_unit_cost", reason="must not be negative")
    if level2_role not in ("admin", "department_head"):
        raise InvalidInput(field="level2_role", reason="admin or department_head")
    async with unit_of_work(actor) as uow:
        await common.department(actor, department_id)
        old = (
            await ApprovalPolicy.select().where(ApprovalPolicy.department == department_id).first()
        )
        values = {"high_value_unit_cost": high_value_unit_cost, "level2_role": level2_role}
        if old is None:
            await ApprovalPolicy.insert(
                ApprovalPolicy(
                    department=department_id,
                    high_value_unit_cost=high_value_unit_cost,
                    level2_role=level2_role,
                )
            )
        else:
            await ApprovalPolicy.update(
                {
                    ApprovalPolicy.high_value_unit_cost: high_value_unit_cost,
                    ApprovalPolicy.level2_role: level2_role,
                }
            ).where(ApprovalPolicy.department == department_id)
        uow.audit(
            "set_policy",
            "department",
            department_id,
            old={k: old[k] for k in values} if old else None,
            new=values,
        )
        uow.emit("approval_policy.changed", {"department_id": department_id})
    return await get_policy(actor, department_id)
