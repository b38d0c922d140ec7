"""The scan log's group commit on the real database: rows of concurrent scans share one
statement, a row the database refuses costs only its own scan, and nothing is answered as
logged unless it was committed."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.catalog.tables import Product
from backend.core import clock
from backend.scanning import log
from backend.scanning.batching import BatchAborted
from backend.scanning.tables import ScanLog


async def _product() -> int:
    rows = await Product.insert(
        Product(code="SYR-5", name="注射器", model="5ml", category="syringe", risk_class="II")
    )
    return int(rows[0]["id"])


def _row(raw: str, product: int | None = None) -> dict[str, Any]:
    return {
        "at": str(clock.now()),
        "user_id": None,
        "username": "picker",
        "raw_text": raw,
        "raw_length": len(raw),
        "outcome": "product" if product else "product_unknown",
        "product": product,
    }


async def _stored() -> dict[int, str]:
    rows = await ScanLog.select(ScanLog.id, ScanLog.raw_text)
    return {row["id"]: row["raw_text"] for row in rows}


async def test_concurrent_rows_share_a_statement_and_each_scan_gets_the_id_of_its_own_row():
    product = await _product()
    raws = [f"scan-{n}" for n in range(30)]
    ids = await asyncio.gather(*(log.write(_row(raw, product)) for raw in raws))
    assert len(set(ids)) == 30
    stored = await _stored()
    assert {log_id: stored[log_id] for log_id in ids} == dict(zip(ids, raws, strict=True))
    assert len(stored) == 30


async def test_a_row_the_database_refuses_fails_only_its_own_scan():
    product = await _product()
    rows = [_row(f"good-{n}", product) for n in range(12)]
    rows.insert(5, _row("bad", product + 1000))  # no such product: the foreign key refuses it
    results = await asyncio.gather(*(log.write(row) for row in rows), return_exceptions=True)
    failed = [
        row["raw_text"] for row, r in zip(rows, results, strict=True) if not isinstance(r, int)
    ]
    assert failed == ["bad"]
    ids = [r for r in results if isinstance(r, int)]
    stored = await _stored()
    assert sorted(stored) == sorted(ids)  # every good row, nothing else
    good = [row["raw_text"] for row in rows if row["raw_text"] != "bad"]
    assert [stored[i] for i in ids] == good  # each scan got its own row's id


async def test_a_crash_before_the_flush_answers_no_scan_as_logged_and_writes_nothing():
    writes = [asyncio.ensure_future(log.write(_row(f"lost-{n}"))) for n in range(8)]
    await asyncio.sleep(0)  # submitted; the flusher has not run yet
    flusher = log._writer._queues[asyncio.get_running_loop()].task
    assert flusher is not None
    flusher.cancel()  # the process stops here
    results = await asyncio.gather(*writes, return_exceptions=True)
    assert all(isinstance(r, BatchAborted) for r in results)
    assert await _stored() == {}
    # The next scans are written by a new flusher.
    assert isinstance(await log.write(_row("after")), int)
    assert list((await _stored()).values()) == ["after"]
