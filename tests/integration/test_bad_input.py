"""Bad input never gives a 500 and never writes: a 4xx problem+json naming the field with a
stable code, in zh-CN unless English is asked for."""

from __future__ import annotations

from typing import Any

import pytest

from backend.catalog.tables import Packaging, Product, Supplier
from backend.sites.tables import DepartmentBudget, Location
from tests.integration.foundation import GTIN13, GTIN13_BAD, Seeded, product_body, seed, written
from tests.support import make_user

P = "/api/v1/products"

# (name, method, url, body (dict, or bytes sent as is), status, code, field)
Case = tuple[str, str, str, Any, int, str, str | None]


def cases(s: Seeded) -> list[Case]:
    return [
        ("malformed JSON", "POST", P, b'{"code": "P-2",', 400, "MALFORMED_REQUEST", "body"),
        ("a list for an object", "POST", P, [1, 2], 422, "INVALID_INPUT", "body"),
        ("wrong type", "POST", P, {**product_body("P-2"), "code": 5}, 422, "INVALID_INPUT", "code"),
        (
            "null for a required text",
            "POST",
            P,
            product_body("P-2", name=None),
            422,
            "INVALID_INPUT",
            "name",
        ),
        ("missing field", "POST", P, {"code": "P-2"}, 422, "INVALID_INPUT", "name"),
        (
            "unknown field",
            "POST",
            P,
            product_body("P-2", colour="red"),
            422,
            "INVALID_INPUT",
            "colour",
        ),
        (
            "negative cost",
            "POST",
            P,
            product_body("P-2", unit_cost=-1),
            422,
            "INVALID_INPUT",
            "unit_cost",
        ),
        (
            "shelf life of a century",
            "POST",
            P,
            product_body("P-2", shelf_life_days=40000),
            422,
            "INVALID_INPUT",
            "shelf_life_days",
        ),
        (
            "a number as text",
            "POST",
            P,
            product_body("P-2", unit_cost="5"),
            422,
            "INVALID_INPUT",
            "unit_cost",
        ),
        (
            "a boolean as text",
            "POST",
            P,
            product_body("P-2", implant="true"),
            422,
            "INVALID_INPUT",
            "implant",
        ),
        ("too long", "POST", P, product_body("P-2", name="长" * 201), 422, "INVALID_INPUT", "name"),
        ("code with spaces", "POST", P, product_body("P 2"), 422, "INVALID_INPUT", "code"),
        (
            "unknown risk class",
            "POST",
            P,
            product_body("P-2", risk_class="IV"),
            422,
            "INVALID_INPUT",
            "risk_class",
        ),
        (
            "impossible date",
            "POST",
            P,
            product_body("P-2", registration_valid_until="2026-02-30"),
            422,
            "INVALID_INPUT",
            "registration_valid_until",
        ),
        ("duplicate code", "POST", P, product_body("P-1"), 409, "DUPLICATE", "code"),
        (
            "inverted temperature range",
            "POST",
            P,
            product_body("P-2", storage_temp_min=8, storage_temp_max=2),
            422,
            "INVALID_INPUT",
            "storage_temp_max",
        ),
        (
            "half a temperature range",
            "POST",
            P,
            product_body("P-2", storage_temp_min=2),
            422,
            "INVALID_INPUT",
            "storage_temp_max",
        ),
        (
            "cold chain without range",
            "POST",
            P,
            product_body("P-2", cold_chain=True),
            422,
            "INVALID_INPUT",
            "storage_temp_max",
        ),
        (
            "temperature below absolute zero",
            "POST",
            P,
            product_body("P-2", storage_temp_min=-300, storage_temp_max=8),
            422,
            "INVALID_INPUT",
            "storage_temp_min",
        ),
        (
            "non-existent manufacturer",
            "POST",
            P,
            product_body("P-2", manufacturer=999),
            404,
            "NOT_FOUND",
            "manufacturer",
        ),
        (
            "fifo for a dated device",
            "POST",
            P,
            product_body("P-2", allocation="fifo"),
            422,
            "INVALID_INPUT",
            "allocation",
        ),
        (
            "inverted range on update",
            "PATCH",
            f"{P}/{s.product}",
            {"storage_temp_min": 30, "storage_temp_max": 25},
            422,
            "INVALID_INPUT",
            "storage_temp_max",
        ),
        (
            "cold chain switched on without range",
            "PATCH",
            f"{P}/{s.product}",
            {"cold_chain": True},
            422,
            "INVALID_INPUT",
            "storage_temp_max",
        ),
        (
            "bad GTIN check digit",
            "POST",
            "/api/v1/packaging",
            {"product": s.product, "level": "box", "quantity": 10, "identifier": GTIN13_BAD},
            422,
            "BARCODE_CHECK_DIGIT",
            "identifier",
        ),
        (
            "GTIN of 11 digits",
            "POST",
            "/api/v1/packaging",
            {"product": s.product, "level": "box", "quantity": 10, "identifier": "12345678901"},
            422,
            "IDENTIFIER_INVALID",
            "identifier",
        ),
        (
            "GTIN already on another level",
            "POST",
            "/api/v1/packaging",
            {"product": s.product, "level": "box", "quantity": 10, "identifier": GTIN13},
            409,
            "DUPLICATE",
            "identifier",
        ),
        (
            "unknown agency",
            "POST",
            "/api/v1/packaging",
            {
                "product": s.product,
                "level": "box",
                "quantity": 10,
                "agency": "XX",
                "identifier": "1",
            },
            422,
            "INVALID_INPUT",
            "agency",
        ),
        (
            "bad HIBC",
            "POST",
            "/api/v1/packaging",
            {
                "product": s.product,
                "level": "box",
                "quantity": 10,
                "agency": "HIBC",
                "identifier": "+12",
            },
            422,
            "IDENTIFIER_INVALID",
            "identifier",
        ),
        (
            "zero quantity",
            "POST",
            "/api/v1/packaging",
            {"product": s.product, "level": "box", "quantity": 0, "identifier": "96385074"},
            422,
            "INVALID_INPUT",
            "quantity",
        ),
        (
            "packaging of no product",
            "POST",
            "/api/v1/packaging",
            {"product": 999, "level": "box", "quantity": 1, "identifier": "96385074"},
            404,
            "NOT_FOUND",
            "product",
        ),
        (
            "impossible licence date",
            "POST",
            "/api/v1/supplier-licences",
            {"supplier": s.supplier, "kind": "filing", "number": "1", "valid_until": "2026-02-30"},
            422,
            "INVALID_INPUT",
            "valid_until",
        ),
        (
            "unknown licence kind",
            "POST",
            "/api/v1/supplier-licences",
            {"supplier": s.supplier, "kind": "permit", "number": "1"},
            422,
            "INVALID_INPUT",
            "kind",
        ),
        (
            "duplicate supplier terms",
            "POST",
            "/api/v1/supplier-products",
            {"supplier": s.supplier, "product": s.product, "lead_time_days": 1, "price": 1},
            409,
            "DUPLICATE",
            "product",
        ),
        (
            "duplicate supplier code",
            "POST",
            "/api/v1/suppliers",
            {"code": "SUP-1", "name": "x"},
            409,
            "DUPLICATE",
            "code",
        ),
        (
            "duplicate location code in one warehouse",
            "POST",
            "/api/v1/locations",
            {"warehouse": s.warehouse_a, "code": "A-01", "kind": "storage"},
            409,
            "DUPLICATE",
            "code",
        ),
        (
            "inverted location range",
            "POST",
            "/api/v1/locations",
            {
                "warehouse": s.warehouse_a,
                "code": "K-1",
                "kind": "storage",
                "temp_min": 8,
                "temp_max": 2,
            },
            422,
            "INVALID_INPUT",
            "temp_max",
        ),
        (
            "unknown location kind",
            "POST",
            "/api/v1/locations",
            {"warehouse": s.warehouse_a, "code": "K-1", "kind": "roof"},
            422,
            "INVALID_INPUT",
            "kind",
        ),
        (
            "point of use without ward",
            "POST",
            "/api/v1/locations",
            {"warehouse": s.warehouse_a, "code": "K-1", "kind": "point_of_use"},
            422,
            "INVALID_INPUT",
            "department",
        ),
        (
            "location in no warehouse",
            "POST",
            "/api/v1/locations",
            {"warehouse": 999, "code": "K-1", "kind": "storage"},
            404,
            "NOT_FOUND",
            "warehouse",
        ),
        (
            "month 13",
            "POST",
            "/api/v1/department-budgets",
            {"department": s.department_a, "period": "2026-13", "amount": 1},
            422,
            "INVALID_INPUT",
            "period",
        ),
        (
            "duplicate budget period",
            "POST",
            "/api/v1/department-budgets",
            {"department": s.department_a, "period": "2026-11", "amount": 1},
            409,
            "DUPLICATE",
            "period",
        ),
        ("wrong query type", "GET", P + "?limit=many", None, 422, "INVALID_INPUT", "limit"),
        ("negative offset", "GET", P + "?offset=-1", None, 422, "INVALID_INPUT", "offset"),
        ("search too long", "GET", P + "?q=" + "x" * 101, None, 422, "INVALID_INPUT", "q"),
        (
            "retire without reason",
            "POST",
            f"{P}/{s.product}/retire",
            {"reason": ""},
            422,
            "INVALID_INPUT",
            "reason",
        ),
        (
            "unknown role",
            "POST",
            "/api/v1/users",
            {
                "username": "neu",
                "full_name": "N",
                "password": "long-enough-pass",
                "roles": ["janitor"],
            },
            422,
            "AUTH_UNKNOWN_ROLE",
            "roles",
        ),
        (
            "user in no warehouse",
            "POST",
            "/api/v1/users",
            {
                "username": "neu",
                "full_name": "N",
                "password": "long-enough-pass",
                "roles": ["warehouse"],
                "warehouse_ids": [999],
            },
            422,
            "INVALID_INPUT",
            "warehouse_ids",
        ),
        (
            "wrong item type in a list",
            "POST",
            "/api/v1/users",
            {
                "username": "neu",
                "full_name": "N",
                "password": "long-enough-pass",
                "roles": ["warehouse"],
                "warehouse_ids": ["one"],
            },
            422,
            "INVALID_INPUT",
            "warehouse_ids[0]",
        ),
    ]


NAMES = [c[0] for c in cases(Seeded(*range(1, 15)))]


async def _counts() -> tuple[int, ...]:
    return (
        *await written(),
        await Product.count(),
        await Packaging.count(),
        await Supplier.count(),
        await Location.count(),
        await DepartmentBudget.count(),
    )


@pytest.mark.parametrize("name", NAMES)
async def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(client, name):
    s = await seed()
    admin = await make_user("boss", ["admin"])
    _n, method, url, body, status, code, field = next(c for c in cases(s) if c[0] == name)
    before = await _counts()
    for lang, marker in (("en", None), (None, "zh")):
        headers = {"Authorization": admin.headers["Authorization"]}
        if lang:
            headers["Accept-Language"] = lang
        kwargs: dict[str, Any] = (
            {"content": body, "headers": {**headers, "Content-Type": "application/json"}}
            if isinstance(body, bytes)
            else {"json": body, "headers": headers}
        )
        response = await client.request(method, url, **kwargs)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == code
        assert problem["status"] == status
        assert problem.get("field") == field, problem
        assert "Traceback" not in response.text
        if marker == "zh":
            assert response.headers["content-language"] == "zh-CN"
            assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["detail"]), problem["detail"]
        else:
            assert response.headers["content-language"] == "en"
            assert problem["detail"].isascii(), problem["detail"]
    assert await _counts() == before


async def test_a_body_over_two_megabytes_is_refused(client):
    admin = await make_user("boss", ["admin"])
    response = await client.post(
        P,
        content=b'{"name": "' + b"x" * (3 * 1024 * 1024) + b'"}',
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


async def test_two_concurrent_creations_of_one_code_give_one_record_and_one_409(client):
    import asyncio

    admin = await make_user("boss", ["admin"])
    responses = await asyncio.gather(
        *[client.post(P, json=product_body("P-X"), headers=admin.headers) for _ in range(5)]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409, 409, 409, 409], [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"DUPLICATE"}
    assert await Product.count() == 1


async def test_two_concurrent_renames_to_one_name_give_one_409(client):
    import asyncio

    admin = await make_user("boss", ["admin"])
    ids = [
        (
            await client.post(
                "/api/v1/manufacturers", json={"name": f"m{n}"}, headers=admin.headers
            )
        ).json()["id"]
        for n in range(4)
    ]
    responses = await asyncio.gather(
        *[
            client.patch(f"/api/v1/manufacturers/{i}", json={"name": "迈瑞"}, headers=admin.headers)
            for i in ids
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409]
    assert {r.json()["field"] for r in responses if r.status_code == 409} == {"name"}
