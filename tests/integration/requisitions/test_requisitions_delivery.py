"""The delivery's contents as JSON (GET /requisitions/{id}/delivery): what the warehouse
shipped, unit by unit, and what the ward has received of it; seen by the ward's members and the
serving warehouse only. Shipping before the pick is done is refused in words; the budget answer
has its typed schema."""

from __future__ import annotations

import httpx
import pytest

from backend.requisitions import approving, fulfilling, requesting
from backend.requisitions.requesting import LineIn
from backend.stock.reasons import Reason
from tests.integration.requisitions.ward import Ward, build_ward, pick_all
from tests.integration.stock.world import ledger, serial_ids, stock_in
from tests.support import make_user


async def _released(ward: Ward, lines: list[LineIn]) -> dict:  # type: ignore[type-arg]
    req = await requesting.create(
        ward.clinician.actor, department=ward.department, lines=lines, submit=True
    )
    req = await approving.approve(ward.head.actor, req["id"])
    if req["status"] != "approved":
        req = await approving.approve(ward.w.admin.actor, req["id"])
    return await fulfilling.release(ward.w.warehouse.actor, req["id"])


def _unit(u: dict) -> tuple:  # type: ignore[type-arg]
    return (
        u["product_code"],
        u["lot_number"],
        u["serial_number"],
        u["quantity"],
        u["received"],
        u["missing"],
    )


async def test_the_ward_reads_what_its_delivery_contains_and_what_it_received_of_it(
    client: httpx.AsyncClient,
):
    ward = await build_ward()
    w = ward.w
    syringes = await stock_in(w, w.syringe, "S1", 30)
    stents = await stock_in(w, w.stent, "ST1", 2, serials=["SN-1", "SN-2"])
    sn1, sn2 = await serial_ids(stents["id"])
    req = await _released(ward, [LineIn(w.syringe, 12), LineIn(w.stent, 2)])
    url = f"/api/v1/requisitions/{req['id']}"

    # Picking: nothing has left the warehouse yet.
    r = await client.get(f"{url}/delivery", headers=ward.clinician.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["shipments"], r.json()["units"]) == ("picking", [], [])

    await pick_all(ward, req)
    r = await client.post(f"{url}/ship", headers=w.warehouse.headers)
    assert r.status_code == 200, r.text
    shipment = r.json()["shipments"][0]

    r = await client.get(f"{url}/delivery", headers=ward.clinician.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["requisition"] == req["id"] and body["status"] == "shipped"
    assert (body["department_code"], body["warehouse"], body["to_location"]) == (
        "CARD",
        w.wh_a,
        ward.cabinet,
    )
    assert [(s["id"], s["status"], s["missing"]) for s in body["shipments"]] == [
        (shipment["id"], "shipped", 0)
    ]
    stent = next(u for u in body["units"] if u["serial"] == sn1)
    assert stent == {
        "shipment": shipment["id"],
        "requisition_line": req["lines"][1]["id"],
        "product": w.stent,
        "product_code": stent["product_code"],
        "product_name": "支架",
        "model": "3.0×18mm",
        "registration_no": "国械注准20243140001",
        "base_unit": "each",
        "tracking": stent["tracking"],
        "lot": stents["id"],
        "lot_number": "ST1",
        "expiry": str(stents["expiry"])[:10],
        "serial": sn1,
        "serial_number": "SN-1",
        "quantity": 1,
        "received": 0,
        "missing": 0,
    }
    syringe = next(u for u in body["units"] if u["lot"] == syringes["id"])
    assert (syringe["lot_number"], syringe["quantity"], syringe["serial"]) == ("S1", 12, None)
    assert len(body["units"]) == 3

    # The warehouse that ships it reads it too.
    r = await client.get(f"{url}/delivery", headers=w.warehouse.headers)
    assert r.status_code == 200 and len(r.json()["units"]) == 3

    # The ward scans the syringes and one stent; the other stent is a discrepancy.
    r = await client.post(
        f"{url}/receive",
        headers=ward.clinician.headers,
        json={
            "lines": [
                {"lot": syringes["id"], "quantity": 12},
                {"lot": stents["id"], "serial": sn1, "quantity": 1},
            ],
            "discrepancy_reason": "配送途中遗失一枚",
        },
    )
    assert r.status_code == 200, r.text
    moves = await ledger(document_type="transfer_order", document_id=shipment["transfer_order"])
    assert sorted((e["serial"] or 0, e["quantity"], Reason(e["reason"]).name) for e in moves) == [
        (0, -12, "transit_receive_out"),
        (0, 12, "transit_receive_in"),
        (sn1, -1, "transit_receive_out"),
        (sn1, 1, "transit_receive_in"),
        (sn2, -1, "transit_loss"),
    ]

    r = await client.get(f"{url}/delivery", headers=ward.head.headers)
    body = r.json()
    assert body["status"] == "received"
    assert [(s["status"], s["missing"], s["discrepancy_reason"]) for s in body["shipments"]] == [
        ("received", 1, "配送途中遗失一枚")
    ]
    assert sorted(_unit(u)[1:] for u in body["units"]) == [
        ("S1", None, 12, 12, 0),
        ("ST1", "SN-1", 1, 1, 0),
        ("ST1", "SN-2", 1, 0, 1),
    ]


async def test_the_delivery_is_not_found_outside_the_ward_and_its_warehouse(
    client: httpx.AsyncClient,
):
    ward = await build_ward()
    w = ward.w
    await stock_in(w, w.syringe, "S1", 10)
    req = await _released(ward, [LineIn(w.syringe, 4)])
    other_warehouse = await make_user("wang_b", ["warehouse"], [w.wh_b])
    url = f"/api/v1/requisitions/{req['id']}/delivery"
    for outsider in (ward.other_clinician, other_warehouse):
        r = await client.get(url, headers=outsider.headers)
        assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND", r.text
    r = await client.get("/api/v1/requisitions/999999/delivery", headers=ward.clinician.headers)
    assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    for insider in (ward.clinician, ward.head, w.warehouse, w.auditor):
        r = await client.get(url, headers=insider.headers)
        assert r.status_code == 200, r.text


async def test_shipping_before_the_pick_is_done_is_refused_in_both_languages(
    client: httpx.AsyncClient,
):
    ward = await build_ward()
    w = ward.w
    lot = await stock_in(w, w.syringe, "S1", 10)
    req = await _released(ward, [LineIn(w.syringe, 4)])
    before = len(await ledger(lot=lot["id"]))
    url = f"/api/v1/requisitions/{req['id']}/ship"
    for lang, words in (("zh-CN", "还有 1 行未拣货"), ("en", "still has 1 pick line(s) open")):
        r = await client.post(url, headers={**w.warehouse.headers, "Accept-Language": lang})
        assert r.status_code == 409 and r.json()["code"] == "PICKING_OPEN", r.text
        assert words in r.json()["detail"]
    assert len(await ledger(lot=lot["id"])) == before
    r = await client.get(f"/api/v1/requisitions/{req['id']}", headers=w.warehouse.headers)
    assert r.json()["status"] == "picking"


async def test_an_action_that_does_not_fit_the_status_is_refused_in_words_in_both_languages(
    client: httpx.AsyncClient,
):
    ward = await build_ward()
    w = ward.w
    req = await requesting.create(
        ward.clinician.actor,
        department=ward.department,
        lines=[LineIn(w.syringe, 4)],
        submit=True,
    )
    req = await approving.approve(ward.head.actor, req["id"])
    url = f"/api/v1/requisitions/{req['id']}"
    label = f"REQ-{req['id']}"
    for lang, detail in (
        ("zh-CN", f"请领单 {label} 当前状态为「已批准」，不能发货"),
        ("en", f"Requisition {label} is approved and cannot be shipped"),
    ):
        r = await client.post(
            f"{url}/ship", headers={**w.warehouse.headers, "Accept-Language": lang}
        )
        assert r.status_code == 409, r.text
        problem = r.json()
        assert (problem["code"], problem["detail"]) == ("REQUISITION_STATE", detail)
        assert (problem["state"], problem["action"]) == ("approved", "ship")
    for lang, detail in (
        ("zh-CN", f"请领单 {label} 当前状态为「已批准」，不能提交"),
        ("en", f"Requisition {label} is approved and cannot be submitted"),
    ):
        r = await client.post(
            f"{url}/submit", headers={**ward.clinician.headers, "Accept-Language": lang}
        )
        assert r.status_code == 409 and r.json()["detail"] == detail, r.text
    r = await client.get(url, headers=w.warehouse.headers)
    assert (r.json()["status"], r.json()["shipments"]) == ("approved", [])


async def test_the_delivery_note_carries_a_datamatrix_that_scans_back_to_its_requisition(
    client: httpx.AsyncClient,
):
    pdfium = pytest.importorskip("pypdfium2")
    zxingcpp = pytest.importorskip("zxingcpp")
    ward = await build_ward()
    w = ward.w
    await stock_in(w, w.syringe, "S1", 10)
    req = await _released(ward, [LineIn(w.syringe, 4)])
    await pick_all(ward, req)
    await fulfilling.ship(w.warehouse.actor, req["id"])

    r = await client.get(
        f"/api/v1/requisitions/{req['id']}/delivery-note", headers=w.warehouse.headers
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    (page,) = pdfium.PdfDocument(r.content)
    text = page.get_textpage().get_text_range()
    assert f"LW:DOC:REQ:{req['id']}" in text  # the human-readable line under the symbol
    assert "紧急程度：常规" in text and "状态：已发出" in text  # words, not status codes
    found = zxingcpp.read_barcodes(
        page.render(scale=300 / 72).to_pil(), text_mode=zxingcpp.TextMode.Plain
    )
    assert [(c.format, c.text) for c in found] == [
        (zxingcpp.BarcodeFormat.DataMatrix, f"LW:DOC:REQ:{req['id']}")
    ]
    # What the handheld does with the scanned note: the requisition it names.
    r = await client.post("/api/v1/scans", json={"raw": found[0].text}, headers=w.warehouse.headers)
    assert r.status_code == 200, r.text
    assert r.json()["document"]["type"] == "req"
    assert r.json()["document"]["id"] == str(req["id"])


async def test_the_budget_answer_is_described_in_the_openapi_schema(client: httpx.AsyncClient):
    r = await client.get("/schema/openapi.json")
    schema = r.json()
    answer = schema["paths"]["/api/v1/departments/{department_id}/budget"]["get"]["responses"]
    ref = answer["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/DepartmentBudgetOut"
    budget = schema["components"]["schemas"]["DepartmentBudgetOut"]
    assert set(budget["required"]) >= {"budget", "committed", "remaining", "enforcement"}
    assert budget["properties"]["enforcement"]["enum"] == ["warn", "block"]
    delivery = schema["paths"]["/api/v1/requisitions/{requisition_id}/delivery"]["get"]
    ref = delivery["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/WardDeliveryOut"


async def test_stock_does_not_allocate_ship_or_receive_a_requisitions_transfer_order_itself(
    client: httpx.AsyncClient,
):
    ward = await build_ward()
    w = ward.w
    await stock_in(w, w.syringe, "S1", 30)
    req = await _released(ward, [LineIn(w.syringe, 5)])
    await pick_all(ward, req)
    r = await client.get(f"/api/v1/requisitions/{req['id']}", headers=w.warehouse.headers)
    order = r.json()["shipments"][0]["transfer_order"]
    before = await ledger()
    orders = f"/api/v1/transfer-orders/{order}"

    zh = {**w.warehouse.headers, "Accept-Language": "zh-CN"}
    for path, body in (("allocate", {}), ("ship", None)):
        r = await client.post(f"{orders}/{path}", json=body, headers=zh)
        assert r.status_code == 409, r.text
        assert r.json()["code"] == "DOCUMENT_OWNED"
        assert r.json()["detail"] == f"TO-{order} 属于请领单，请在请领单中办理"
    r = await client.post(
        f"{orders}/ship", headers={**w.warehouse.headers, "Accept-Language": "en"}
    )
    assert r.json()["detail"] == f"TO-{order} belongs to a requisition; handle it there"
    assert await ledger() == before

    # Through the requisition it ships; the ward cannot receive it through stock either.
    r = await client.post(f"/api/v1/requisitions/{req['id']}/ship", headers=w.warehouse.headers)
    assert r.status_code == 200, r.text
    shipped = await ledger()
    r = await client.post(
        f"{orders}/receive",
        json={"lines": [], "discrepancy_reason": "nothing came"},
        headers=w.admin.headers,
    )
    assert r.status_code == 409 and r.json()["code"] == "DOCUMENT_OWNED", r.text
    assert await ledger() == shipped
