"""The audit log is a hash chain: `lotwise verify` passes on a clean chain and names the first
broken entry after tampering; concurrent writers still produce one verifying chain."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
from pathlib import Path

from backend.audit import chain
from backend.audit.tables import AuditEntry
from backend.core import db
from tests.integration.foundation import product_body
from tests.support import make_user

LOTWISE = str(Path(sys.executable).parent / "lotwise")


def lotwise(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The real command line, on the test run's database."""
    return subprocess.run(
        [LOTWISE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )


async def run_lotwise(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(lotwise, *args, stdin=stdin)


async def _five_entries(client) -> list[int]:
    admin = await make_user("boss", ["admin"])
    for n in range(5):
        response = await client.post(
            "/api/v1/suppliers",
            json={"code": f"S-{n}", "name": f"供应商{n}"},
            headers=admin.headers,
        )
        assert response.status_code == 201
    rows = await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id)
    return [r["id"] for r in rows]


async def test_each_entry_carries_the_hash_of_the_one_before(client):
    ids = await _five_entries(client)
    rows = await AuditEntry.select().order_by(AuditEntry.id)
    assert rows[0]["prev_hash"] == "0" * 64
    for before, after in itertools.pairwise(rows):
        assert after["prev_hash"] == before["hash"]
    assert await chain.verify() == (len(ids), None)


async def test_verify_exits_0_on_a_clean_chain(client):
    await _five_entries(client)
    result = await run_lotwise("verify")
    assert result.returncode == 0, result.stderr
    assert "all invariants hold" in result.stdout


async def test_verify_names_an_entry_whose_values_were_edited(client):
    ids = await _five_entries(client)
    tampered = ids[2]
    await db.fetch(
        "UPDATE audit_entry SET new = {} WHERE id = {}", '{"code": "S-2", "name": "改过"}', tampered
    )
    _count, broken = await chain.verify()
    assert broken is not None and broken.entry_id == tampered
    result = await run_lotwise("verify")
    assert result.returncode == 1
    assert f"audit entry {tampered}:" in result.stderr
    assert "edited" in result.stderr


async def test_verify_names_the_entry_after_a_deleted_one(client):
    ids = await _five_entries(client)
    await db.fetch("DELETE FROM audit_entry WHERE id = {}", ids[1])
    result = await run_lotwise("verify")
    assert result.returncode == 1
    assert f"audit entry {ids[2]}:" in result.stderr
    assert "prev_hash" in result.stderr


async def test_an_edited_reason_or_time_breaks_the_chain_too(client):
    ids = await _five_entries(client)
    await db.fetch("UPDATE audit_entry SET actor_name = {} WHERE id = {}", "someone", ids[0])
    assert (await chain.verify())[1].entry_id == ids[0]


async def test_twenty_concurrent_writers_leave_one_verifying_chain(client):
    admin = await make_user("boss", ["admin"])
    responses = await asyncio.gather(
        *[
            client.post("/api/v1/products", json=product_body(f"P-{n}"), headers=admin.headers)
            for n in range(20)
        ]
    )
    assert [r.status_code for r in responses] == [201] * 20
    count, broken = await chain.verify()
    assert (count, broken) == (20, None)
    assert (await run_lotwise("verify")).returncode == 0


async def test_an_entry_is_written_only_inside_a_unit_of_work():
    import pytest

    from backend.core.actor import SYSTEM

    with pytest.raises(RuntimeError):
        await chain.append(SYSTEM, [])


async def test_the_audit_trail_is_read_newest_first_filtered_by_record(client):
    ids = await _five_entries(client)
    auditor = await make_user("qian", ["auditor"])
    page = await client.get("/api/v1/audit/entries", params={"limit": 2}, headers=auditor.headers)
    body = page.json()
    assert body["total"] == len(ids)
    assert [e["id"] for e in body["items"]] == [ids[-1], ids[-2]]
    one = await client.get(
        "/api/v1/audit/entries",
        params={"entity": "supplier", "entity_id": "3"},
        headers=auditor.headers,
    )
    [entry] = one.json()["items"]
    assert entry["new"]["code"] == "S-2"
    assert entry["actor_name"] == "boss"
    assert len(entry["hash"]) == 64
