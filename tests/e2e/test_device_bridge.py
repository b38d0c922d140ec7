"""A real device bridge on a real pseudo-terminal, forwarding to the real server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tty
from pathlib import Path

from backend.auth.rules import Role
from backend.devices.tables import DeviceFrame
from tests.e2e.conftest import LiveServer
from tests.support import make_user

SCANS = 10_000


def bridge_config(tmp: Path, server: LiveServer, port_path: str) -> Path:
    config = tmp / "bridge.toml"
    config.write_text(
        f'server_url = "{server.ws_url}/ws/devices"\n'
        'station = "WH-C-RECEIVING-1"\n'
        f'queue_path = "{tmp / "queue.sqlite3"}"\n'
        "window = 256\n"
        "hello_timeout_s = 5.0\n"
        "[backoff]\ninitial_s = 0.1\nuplink_cap_s = 0.5\nport_cap_s = 0.5\nauth_retry_s = 1.0\n"
        '[profiles.tilde]\ngs_standin = "~"\n'
        "[[ports]]\n"
        f'name = "bench-scanner"\nurl = "{port_path}"\nterminator = "CR"\nprofile = "tilde"\n'
    )
    return config


async def wait_for(predicate, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.2)


async def test_ten_thousand_scans_arrive_exactly_once_across_two_server_restarts(
    live_server: LiveServer, tmp_path: Path
) -> None:
    import httpx

    admin = await make_user("admin", [Role.admin.value])
    async with httpx.AsyncClient(base_url=live_server.url, headers=admin.headers) as http:
        created = await http.post("/api/v1/devices", json={"name": "receiving bench 1"})
        assert created.status_code == 201, created.text
        token = created.json()["token"]

    master, slave = os.openpty()
    tty.setraw(slave)
    config = bridge_config(tmp_path, live_server, os.ttyname(slave))
    bridge = subprocess.Popen(
        [sys.executable, "-m", "device_bridge", "run", "--config", str(config)],
        env={**os.environ, "LOTWISE_DEVICE_TOKEN": token},
        stdout=(tmp_path / "bridge.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        await asyncio.sleep(1.0)  # the bridge opens the port
        payloads = [
            f"]d20106971234000019~10LOT{n:05d}~21SN{n:06d}\r".encode() for n in range(SCANS)
        ]

        def write(chunk: list[bytes]) -> None:
            for data in chunk:
                os.write(master, data)

        third = SCANS // 3
        await asyncio.to_thread(write, payloads[:third])
        live_server.restart()  # first restart, mid-stream
        await asyncio.to_thread(write, payloads[third : 2 * third])
        live_server.stop()  # server away while scans keep coming
        await asyncio.to_thread(write, payloads[2 * third :])
        await asyncio.sleep(0.5)
        live_server.start()  # second restart

        async def all_arrived() -> bool:
            return await DeviceFrame.count() >= SCANS

        await wait_for(all_arrived, timeout=240)
        await asyncio.sleep(1.0)  # anything extra would show up now
    finally:
        bridge.terminate()
        bridge.wait(timeout=15)
        os.close(master)
        os.close(slave)

    rows = (
        await DeviceFrame.select(DeviceFrame.payload)
        .order_by(DeviceFrame.id)
        .output(load_json=True)
    )
    raws = [r["payload"]["raw"] for r in rows]
    assert len(raws) == SCANS, "every scan stored exactly once"
    assert raws == [p.decode()[:-1].replace("~", "\x1d") for p in payloads], "in capture order"
