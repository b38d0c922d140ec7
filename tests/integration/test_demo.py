"""The demo data set: big enough to show every screen, valid enough to pass every check."""

from __future__ import annotations

import time
from datetime import timedelta

from biip.gtin import Gtin

from backend.audit import chain
from backend.auth.rules import Role
from backend.auth.tables import User
from backend.catalog.identifiers import normalise
from backend.catalog.tables import Packaging, Product, Supplier, SupplierLicence
from backend.core import clock
from backend.demo.build import build_demo, has_data
from backend.sites.tables import Department, Location, Warehouse
from tests.integration.test_audit_chain import run_lotwise


async def test_the_demo_builds_a_hospitals_worth_of_valid_master_data():
    """One build (it is the slow part), every check on it."""
    assert not await has_data()
    started = time.perf_counter()
    summary = await build_demo()
    # Seconds on an idle machine; the bound only catches a pathological slowdown.
    assert time.perf_counter() - started < 60
    assert await has_data()

    products = await Product.select()
    assert len(products) >= 300
    assert len({p["category"] for p in products}) >= 20
    implants = [p for p in products if p["implant"]]
    assert implants
    assert {p["tracking"] for p in implants} <= {"serial", "lot_serial"}
    ivd = [p for p in products if p["category"] == "ivd_chem"]
    assert ivd
    assert all(
        p["cold_chain"] and (p["storage_temp_min"], p["storage_temp_max"]) == (2, 8) for p in ivd
    )
    for p in products:
        if p["cold_chain"]:
            assert p["storage_temp_max"] is not None

    assert await Supplier.count() == 20
    today = clock.today()
    soon = await SupplierLicence.count().where(
        (SupplierLicence.valid_until >= today)
        & (SupplierLicence.valid_until <= today + timedelta(days=30))
    )
    assert soon >= 3
    assert await Warehouse.count() == 3
    assert await Department.count() == 12
    assert await Location.count() > 12
    roles = {
        role
        for row in await User.select(User.roles).output(load_json=True)
        for role in row["roles"]
    }
    assert roles == set(Role)
    assert summary["counts"]["products"] == len(products)

    # Every packaging identifier is valid and stored as normalisation would store it.
    packs = await Packaging.select()
    assert len(packs) >= 300
    for pack in packs:
        if pack["agency"] == "GS1":
            assert len(pack["di"]) == 14
            assert Gtin.parse(pack["di"]).as_gtin_14() == pack["di"]  # check digit holds
        assert normalise(pack["agency"], pack["original"]).di == pack["di"], pack
    assert {p["agency"] for p in packs} == {"GS1", "HIBC", "MA"}
    assert len({(p["agency"], p["di"]) for p in packs}) == len(packs)

    await chain.seal(wait=True)  # entries are sealed into the chain after commit
    count, broken = await chain.verify()
    assert count >= 1 and broken is None


async def test_the_demo_command_refuses_a_database_with_data_and_if_empty_does_nothing():
    await Warehouse.insert(Warehouse(code="WH-X", name="已有库房"))
    refused = await run_lotwise("demo")
    assert refused.returncode != 0
    assert "already has data" in refused.stderr
    quiet = await run_lotwise("demo", "--if-empty")
    assert quiet.returncode == 0, quiet.stderr
    assert "nothing loaded" in quiet.stdout
    assert await Product.count() == 0
    assert await Warehouse.count() == 1
