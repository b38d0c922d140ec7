"""One HTTP journey: a clinician requests from the ward's catalogue, the head approves, the
warehouse picks on the handheld through stock's pick endpoints and ships, the ward receives and
records an implant's use on a patient; the ledger and the trace show it. Then bad input, each
refused with a stable code in zh-CN and en and nothing written; and the reports as CSV/XLSX."""

from __future__ import annotations

import io

import httpx
import pytest

from backend.stock.reasons import Reason
from tests.integration.requisitions.ward import build_ward, count, to_cabinet
from tests.integration.stock.world import ledger, ledger_count, serial_ids, stock_in


async def test_a_ward_requisition_travels_from_the_tablet_to_the_handheld_and_to_a_patient(
    client: httpx.AsyncClient,
):
    ward = await build_ward(budget=5_000_000)
    w = ward.w
    nurse, head, runner = ward.clinician.headers, ward.head.headers, w.warehouse.headers
    syringes = await stock_in(w, w.syringe, "S1", 50)
    stents = await stock_in(w, w.stent, "ST1", 2, serials=["SN-1", "SN-2"])
    sn1, sn2 = await serial_ids(stents["id"])
    r = await client.get(
        f"/api/v1/departments/{ward.department}/catalogue", headers=nurse, params={"q": "支架"}
    )
    assert r.status_code == 200 and [x["product"] for x in r.json()["items"]] == [w.stent]
    r = await client.get(f"/api/v1/departments/{ward.department}/budget", headers=nurse)
    assert r.json()["remaining"] == 5_000_000
    r = await client.post(
        "/api/v1/requisitions",
        headers={**nurse, "Idempotency-Key": "req-1"},
        json={
            "department": ward.department,
            "lines": [{"product": w.syringe, "quantity": 20}, {"product": w.stent, "quantity": 2}],
            "urgency": "urgent",
            "submit": True,
        },
    )
    assert r.status_code == 201, r.text
    req = r.json()
    assert (req["status"], req["levels_required"]) == ("submitted", 2)
    url = f"/api/v1/requisitions/{req['id']}"
    r = await client.post(f"{url}/approve", headers=head, json={"reason": "同意"})
    assert r.status_code == 200 and r.json()["levels_done"] == 1, r.text
    r = await client.post(f"{url}/approve", headers=w.admin.headers, json={})
    assert r.json()["status"] == "approved", r.text
    r = await client.get(f"/api/v1/departments/{ward.department}/budget", headers=nurse)
    assert r.json()["committed"] == 20 * 100 + 2 * 800_000
    r = await client.get("/api/v1/requisitions", headers=runner, params={"status": "approved"})
    assert [x["id"] for x in r.json()["items"]] == [req["id"]]
    r = await client.post(f"{url}/release", headers=runner)
    assert r.status_code == 200 and r.json()["status"] == "picking", r.text
    pick_list = r.json()["shipments"][0]["pick_list"]
    r = await client.get(f"/api/v1/pick-lists/{pick_list}", headers=runner)
    for line in r.json()["lines"]:
        body = {"lot_number": line["lot_number"], "quantity": line["quantity"]}
        if line["serial_number"]:
            body["serial"] = line["serial_number"]
        r = await client.post(
            f"/api/v1/pick-lists/{pick_list}/lines/{line['id']}/confirm", headers=runner, json=body
        )
        assert r.status_code == 200, r.text
    r = await client.post(f"{url}/ship", headers=runner)
    assert r.json()["status"] == "shipped", r.text
    r = await client.get(f"{url}/delivery-note", headers=nurse)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-type"] == "application/pdf"
    r = await client.post(f"{url}/deliver", headers=runner)
    assert r.json()["status"] == "delivered"
    r = await client.post(
        f"{url}/receive",
        headers=nurse,
        json={
            "lines": [
                {"lot": syringes["id"], "quantity": 20},
                {"lot": stents["id"], "serial": sn1, "quantity": 1},
                {"lot": stents["id"], "serial": sn2, "quantity": 1},
            ]
        },
    )
    assert r.status_code == 200 and r.json()["status"] == "received", r.text
    assert [x["received_quantity"] for x in r.json()["lines"]] == [20, 2]
    r = await client.post(
        "/api/v1/point-of-use/consumptions",
        headers=nurse,
        json={
            "location": ward.cabinet,
            "lot": stents["id"],
            "serial": sn1,
            "patient_ref": "PX-2026-0117",
            "procedure": "PCI",
            "surgeon": "王医生",
        },
    )
    assert r.status_code == 201, r.text
    use = r.json()
    entries = await ledger(serial=sn1)
    assert [(e["location"], e["quantity"], Reason(e["reason"]).name) for e in entries] == [
        (w.receiving_a, 1, "receipt"),
        (w.receiving_a, -1, "putaway_out"),
        (w.storage_a1, 1, "putaway_in"),
        (w.storage_a1, -1, "pick_out"),
        (w.transit_a, 1, "pick_in"),
        (w.transit_a, -1, "transit_receive_out"),
        (ward.cabinet, 1, "transit_receive_in"),
        (ward.cabinet, -1, "consume"),
    ]
    assert entries[-1]["id"] == use["ledger_id"]
    r = await client.get(
        "/api/v1/point-of-use/trace", headers=w.auditor.headers, params={"serial": sn1}
    )
    assert r.status_code == 200, r.text
    trace = r.json()
    assert trace["now"] == [] and trace["departments"][0]["department"] == ward.department
    assert [(p["patient_ref"], p["surgeon"]) for p in trace["patients"]] == [
        ("PX-2026-0117", "王医生")
    ]
    # one unhappy path: the used serial cannot be used again
    r = await client.post(
        "/api/v1/point-of-use/consumptions",
        headers=nurse,
        json={
            "location": ward.cabinet,
            "lot": stents["id"],
            "serial": sn1,
            "patient_ref": "PX-2026-0118",
            "procedure": "PCI",
            "surgeon": "王医生",
        },
    )
    assert r.status_code == 409 and r.json()["code"] == "NOT_IN_CABINET"


def _problem(r: httpx.Response, status: int, code: str) -> dict:  # type: ignore[type-arg]
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["code"] == code, body
    return body


async def test_bad_input_is_refused_with_a_stable_code_in_both_languages_and_nothing_written(
    client: httpx.AsyncClient,
):
    ward = await build_ward(enforcement="block", budget=1_000)
    nurse, head = ward.clinician.headers, ward.head.headers
    zh = {**nurse, "Accept-Language": "zh-CN"}
    url = "/api/v1/requisitions"
    base = {"department": ward.department, "submit": True}
    # a product outside the department's catalogue
    body = {**base, "lines": [{"product": ward.w.reagent, "quantity": 1}]}
    problem = _problem(
        await client.post(url, headers=nurse, json=body), 422, "NOT_IN_DEPARTMENT_CATALOGUE"
    )
    assert "not in the department's catalogue" in problem["detail"]
    problem = _problem(
        await client.post(url, headers=zh, json=body), 422, "NOT_IN_DEPARTMENT_CATALOGUE"
    )
    assert "不在本科室的请领目录中" in problem["detail"]
    # quantities of 0, negative, or absurdly large
    for quantity in (0, -1, 10_001, 10**9):
        body = {**base, "lines": [{"product": ward.w.syringe, "quantity": quantity}]}
        problem = _problem(await client.post(url, headers=zh, json=body), 422, "INVALID_INPUT")
        assert problem["field"] == "lines[0].quantity"
    # over a blocking budget (10 yuan; 20 syringes cost 20)
    body = {**base, "lines": [{"product": ward.w.syringe, "quantity": 20}]}
    problem = _problem(await client.post(url, headers=nurse, json=body), 409, "BUDGET_EXCEEDED")
    assert "budget" in problem["detail"]
    assert await count("requisition") == 0
    # approving one's own request
    r = await client.post(
        url, headers=head, json={**base, "lines": [{"product": ward.w.syringe, "quantity": 5}]}
    )
    own = r.json()["id"]
    problem = _problem(
        await client.post(
            f"{url}/{own}/approve", headers={**head, "Accept-Language": "zh-CN"}, json={}
        ),
        403,
        "OWN_REQUISITION",
    )
    assert problem["detail"] == "不能审批自己提交的请领单"
    # approving over a blocking budget: the head's own request took the room meanwhile
    r = await client.post(
        url, headers=nurse, json={**base, "lines": [{"product": ward.w.syringe, "quantity": 8}]}
    )
    assert r.status_code == 201, r.text
    theirs = r.json()["id"]
    r = await client.post(f"{url}/{own}/approve", headers=ward.deputy.headers, json={})
    assert r.json()["status"] == "approved"
    _problem(
        await client.post(f"{url}/{theirs}/approve", headers=head, json={}), 409, "BUDGET_EXCEEDED"
    )
    assert await count("requisition_approval") == 1
    # a clinician may not approve at all
    _problem(
        await client.post(f"{url}/{theirs}/approve", headers=nurse, json={}),
        403,
        "PERMISSION_DENIED",
    )
    # consuming a unit that is not in that cabinet
    lot = await stock_in(ward.w, ward.w.syringe, "S9", 5)
    entries = await ledger_count()
    problem = _problem(
        await client.post(
            "/api/v1/point-of-use/consumptions",
            headers=zh,
            json={"location": ward.cabinet, "lot": lot["id"], "quantity": 1},
        ),
        409,
        "NOT_IN_CABINET",
    )
    assert "不在库位 POU-CARD 中" in problem["detail"]
    assert await ledger_count() == entries and await count("patient_use") == 0
    # a patient's name instead of a pseudonymous reference
    problem = _problem(
        await client.post(
            "/api/v1/point-of-use/consumptions",
            headers=nurse,
            json={"location": ward.cabinet, "lot": lot["id"], "patient_ref": "Li Lei"},
        ),
        422,
        "PATIENT_REFERENCE_INVALID",
    )
    assert "never a name" in problem["detail"]
    # a report that does not exist
    _problem(
        await client.get("/api/v1/requisition-reports/secret", headers=nurse), 422, "INVALID_INPUT"
    )


async def test_the_figures_are_exported_as_json_csv_and_xlsx(client: httpx.AsyncClient):
    ward = await build_ward(budget=10_000)
    w = ward.w
    lot = await stock_in(w, w.syringe, "S1", 10)
    req = await to_cabinet(ward, [(w.syringe, 16), (w.forceps, 2)])  # 10 of 18 delivered
    from backend.requisitions import using

    await using.consume(
        ward.nurse.actor, location=ward.cabinet, lot=lot["id"], serial=None, quantity=4
    )
    assert [
        (e["location"], e["quantity"], Reason(e["reason"]).name)
        for e in await ledger(lot=lot["id"])
    ][-3:] == [
        (w.transit_a, -10, "transit_receive_out"),
        (ward.cabinet, 10, "transit_receive_in"),
        (ward.cabinet, -4, "consume"),
    ]
    auditor = w.auditor.headers
    r = await client.get("/api/v1/requisition-reports/fill-rate", headers=auditor)
    assert r.status_code == 200, r.text
    (row,) = r.json()["rows"]
    assert (row["requested"], row["received"], row["fill_rate"]) == (18, 10, round(10 / 18, 4))
    r = await client.get("/api/v1/requisition-reports/back-orders", headers=auditor)
    (row,) = r.json()["rows"]
    assert (row["approved_lines"], row["lines_back_ordered"], row["back_order_rate"]) == (2, 2, 1.0)
    assert (row["units_back_ordered"], row["units_open"]) == (8, 8)
    r = await client.get("/api/v1/requisition-reports/lead-time", headers=auditor)
    (row,) = r.json()["rows"]
    assert row["requisitions"] == 1 and 0 <= row["mean_hours"] < 1
    r = await client.get("/api/v1/requisition-reports/consumption", headers=auditor)
    (row,) = r.json()["rows"]
    assert (row["units"], row["value"], row["budget"], row["budget_used"]) == (4, 400, 10_000, 0.04)
    r = await client.get(
        "/api/v1/requisition-reports/fill-rate", headers=auditor, params={"format": "csv"}
    )
    assert r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("department,department_name,requisitions") and "心内科" in lines[1]
    r = await client.get(
        "/api/v1/requisition-reports/consumption", headers=auditor, params={"format": "xlsx"}
    )
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    rows = list(sheet.values)
    assert rows[0][:3] == ("department", "period", "units") and rows[1][2] == 4
    # a clinician of another ward sees none of it
    r = await client.get(
        "/api/v1/requisition-reports/fill-rate", headers=ward.other_clinician.headers
    )
    assert r.json()["rows"] == []
    assert req["status"] == "received"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/requisitions/999",
        "/api/v1/requisitions/999/delivery",
        "/api/v1/requisitions/999/delivery-note",
    ],
)
async def test_a_requisition_that_does_not_exist_answers_404(client: httpx.AsyncClient, path: str):
    ward = await build_ward()
    r = await client.get(path, headers=ward.clinician.headers)
    assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
