"""The audit log is a hash chain: entries are written unsealed with their change and sealed into
the chain after commit; `lotwise verify` passes on a clean chain, names the first broken entry
after tampering and entries left unsealed too long; concurrent writers, ids committed out of
order and rolled-back ids still leave one verifying chain."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from backend.audit import chain
from backend.audit.tables import AuditEntry
from backend.core import clock, db
from backend.core.actor import SYSTEM
from backend.core.unit_of_work import unit_of_work
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
    await chain.seal(wait=True)
    rows = await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id)
    return [r["id"] for r in rows]


async def test_each_entry_carries_the_hash_of_the_one_before(client):
    ids = await _five_entries(client)
    rows = await AuditEntry.select().order_by(AuditEntry.seq)
    assert [r["id"] for r in rows] == ids
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
    await chain.seal(wait=True)
    count, broken = await chain.verify()
    assert (count, broken) == (20, None)
    assert (await run_lotwise("verify")).returncode == 0


async def test_an_entry_is_written_only_inside_a_unit_of_work():
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


async def _audited(name: str) -> int:
    async with unit_of_work(SYSTEM) as uow:
        return await uow.audit_now("test", "thing", name, new={"name": name})


async def test_an_entry_is_written_unsealed_and_sealed_after_commit(backend_name):
    async with unit_of_work(SYSTEM) as uow:
        entry = await uow.audit_now("test", "thing", 1, new={"名称": "一"})
        row = await AuditEntry.select().where(AuditEntry.id == entry).first()
        if backend_name == "postgres":
            # No lock, no read of the chain's end: the entry waits for the sealer.
            assert (row["seq"], row["prev_hash"], row["hash"]) == (None, None, None)
        else:
            # SQLite: the unit of work holds the write lock anyway and seals before commit.
            assert row["seq"] == 1 and row["prev_hash"] == "0" * 64
    await chain.seal(wait=True)
    row = await AuditEntry.select().where(AuditEntry.id == entry).first()
    assert row["seq"] == 1 and row["prev_hash"] == "0" * 64 and len(row["hash"]) == 64
    assert await chain.verify() == (1, None)


async def test_an_id_committed_after_a_later_one_is_sealed_after_it(backend_name):
    if backend_name != "postgres":
        pytest.skip("SQLite runs one writer at a time: ids commit in order")
    written = asyncio.Event()
    go_on = asyncio.Event()

    async def slow() -> int:
        async with unit_of_work(SYSTEM) as uow:
            entry = await uow.audit_now("test", "thing", "slow")
            written.set()
            await go_on.wait()
        return entry

    slow_task = asyncio.create_task(slow())
    await written.wait()
    fast = await _audited("fast")
    assert await chain.seal(wait=True) == 1  # the in-flight entry is not waited for
    go_on.set()
    early = await slow_task
    assert early < fast
    await chain.seal(wait=True)
    rows = await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.seq)
    assert [r["id"] for r in rows] == [fast, early]
    assert await chain.verify() == (2, None)
    assert (await run_lotwise("verify")).returncode == 0


async def test_a_rolled_back_id_leaves_a_gap_that_the_chain_does_not_mind(backend_name):
    first = await _audited("one")
    with pytest.raises(ZeroDivisionError):
        async with unit_of_work(SYSTEM) as uow:
            await uow.audit_now("test", "thing", "gone")
            1 / 0  # noqa: B018
    last = await _audited("two")
    await chain.seal(wait=True)
    rows = await AuditEntry.select(AuditEntry.id, AuditEntry.seq).order_by(AuditEntry.seq)
    assert [(r["id"], r["seq"]) for r in rows] == [(first, 1), (last, 2)]
    if backend_name == "postgres":  # SQLite hands a rolled-back rowid out again
        assert last > first + 1
    assert await chain.verify() == (2, None)


@asynccontextmanager
async def sealers_stopped(backend_name: str) -> AsyncIterator[None]:
    """PostgreSQL: hold the sealers' lock from another connection, so the sealer running beside
    the test app's dispatcher cannot seal meanwhile (SQLite has no background sealer)."""
    if backend_name != "postgres":
        yield
        return
    import asyncpg  # type: ignore[import-untyped]

    holder = await asyncpg.connect(db.engine().config["dsn"])  # type: ignore[attr-defined]
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", chain._SEAL_LOCK_KEY)
        yield
    finally:
        await holder.close()


async def test_verify_names_entries_left_unsealed_too_long(backend_name):
    await _audited("one")
    stale = await _audited("two")
    await chain.seal(wait=True)
    async with sealers_stopped(backend_name):
        await _left_unsealed(stale)


async def _left_unsealed(stale: int) -> None:
    # As if no sealer had run since it was written, well over the limit ago.
    await db.fetch(
        "UPDATE audit_entry SET seq = NULL, prev_hash = NULL, hash = NULL, at = {} WHERE id = {}",
        clock.now() - chain.UNSEALED_TOO_LONG - timedelta(minutes=1),
        stale,
    )
    assert await chain.unsealed() == (1, stale)
    assert await chain.verify() == (1, None)
    result = await run_lotwise("verify")
    assert result.returncode == 1
    assert f"audit entry {stale}: 1 entries unsealed" in result.stderr
    # A fresh unsealed entry is not reported: the sealer has not had its turn yet.
    await db.fetch("UPDATE audit_entry SET at = {} WHERE id = {}", clock.now(), stale)
    assert await chain.unsealed() == (0, None)
