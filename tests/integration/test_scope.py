"""Scope: a user sees only their warehouses and departments; outside reads like not existing."""

from __future__ import annotations

import pytest

from backend.core import crud
from backend.core.actor import Actor
from backend.core.errors import NotFound
from backend.sites import service as sites
from backend.sites.tables import Location
from tests.integration.foundation import seed, written
from tests.support import make_user


async def test_a_warehouse_user_lists_and_reads_only_their_warehouses_locations(client):
    s = await seed()
    user = await make_user("lina", ["warehouse"], warehouse_ids=[s.warehouse_a])
    listed = await client.get("/api/v1/locations", headers=user.headers)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["items"]] == [s.location_a]
    assert listed.json()["total"] == 1
    assert (
        await client.get(f"/api/v1/locations/{s.location_a}", headers=user.headers)
    ).status_code == 200
    hidden = await client.get(f"/api/v1/locations/{s.location_b}", headers=user.headers)
    missing = await client.get("/api/v1/locations/9999", headers=user.headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["code"] == missing.json()["code"] == "NOT_FOUND"
    # Even the filter for warehouse B finds nothing rather than B's locations.
    filtered = await client.get(
        "/api/v1/locations", params={"warehouse": s.warehouse_b}, headers=user.headers
    )
    assert filtered.json()["items"] == []
    warehouses = await client.get("/api/v1/warehouses", headers=user.headers)
    assert [r["id"] for r in warehouses.json()["items"]] == [s.warehouse_a]
    assert (
        await client.get(f"/api/v1/warehouses/{s.warehouse_b}", headers=user.headers)
    ).status_code == 404


async def test_a_scoped_writer_cannot_update_or_retire_another_warehouses_location():
    """Only admins (who see everything) hold sites.write today; the service still refuses a
    scoped writer, so granting the permission later cannot leak another warehouse."""
    s = await seed()
    scoped = Actor(
        user_id=99,
        username="lina",
        roles=frozenset({"warehouse"}),
        warehouse_ids=frozenset({s.warehouse_a}),
    )
    before = await written()
    with pytest.raises(NotFound):
        await crud.update(sites.LOCATIONS, scoped, s.location_b, {"name": "偷改"})
    with pytest.raises(NotFound):
        await crud.retire(sites.LOCATIONS, scoped, s.location_b, "x")
    with pytest.raises(NotFound) as refused:
        await crud.create(
            sites.LOCATIONS, scoped, {"warehouse": s.warehouse_b, "code": "X-1", "kind": "storage"}
        )
    assert refused.value.field == "warehouse"
    assert await written() == before
    row = (
        await Location.select(Location.name, Location.active)
        .where(Location.id == s.location_b)
        .first()
    )
    assert row == {"name": None, "active": True}
    # Its own warehouse works.
    await crud.update(sites.LOCATIONS, scoped, s.location_a, {"name": "A 区"})


async def test_a_department_head_cannot_budget_for_another_department(client):
    s = await seed()
    head = await make_user("sun", ["department_head"], department_ids=[s.department_a])
    before = await written()
    refused = await client.post(
        "/api/v1/department-budgets",
        json={"department": s.department_b, "period": "2026-12", "amount": 10},
        headers=head.headers,
    )
    assert refused.status_code == 404
    assert refused.json()["field"] == "department"
    assert await written() == before
    own = await client.post(
        "/api/v1/department-budgets",
        json={"department": s.department_a, "period": "2026-12", "amount": 10},
        headers=head.headers,
    )
    assert own.status_code == 201, own.text
    budgets = await client.get("/api/v1/department-budgets", headers=head.headers)
    assert {r["department"] for r in budgets.json()["items"]} == {s.department_a}


async def test_a_budget_of_another_department_reads_like_not_existing(client):
    s = await seed()
    other = await client.post(  # admin writes one for department B
        "/api/v1/department-budgets",
        json={"department": s.department_b, "period": "2026-12", "amount": 10},
        headers=(await make_user("boss", ["admin"])).headers,
    )
    head = await make_user("sun", ["department_head"], department_ids=[s.department_a])
    url = f"/api/v1/department-budgets/{other.json()['id']}"
    assert (await client.get(url, headers=head.headers)).status_code == 404
    patched = await client.patch(url, json={"amount": 1}, headers=head.headers)
    assert patched.status_code == 404
    assert (await client.get(url, headers=head.headers)).status_code == 404


async def test_departments_are_seen_by_members_and_by_the_warehouses_that_serve_them(client):
    s = await seed()
    member = await make_user("nurse", ["clinician"], department_ids=[s.department_b])
    server = await make_user("lina", ["warehouse"], warehouse_ids=[s.warehouse_a])
    nobody = await make_user("new", ["purchaser"])

    async def seen(user) -> list[int]:
        response = await client.get("/api/v1/departments", headers=user.headers)
        return [r["id"] for r in response.json()["items"]]

    assert await seen(member) == [s.department_b]
    assert await seen(server) == [s.department_a]
    assert await seen(nobody) == []
    assert (
        await client.get(f"/api/v1/departments/{s.department_a}", headers=member.headers)
    ).status_code == 404


@pytest.mark.parametrize("role", ["admin", "auditor"])
async def test_admins_and_auditors_see_every_warehouse_and_department(client, role):
    s = await seed()
    user = await make_user("all", [role])
    for path, ids in (
        ("locations", [s.location_a, s.location_b]),
        ("warehouses", [s.warehouse_a, s.warehouse_b]),
        ("departments", [s.department_a, s.department_b]),
        ("department-budgets", [s.budget_a]),
    ):
        response = await client.get(f"/api/v1/{path}", headers=user.headers)
        assert [r["id"] for r in response.json()["items"]] == ids, path


async def test_an_auditor_reads_everything_and_writes_nothing(client):
    s = await seed()
    auditor = await make_user("qian", ["auditor"])
    before = await written()
    attempts = [
        ("POST", "/api/v1/products", {"code": "X"}),
        ("PATCH", f"/api/v1/products/{s.product}", {"name": "x"}),
        ("POST", f"/api/v1/products/{s.product}/retire", {"reason": "x"}),
        ("POST", "/api/v1/suppliers", {"code": "X", "name": "x"}),
        ("PATCH", f"/api/v1/locations/{s.location_a}", {"name": "x"}),
        (
            "POST",
            "/api/v1/department-budgets",
            {"department": s.department_a, "period": "2026-12", "amount": 1},
        ),
        ("POST", "/api/v1/users", {}),
        ("POST", "/api/v1/users/1/unlock", None),
    ]
    for method, url, body in attempts:
        response = await client.request(method, url, json=body, headers=auditor.headers)
        assert response.status_code == 403, (method, url, response.text)
        assert response.json()["code"] == "PERMISSION_DENIED"
    assert await written() == before
    assert (await client.get("/api/v1/audit/entries", headers=auditor.headers)).status_code == 200


async def test_a_ward_member_sees_the_cabinet_of_their_department_and_no_other(client):
    from backend.sites.tables import Department, Location, Warehouse
    from tests.support import make_user

    wh = (await Warehouse.insert(Warehouse(code="W1", name="Central")))[0]["id"]
    wards = [
        (await Department.insert(Department(code=c, name=c, warehouse=wh)))[0]["id"]
        for c in ("CARD", "ORTH")
    ]
    cabinets = [
        (
            await Location.insert(
                Location(warehouse=wh, code=f"POU-{d}", kind="point_of_use", department=d)
            )
        )[0]["id"]
        for d in wards
    ]
    nurse = await make_user("nurse", ["clinician"], [], [wards[0]])
    listed = await client.get(
        "/api/v1/locations", params={"kind": "point_of_use"}, headers=nurse.headers
    )
    assert [loc["id"] for loc in listed.json()["items"]] == [cabinets[0]]
    own = await client.get(f"/api/v1/locations/{cabinets[0]}", headers=nurse.headers)
    assert own.status_code == 200
    other = await client.get(f"/api/v1/locations/{cabinets[1]}", headers=nurse.headers)
    assert other.status_code == 404
