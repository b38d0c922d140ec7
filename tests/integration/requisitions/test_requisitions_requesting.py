"""Requesting: the department catalogue, drafts and submission, live events by department,
refusals that write nothing, and par-level proposals (service and nightly job)."""

from __future__ import annotations

import pytest

from backend.core.errors import DomainError
from backend.requisitions import catalogue, jobs, requesting, rules
from backend.requisitions.requesting import LineIn
from tests.integration.requisitions.ward import build_ward, count, events
from tests.integration.stock.world import deliver, ledger, stock_in


async def test_the_catalogue_is_searched_by_name_model_and_code_favourites_first():
    ward = await build_ward()
    rows, total = await catalogue.search(ward.clinician.actor, ward.department)
    assert total == 3 and rows[0]["product"] == ward.w.syringe  # the favourite
    for q in ("注射", "5ML", "syr-"):
        found, _ = await catalogue.search(ward.clinician.actor, ward.department, q=q)
        assert [r["product"] for r in found] == [ward.w.syringe], q
    found, _ = await catalogue.search(ward.clinician.actor, ward.department, q="3.0×18")
    assert [r["product"] for r in found] == [ward.w.stent]


async def test_a_clinician_drafts_then_submits_and_each_change_is_announced_to_the_ward():
    ward = await build_ward()
    req = await requesting.create(
        ward.clinician.actor,
        department=ward.department,
        lines=[LineIn(ward.w.syringe, 20), LineIn(ward.w.forceps, 2)],
        urgency="urgent",
        notes="周末备用",
    )
    assert req["status"] == "draft" and req["to_location"] == ward.cabinet
    assert [(x["product"], x["quantity"]) for x in req["lines"]] == [
        (ward.w.syringe, 20),
        (ward.w.forceps, 2),
    ]
    req = await requesting.update_draft(
        ward.clinician.actor, req["id"], lines=[LineIn(ward.w.syringe, 30)]
    )
    assert [x["quantity"] for x in req["lines"]] == [30]
    req = await requesting.submit(ward.clinician.actor, req["id"])
    assert req["status"] == "submitted" and req["levels_required"] == 1
    assert req["submitted_at"] is not None and req["period"] == rules.period_of(ward.w.today)
    changes = await events("requisition.changed")
    assert [e["status"] for e in changes] == ["draft", "draft", "submitted"]
    assert all(
        e["department_id"] == ward.department and e["warehouse_id"] == ward.w.wh_a for e in changes
    )
    with pytest.raises(DomainError) as refused:
        await requesting.submit(ward.clinician.actor, req["id"])
    assert refused.value.code == "REQUISITION_STATE"


async def test_a_product_outside_the_catalogue_is_refused_and_nothing_is_written():
    ward = await build_ward()
    with pytest.raises(DomainError) as refused:
        await requesting.create(
            ward.clinician.actor,
            department=ward.department,
            lines=[LineIn(ward.w.syringe, 1), LineIn(ward.w.reagent, 1)],
        )
    assert refused.value.code == "NOT_IN_DEPARTMENT_CATALOGUE"
    assert refused.value.field == "lines[1].product"
    assert await count("requisition") == 0 and await count("requisition_line") == 0


@pytest.mark.parametrize("quantity", [0, -3, rules.MAX_LINE_QUANTITY + 1])
async def test_quantities_below_one_or_absurdly_large_are_refused(quantity: int):
    ward = await build_ward()
    with pytest.raises(DomainError) as refused:
        await requesting.create(
            ward.clinician.actor,
            department=ward.department,
            lines=[LineIn(ward.w.syringe, quantity)],
        )
    assert refused.value.code == "REQUISITION_QUANTITY" and refused.value.status == 422
    assert await count("requisition") == 0


async def test_a_clinician_cannot_request_for_another_department():
    ward = await build_ward()
    with pytest.raises(DomainError) as refused:
        await requesting.create(
            ward.other_clinician.actor,
            department=ward.department,
            lines=[LineIn(ward.w.syringe, 1)],
        )
    assert refused.value.code == "NOT_FOUND"
    # and a warehouse user, who sees the ward it serves, does not request for it either
    with pytest.raises(DomainError):
        await requesting.create(
            ward.w.warehouse.actor, department=ward.department, lines=[LineIn(ward.w.syringe, 1)]
        )
    assert await count("requisition") == 0


async def test_the_cabinet_below_par_gets_a_proposal_for_the_shortfall_once():
    ward = await build_ward()
    lot = await stock_in(ward.w, ward.w.syringe, "S1", 100)
    await deliver(ward.w, lot, 15, ward.cabinet)  # 15 in the cabinet, par 50
    open_req = await requesting.create(
        ward.clinician.actor,
        department=ward.department,
        lines=[LineIn(ward.w.syringe, 5)],
        submit=True,
    )
    figures = await requesting.par_shortfall(ward.head.actor, ward.department)
    syringe = next(x for x in figures["lines"] if x["product"] == ward.w.syringe)
    assert (syringe["on_hand"], syringe["on_order"], syringe["shortfall"]) == (15, 5, 30)
    stent = next(x for x in figures["lines"] if x["product"] == ward.w.stent)
    assert stent["shortfall"] == 2
    summary = await jobs.propose_par_requisitions({}, ward.department)
    assert summary == {"departments": 1, "proposed": 1, "skipped": 0, "failed": 0}
    rows, _ = await requesting.listing(ward.head.actor, status="draft")
    assert len(rows) == 1 and rows[0]["origin"] == "par"
    proposal = await requesting.get(ward.head.actor, rows[0]["id"])
    assert {x["product"]: x["quantity"] for x in proposal["lines"]} == {
        ward.w.syringe: 30,
        ward.w.stent: 2,
    }
    assert proposal["requested_by"] is None
    # run twice (arq retries, or the next night before anyone acted): no second draft
    assert (await jobs.propose_par_requisitions({}))["skipped"] == 1
    # the person who submits the proposal becomes its requester
    submitted = await requesting.submit(ward.nurse.actor, proposal["id"])
    assert submitted["requested_by"] == ward.nurse.id and submitted["levels_required"] == 2
    assert open_req["id"] != proposal["id"]
    assert len(await ledger(location=ward.cabinet)) == 1  # only the delivery moved stock
