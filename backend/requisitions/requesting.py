"""Requesting: drafts with lines, submitting (budget and quota checked, approval levels set),
cancelling, reading; and the par-level proposal for a ward's cabinet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from backend.core import clock, db
from backend.core.actor import SYSTEM, Actor
from backend.core.errors import InvalidInput, NotFound
from backend.core.unit_of_work import UnitOfWork, unit_of_work
from backend.requisitions import budget, catalogue, common, rules
from backend.requisitions.tables import ApprovalPolicy, Requisition, RequisitionLine
from backend.stock import queries as stock_queries


@dataclass(frozen=True, slots=True)
class LineIn:
    product: int
    quantity: int


def _check_lines(lines: Sequence[LineIn]) -> None:
    if not lines:
        raise InvalidInput(field="lines", reason="at least one line")
    if len(lines) > rules.MAX_LINES:
        raise InvalidInput(field="lines", reason=f"at most {rules.MAX_LINES} lines")
    seen: set[int] = set()
    for n, line in enumerate(lines):
        rules.check_quantity(line.quantity, f"lines[{n}].quantity")
        if line.product in seen:
            raise InvalidInput(field=f"lines[{n}].product", reason="already on another line")
        seen.add(line.product)


async def _member_department(actor: Actor, department_id: int) -> dict[str, Any]:
    dept = await common.department(actor, department_id)
    # Warehouse users see the departments they serve, but only members request for one.
    if not actor.sees_department(department_id) or not dept["active"]:
        raise NotFound(field="department", entity="department", key=department_id)
    if dept["warehouse"] is None:
        raise InvalidInput(field="department", reason="no serving warehouse is set")
    return dept


async def create(
    actor: Actor,
    *,
    department: int,
    lines: Sequence[LineIn],
    urgency: str = "routine",
    needed_by: date | None = None,
    notes: str | None = None,
    submit: bool = False,
    origin: str = "manual",
) -> dict[str, Any]:
    """A draft (or, with ``submit``, a submitted requisition) of catalogue products."""
    _check_lines(lines)
    rules.check_urgency(urgency)
    rules.check_needed_by(needed_by, clock.today())
    async with unit_of_work(actor) as uow:
        dept = await _member_department(actor, department)
        cabinet = await common.point_of_use(dept)
        await catalogue.check_in_catalogue(department, [x.product for x in lines])
        rows = await Requisition.insert(
            Requisition(
                department=department,
                warehouse=dept["warehouse"],
                to_location=cabinet["id"],
                status=rules.DRAFT,
                urgency=urgency,
                needed_by=needed_by,
                notes=notes,
                origin=origin,
                # A par proposal has no requester until a person submits it.
                requested_by=None if origin == "par" else actor.user_id,
                requested_by_name="定数建议 / par proposal"
                if origin == "par"
                else actor.full_name or actor.username,
            )
        )
        requisition_id = int(rows[0]["id"])
        await RequisitionLine.insert(
            *[
                RequisitionLine(requisition=requisition_id, product=x.product, quantity=x.quantity)
                for x in lines
            ]
        )
        row = await common.requisition(SYSTEM, requisition_id)
        uow.audit(
            "create",
            "requisition",
            requisition_id,
            new={
                "department": department,
                "urgency": urgency,
                "origin": origin,
                "lines": [[x.product, x.quantity] for x in lines],
            },
        )
        common.emit_change(uow, row, rules.DRAFT)
        if submit:
            await _submit(uow, actor, row, dept)
    return await get(actor, requisition_id)


async def update_draft(
    actor: Actor,
    requisition_id: int,
    *,
    lines: Sequence[LineIn],
    urgency: str | None = None,
    needed_by: date | None = None,
    notes: str | None = None,
) -> dict[str, Any]:
    """Replace a draft's lines (and details)."""
    _check_lines(lines)
    if urgency is not None:
        rules.check_urgency(urgency)
    rules.check_needed_by(needed_by, clock.today())
    async with unit_of_work(actor) as uow:
        row = await common.requisition(actor, requisition_id, lock=True)
        await _member_department(actor, row["department"])
        if row["status"] != rules.DRAFT:
            rules.check_transition(requisition_id, row["status"], rules.DRAFT, "edit")
        await catalogue.check_in_catalogue(row["department"], [x.product for x in lines])
        await RequisitionLine.delete().where(RequisitionLine.requisition == requisition_id)
        await RequisitionLine.insert(
            *[
                RequisitionLine(requisition=requisition_id, product=x.product, quantity=x.quantity)
                for x in lines
            ]
        )
        await Requisition.update(
            {
                Requisition.urgency: urgency or row["urgency"],
                Requisition.needed_by: needed_by,
                Requisition.notes: notes,
            }
        ).where(Requisition.id == requisition_id)
        uow.audit(
            "update",
            "requisition",
            requisition_id,
            new={"lines": [[x.product, x.quantity] for x in lines], "urgency": urgency},
        )
        common.emit_change(uow, row, rules.DRAFT)
    return await get(actor, requisition_id)


async def submit(actor: Actor, requisition_id: int) -> dict[str, Any]:
    async with unit_of_work(actor) as uow:
        row = await common.requisition(actor, requisition_id, lock=True)
        dept = await _member_department(actor, row["department"])
        await _submit(uow, actor, row, dept)
    return await get(actor, requisition_id)


async def policy(department_id: int) -> tuple[int, dict[int, frozenset[str]]]:
    """The department's high-value threshold and who gives each approval level."""
    row = await ApprovalPolicy.select().where(ApprovalPolicy.department == department_id).first()
    if row is None:
        return rules.HIGH_VALUE_UNIT_COST, dict(rules.LEVEL_ROLES)
    return int(row["high_value_unit_cost"]), {
        1: rules.LEVEL_ROLES[1],
        2: frozenset({str(row["level2_role"])}),
    }


async def _submit(uow: UnitOfWork, actor: Actor, row: dict[str, Any], dept: dict[str, Any]) -> None:
    rules.check_transition(row["id"], row["status"], rules.SUBMITTED, "submit")
    lines = await common.lines(row["id"])
    if not lines:
        raise InvalidInput(field="lines", reason="at least one line")
    await catalogue.check_in_catalogue(row["department"], [x["product"] for x in lines])
    period = rules.period_of(clock.today())
    amount = sum(x["quantity"] * x["product_unit_cost"] for x in lines)
    quantities = {x["product"]: x["quantity"] for x in lines}
    warnings = await budget.check(dept, period, row["id"], amount, quantities)
    threshold, _roles = await policy(row["department"])
    levels = rules.levels_needed((x["product_unit_cost"] for x in lines), threshold)
    requester = row["requested_by"]
    requester_name = row["requested_by_name"]
    if requester is None:
        # A proposal the system drafted: whoever submits it is the requester.
        requester, requester_name = actor.user_id, actor.full_name or actor.username
    await Requisition.update(
        {
            Requisition.period: period,
            Requisition.levels_required: levels,
            Requisition.levels_done: 0,
            Requisition.warnings: warnings,
            Requisition.requested_by: requester,
            Requisition.requested_by_name: requester_name,
        }
    ).where(Requisition.id == row["id"])
    await common.set_status(uow, row, rules.SUBMITTED, "submit", submitted_at=clock.now())
    if warnings:
        uow.audit("budget_warning", "requisition", row["id"], new={"warnings": warnings})


async def cancel(actor: Actor, requisition_id: int, reason: str) -> dict[str, Any]:
    if not reason.strip():
        raise InvalidInput(field="reason", reason="say why")
    async with unit_of_work(actor) as uow:
        row = await common.requisition(actor, requisition_id, lock=True)
        await _member_department(actor, row["department"])
        await common.set_status(uow, row, rules.CANCELLED, "cancel")
        await db.fetch(
            "UPDATE back_order SET status = 'cancelled' WHERE requisition = {} AND status = 'open'",
            requisition_id,
        )
        uow.audit("cancel_reason", "requisition", requisition_id, reason=reason)
    return await get(actor, requisition_id)


async def get(actor: Actor, requisition_id: int) -> dict[str, Any]:
    row = await common.requisition(actor, requisition_id)
    row["lines"] = await common.lines(requisition_id)
    row["approvals"] = [
        dict(r)
        for r in await db.fetch(
            "SELECT * FROM requisition_approval WHERE requisition = {} ORDER BY id", requisition_id
        )
    ]
    row["shipments"] = [
        dict(r)
        for r in await db.fetch(
            "SELECT * FROM requisition_shipment WHERE requisition = {} ORDER BY id",
            requisition_id,
        )
    ]
    row["back_orders"] = [
        dict(r)
        for r in await db.fetch(
            "SELECT * FROM back_order WHERE requisition = {} ORDER BY id", requisition_id
        )
    ]
    row["warnings"] = _json(row.get("warnings"))
    for s in row["shipments"]:
        s["lines"] = _json(s.get("lines"))
    return row


def _json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value


async def listing(
    actor: Actor,
    *,
    department: int | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    clauses = ["1 = 1"]
    args: list[Any] = []
    if not actor.all_scopes:
        depts = sorted(actor.department_ids) or [-1]
        whs = sorted(actor.warehouse_ids) or [-1]
        clauses.append(
            f"(r.department IN ({', '.join('{}' for _ in depts)}) "
            f"OR r.warehouse IN ({', '.join('{}' for _ in whs)}))"
        )
        args += [*depts, *whs]
    if department is not None:
        clauses.append("r.department = {}")
        args.append(department)
    if status is not None:
        clauses.append("r.status = {}")
        args.append(status)
    where = " AND ".join(clauses)
    rows = await db.fetch(
        "SELECT r.*, d.code AS department_code, d.name AS department_name, "
        "(SELECT COUNT(*) FROM requisition_line rl WHERE rl.requisition = r.id) AS line_count "
        f"FROM requisition r JOIN department d ON d.id = r.department WHERE {where} "
        f"ORDER BY r.id DESC LIMIT {int(limit)} OFFSET {int(offset)}",
        *args,
    )
    total = await db.fetch(f"SELECT COUNT(*) AS n FROM requisition r WHERE {where}", *args)
    out = []
    for r in rows:
        item = dict(r)
        item["warnings"] = _json(item.get("warnings"))
        out.append(item)
    return out, int(total[0]["n"])


# ---- par levels -----------------------------------------------------------------------------


async def _cabinet_stock(cabinets: Sequence[dict[str, Any]]) -> dict[int, int]:
    """On hand per product in the department's point-of-use locations (stock's totals)."""
    on_hand: dict[int, int] = {}
    for cabinet in cabinets:
        rows = await stock_queries.totals(
            SYSTEM, stock_queries.StockFilter(location=cabinet["id"]), "product"
        )
        for r in rows:
            on_hand[int(r["id"])] = on_hand.get(int(r["id"]), 0) + int(r["on_hand"] or 0)
    return on_hand


async def _on_order(department_id: int) -> dict[int, int]:
    """Quantities on requisitions not yet received (approved, else requested)."""
    statuses = (rules.DRAFT, *rules.OPEN_STATUSES)
    marks = ", ".join("{}" for _ in statuses)
    rows = await db.fetch(
        "SELECT COALESCE(rl.substitute, rl.product) AS product, "
        "SUM(COALESCE(rl.approved_quantity, rl.quantity) - rl.received_quantity) AS n "
        "FROM requisition_line rl JOIN requisition r ON r.id = rl.requisition "
        f"WHERE r.department = {{}} AND r.status IN ({marks}) "
        "GROUP BY COALESCE(rl.substitute, rl.product)",
        department_id,
        *statuses,
    )
    return {int(r["product"]): max(0, int(r["n"] or 0)) for r in rows}


async def par_shortfall(actor: Actor, department_id: int) -> dict[str, Any]:
    """The cabinet compared with its par levels: per product par, on hand, on order, short."""
    dept = await common.department(actor, department_id)
    entries: list[dict[str, Any]] = []
    while True:
        page, total = await catalogue.search(actor, department_id, limit=200, offset=len(entries))
        entries += page
        if not page or len(entries) >= total:
            break
    pars = {int(e["product"]): int(e["par_level"]) for e in entries if e["par_level"] > 0}
    on_hand = await _cabinet_stock(await common.points_of_use(department_id))
    on_order = await _on_order(department_id)
    proposal = rules.par_proposal(pars, on_hand, on_order)
    return {
        "department": dept["id"],
        "lines": [
            {
                "product": e["product"],
                "product_code": e["product_code"],
                "product_name": e["product_name"],
                "model": e["model"],
                "par_level": e["par_level"],
                "on_hand": on_hand.get(int(e["product"]), 0),
                "on_order": on_order.get(int(e["product"]), 0),
                "shortfall": proposal.get(int(e["product"]), 0),
            }
            for e in entries
            if e["par_level"] > 0
        ],
    }


async def propose_from_par(actor: Actor, department_id: int) -> dict[str, Any] | None:
    """A draft requisition for the cabinet's shortfall against its par levels; None when
    nothing is short or a par draft is already waiting for the ward."""
    waiting = await db.fetch(
        "SELECT id FROM requisition WHERE department = {} AND origin = 'par' AND status = {}",
        department_id,
        rules.DRAFT,
    )
    if waiting:
        return None
    figures = await par_shortfall(actor, department_id)
    lines = [LineIn(x["product"], x["shortfall"]) for x in figures["lines"] if x["shortfall"]]
    if not lines:
        return None
    return await create(
        actor,
        department=department_id,
        lines=lines[: rules.MAX_LINES],
        notes="定数补货建议 / par-level replenishment",
        origin="par",
    )
