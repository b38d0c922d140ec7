"""The stock test world plus what requisitions need: a ward's people (two clinicians, two
heads), a second department, the ward's catalogue with par levels, a budget, and helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.catalog.tables import Product
from backend.core import clock, db
from backend.requisitions import rules
from backend.requisitions.tables import DepartmentCatalogue
from backend.sites.tables import Department, DepartmentBudget, DepartmentQuota, Location
from tests.integration.stock.world import World, build_world
from tests.support import TestUser, make_user


@dataclass(frozen=True)
class Ward:
    w: World
    clinician: TestUser
    nurse: TestUser
    head: TestUser
    deputy: TestUser
    """A second department head of the same ward."""
    other_clinician: TestUser
    """A clinician of another department."""
    other_department: int
    syringe_b: int
    """An equivalent syringe (same category) not in the catalogue."""

    @property
    def department(self) -> int:
        return self.w.department

    @property
    def cabinet(self) -> int:
        return self.w.ward


async def build_ward(*, enforcement: str = "warn", budget: int | None = None) -> Ward:
    w = await build_world()
    await Department.update({Department.budget_enforcement: enforcement}).where(
        Department.id == w.department
    )
    rows = await Department.insert(Department(code="ORTH", name="骨科", warehouse=w.wh_a))
    other = int(rows[0]["id"])
    await Location.insert(
        Location(warehouse=w.wh_a, code="POU-ORTH", kind="point_of_use", department=other)
    )
    rows = await Product.insert(
        Product(
            code="SYR-5B",
            name="注射器 乙",
            model="5ml",
            category="syringe",
            tracking="lot",
            risk_class="II",
            registration_no="国械注准20242140002",
            unit_cost=90,
        )
    )
    syringe_b = int(rows[0]["id"])
    # Costs: syringe 1.00 yuan, stent 8,000 yuan (high value), forceps 50 yuan.
    await Product.update({Product.unit_cost: 100}).where(Product.id == w.syringe)
    await Product.update({Product.unit_cost: 800_000}).where(Product.id == w.stent)
    await Product.update({Product.unit_cost: 5_000}).where(Product.id == w.forceps)
    await DepartmentCatalogue.insert(
        DepartmentCatalogue(
            department=w.department, product=w.syringe, par_level=50, favourite=True
        ),
        DepartmentCatalogue(department=w.department, product=w.stent, par_level=2),
        DepartmentCatalogue(department=w.department, product=w.forceps, par_level=0),
    )
    if budget is not None:
        await DepartmentBudget.insert(
            DepartmentBudget(
                department=w.department, period=rules.period_of(clock.today()), amount=budget
            )
        )
    dept = [w.department]
    return Ward(
        w=w,
        clinician=await make_user("nurse_li", ["clinician"], [], dept, full_name="护士 李静"),
        nurse=await make_user("nurse_wu", ["clinician"], [], dept, full_name="护士 吴敏"),
        head=await make_user("head_zhang", ["department_head"], [], dept, full_name="主任 张伟"),
        deputy=await make_user("head_liu", ["department_head"], [], dept, full_name="副主任 刘洋"),
        other_clinician=await make_user("nurse_orth", ["clinician"], [], [other]),
        other_department=other,
        syringe_b=syringe_b,
    )


async def set_quota(ward: Ward, product: int, quantity: int) -> None:
    await DepartmentQuota.insert(
        DepartmentQuota(
            department=ward.department,
            product=product,
            period=rules.period_of(clock.today()),
            quantity=quantity,
        )
    )


async def count(table: str) -> int:
    rows = await db.fetch(f"SELECT COUNT(*) AS n FROM {table}")
    return int(rows[0]["n"])


async def events(topic: str) -> list[dict[str, Any]]:
    import json

    rows = await db.fetch("SELECT payload FROM outbox_event WHERE topic = {} ORDER BY id", topic)
    return [
        json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"] for r in rows
    ]


async def pick_all(ward: Ward, req: dict[str, Any]) -> None:
    """The warehouse picks every line of the requisition's newest pick list as allocated."""
    from backend.stock import picking

    actor = ward.w.warehouse.actor
    pick = await picking.pick_list(actor, req["shipments"][-1]["pick_list"])
    for line in pick["lines"]:
        await picking.confirm_pick(
            actor,
            pick["id"],
            line["id"],
            scan=picking.Scan(lot_id=line["lot"], serial=line["serial_number"]),
            quantity=line["quantity"],
        )


async def to_cabinet(ward: Ward, lines: list[tuple[int, int]]) -> dict[str, Any]:
    """Request, approve (both levels when needed), release, pick, ship and receive."""
    from backend.requisitions import approving, fulfilling, requesting

    req = await requesting.create(
        ward.clinician.actor,
        department=ward.department,
        lines=[requesting.LineIn(p, q) for p, q in lines],
        submit=True,
    )
    req = await approving.approve(ward.head.actor, req["id"])
    if req["status"] != "approved":
        req = await approving.approve(ward.w.admin.actor, req["id"])
    req = await fulfilling.release(ward.w.warehouse.actor, req["id"])
    await pick_all(ward, req)
    await fulfilling.ship(ward.w.warehouse.actor, req["id"])
    return await fulfilling.receive(ward.clinician.actor, req["id"], scanned=None)
