"""FEFO allocation of a 50-line pick list with 1,000,000 lots (and 10,000,000 ledger entries)
in the database, and the where-used trace of a lot on the same data: p50/p99.

Run: ``uv run python bench/stock_fefo.py [--lots N] [--ledger N] [--rounds N]``.
Goals: allocation p99 <= 20 ms; trace p99 <= 50 ms; generator >= 100,000 rows/s.
The database is created for the run and dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stock_common import generate, report_generator, summary_ms, throwaway_database


async def main(lots: int, ledger: int, rounds: int) -> None:
    async with throwaway_database("fefo") as url:
        print(f"database {url.rsplit('/', 1)[1]}: generating ...", flush=True)
        g = await generate(url, lots=lots, ledger=ledger)
        report_generator(g)

        from backend.core import db
        from backend.core.actor import SYSTEM
        from backend.settings import get_settings
        from backend.stock import picking, queries

        await db.start(get_settings())
        try:
            rng = random.Random(11)
            allocation: list[float] = []
            for n in range(rounds + 20):
                chosen = rng.sample(range(1, g.products + 1), 50)
                order = await picking.create_transfer_order(
                    SYSTEM,
                    from_warehouse=g.warehouse,
                    to_location=g.wards[n % len(g.wards)],
                    to_customer=None,
                    lines=[picking.OrderLine(p, rng.randint(1, 30)) for p in chosen],
                )
                started = time.perf_counter()
                pick = await picking.allocate_order(SYSTEM, order["id"], allow_partial=True)
                elapsed = time.perf_counter() - started
                if n >= 20:  # the first rounds warm caches and the pool
                    allocation.append(elapsed)
                if n == 0:
                    print(f"  a pick list: {len(pick['lines'])} reservations for 50 lines")
            print(
                f"FEFO allocation, 50-line pick list, {g.lots:,} lots: {summary_ms(allocation)}"
                "  (goal p99 <= 20 ms)"
            )

            hot: list[float] = []
            cold: list[float] = []
            for n in range(rounds):
                started = time.perf_counter()
                result = await queries.trace(SYSTEM, lot=rng.randint(2, g.lots))
                cold.append(time.perf_counter() - started)
                started = time.perf_counter()
                hot_result = await queries.trace(SYSTEM, lot=g.hot_lot)
                hot.append(time.perf_counter() - started)
                if n == 0:
                    print(
                        f"  trace of a random lot: {len(result['departments'])} departments; "
                        f"of the busiest lot: {len(hot_result['departments'])} departments, "
                        f"{sum(d['quantity'] for d in hot_result['departments'])} units"
                    )
            print(
                f"where-used trace, random lot, {g.ledger:,} ledger entries: "
                f"{summary_ms(cold)}  (goal p99 <= 50 ms)"
            )
            busiest = (
                await db.fetch("SELECT COUNT(*) AS n FROM stock_ledger WHERE lot = {}", g.hot_lot)
            )[0]["n"]
            print(
                f"where-used trace, busiest lot ({busiest:,} entries of its own): "
                f"{summary_ms(hot)}  (goal p99 <= 50 ms)"
            )
        finally:
            await db.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lots", type=int, default=1_000_000)
    parser.add_argument("--ledger", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.lots, args.ledger, args.rounds))
