"""POST /api/v1/scans on the real database: products by GS1, HIBC and MA identifiers at their
packaging level, lots and serials with status warnings, location labels in and out of scope,
internal document labels, refusals (logged, never a 500)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from backend.catalog.tables import Packaging, Product
from backend.core import clock
from backend.scanning.tables import ScanLog
from backend.sites.tables import Location, Warehouse
from backend.stock.tables import Lot, SerialNumber
from tests.support import TestUser, make_user

GS = "\x1d"
EACH = "06901234567892"  # GTIN-14 of the each (EAN-13 6901234567892)
CASE = "16901234567899"  # GTIN-14 of the case of 10 (indicator 1)
UNKNOWN = "09506000134352"
HIBC_DI = "A99912345"
MA_DI = "MA.156.M0.100761.21234561"


def gs1(
    gtin: str, *, expiry: str | None = None, lot: str | None = None, serial: str | None = None
) -> str:
    text = "]d201" + gtin
    if expiry:
        text += "17" + expiry
    if lot:
        text += "10" + lot + (GS if serial else "")
    if serial:
        text += "21" + serial
    return text


@dataclass(frozen=True)
class World:
    product: int
    implant: int
    wh_a: int
    wh_b: int
    loc_a: int
    loc_b: int
    user: TestUser
    """A warehouse worker scoped to warehouse A."""


async def _insert(table: Any, **values: Any) -> int:
    rows = await table.insert(table(**values))
    return int(rows[0]["id"])


@pytest.fixture
async def world() -> World:
    product = await _insert(
        Product,
        code="SYR-5",
        name="一次性使用无菌注射器",
        model="5ml",
        category="syringe",
        risk_class="III",
        tracking="lot",
    )
    implant = await _insert(
        Product,
        code="IMP-1",
        name="髋关节假体",
        model="L",
        category="implant",
        risk_class="III",
        tracking="lot_serial",
        implant=True,
    )
    await _insert(
        Packaging,
        product=product,
        level="each",
        quantity=1,
        agency="GS1",
        di=EACH,
        original=EACH[1:],
    )
    await _insert(
        Packaging, product=product, level="case", quantity=10, agency="GS1", di=CASE, original=CASE
    )
    await _insert(
        Packaging,
        product=implant,
        level="each",
        quantity=1,
        agency="HIBC",
        di=HIBC_DI,
        original="+" + HIBC_DI,
    )
    await _insert(
        Packaging, product=implant, level="box", quantity=5, agency="MA", di=MA_DI, original=MA_DI
    )
    wh_a = await _insert(Warehouse, code="WH-A", name="中心库")
    wh_b = await _insert(Warehouse, code="WH-B", name="急诊库")
    loc_a = await _insert(Location, warehouse=wh_a, code="A-01-1", kind="storage")
    loc_b = await _insert(Location, warehouse=wh_b, code="A-01-1", kind="storage")
    user = await make_user("picker", ["warehouse"], warehouse_ids=[wh_a])
    return World(product, implant, wh_a, wh_b, loc_a, loc_b, user)


async def _lot(product: int, number: str, status: str, expiry: dt.date | None = None) -> int:
    return await _insert(
        Lot,
        product=product,
        lot_number=number,
        expiry=expiry,
        status=status,
        first_received_at=clock.now(),
    )


async def scan(client: httpx.AsyncClient, user: TestUser, raw: Any, **extra: Any) -> httpx.Response:
    return await client.post("/api/v1/scans", json={"raw": raw, **extra}, headers=user.headers)


def codes(items: list[dict[str, Any]]) -> list[str]:
    return [item["code"] for item in items]


async def test_a_gs1_scan_of_the_each_gtin_names_the_product_the_level_and_the_lot(client, world):
    expiry = clock.today() + dt.timedelta(days=400)
    lot = await _lot(world.product, "L2411", "released", expiry)
    response = await scan(
        client, world.user, gs1(EACH, expiry=expiry.strftime("%y%m%d"), lot="L2411")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["outcome"] == "product"
    assert body["decoded"]["gtin"] == EACH
    assert body["decoded"]["lot"] == "L2411"
    assert body["decoded"]["expiry"] == expiry.isoformat()
    assert body["decoded"]["symbology"] == "]d2"
    assert body["product"]["id"] == world.product
    assert (body["product"]["level"], body["product"]["base_units"]) == ("each", 1)
    assert body["lot"] == {
        "id": lot,
        "lot_number": "L2411",
        "expiry": expiry.isoformat(),
        "status": "released",
    }
    assert codes(body["actions"]) == ["receive", "pick", "put_away", "look_up"]
    assert body["actions"][0]["label"] == "Receive"
    assert body["warnings"] == []
    log = await ScanLog.select().where(ScanLog.id == body["log_id"]).first()
    assert log["outcome"] == "product"
    assert log["product"] == world.product
    assert (log["di"], log["lot"], log["user_id"]) == (EACH, "L2411", world.user.id)


async def test_a_case_gtin_says_case_and_ten_base_units(client, world):
    response = await scan(client, world.user, gs1(CASE, lot="NEW1"))
    body = response.json()
    assert body["outcome"] == "product"
    assert (body["product"]["level"], body["product"]["base_units"]) == ("case", 10)
    assert body["lot"] is None  # not received yet
    assert codes(body["actions"]) == ["receive", "look_up"]


async def test_an_expired_and_held_lot_warns_and_offers_no_pick(client, world):
    expiry = clock.today() - dt.timedelta(days=1)
    await _lot(world.product, "OLD", "on_hold", expiry)
    body = (
        await scan(client, world.user, gs1(EACH, expiry=expiry.strftime("%y%m%d"), lot="OLD"))
    ).json()
    assert codes(body["warnings"]) == ["LOT_EXPIRED", "LOT_ON_HOLD"]
    assert codes(body["actions"]) == ["look_up"]


async def test_a_lot_recalled_between_two_scans_shows_recalled_on_the_second(client, world):
    expiry = clock.today() + dt.timedelta(days=400)
    lot = await _lot(world.product, "R1", "released", expiry)
    raw = gs1(EACH, expiry=expiry.strftime("%y%m%d"), lot="R1")
    first = (await scan(client, world.user, raw)).json()
    assert (first["lot"]["status"], codes(first["warnings"])) == ("released", [])
    await Lot.update({Lot.status: "recalled"}).where(Lot.id == lot)
    second = (await scan(client, world.user, raw)).json()
    assert second["lot"]["status"] == "recalled"
    assert "LOT_RECALLED" in codes(second["warnings"])


async def test_a_near_expiry_lot_warns_in_the_users_language(client, world):
    expiry = clock.today() + dt.timedelta(days=20)
    await _lot(world.product, "NEAR", "released", expiry)
    headers = {**world.user.headers, "Accept-Language": "zh-CN"}
    response = await client.post(
        "/api/v1/scans",
        json={"raw": gs1(EACH, expiry=expiry.strftime("%y%m%d"), lot="NEAR")},
        headers=headers,
    )
    warning = response.json()["warnings"][0]
    assert warning["code"] == "LOT_NEAR_EXPIRY"
    assert "近效期 30 天" in warning["message"]
    assert response.json()["actions"][0]["label"] == "收货"


async def test_a_recalled_serial_of_an_implant_by_hibc_is_flagged(client, world):
    lot = await _lot(world.implant, "10X3", "recalled")
    await _insert(SerialNumber, product=world.implant, serial="SN9", lot=lot, status="recalled")
    body = (await scan(client, world.user, "+A99912345/$$52001510X33")).json()
    assert body["outcome"] == "product"
    assert body["decoded"]["agency"] == "HIBC"
    assert body["decoded"]["di"] == HIBC_DI
    assert body["product"]["id"] == world.implant
    assert "LOT_RECALLED" in codes(body["warnings"])
    assert "LOT_EXPIRED" in codes(body["warnings"])  # 2020-01-15
    assert "receive" not in codes(body["actions"])


async def test_a_serial_alone_finds_its_lot(client, world):
    lot = await _lot(world.product, "LS", "released")
    serial = await _insert(
        SerialNumber, product=world.product, serial="S-1", lot=lot, status="on_hold"
    )
    body = (await scan(client, world.user, gs1(EACH, serial="S-1"))).json()
    assert body["lot"]["id"] == lot
    assert body["serial"] == {"id": serial, "serial": "S-1", "status": "on_hold"}
    assert codes(body["warnings"]) == ["SERIAL_ON_HOLD"]
    assert "pick" not in codes(body["actions"])


async def test_an_ma_code_names_the_box_level(client, world):
    body = (await scan(client, world.user, "MA.156.M0.100761.21234561.L20220117.E991230")).json()
    assert body["outcome"] == "product"
    assert body["decoded"]["agency"] == "MA"
    assert body["decoded"]["di"] == MA_DI
    assert (body["product"]["level"], body["product"]["base_units"]) == ("box", 5)


async def test_an_unknown_gtin_says_so_and_offers_to_create_the_product(client, world):
    admin = await make_user("boss", ["admin"])
    body = (await scan(client, admin, gs1(UNKNOWN, lot="X1"))).json()
    assert body["outcome"] == "product_unknown"
    assert body["product"] is None
    assert body["decoded"]["gtin"] == UNKNOWN
    assert codes(body["actions"]) == ["create_product"]
    # A warehouse worker may not create products, so is not offered to.
    body = (await scan(client, world.user, gs1(UNKNOWN))).json()
    assert (body["outcome"], body["actions"]) == ("product_unknown", [])
    log = await ScanLog.select().where(ScanLog.id == body["log_id"]).first()
    assert (log["outcome"], log["di"], log["product"]) == ("product_unknown", UNKNOWN, None)


async def test_a_location_label_in_scope_names_the_location(client, world):
    body = (await scan(client, world.user, "LW:LOC:WH-A:A-01-1")).json()
    assert body["outcome"] == "location"
    assert body["location"] == {
        "id": world.loc_a,
        "code": "A-01-1",
        "name": None,
        "kind": "storage",
        "warehouse_id": world.wh_a,
        "warehouse_code": "WH-A",
    }
    assert codes(body["actions"]) == ["put_away", "look_up"]
    # The same code without a warehouse: only one warehouse in scope has it.
    assert (await scan(client, world.user, "LW:LOC:A-01-1")).json()["location"]["id"] == world.loc_a


async def test_a_location_outside_the_users_warehouses_is_unknown(client, world):
    body = (await scan(client, world.user, "LW:LOC:WH-B:A-01-1")).json()
    assert body["outcome"] == "location_unknown"
    assert body["location"] is None
    admin = await make_user("boss", ["admin"])
    # An admin sees both: a code alone is ambiguous, the full label is not.
    assert (await scan(client, admin, "LW:LOC:A-01-1")).json()["outcome"] == "location_unknown"
    assert (await scan(client, admin, "LW:LOC:WH-B:A-01-1")).json()["location"]["id"] == world.loc_b


async def test_internal_lot_and_document_labels(client, world):
    lot = await _lot(world.product, "INT", "pending_inspection")
    body = (await scan(client, world.user, f"LW:LOT:{lot}")).json()
    assert (body["outcome"], body["product"]["id"], body["lot"]["id"]) == (
        "product",
        world.product,
        lot,
    )
    assert codes(body["warnings"]) == ["LOT_NOT_RELEASED"]
    assert (await scan(client, world.user, "LW:LOT:999999")).json()["outcome"] == "lot_unknown"
    assert (await scan(client, world.user, "LW:PICK:999999")).json()[
        "outcome"
    ] == "pick_list_unknown"
    body = (await scan(client, world.user, "LW:DOC:PO:PO-2026-0042")).json()
    assert body["document"] == {"type": "po", "id": "PO-2026-0042", "status": None}
    assert codes(body["actions"]) == ["open_document"]


async def test_a_named_or_inline_profile_restores_gs_and_drops_the_terminator(client, world):
    raw = "]d201" + EACH + "10AB~21SN1\r"
    body = (await scan(client, world.user, raw, profile="cr-tilde-gs")).json()
    assert (body["decoded"]["lot"], body["decoded"]["serial"]) == ("AB", "SN1")
    inline = {"terminator": "\r", "gs_standin": "~"}
    body = (await scan(client, world.user, raw, profile=inline, station="WH1-RECEIVING-1")).json()
    assert body["decoded"]["serial"] == "SN1"
    log = await ScanLog.select().where(ScanLog.id == body["log_id"]).first()
    assert (log["station"], log["profile"]) == ("WH1-RECEIVING-1", "inline")
    response = await scan(client, world.user, raw, profile="no-such-profile")
    assert (response.status_code, response.json()["field"]) == (422, "profile")


async def test_an_undecodable_scan_is_a_422_with_its_code_and_is_logged(client, world):
    response = await scan(client, world.user, "]d20106901234567893")  # bad check digit
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["content-language"] == "en"
    assert response.json() == {
        "field": "barcode",
        "element": "(01)",
        "value": "06901234567893",
        "type": "https://lotwise.dev/problems/barcode-check-digit",
        "title": "Wrong check digit in (01): 06901234567893",
        "status": 422,
        "detail": "Wrong check digit in (01): 06901234567893",
        "code": "BARCODE_CHECK_DIGIT",
    }
    log = await ScanLog.select().order_by(ScanLog.id, ascending=False).first()
    assert log["outcome"] == "BARCODE_CHECK_DIGIT"
    assert log["raw_text"] == "]d20106901234567893"
    assert log["user_id"] == world.user.id


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"raw": "0" * 10_240}, 422),  # 10 KB: decoded, refused as too long, logged
        ({"raw": "\x00\xff\ud7ff\x1d\x7f binary \x00"}, 422),
        ({"raw": "]d2\x00\x00"}, 422),
        ({"raw": ""}, 422),
        ({}, 422),
        ({"raw": "LW:LOC:A", "shelf": 1}, 422),
        ({"raw": 42}, 422),
        ({"raw": "x" * 20_000}, 422),
    ],
)
async def test_bad_input_is_refused_never_a_500(client, world, body, status):
    response = await client.post("/api/v1/scans", json=body, headers=world.user.headers)
    assert response.status_code == status, response.text
    assert "code" in response.json()


async def test_junk_bytes_and_lone_surrogates_are_logged_without_failing(client, world):
    content = b'{"raw": "\\ud800\\u0000\\u00ff\\u001dABC"}'
    response = await client.post(
        "/api/v1/scans",
        content=content,
        headers={**world.user.headers, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.text
    for raw in ("\x00" * 5, "0" * 10_240):
        assert (await scan(client, world.user, raw)).status_code == 422
    logs = await ScanLog.select(ScanLog.raw_text, ScanLog.raw_length, ScanLog.outcome)
    assert {(log["raw_length"], log["outcome"]) for log in logs} >= {
        (5, "BARCODE_UNKNOWN_FORMAT"),
        (10_240, "BARCODE_TOO_LONG"),
    }
    assert all("\x00" not in log["raw_text"] and len(log["raw_text"]) <= 4096 for log in logs)


async def test_an_auditor_may_not_scan(client, world):
    auditor = await make_user("eve", ["auditor"])
    assert (await scan(client, auditor, gs1(EACH))).status_code == 403


async def test_concurrent_scans_each_get_their_own_committed_log_row(client, world):
    import asyncio

    raws = [gs1(EACH, lot="C1", serial=f"S{n:03d}") for n in range(40)] + ["junk"] * 5
    responses = await asyncio.gather(*(scan(client, world.user, raw) for raw in raws))
    assert [r.status_code for r in responses] == [200] * 40 + [422] * 5
    by_id = {
        r.json()["log_id"]: raw for r, raw in zip(responses, raws, strict=False) if r.is_success
    }
    assert len(by_id) == 40
    rows = await ScanLog.select(ScanLog.id, ScanLog.raw_text, ScanLog.serial)
    stored = {row["id"]: row["raw_text"] for row in rows}
    assert all(stored[log_id] == raw for log_id, raw in by_id.items())
    assert len(rows) == 45
