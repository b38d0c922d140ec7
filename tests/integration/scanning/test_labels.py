"""Labels over HTTP: lot labels with a GS1 DataMatrix and location labels, as PDF and ZPL; the
printed symbol, rasterised and read by an independent decoder, scans back to the same data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from backend.catalog.tables import Packaging, Product
from backend.scanning.decoding import decode
from backend.sites.tables import Location, Warehouse
from tests.support import TestUser, make_user

pdfium = pytest.importorskip("pypdfium2")
zxingcpp = pytest.importorskip("zxingcpp")

EACH = "06901234567892"
BOX = "16901234567899"
EXPIRY = dt.date(2027, 12, 31)


async def _insert(table: Any, **values: Any) -> int:
    rows = await table.insert(table(**values))
    return int(rows[0]["id"])


@pytest.fixture
async def product() -> int:
    product = await _insert(
        Product,
        code="SYR-5",
        name="一次性使用无菌注射器 带针",
        model="5ml 0.6×32TWLB",
        category="syringe",
        risk_class="III",
        tracking="lot",
    )
    await _insert(
        Packaging, product=product, level="box", quantity=10, agency="GS1", di=BOX, original=BOX
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
    return product


@pytest.fixture
async def worker() -> TestUser:
    return await make_user("printer", ["warehouse"], warehouse_ids=[])


def pages_text(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    # Lines as laid out, joined: a name may wrap anywhere.
    return [
        page.get_textpage().get_text_range().replace("\r\n", "").replace("\n", "")
        for page in document
    ]


def scanned(pdf: bytes) -> list[str]:
    """Every symbol on every page, as a scanner would send it: AIM identifier, then the data
    with GS between fields."""
    out = []
    for page in pdfium.PdfDocument(pdf):
        image = page.render(scale=300 / 72).to_pil()
        for code in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain):
            out.append(code.symbology_identifier + code.text)
    return out


async def test_a_lot_label_pdf_round_trips_through_a_real_decoder(client, product, worker):
    response = await client.post(
        "/api/v1/labels/lot",
        json={"product": product, "lot": "L2411-A", "expiry": EXPIRY.isoformat()},
        headers=worker.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    (text,) = pages_text(response.content)
    assert "一次性使用无菌注射器" in text
    assert "L2411-A" in text and "2027-12-31" in text
    assert "(01)06901234567892(17)271231(10)L2411-A" in text
    (raw,) = scanned(response.content)
    assert raw.startswith("]d2")  # FNC1 first: a GS1 DataMatrix
    decoded = decode(raw, today=dt.date(2026, 11, 21))
    assert (decoded.gtin, decoded.lot, decoded.expiry) == (EACH, "L2411-A", EXPIRY)


async def test_one_label_per_serial_with_a_separator_between_lot_and_serial(
    client, product, worker
):
    response = await client.post(
        "/api/v1/labels/lot?size=100x50",
        json={
            "product": product,
            "gtin": BOX,
            "lot": "L1",
            "expiry": EXPIRY.isoformat(),
            "serials": ["SN-1", "SN-2"],
        },
        headers=worker.headers,
    )
    assert response.status_code == 200, response.text
    raws = scanned(response.content)
    assert raws == [
        f"]d201{BOX}17271231" + "10L1\x1d21SN-1",
        f"]d201{BOX}17271231" + "10L1\x1d21SN-2",
    ]
    assert [decode(r, today=dt.date(2026, 11, 21)).serial for r in raws] == ["SN-1", "SN-2"]


async def test_a_lot_label_in_zpl_carries_the_gs1_datamatrix_payload(client, product, worker):
    response = await client.post(
        "/api/v1/labels/lot?format=zpl",
        json={"product": product, "lot": "AB_1", "expiry": EXPIRY.isoformat(), "serials": ["S1"]},
        headers=worker.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    zpl = response.text
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert "^BXN,5,200,,,,_^FD_101069012345678921727123110AB_d0951_121S1^FS" in zpl
    assert "^CI28" in zpl
    assert "一次性使用无菌注射器" in zpl


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"lot": "A B"}, "INVALID_INPUT"),  # a space is not in CSET 82
        ({"lot": "X" * 21}, "INVALID_INPUT"),
        ({"gtin": "09506000134352"}, "INVALID_INPUT"),  # not this product's
        ({"serials": ["S"] * 501}, "INVALID_INPUT"),
        ({"copies": 0}, "INVALID_INPUT"),
    ],
)
async def test_label_data_that_cannot_be_printed_is_refused(client, product, worker, body, code):
    response = await client.post(
        "/api/v1/labels/lot", json={"product": product, **body}, headers=worker.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code


async def test_a_product_without_a_gtin_cannot_have_a_gs1_label(client, worker):
    bare = await _insert(
        Product,
        code="BARE",
        name="无码产品",
        model="-",
        category="misc",
        risk_class="I",
        tracking="lot",
    )
    response = await client.post(
        "/api/v1/labels/lot", json={"product": bare, "lot": "L"}, headers=worker.headers
    )
    assert (response.status_code, response.json()["code"]) == (422, "LABEL_DATA_INVALID")
    missing = await client.post(
        "/api/v1/labels/lot", json={"product": 999999}, headers=worker.headers
    )
    assert missing.status_code == 404


@pytest.fixture
async def locations() -> tuple[int, int, TestUser]:
    wh_a = await _insert(Warehouse, code="WH-A", name="中心库")
    wh_b = await _insert(Warehouse, code="WH-B", name="急诊库")
    mine = await _insert(Location, warehouse=wh_a, code="A-01-2", name="常温货架", kind="storage")
    other = await _insert(Location, warehouse=wh_b, code="B-01-1", kind="storage")
    user = await make_user("keeper", ["warehouse"], warehouse_ids=[wh_a])
    return mine, other, user


async def test_a_location_label_scans_back_as_that_location(client, locations):
    mine, _, user = locations
    for symbol, aim in (("qr", "]Q1"), ("datamatrix", "]d1")):
        response = await client.get(
            f"/api/v1/labels/locations/{mine}?symbol={symbol}", headers=user.headers
        )
        assert response.status_code == 200, response.text
        (text,) = pages_text(response.content)
        assert "A-01-2" in text and "中心库" in text
        (raw,) = scanned(response.content)
        assert raw == aim + "LW:LOC:WH-A:A-01-2"
        scan = await client.post("/api/v1/scans", json={"raw": raw}, headers=user.headers)
        assert scan.json()["location"]["id"] == mine


async def test_a_location_label_in_zpl_is_a_qr_code(client, locations):
    mine, _, user = locations
    response = await client.get(
        f"/api/v1/labels/locations/{mine}?format=zpl&copies=2", headers=user.headers
    )
    assert response.text.count("^BQN,2,5^FDMA,LW:LOC:WH-A:A-01-2^FS") == 2


async def test_a_location_outside_scope_has_no_label(client, locations):
    _, other, user = locations
    response = await client.get(f"/api/v1/labels/locations/{other}", headers=user.headers)
    assert response.status_code == 404


async def test_a_clinician_may_not_print_labels(client, locations):
    mine, _, _ = locations
    nurse = await make_user("nurse", ["clinician"])
    response = await client.get(f"/api/v1/labels/locations/{mine}", headers=nurse.headers)
    assert response.status_code == 403
