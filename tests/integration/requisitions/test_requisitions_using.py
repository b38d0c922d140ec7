"""Using at the point of use: consumption by scan (a lot-tracked item leaves the cabinet; an
implant is recorded against a pseudonymous patient, procedure and surgeon), refusals at the
moment of use (expired, held, not in this cabinet, a name for a patient), returns with a
condition check, and the where-used trace that reaches the patient."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.core import clock
from backend.core.errors import DomainError
from backend.requisitions import using
from backend.stock import lots
from backend.stock.reasons import Reason
from tests.integration.requisitions.ward import build_ward, count, events, to_cabinet
from tests.integration.stock.world import (
    ledger,
    ledger_count,
    on_hand,
    serial_ids,
    stock_in,
    violations,
)


def _moves(entries):  # type: ignore[no-untyped-def]
    return [
        (e["location"], e["lot"], e["serial"], e["quantity"], Reason(e["reason"]).name)
        for e in entries
    ]


async def test_a_lot_tracked_item_used_on_the_ward_leaves_the_cabinet():
    ward = await build_ward()
    lot = await stock_in(ward.w, ward.w.syringe, "S1", 20)
    await to_cabinet(ward, [(ward.w.syringe, 10)])
    use = await using.consume(
        ward.nurse.actor, location=ward.cabinet, lot=lot["id"], serial=None, quantity=3
    )
    assert use["patient_ref"] is None and use["quantity"] == 3
    assert await on_hand(ward.cabinet, lot["id"]) == (7, 0)
    entries = await ledger(document_type="patient_use", document_id=use["id"])
    assert _moves(entries) == [(ward.cabinet, lot["id"], None, -3, "consume")]
    assert use["ledger_id"] == entries[0]["id"] and entries[0]["actor_name"] == "nurse_wu"
    assert (await events("point_of_use.consumed"))[0]["department_id"] == ward.department


async def test_an_implant_is_recorded_against_a_pseudonymous_patient_procedure_and_surgeon():
    ward = await build_ward()
    lot = await stock_in(ward.w, ward.w.stent, "ST1", 2, serials=["SN-1", "SN-2"])
    sn1, _sn2 = await serial_ids(lot["id"])
    await to_cabinet(ward, [(ward.w.stent, 2)])
    with pytest.raises(DomainError) as refused:
        await using.consume(
            ward.nurse.actor, location=ward.cabinet, lot=lot["id"], serial=sn1, quantity=1
        )
    assert refused.value.code == "PATIENT_USE_REQUIRED"
    for name in ("张三", "Zhang San", "zhangsan", "P1", "A" * 41, "-P123", "P--123"):
        with pytest.raises(DomainError) as refused:
            await using.consume(
                ward.nurse.actor,
                location=ward.cabinet,
                lot=lot["id"],
                serial=sn1,
                quantity=1,
                patient_ref=name,
                procedure="PCI",
                surgeon="王医生",
            )
        assert refused.value.code == "PATIENT_REFERENCE_INVALID", name
    assert await count("patient_use") == 0
    used_at = clock.now() - timedelta(hours=2)
    use = await using.consume(
        ward.nurse.actor,
        location=ward.cabinet,
        lot=lot["id"],
        serial=sn1,
        quantity=1,
        patient_ref="mrn-7f3a-0042",
        procedure="经皮冠状动脉介入治疗 PCI",
        surgeon="王医生",
        used_at=used_at,
    )
    assert (use["patient_ref"], use["surgeon"]) == ("MRN-7F3A-0042", "王医生")
    assert use["used_at"] == used_at
    assert await on_hand(ward.cabinet, lot["id"], sn1) == (0, 0)
    assert _moves(await ledger(document_type="patient_use")) == [
        (ward.cabinet, lot["id"], sn1, -1, "consume")
    ]
    trace = await using.trace(ward.w.auditor.actor, lot=None, serial=sn1)
    assert [d["department"] for d in trace["departments"]] == [ward.department]
    assert [(p["patient_ref"], p["procedure"], p["serial_number"]) for p in trace["patients"]] == [
        ("MRN-7F3A-0042", "经皮冠状动脉介入治疗 PCI", "SN-1")
    ]
    record = await using.uses(ward.head.actor, patient_ref="MRN-7F3A-0042")
    assert [r["product_code"] for r in record] == ["STENT-3"]
    assert await using.uses(ward.other_clinician.actor, patient_ref="MRN-7F3A-0042") == []
    assert await violations() == []


async def test_a_unit_not_in_that_cabinet_is_refused_and_nothing_is_written():
    ward = await build_ward()
    lot = await stock_in(ward.w, ward.w.syringe, "S1", 20)
    await to_cabinet(ward, [(ward.w.syringe, 2)])
    other = await stock_in(ward.w, ward.w.syringe, "S2", 5)  # in the warehouse, not the ward
    entries = await ledger_count()
    for lot_id, quantity in ((other["id"], 1), (lot["id"], 3)):
        with pytest.raises(DomainError) as refused:
            await using.consume(
                ward.nurse.actor, location=ward.cabinet, lot=lot_id, serial=None, quantity=quantity
            )
        assert refused.value.code == "NOT_IN_CABINET" and refused.value.status == 409
    # another ward's cabinet is not the nurse's to use from
    with pytest.raises(DomainError) as refused:
        await using.consume(
            ward.other_clinician.actor,
            location=ward.cabinet,
            lot=lot["id"],
            serial=None,
            quantity=1,
        )
    assert refused.value.code == "NOT_FOUND"
    assert await ledger_count() == entries and await count("patient_use") == 0


async def test_an_expired_or_held_unit_is_refused_at_the_moment_of_use(monkeypatch):
    ward = await build_ward()
    lot = await stock_in(ward.w, ward.w.syringe, "S1", 20, days=400)
    await to_cabinet(ward, [(ward.w.syringe, 5)])
    entries = await ledger_count()
    await lots.hold_lot(ward.w.qa.actor, lot["id"], "疑似包装缺陷")
    with pytest.raises(DomainError) as refused:
        await using.consume(
            ward.nurse.actor, location=ward.cabinet, lot=lot["id"], serial=None, quantity=1
        )
    assert refused.value.code == "LOT_ON_HOLD"
    await lots.release_lot_hold(ward.w.qa.actor, lot["id"], "复检合格")
    later = clock.today() + timedelta(days=401)
    monkeypatch.setattr(clock, "today", lambda: later)
    with pytest.raises(DomainError) as refused:
        await using.consume(
            ward.nurse.actor, location=ward.cabinet, lot=lot["id"], serial=None, quantity=1
        )
    assert refused.value.code == "LOT_EXPIRED"
    assert await on_hand(ward.cabinet, lot["id"]) == (5, 0)
    assert await ledger_count() == entries and await count("patient_use") == 0


async def test_unused_items_go_back_to_the_warehouse_by_their_condition():
    ward = await build_ward()
    w = ward.w
    lot = await stock_in(w, w.syringe, "S1", 20)
    await to_cabinet(ward, [(w.syringe, 6)])
    intact = await using.return_unused(
        ward.nurse.actor,
        location=ward.cabinet,
        lot=lot["id"],
        serial=None,
        quantity=2,
        condition="intact",
        reason="手术取消",
    )
    assert (intact["to_location"], intact["to_kind"]) == (w.receiving_a, "receiving")
    opened = await using.return_unused(
        ward.nurse.actor,
        location=ward.cabinet,
        lot=lot["id"],
        serial=None,
        quantity=1,
        condition="opened",
        reason="包装已拆未用",
    )
    assert opened["to_location"] == w.quarantine_a
    assert await on_hand(ward.cabinet, lot["id"]) == (3, 0)
    assert _moves(await ledger(document_type="return")) == [
        (ward.cabinet, lot["id"], None, -2, "return_out"),
        (w.receiving_a, lot["id"], None, 2, "return_in"),
        (ward.cabinet, lot["id"], None, -1, "return_out"),
        (w.quarantine_a, lot["id"], None, 1, "return_in"),
    ]
    with pytest.raises(DomainError) as refused:
        await using.return_unused(
            ward.nurse.actor,
            location=ward.cabinet,
            lot=lot["id"],
            serial=None,
            quantity=4,
            condition="intact",
            reason="多余",
        )
    assert refused.value.code == "NOT_IN_CABINET"
