"""Soak: 10,000 scans through a pty with two server outages; each arrives once, in order."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from bridge_support import PtyScanner, StubServer, running

from device_bridge.config import Config
from device_bridge.store import FrameStore

SCANS = 10_000


def queue_depth(config: Config) -> int:
    store = FrameStore(config.queue_path, create=False)
    try:
        return store.stats().depth
    finally:
        store.close()


async def test_ten_thousand_scans_survive_two_server_restarts_exactly_once_in_order(
    server: StubServer,
    pty: PtyScanner,
    make_config: Callable[..., Config],
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = make_config(server.url, [{"name": "dock", "url": str(pty.path), "terminator": "CRLF"}])
    expected = [f"]d201040123456789{n:05}10LOT{n % 97}\x1d21SN {n:05}" for n in range(SCANS)]
    began = time.monotonic()
    async with running(config) as bridge:
        await server.wait_until(lambda: bridge.readers[0].opened == 1)
        writer = pty.write_in_thread([f"{raw}\r\n".encode() for raw in expected])

        await server.wait_until(lambda: len(server.order) >= 3_000, within=30)
        # A crash after storing a full window but before acking it: those 64 must come again
        # with the same ids, and the dedupe must be all that keeps them from counting twice.
        server.ack = False
        delivered = server.deliveries
        await server.wait_until(lambda: server.deliveries >= delivered + 64)
        await server.stop(abort=True)
        server.ack = True
        first_outage = len(server.order)
        await server.start()

        await server.wait_until(lambda: len(server.order) >= 6_500, within=30)
        await server.stop()  # a clean shutdown: close frames, then gone
        second_outage = len(server.order)
        await server.start()

        await server.wait_until(lambda: len(server.order) == SCANS, within=30)
        writer.join(5)
        await server.wait_until(lambda: queue_depth(config) == 0)
        assert bridge.uplink is not None
        stats = bridge.uplink.stats
    elapsed = time.monotonic() - began

    assert server.raws == expected  # every scan, exactly once, in capture order
    assert len(set(server.order)) == SCANS
    captured = [server.frames[i]["captured_at"] for i in server.order]
    assert captured == sorted(captured)
    assert queue_depth(config) == 0
    assert stats.connects == 3
    assert server.duplicates >= 64
    with capsys.disabled():
        print(
            f"\nsoak: {SCANS} scans in {elapsed:.1f} s, server restarted twice "
            f"(after {first_outage} and {second_outage} stored), {stats.connects} connections, "
            f"{server.deliveries} deliveries ({server.duplicates} resends absorbed by dedupe), "
            f"max in flight {stats.max_in_flight}"
        )
