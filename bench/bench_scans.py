"""POST /api/v1/scans against a trivial endpoint, in one real server: throughput and p99.

Run: ``uv run python bench/bench_scans.py [requests_per_phase] [concurrency]`` (defaults 20000,
64). Needs ``wrk`` (Debian package ``wrk``). It makes a temporary embedded SQLite database, runs
``lotwise migrate`` and ``lotwise demo`` into it, starts ``uvicorn`` (one process) on
127.0.0.1, signs in as the demo warehouse user, and drives each endpoint with wrk on loopback
(one thread, a bounded number of requests — the Lua script stops at the count —, fixed
concurrency, after a warm-up). An async Python client cannot keep up with the trivial endpoint
on a small machine, so the ratio would only measure the client:

* ``GET /health/live``: the trivial endpoint (no I/O, no auth) — the framework's ceiling;
* ``GET /api/v1/auth/me``: an authenticated endpoint, for scale: the same authentication as
  a scan (a verified token and its actor, both cached for seconds per process), then a read
  of the user row through Piccolo;
* ``POST /api/v1/scans``: a mix of real scans of the demo catalogue — GS1 DataMatrix of each-,
  box- and case-level GTINs with lot, expiry and serial (each a new serial), EAN-13, HIBC, MA,
  location labels, and one in ten unknown GTINs. Each scan authenticates, resolves
  (packaging+product, lot, serial or location: read for every scan, one statement for the
  scans waiting) and is answered once its scan_log row is committed (group commit).

Printed: requests/s and p50/p99 latency of each, and the ratio scans/trivial (goal >= 0.3).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 10
"""Each phase runs this long, or until its request limit, whichever comes first; wrk divides
by the full duration, so the limit is set high enough not to be reached."""
GS = "\x1d"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rows(url: str, sql: str) -> list[tuple[str, ...]]:
    if url.startswith("sqlite:///"):
        con = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return [tuple(r) for r in con.execute(sql)]
        finally:
            con.close()
    import asyncpg

    async def fetch() -> list[tuple[str, ...]]:
        con = await asyncpg.connect(url)
        try:
            return [tuple(r) for r in await con.fetch(sql)]
        finally:
            await con.close()

    return asyncio.run(fetch())


def _scans(url: str, rng: random.Random, count: int) -> list[str]:
    gs1 = [r[0] for r in _rows(url, "SELECT di FROM packaging WHERE agency = 'GS1'")]
    each = [
        r[0]
        for r in _rows(
            url, "SELECT original FROM packaging WHERE level = 'each' AND agency = 'GS1'"
        )
    ]
    hibc = [r[0] for r in _rows(url, "SELECT original FROM packaging WHERE agency = 'HIBC'")]
    ma = [r[0] for r in _rows(url, "SELECT di FROM packaging WHERE agency = 'MA'")]
    locations = _rows(
        url, "SELECT w.code, l.code FROM location l JOIN warehouse w ON w.id = l.warehouse"
    )
    sys.path.insert(0, str(ROOT))
    from backend.scanning.decoding.checks import mod43_check

    out = []
    for n in range(count):
        pick = rng.random()
        if pick < 0.45:
            gtin = rng.choice(gs1)
            out.append(f"]d201{gtin}17281231" + f"10L{rng.randint(1, 30):04d}{GS}21S{n:08d}")
        elif pick < 0.55:
            out.append("]E0" + rng.choice(each))
        elif pick < 0.65 and hibc:
            primary = rng.choice(hibc)
            out.append(primary + mod43_check(primary))
        elif pick < 0.72 and ma:
            out.append(rng.choice(ma) + f".L{rng.randint(1, 99):06d}.E281231")
        elif pick < 0.9:
            wh, code = rng.choice(locations)
            out.append(f"LW:LOC:{wh}:{code}")
        else:
            out.append(f"]d20195060001{rng.randint(0, 9999):04d}" + "0")  # mostly bad check
    return out


LUA = """
wrk.method = "{method}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept-Language"] = "zh-CN"
{auth}
local bodies = {{ {bodies} }}
local limit = {limit}
local sent = 0
local done = 0
request = function()
  sent = sent + 1
  local body = nil
  if #bodies > 0 then body = bodies[(sent - 1) % #bodies + 1] end
  return wrk.format(nil, nil, nil, body)
end
response = function(status, headers, body)
  done = done + 1
  if done >= limit then wrk.thread:stop() end
end
"""


def _lua(path: Path, method: str, token: str | None, bodies: list[str], limit: int) -> None:
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    quoted = ", ".join("[==[" + json.dumps({"raw": raw}) + "]==]" for raw in bodies)
    path.write_text(
        LUA.format(method=method, auth=auth, bodies=quoted, limit=limit), encoding="utf-8"
    )


def _wrk(url: str, script: Path, concurrency: int, seconds: int) -> dict[str, float]:
    """One wrk run (one thread: the server has the other cores); stops at the script's
    request limit or after ``seconds``."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float] = {}
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("Requests/sec:"):
            result["rps"] = float(parts[1])
        elif len(parts) == 2 and parts[0] in ("50%", "99%"):
            result[parts[0]] = _ms(parts[1])
        elif "requests in" in line:
            result["requests"] = float(parts[0])
        elif line.strip().startswith("Non-2xx"):
            result["non2xx"] = float(parts[-1])
    return result


def _ms(text: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def _bench(
    base: str, token: str, scans: list[str], requests: int, concurrency: int, tmp: Path
) -> None:
    trivial_lua, scan_lua = tmp / "trivial.lua", tmp / "scans.lua"
    _lua(trivial_lua, "GET", None, [], requests)
    _lua(scan_lua, "POST", token, scans, requests)
    # Warm-up: connections, caches, SQLite pages.
    _lua(tmp / "warm.lua", "POST", token, scans[:200], 1000)
    _wrk(base + "/api/v1/scans", tmp / "warm.lua", concurrency, 3)
    _wrk(base + "/health/live", trivial_lua, concurrency, 2)
    results = {}
    me_lua = tmp / "me.lua"
    _lua(me_lua, "GET", token, [], requests)
    for name, url, script in (
        ("GET /health/live", base + "/health/live", trivial_lua),
        ("GET /api/v1/auth/me", base + "/api/v1/auth/me", me_lua),
        ("POST /api/v1/scans", base + "/api/v1/scans", scan_lua),
    ):
        r = _wrk(url, script, concurrency, SECONDS)
        results[name] = r["rps"]
        print(
            f"{name:20s} {r['rps']:8.0f} req/s   p50 {r['50%']:6.1f} ms   p99 {r['99%']:6.1f} ms"
            f"   {r['requests']:.0f} requests, non-2xx {r.get('non2xx', 0):.0f}"
        )
    ratio = results["POST /api/v1/scans"] / results["GET /health/live"]
    print(f"ratio scans/trivial: {ratio:.2f} (goal >= 0.3), concurrency {concurrency}")
    auth = results["GET /api/v1/auth/me"] / results["GET /health/live"]
    print(f"for scale: an authenticated no-op (auth/me: token + user row) / trivial: {auth:.2f}")


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    tmp = Path(tempfile.mkdtemp(prefix="lotwise-bench-"))
    db = tmp / "bench.db"
    # BENCH_DATABASE_URL: an empty PostgreSQL database instead (production's configuration).
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{db}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "LOTWISE_PWA_DIST": str(tmp / "no-pwa"),
    }
    env.pop("REDIS_URL", None)
    for command in (["lotwise", "migrate"], ["lotwise", "demo"]):
        subprocess.run(
            ["uv", "run", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    port = _free_port()
    server = subprocess.Popen(
        [
            "uv",
            "run",
            "uvicorn",
            "backend.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/health/live", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        from backend.demo.build import DEMO_PASSWORD

        login = httpx.post(
            base + "/api/v1/auth/login", json={"username": "warehouse", "password": DEMO_PASSWORD}
        )
        login.raise_for_status()
        token = login.json()["access_token"]
        scans = _scans(url, random.Random(20261121), requests)
        print(f"server: uvicorn, 1 process, {url}; at most {requests} requests per phase")
        _bench(base, token, scans, requests, concurrency, tmp)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
