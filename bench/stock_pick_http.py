"""Pick confirmation over HTTP on PostgreSQL at concurrency 32: throughput and p50/p99, printed
beside pgbench's built-in tpcb-like throughput at the same concurrency on the same server.

Run: ``uv run python bench/stock_pick_http.py [--seconds 20] [--workers 2]``. Goal: ratio >= 0.25.

The real server (uvicorn, ``backend.app:create_app``) listens on 127.0.0.1 only; the load client
is 32 tasks on loopback, each with its own keep-alive connection (a minimal HTTP/1.1 client, so
the load generator takes little of the CPU the server and PostgreSQL share), each confirming the
lines of its own pick lists (the allocated lot scanned, as on a handheld), bounded by a line
count and a time limit. pgbench runs ``-i`` into its
own throwaway database. Both databases are dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stock_common import (  # noqa: E402
    ADMIN_URL,
    cpu_seconds,
    cpu_spent,
    percentile,
    throwaway_database,
)

PRODUCTS = 6_400
LOT_UNITS = 1_000_000


async def seed(url: str) -> tuple[int, int, list[int]]:
    """A warehouse, 6,400 products with 3 released lots each (a million units per lot) in
    storage, ledger and balances consistent. Returns (warehouse, ward location, product ids)."""
    conn = await asyncpg.connect(url)
    try:
        wid = await conn.fetchval(
            "INSERT INTO warehouse (code, name, active, created_at) VALUES ('WH-1', 'W', true, "
            "now()) RETURNING id"
        )
        await conn.execute(
            "INSERT INTO location (warehouse, code, kind, active, created_at) VALUES "
            "($1, 'RCV', 'receiving', true, now()), ($1, 'TRN', 'in_transit', true, now())",
            wid,
        )
        await conn.execute(
            "INSERT INTO location (warehouse, code, kind, active, created_at) "
            "SELECT $1, 'S-' || g, 'storage', true, now() FROM generate_series(1, 100) g",
            wid,
        )
        dep = await conn.fetchval(
            "INSERT INTO department (code, name, warehouse, budget_enforcement, active, "
            "created_at) VALUES ('D1', '科室', $1, 'warn', true, now()) RETURNING id",
            wid,
        )
        ward = await conn.fetchval(
            "INSERT INTO location (warehouse, code, kind, department, active, created_at) "
            "VALUES ($1, 'POU-1', 'point_of_use', $2, true, now()) RETURNING id",
            wid,
            dep,
        )
        await conn.execute(
            "INSERT INTO product (code, name, model, category, risk_class, tracking, base_unit, "
            "shelf_life_days, min_remaining_shelf_life_days, cold_chain, implant, allocation, "
            "unit_cost, active, created_at) SELECT 'P' || g, '器械' || g, 'M', 'syringe', 'II', "
            "'lot', 'each', 1460, 0, false, false, 'fefo', 100, true, now() "
            "FROM generate_series(1, $1) g",
            PRODUCTS,
        )
        await conn.execute(
            "INSERT INTO lot (product, lot_number, expiry, status, first_received_at, created_at) "
            "SELECT p.id, 'L' || p.id || '-' || k, current_date + 300 + k * 100, 'released', "
            "now() - (k || ' days')::interval, now() FROM product p, generate_series(1, 3) k"
        )
        await conn.execute(
            "INSERT INTO lot_status_event (lot, old_status, new_status, at, actor_name) "
            "SELECT id, 'pending_inspection', 'released', first_received_at, 'bench' FROM lot"
        )
        await conn.execute(
            "INSERT INTO stock_ledger (at, product, lot, location, quantity, reason, "
            "document_type, actor_name) SELECT l.first_received_at, l.product, l.id, "
            "(SELECT MIN(id) FROM location WHERE kind = 'storage') + l.id % 100, $1, 31, "
            "'bench', 'bench' FROM lot l",
            LOT_UNITS,
        )
        await conn.execute(
            "INSERT INTO stock_balance (location, lot, product, expiry, received_at, on_hand, "
            "reserved) SELECT e.location, e.lot, l.product, l.expiry, l.first_received_at, "
            "e.quantity, 0 FROM stock_ledger e JOIN lot l ON l.id = e.lot"
        )
        await conn.execute("ANALYZE")
        products = [r["id"] for r in await conn.fetch("SELECT id FROM product ORDER BY id")]
        return wid, ward, products
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_healthy(base: str, process: subprocess.Popen[bytes], limit: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + limit
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("the server exited while starting")
            try:
                if (await client.get(base + "/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError("the server did not become healthy")


class Connection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: the load generator shares the
    machine with the server, and httpx spent about half a core of two on itself per 150
    requests/s; this one sends the same requests and reads every response in full."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(
            (
                f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.head}"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
        if "content-length" not in fields:
            raise RuntimeError(f"no Content-Length in the answer: {head!r}")
        data = await self.reader.readexactly(int(fields["content-length"]))
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
            self.reader = self.writer = None


async def load(
    base: str, token: str, work: list[list[tuple[int, int, int, int]]], seconds: float
) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + seconds
    host, port = base.removeprefix("http://").split(":")
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}

    async def picker(lines: list[tuple[int, int, int, int]]) -> None:
        connection = Connection(host, int(port), headers)
        try:
            for pick_list, line, lot, quantity in lines:
                if time.monotonic() > deadline:
                    return
                started = time.perf_counter()
                status, answer = await connection.post(
                    f"/api/v1/pick-lists/{pick_list}/lines/{line}/confirm",
                    json.dumps({"lot": lot, "quantity": quantity}).encode(),
                )
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
                if status != 200 and statuses[status] == 1:
                    print(f"  first {status}: {answer[:300]!r}")
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*[picker(lines) for lines in work])
    elapsed = time.perf_counter() - started
    return latencies, statuses, elapsed


def pgbench(clients: int, seconds: int, scale: int) -> float:
    name = f"lotwise_bench_{os.getpid()}_pgbench"
    host, user = "127.0.0.1", "postgres"
    m = re.match(r"postgres(?:ql)?://(?P<user>[^@/]+)@(?P<host>[^:/]+):?(?P<port>\d*)/", ADMIN_URL)
    port = "5432"
    if m:
        host, user, port = m["host"], m["user"], m["port"] or "5432"
    common = ["-h", host, "-p", port, "-U", user]
    subprocess.run(["createdb", *common, name], check=True)
    try:
        subprocess.run(
            ["pgbench", *common, "-i", "-q", "-s", str(scale), name],
            check=True,
            capture_output=True,
        )
        out = subprocess.run(
            ["pgbench", *common, "-c", str(clients), "-j", "2", "-T", str(seconds), name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
        if tps is None:
            tps = re.search(r"tps = ([\d.]+)", out)
        assert tps is not None, out
        return float(tps.group(1))
    finally:
        subprocess.run(["dropdb", *common, "--if-exists", "--force", name], check=False)


async def main(args: argparse.Namespace) -> None:
    async with throwaway_database("pick") as url:
        warehouse, ward, products = await seed(url)

        from backend.app import jwt_auth
        from backend.auth import service as auth
        from backend.core import db
        from backend.core.actor import SYSTEM
        from backend.settings import get_settings
        from backend.stock import picking

        await db.start(get_settings())
        try:
            user = await auth.create_user(
                SYSTEM,
                username="picker",
                full_name="拣货员",
                password="bench-password-123",
                roles=["warehouse"],
                warehouse_ids=[warehouse],
            )
            work: list[list[tuple[int, int, int, int]]] = [[] for _ in range(args.clients)]
            for n in range(args.lists):
                # Each list its own products (pickers in different aisles); --shared makes every
                # list ask for the same ones, the worst case: all pickers on the same lots.
                start = 0 if args.shared else (n * args.lines) % len(products)
                chosen = products[start:] + products
                order = await picking.create_transfer_order(
                    SYSTEM,
                    from_warehouse=warehouse,
                    to_location=ward,
                    to_customer=None,
                    lines=[picking.OrderLine(p, 1 + (p + n) % 3) for p in chosen[: args.lines]],
                )
                pick = await picking.allocate_order(SYSTEM, order["id"])
                work[n % args.clients] += [
                    (pick["id"], x["id"], x["lot"], x["quantity"]) for x in pick["lines"]
                ]
        finally:
            await db.stop()
        total_lines = sum(len(w) for w in work)
        token = jwt_auth.create_token(
            identifier=str(user.id),
            token_expiration=timedelta(hours=2),
            token_unique_jwt_id=uuid.uuid4().hex,
        )
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "LOTWISE_PG_POOL_MAX": str(args.pool)}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "backend.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            await wait_healthy(base, server)
            before = cpu_seconds(server.pid)
            latencies, statuses, elapsed = await load(base, token, work, args.seconds)
            spent = cpu_spent(before, cpu_seconds(server.pid))
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        done = statuses.get(200, 0)
        rate = done / elapsed
        ms = [x * 1000 for x in latencies]
        print(
            f"pick confirmation over HTTP, concurrency {args.clients}, {args.workers} server "
            f"process(es): {done:,} of {total_lines:,} lines in {elapsed:.1f} s = "
            f"{rate:,.0f} confirmations/s; p50 {percentile(ms, 50):.1f} ms, "
            f"p99 {percentile(ms, 99):.1f} ms; statuses {statuses}"
        )
        # Where the machine's CPU went while the load ran.
        top = sorted(spent.items(), key=lambda kv: -kv[1])
        print(
            "CPU per confirmation: "
            + ", ".join(f"{name} {1000 * sec / max(done, 1):.2f} ms" for name, sec in top)
            + f" (of {2 * elapsed:.0f} CPU s on 2 cores, {sum(spent.values()):.0f} used)"
        )
    tps = pgbench(args.clients, args.pgbench_seconds, args.scale)
    print(
        f"pgbench tpcb-like, {args.clients} clients, scale {args.scale}, same server: "
        f"{tps:,.0f} tps"
    )
    print(f"ratio: {rate / tps:.2f} of pgbench (goal >= 0.25)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--lists", type=int, default=64)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", type=int, default=20)
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    parser.add_argument("--scale", type=int, default=32)
    parser.add_argument("--shared", action="store_true", help="every list on the same lots")
    asyncio.run(main(parser.parse_args()))
