"""A bridge killed between writing frames and getting their acks loses and repeats nothing."""

from __future__ import annotations

import signal
from pathlib import Path

from bridge_support import BridgeProcess, PtyScanner, StubServer, fast_settings, write_config

from device_bridge.store import FrameStore


def queued_ids(path: Path) -> list[str]:
    store = FrameStore(path, create=False)
    try:
        return [p.id for p in store.fetch_after(0, 10_000)]
    finally:
        store.close()


async def test_a_killed_bridge_resends_its_unacked_frames_with_the_same_ids(
    server: StubServer, pty: PtyScanner, tmp_path: Path
) -> None:
    queue = tmp_path / "queue.sqlite3"
    ports = [{"name": "dock", "url": str(pty.path), "terminator": "CR"}]
    config_path = write_config(tmp_path / "bridge.toml", fast_settings(server.url, queue, ports))
    server.ack = False  # the server stores but never acks: every frame stays in flight

    first = BridgeProcess(config_path)
    await first.start()
    await first.wait_for_line("port dock: open")
    pty.write(b"".join(f"CRASH-{i:02}\r".encode() for i in range(20)))
    await server.wait_until(lambda: server.deliveries == 20)
    assert await first.signal(signal.SIGKILL) == -signal.SIGKILL

    sent_before_crash = list(server.order)
    assert queued_ids(queue) == sent_before_crash  # all 20 still queued, in capture order

    server.ack = True
    second = BridgeProcess(config_path)
    await second.start()
    await second.wait_for_line("port dock: open")
    await server.wait_until(lambda: server.deliveries == 40)
    pty.write(b"AFTER-RESTART\r")
    await server.wait_until(lambda: len(server.order) == 21)
    await server.wait_until(lambda: queued_ids(queue) == [])
    assert await second.signal(signal.SIGTERM) == 0

    assert server.order[:20] == sent_before_crash  # the same ids, resent in capture order
    assert server.duplicates == 20  # each resent exactly once; the server's dedupe absorbed it
    assert server.raws == [f"CRASH-{i:02}" for i in range(20)] + ["AFTER-RESTART"]
    assert any("bridge: stopped; 0 frame(s) wait in the queue" in line for line in second.lines)
