"""Master data over HTTP: create, read, update, list (paging, filters, search) and retire, for
every kind; audit entries with old and new values; device identifiers normalised."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from biip.checksums import gs1_standard_check_digit

from backend.audit.tables import AuditEntry
from tests.integration.foundation import GTIN13, Seeded, product_body, seed
from tests.support import make_user


def gtin(body: str) -> str:
    return body + str(gs1_standard_check_digit(body))


# (path, entity, body for a new record, a change, whether it retires)
Body = Callable[[Seeded], dict[str, Any]]
KINDS: list[tuple[str, str, Body, dict[str, Any], bool]] = [
    (
        "manufacturers",
        "manufacturer",
        lambda s: {"name": "迈瑞", "country": "CN"},
        {"name_en": "Mindray"},
        True,
    ),
    (
        "products",
        "product",
        lambda s: {**product_body("P-2"), "manufacturer": s.manufacturer},
        {"model": "10ml", "unit_cost": 150},
        True,
    ),
    (
        "packaging",
        "packaging",
        lambda s: {
            "product": s.product,
            "level": "box",
            "quantity": 10,
            "identifier": gtin("1" + GTIN13[:-1]),
        },
        {"quantity": 20},
        True,
    ),
    (
        "suppliers",
        "supplier",
        lambda s: {"code": "SUP-2", "name": "九州通"},
        {"phone": "0571-1234"},
        True,
    ),
    (
        "supplier-licences",
        "supplier_licence",
        lambda s: {
            "supplier": s.supplier,
            "kind": "business_licence",
            "number": "91330X",
            "valid_until": "2027-06-30",
        },
        {"valid_until": "2028-06-30"},
        True,
    ),
    (
        "supplier-products",
        "supplier_product",
        lambda s: {
            "supplier": s.supplier,
            "product": s.product,
            "lead_time_days": 5,
            "price": 99,
            "priority": "backup",
        },
        {"price": 105, "lead_time_days": 7},
        True,
    ),
    (
        "warehouses",
        "warehouse",
        lambda s: {"code": "WH-C", "name": "检验试剂库"},
        {"address": "医技楼 2 层"},
        True,
    ),
    (
        "locations",
        "location",
        lambda s: {
            "warehouse": s.warehouse_a,
            "code": "K-01",
            "kind": "storage",
            "temp_min": 2,
            "temp_max": 8,
        },
        {"name": "冷藏柜 1"},
        True,
    ),
    (
        "departments",
        "department",
        lambda s: {"code": "ICU", "name": "重症医学科"},
        {"budget_enforcement": "block"},
        True,
    ),
    (
        "department-budgets",
        "department_budget",
        lambda s: {"department": s.department_a, "period": "2026-12", "amount": 5000},
        {"amount": 7000},
        False,
    ),
    (
        "department-quotas",
        "department_quota",
        lambda s: {
            "department": s.department_a,
            "product": s.product,
            "period": "2026-12",
            "quantity": 40,
        },
        {"quantity": 50},
        False,
    ),
]


@pytest.fixture
async def admin():
    return await make_user("boss", ["admin"])


@pytest.mark.parametrize(
    ("path", "entity", "body", "change", "retires"), KINDS, ids=[k[0] for k in KINDS]
)
async def test_each_kind_is_created_read_updated_listed_and_retired(
    client, admin, path, entity, body, change, retires
):
    s = await seed()
    if path == "supplier-products":  # the seeded term already joins s.supplier and s.product
        s = await _second_product(s)
    url = f"/api/v1/{path}"
    created = await client.post(url, json=body(s), headers=admin.headers)
    assert created.status_code == 201, created.text
    record = created.json()
    record_id = record["id"]

    read = await client.get(f"{url}/{record_id}", headers=admin.headers)
    assert read.status_code == 200
    assert read.json() == record

    updated = await client.patch(f"{url}/{record_id}", json=change, headers=admin.headers)
    assert updated.status_code == 200, updated.text
    for name, value in change.items():
        assert updated.json()[name] == value
    assert (await client.get(f"{url}/{record_id}", headers=admin.headers)).json() == updated.json()
    entry = await (
        AuditEntry.select()
        .where(
            (AuditEntry.entity == entity)
            & (AuditEntry.entity_id == str(record_id))
            & (AuditEntry.action == "update")
        )
        .output(load_json=True)
        .first()
    )
    assert entry["new"] == change
    assert entry["old"] == {name: record[name] for name in change}
    assert entry["actor_id"] == admin.id

    listed = await client.get(url, params={"limit": 200}, headers=admin.headers)
    assert record_id in [r["id"] for r in listed.json()["items"]]

    if not retires:
        assert (
            await client.post(
                f"{url}/{record_id}/retire", json={"reason": "x"}, headers=admin.headers
            )
        ).status_code in (404, 405)
        return
    retired = await client.post(
        f"{url}/{record_id}/retire", json={"reason": "no longer used"}, headers=admin.headers
    )
    assert retired.status_code == 200, retired.text
    assert retired.json()["active"] is False
    listed = await client.get(url, params={"limit": 200}, headers=admin.headers)
    assert record_id not in [r["id"] for r in listed.json()["items"]]
    with_retired = await client.get(
        url, params={"limit": 200, "include_retired": "true"}, headers=admin.headers
    )
    assert record_id in [r["id"] for r in with_retired.json()["items"]]
    # A retired record is still readable (history points at it) and says so.
    assert (await client.get(f"{url}/{record_id}", headers=admin.headers)).json()["active"] is False
    retire_entry = await (
        AuditEntry.select()
        .where((AuditEntry.entity == entity) & (AuditEntry.action == "retire"))
        .output(load_json=True)
        .first()
    )
    assert retire_entry["reason"] == "no longer used"
    assert retire_entry["old"] == {"active": True}
    assert retire_entry["new"] == {"active": False}


async def _second_product(s: Seeded) -> Seeded:
    from dataclasses import replace

    from backend.catalog import service
    from backend.core import crud
    from backend.core.actor import SYSTEM

    row = await crud.create(service.PRODUCTS, SYSTEM, {**product_body("P-9"), "allocation": "fefo"})
    return replace(s, product=row["id"])


async def test_a_retired_record_is_changed_only_after_reactivating_it(client, admin):
    s = await seed()
    url = f"/api/v1/suppliers/{s.supplier}"
    await client.post(f"{url}/retire", json={"reason": "lapsed"}, headers=admin.headers)
    refused = await client.patch(url, json={"name": "改名"}, headers=admin.headers)
    assert refused.status_code == 422
    assert refused.json()["field"] == "active"
    back = await client.patch(url, json={"active": True, "name": "改名"}, headers=admin.headers)
    assert back.status_code == 200
    assert back.json()["active"] is True and back.json()["name"] == "改名"


async def test_an_update_that_changes_nothing_writes_no_audit_entry(client, admin):
    s = await seed()
    before = await AuditEntry.count()
    same = await client.patch(
        f"/api/v1/suppliers/{s.supplier}", json={"name": "国药控股"}, headers=admin.headers
    )
    assert same.status_code == 200
    assert await AuditEntry.count() == before


async def test_lists_page_with_limit_offset_and_total(client, admin):
    for n in range(7):
        response = await client.post(
            "/api/v1/suppliers",
            json={"code": f"S-{n}", "name": f"供应商 {n}"},
            headers=admin.headers,
        )
        assert response.status_code == 201
    page = await client.get(
        "/api/v1/suppliers", params={"limit": 3, "offset": 3}, headers=admin.headers
    )
    body = page.json()
    assert (body["total"], body["limit"], body["offset"]) == (7, 3, 3)
    assert [r["code"] for r in body["items"]] == ["S-3", "S-4", "S-5"]
    last = await client.get(
        "/api/v1/suppliers", params={"limit": 3, "offset": 6}, headers=admin.headers
    )
    assert [r["code"] for r in last.json()["items"]] == ["S-6"]
    too_big = await client.get("/api/v1/suppliers", params={"limit": 201}, headers=admin.headers)
    assert too_big.status_code == 422 and too_big.json()["field"] == "limit"


async def _products(client, admin) -> None:
    from backend.catalog import service
    from backend.core import crud
    from backend.core.actor import SYSTEM

    await crud.create(
        service.PRODUCTS,
        SYSTEM,
        {**product_body("SYR-5"), "allocation": "fefo", "name": "注射器", "model": "5ml"},
    )
    await crud.create(
        service.PRODUCTS,
        SYSTEM,
        {
            **product_body("IVD-1"),
            "allocation": "fefo",
            "name": "生化试剂",
            "model": "R1 100ml 5%",
            "category": "ivd_chem",
            "risk_class": "II",
            "cold_chain": True,
            "storage_temp_min": 2.0,
            "storage_temp_max": 8.0,
        },
    )
    await crud.create(
        service.PRODUCTS,
        SYSTEM,
        {
            **product_body("HIP-1"),
            "allocation": "fefo",
            "name": "髋关节假体",
            "model": "Ø52mm",
            "category": "hip",
            "tracking": "serial",
            "implant": True,
        },
    )
    for product_id, ident in ((1, GTIN13), (3, "04012345678901")):
        response = await client.post(
            "/api/v1/packaging",
            json={"product": product_id, "level": "each", "quantity": 1, "identifier": ident},
            headers=admin.headers,
        )
        assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("q", "codes"),
    [
        ("注射", ["SYR-5"]),  # name
        ("100ml", ["IVD-1"]),  # model
        ("hip-", ["HIP-1"]),  # code, case-insensitive
        (GTIN13, ["SYR-5"]),  # a 13-digit GTIN typed as printed
        ("4012345678", ["HIP-1"]),  # a substring of a stored GTIN-14
        ("%", ["IVD-1"]),  # LIKE wildcards are literal: only the model with a % in it
        ("5%", ["IVD-1"]),
        ("_", []),
        ("\\", []),
    ],
)
async def test_products_are_found_by_name_model_code_and_gtin_substring(client, admin, q, codes):
    await _products(client, admin)
    response = await client.get("/api/v1/products", params={"q": q}, headers=admin.headers)
    assert response.status_code == 200
    assert [r["code"] for r in response.json()["items"]] == codes
    assert response.json()["total"] == len(codes)


async def test_products_filter_by_category_cold_chain_and_implant(client, admin):
    await _products(client, admin)

    async def codes(**params: Any) -> list[str]:
        response = await client.get("/api/v1/products", params=params, headers=admin.headers)
        assert response.status_code == 200, response.text
        return [r["code"] for r in response.json()["items"]]

    assert await codes(category="ivd_chem") == ["IVD-1"]
    assert await codes(cold_chain="true") == ["IVD-1"]
    assert await codes(implant="true") == ["HIP-1"]
    assert await codes(implant="false", cold_chain="false") == ["SYR-5"]
    assert await codes(tracking="serial", q="髋") == ["HIP-1"]


async def test_locations_filter_by_warehouse_and_kind(client, admin):
    s = await seed()
    response = await client.get(
        "/api/v1/locations", params={"warehouse": s.warehouse_b}, headers=admin.headers
    )
    assert [r["code"] for r in response.json()["items"]] == ["B-01"]
    response = await client.get(
        "/api/v1/locations", params={"kind": "quarantine"}, headers=admin.headers
    )
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    ("printed", "di"),
    [
        (GTIN13, "0" + GTIN13),  # EAN-13
        ("614141000036", "00614141000036"),  # UPC-A (GTIN-12)
        ("96385074", "00000096385074"),  # EAN-8
        ("10614141000033", "10614141000033"),  # GTIN-14 kept as is
        ("６９０１２３４５６７８９２", "0" + GTIN13),  # full-width digits from an IME
    ],
)
async def test_a_gtin_is_stored_as_14_digits_and_the_printed_form_is_kept(
    client, admin, printed, di
):
    s = await seed()
    await client.post(
        f"/api/v1/packaging/{s.packaging}/retire", json={"reason": "x"}, headers=admin.headers
    )
    from backend.catalog.tables import Packaging

    await Packaging.delete().where(Packaging.id == s.packaging)
    response = await client.post(
        "/api/v1/packaging",
        json={"product": s.product, "level": "each", "quantity": 1, "identifier": printed},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["di"] == di
    # Full-width digits typed through an input method are kept as the digits they mean.
    assert response.json()["original"] == unicodedata.normalize("NFKC", printed)
    assert response.json()["agency"] == "GS1"


@pytest.mark.parametrize(
    ("agency", "printed", "di"),
    [
        ("HIBC", "+A123LW00012", "A123LW00012"),
        ("HIBC", "+a123lw00012", "A123LW00012"),
        ("MA", "MA.156.M0.100761.2000012", "MA.156.M0.100761.2000012"),
        ("MA", "ma.156.m0.100761.2000012.10.ABC", "MA.156.M0.100761.2000012"),
    ],
)
async def test_hibc_and_ma_identifiers_are_normalised(client, admin, agency, printed, di):
    s = await seed()
    response = await client.post(
        "/api/v1/packaging",
        json={
            "product": s.product,
            "level": "each",
            "quantity": 1,
            "agency": agency,
            "identifier": printed,
        },
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    assert (response.json()["agency"], response.json()["di"]) == (agency, di)
    assert response.json()["original"] == printed


async def test_a_product_is_found_by_its_scanned_identifier(admin):
    from backend.catalog.service import product_by_identifier

    s = await seed()
    found = await product_by_identifier("GS1", "0" + GTIN13)
    assert found is not None
    product, quantity = found
    assert (product["id"], quantity) == (s.product, 1)
    assert await product_by_identifier("GS1", "00000000000000") is None


async def test_create_writes_an_audit_entry_and_an_outbox_event(client, admin):
    from backend.core.tables import OutboxEvent

    response = await client.post(
        "/api/v1/suppliers", json={"code": "S-1", "name": "n"}, headers=admin.headers
    )
    supplier_id = response.json()["id"]
    entry = await AuditEntry.select().output(load_json=True).first()
    assert (entry["action"], entry["entity"], entry["entity_id"]) == (
        "create",
        "supplier",
        str(supplier_id),
    )
    assert entry["new"] == {"code": "S-1", "name": "n", "contact": None, "phone": None}
    event = await OutboxEvent.select().output(load_json=True).first()
    assert event["topic"] == "masterdata.changed"
    assert event["payload"] == {"entity": "supplier", "id": supplier_id}


async def test_a_record_is_retired_only_with_a_reason_not_by_patching_active(client, admin):
    s = await seed()
    before = await AuditEntry.count()
    refused = await client.patch(
        f"/api/v1/suppliers/{s.supplier}", json={"active": False}, headers=admin.headers
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "active"
    assert await AuditEntry.count() == before
    supplier = await client.get(f"/api/v1/suppliers/{s.supplier}", headers=admin.headers)
    assert supplier.json()["active"] is True


async def test_temperatures_read_back_as_written_and_an_unchanged_patch_writes_nothing(
    client, admin
):
    body = product_body(storage_temp_min=2.1, storage_temp_max=7.7, cold_chain=True)
    created = await client.post("/api/v1/products", json=body, headers=admin.headers)
    assert (created.json()["storage_temp_min"], created.json()["storage_temp_max"]) == (2.1, 7.7)
    listed = await client.get("/api/v1/products", headers=admin.headers)
    assert listed.json()["items"][0]["storage_temp_max"] == 7.7
    before = await AuditEntry.count()
    same = await client.patch(
        f"/api/v1/products/{created.json()['id']}",
        json={"storage_temp_min": 2.1},
        headers=admin.headers,
    )
    assert same.status_code == 200
    assert await AuditEntry.count() == before
