"""Shared by the stock benchmarks: a throwaway PostgreSQL database, the bulk data generator
(COPY, at least 100,000 rows/s), and percentiles.

Each benchmark creates its own database (``lotwise_bench_<pid>_<name>``) on the server named by
``LOTWISE_BENCH_PG`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``), migrates it
with the project's migrations, and drops it at the end, whatever happens.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

ADMIN_URL = os.environ.get("LOTWISE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
TODAY = date.today()


def url_of(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


@asynccontextmanager
async def throwaway_database(label: str) -> AsyncIterator[str]:
    """Create, migrate, yield the URL; drop at the end. Sets DATABASE_URL before the backend is
    imported, so import backend modules only inside this block."""
    name = f"lotwise_bench_{os.getpid()}_{label}"
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = url_of(name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    os.environ.pop("REDIS_URL", None)
    try:
        import piccolo_conf  # noqa: F401  (binds the engine to the bench database)
        from backend.cli import migrate_database
        from backend.core import db
        from backend.settings import get_settings

        await db.start(get_settings())
        try:
            await migrate_database()
        finally:
            await db.stop()
        yield url
    finally:
        admin = await asyncpg.connect(ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """User + system CPU seconds so far of: the server (``server_pid`` and its descendants),
    this process (the load client), PostgreSQL's processes, and everything else (Linux /proc).
    A difference of two readings tells where a run's CPU went."""
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[str, int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:  # the process ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        command = stat[stat.index("(") + 1 : stat.rindex(")")]
        procs[int(entry)] = (command, int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)

    def group(pid: int) -> str:
        seen = pid
        while seen > 1 and seen in procs:
            if seen == server_pid:
                return "server"
            seen = procs[seen][1]
        if pid == os.getpid():
            return "load client"
        return "postgres" if procs[pid][0] == "postgres" else "other"

    totals: dict[str, float] = {}
    for pid, (_command, _parent, seconds) in procs.items():
        totals[group(pid)] = totals.get(group(pid), 0.0) + seconds
    return totals


def cpu_spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """CPU seconds per group between two readings (processes that ended are not counted)."""
    return {k: after[k] - before.get(k, 0.0) for k in after if after[k] > before.get(k, 0.0)}


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary_ms(samples: Sequence[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (
        f"n={len(ms)}  p50={percentile(ms, 50):.2f} ms  p99={percentile(ms, 99):.2f} ms  "
        f"mean={statistics.fmean(ms):.2f} ms  max={max(ms):.2f} ms"
    )


# ---- the generator ---------------------------------------------------------------------------

LEDGER_COLUMNS = [
    "id",
    "at",
    "product",
    "lot",
    "serial",
    "location",
    "quantity",
    "reason",
    "document_type",
    "document_id",
    "document_line",
    "actor_id",
    "actor_name",
    "idempotency_key",
    "note",
]
CHUNK = 250_000


@dataclass
class Generated:
    products: int
    warehouse: int
    storage: list[int]
    receiving: int
    transit: int
    wards: list[int]
    lots: int
    ledger: int
    hot_lot: int
    rows: int
    copy_seconds: float
    index_seconds: float


async def _copy(
    conn: asyncpg.Connection, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]
) -> int:
    total = 0
    while True:
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                break
        if not chunk:
            return total
        await conn.copy_records_to_table(table, records=chunk, columns=columns)
        total += len(chunk)


async def generate(
    url: str,
    *,
    products: int = 5_000,
    lots: int = 1_000_000,
    ledger: int = 10_000_000,
    hot_entries: int = 20_000,
    seed: int = 7,
) -> Generated:
    """Master data, ``lots`` released lots in storage, and ``ledger`` consistent ledger entries
    (receipt, putaway, picks delivered to wards and consumed there): balances equal the ledger.
    Secondary indexes and FK triggers are off during COPY and rebuilt after, as in any bulk load.
    """
    rng = random.Random(seed)
    conn = await asyncpg.connect(url)
    try:
        now = datetime.now(UTC).replace(microsecond=0)
        wid = await conn.fetchval(
            "INSERT INTO warehouse (code, name, active, created_at) VALUES ('WH-1', '中心库房', "
            "true, now()) RETURNING id"
        )
        await conn.execute(
            "INSERT INTO location (warehouse, code, kind, active, created_at) VALUES "
            "($1, 'RCV', 'receiving', true, now()), ($1, 'QUA', 'quarantine', true, now()), "
            "($1, 'TRN', 'in_transit', true, now())",
            wid,
        )
        await conn.execute(
            "INSERT INTO location (warehouse, code, kind, active, created_at) "
            "SELECT $1, 'S-' || lpad(g::text, 4, '0'), 'storage', true, now() "
            "FROM generate_series(1, 400) g",
            wid,
        )
        await conn.execute(
            "INSERT INTO department (code, name, warehouse, budget_enforcement, active, "
            "created_at) SELECT 'D' || g, '科室' || g, $1, 'warn', true, now() "
            "FROM generate_series(1, 20) g",
            wid,
        )
        await conn.execute(
            "INSERT INTO location (warehouse, code, kind, department, active, created_at) "
            "SELECT $1, 'POU-' || d.code, 'point_of_use', d.id, true, now() FROM department d",
            wid,
        )
        rows = await conn.fetch("SELECT id, kind FROM location ORDER BY id")
        receiving = next(r["id"] for r in rows if r["kind"] == "receiving")
        transit = next(r["id"] for r in rows if r["kind"] == "in_transit")
        storage = [r["id"] for r in rows if r["kind"] == "storage"]
        wards = [r["id"] for r in rows if r["kind"] == "point_of_use"]
        supplier = await conn.fetchval(
            "INSERT INTO supplier (code, name, active, created_at) VALUES ('SUP-1', '国药', true, "
            "now()) RETURNING id"
        )
        await conn.execute(
            "INSERT INTO product (code, name, model, category, risk_class, tracking, base_unit, "
            "shelf_life_days, min_remaining_shelf_life_days, cold_chain, implant, allocation, "
            "unit_cost, active, created_at) SELECT 'P' || lpad(g::text, 6, '0'), '器械' || g, "
            "'M' || (g % 9), 'syringe', 'II', 'lot', 'each', "
            "CASE WHEN g % 20 = 0 THEN NULL ELSE 1460 END, 0, false, false, "
            "CASE WHEN g % 20 = 0 THEN 'fifo' ELSE 'fefo' END, 100, true, now() "
            "FROM generate_series(1, $1) g",
            products,
        )

        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('lot', 'stock_balance', 'stock_ledger') AND indexname NOT LIKE '%_pkey'"
        )
        for ix in indexes:
            await conn.execute(f'DROP INDEX "{ix["indexname"]}"')
        await conn.execute("SET session_replication_role = replica")  # FK triggers off

        days = [now - timedelta(days=d, hours=rng.randint(0, 8)) for d in range(800)]
        expiries = [TODAY + timedelta(days=d) for d in range(-200, 1096)]
        # Per lot: quantity, receipt day index, pick count (1 or 2; the hot lot many).
        qty = [rng.randint(20, 400) for _ in range(lots)]
        base = (ledger - 3 * lots) // 5  # pick events: 5 entries each
        extra_hot = max(0, min(base, hot_entries // 5))
        picks = [0] * lots
        remaining = base - extra_hot
        for i in rng.sample(range(lots), min(lots, remaining)):
            picks[i] += 1
        remaining -= min(lots, remaining)
        while remaining > 0:
            for i in rng.sample(range(lots), min(lots, remaining)):
                picks[i] += 1
            remaining -= min(lots, remaining)
        hot = 0
        picks[hot] += extra_hot
        qty[hot] = max(qty[hot], picks[hot] * 2 + 10)
        received = [rng.randint(30, 799) for _ in range(lots)]
        expiry_of = [expiries[rng.randint(0, len(expiries) - 1)] for _ in range(lots)]
        status_of = [rng.randrange(200) for _ in range(lots)]
        started = time.perf_counter()

        def lot_rows() -> Iterator[tuple[Any, ...]]:
            statuses = (
                ["released"] * 194 + ["on_hold"] * 2 + ["recalled"] + ["pending_inspection"] * 3
            )
            for i in range(lots):
                p = i % products + 1
                yield (
                    i + 1,
                    p,
                    f"B{i + 1:08d}",
                    None if p % 20 == 0 else expiry_of[i],
                    None,
                    supplier,
                    statuses[status_of[i]],
                    days[received[i]],
                    days[received[i]],
                )

        n_lots = await _copy(
            conn,
            "lot",
            [
                "id",
                "product",
                "lot_number",
                "expiry",
                "production_date",
                "supplier",
                "status",
                "first_received_at",
                "created_at",
            ],
            lot_rows(),
        )

        def ledger_rows() -> Iterator[tuple[Any, ...]]:
            n = 0
            for i in range(lots):
                lot = i + 1
                p = i % products + 1
                home = storage[(i * 7) % len(storage)]
                when = days[received[i]]
                q = qty[i]
                for loc, amount, reason in ((receiving, q, 10), (receiving, -q, 30), (home, q, 31)):
                    n += 1
                    yield (
                        n,
                        when,
                        p,
                        lot,
                        None,
                        loc,
                        amount,
                        reason,
                        "bench",
                        lot,
                        None,
                        None,
                        "bench",
                        None,
                        None,
                    )
                left = q
                for k in range(picks[i]):
                    take = 1 if lot == 1 else max(1, min(left - 1, rng.randint(1, 20)))
                    if left - take < 0:
                        take = 0
                    left -= take
                    at = days[max(0, received[i] - 1 - (k % max(1, received[i] - 1)))]
                    ward = wards[(i + k) % len(wards)]
                    for loc, amount, reason in (
                        (home, -take, 50),
                        (transit, take, 51),
                        (transit, -take, 60),
                        (ward, take, 61),
                        (ward, -take, 56),
                    ):
                        n += 1
                        yield (
                            n,
                            at,
                            p,
                            lot,
                            None,
                            loc,
                            amount,
                            reason,
                            "bench",
                            lot,
                            None,
                            None,
                            "bench",
                            None,
                            None,
                        )
                balances.append((lot, home, p, left))

        balances: list[tuple[int, int, int, int]] = []
        n_ledger = await _copy(conn, "stock_ledger", LEDGER_COLUMNS, ledger_rows())

        def balance_rows() -> Iterator[tuple[Any, ...]]:
            for n, (lot, home, p, left) in enumerate(balances, start=1):
                i = lot - 1
                yield (
                    n,
                    home,
                    lot,
                    None,
                    p,
                    None if p % 20 == 0 else expiry_of[i],
                    days[received[i]],
                    left,
                    0,
                )

        n_bal = await _copy(
            conn,
            "stock_balance",
            [
                "id",
                "location",
                "lot",
                "serial",
                "product",
                "expiry",
                "received_at",
                "on_hand",
                "reserved",
            ],
            balance_rows(),
        )
        await conn.execute(
            "INSERT INTO lot_status_event (lot, old_status, new_status, reason, at, actor_name) "
            "SELECT id, 'pending_inspection', 'released', 'bench', first_received_at, 'bench' "
            "FROM lot"
        )
        copy_seconds = time.perf_counter() - started
        await conn.execute("SET session_replication_role = DEFAULT")
        started = time.perf_counter()
        for ix in indexes:
            await conn.execute(ix["indexdef"])
        for table in ("lot", "stock_ledger", "stock_balance", "lot_status_event"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
        await conn.execute("ANALYZE")
        index_seconds = time.perf_counter() - started
        return Generated(
            products,
            wid,
            storage,
            receiving,
            transit,
            wards,
            n_lots,
            n_ledger,
            1,
            n_lots + n_ledger + n_bal + n_lots,
            copy_seconds,
            index_seconds,
        )
    finally:
        await conn.close()


def report_generator(g: Generated) -> None:
    print(
        f"generator: {g.lots:,} lots, {g.ledger:,} ledger entries, {g.rows:,} rows in "
        f"{g.copy_seconds:.1f} s = {g.rows / g.copy_seconds:,.0f} rows/s (COPY, goal >= "
        f"100,000); index rebuild + ANALYZE {g.index_seconds:.1f} s; overall "
        f"{g.rows / (g.copy_seconds + g.index_seconds):,.0f} rows/s"
    )


def run(main: Any) -> None:
    asyncio.run(main())
