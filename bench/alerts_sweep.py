"""Full alert sweep over 1,000,000 lots and 10,000 product × warehouse pairs on PostgreSQL.

Run: ``uv run python bench/alerts_sweep.py [lots] [--sqlite] [--keep]`` (default 1,000,000).
A throwaway database is created on LOTWISE_BENCH_PG (default
postgresql://postgres@127.0.0.1:5432/postgres), migrated, filled with COPY, swept, and dropped;
with ``--sqlite`` a throwaway SQLite file in the temporary directory instead, filled with
executemany. ``--keep`` keeps the database and prints its URL (for EXPLAIN).

Data: 10 warehouses × 1,000 products (20 categories) = 10,000 pairs, each with a stock policy;
lots spread evenly over the pairs, one storage balance each, expiry uniform from 30 days ago to
1,500 days ahead (≈14 % within the 180-day horizon, ≈2 % expired), 1 % on hold with
reservations, 0.2 % left in receiving; one receipt ledger entry per lot and issues for 70 % of
the pairs. Printed: load time, then the wall time of a first sweep (every alert new: inserts and
outbox events) and of a steady-state sweep (nothing changed), per rule family.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ADMIN = os.environ.get("LOTWISE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"lotwise_bench_sweep_{secrets.token_hex(3)}"
SQLITE = "--sqlite" in sys.argv
KEEP = "--keep" in sys.argv
"""Keep the database (its URL printed) for EXPLAIN instead of dropping it."""
WAREHOUSES, PRODUCTS, CATEGORIES, LOCATIONS = 10, 1000, 20, 5


async def admin(sql: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    con = await asyncpg.connect(ADMIN)
    try:
        await con.execute(sql)
    finally:
        await con.close()


class SQLiteLoader:
    """The two calls ``load`` makes of an asyncpg connection, on a SQLite file: executemany in
    one transaction (Piccolo's adapters, registered on import, store dates as it reads them)."""

    def __init__(self, path: str) -> None:
        import sqlite3

        self.con = sqlite3.connect(path)

    async def copy_records_to_table(
        self, table: str, *, columns: list[str], records: list[tuple[object, ...]]
    ) -> None:
        marks = ", ".join("?" for _ in columns)
        with self.con:
            self.con.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", records
            )

    async def execute(self, sql: str) -> None:
        self.con.execute(sql)

    async def close(self) -> None:
        self.con.close()


async def load(url: str, lots: int) -> None:
    import asyncpg

    rng = random.Random(7)
    today = date.today()
    now = datetime.now(UTC)
    con = SQLiteLoader(url.removeprefix("sqlite:///")) if SQLITE else await asyncpg.connect(url)
    try:
        await con.copy_records_to_table(
            "warehouse",
            columns=["code", "name", "active", "created_at"],
            records=[(f"W{w}", f"Warehouse {w}", True, now) for w in range(WAREHOUSES)],
        )
        locs = []
        for w in range(WAREHOUSES):
            locs += [(w + 1, f"S{i}", "storage", True, now) for i in range(LOCATIONS)]
            locs.append((w + 1, "RCV", "receiving", True, now))
        await con.copy_records_to_table(
            "location", columns=["warehouse", "code", "kind", "active", "created_at"], records=locs
        )
        await con.copy_records_to_table(
            "product",
            columns=[
                "code",
                "name",
                "model",
                "category",
                "risk_class",
                "tracking",
                "base_unit",
                "cold_chain",
                "implant",
                "allocation",
                "active",
                "registration_valid_until",
            ],
            records=[
                (
                    f"P{p}",
                    f"产品{p}",
                    "m",
                    f"cat{p % CATEGORIES}",
                    "II",
                    "lot",
                    "each",
                    False,
                    False,
                    "fefo",
                    True,
                    today + timedelta(days=rng.randint(10, 2000)),
                )
                for p in range(PRODUCTS)
            ],
        )
        await con.copy_records_to_table(
            "stock_policy",
            columns=["product", "warehouse", "minimum", "reorder_point", "created_at"],
            records=[
                (p + 1, w + 1, 100, 500, now) for p in range(PRODUCTS) for w in range(WAREHOUSES)
            ],
        )
        lot_rows, balance_rows, ledger_rows = [], [], []
        for i in range(lots):
            pair = i % (PRODUCTS * WAREHOUSES)
            product, warehouse = pair % PRODUCTS + 1, pair // PRODUCTS
            expiry = today + timedelta(days=rng.randint(-30, 1500))
            roll = rng.random()
            status = "on_hold" if roll < 0.01 else "released"
            received = now - timedelta(days=rng.randint(1, 700))
            lot_rows.append((product, f"L{i}", expiry, status, received, now))
            location = (
                warehouse * (LOCATIONS + 1)
                + 1
                + (LOCATIONS if roll > 0.998 else rng.randrange(LOCATIONS))
            )
            on_hand = rng.randint(1, 50)
            reserved = min(on_hand, 2) if status == "on_hold" else 0
            balance_rows.append((location, i + 1, product, expiry, received, on_hand, reserved))
            ledger_rows.append(
                (received, product, i + 1, location, on_hand, 10, "receipt", "bench")
            )
        for pair in range(PRODUCTS * WAREHOUSES):
            if rng.random() < 0.7:
                product, warehouse = pair % PRODUCTS + 1, pair // PRODUCTS
                ledger_rows.append(
                    (
                        now - timedelta(days=rng.randint(1, 400)),
                        product,
                        pair + 1,
                        warehouse * (LOCATIONS + 1) + 1,
                        -1,
                        50,
                        "pick_list",
                        "bench",
                    )
                )
        await con.copy_records_to_table(
            "lot",
            columns=[
                "product",
                "lot_number",
                "expiry",
                "status",
                "first_received_at",
                "created_at",
            ],
            records=lot_rows,
        )
        await con.copy_records_to_table(
            "stock_balance",
            columns=["location", "lot", "product", "expiry", "received_at", "on_hand", "reserved"],
            records=balance_rows,
        )
        await con.copy_records_to_table(
            "stock_ledger",
            columns=[
                "at",
                "product",
                "lot",
                "location",
                "quantity",
                "reason",
                "document_type",
                "actor_name",
            ],
            records=ledger_rows,
        )
        await con.execute("ANALYZE")
    finally:
        await con.close()


async def main(lots: int) -> None:
    if SQLITE:
        url = f"sqlite:///{tempfile.gettempdir()}/{DB_NAME}.db"
    else:
        await admin(f'CREATE DATABASE "{DB_NAME}"')
        url = ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    try:
        import piccolo_conf  # noqa: F401  (binds the engine to the throwaway database)
        from backend.alerts.evaluation import engine
        from backend.alerts.ruleset import DEFAULT
        from backend.cli import migrate_database
        from backend.core import db
        from backend.settings import get_settings

        await db.start(get_settings())
        try:
            await migrate_database()
            started = time.perf_counter()
            await load(url, lots)
            print(
                f"loaded {lots:,} lots / balances, {PRODUCTS * WAREHOUSES:,} pairs in "
                f"{time.perf_counter() - started:.1f} s"
            )
            for name, days in (
                ("first sweep (all alerts new)", 0),
                ("steady-state sweep (no change)", 0),
                ("next-day sweep (midnight: thresholds crossed)", 1),
            ):
                started = time.perf_counter()
                summary = await engine.sweep(
                    DEFAULT,
                    today=date.today() + timedelta(days=days),
                    now=datetime.now(UTC) + timedelta(days=days),
                )
                wall = time.perf_counter() - started
                families = ", ".join(
                    f"{k} {v['seconds']:.2f} s"
                    for k, v in summary.items()
                    if isinstance(v, dict) and "seconds" in v
                )
                print(f"{name}: {wall:.2f} s wall  [{families}]  total={summary['total']}")
            alerts = await db.fetch(
                "SELECT rule, COUNT(*) AS n FROM alert GROUP BY rule ORDER BY rule"
            )
            print("alerts:", {r["rule"]: r["n"] for r in alerts})
        finally:
            await db.stop()
    finally:
        if KEEP:
            print("kept", url)
        elif SQLITE:
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        else:
            await admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    asyncio.run(main(int(numbers[0]) if numbers else 1_000_000))
