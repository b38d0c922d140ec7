"""The bridge end to end against a real WebSocket server speaking the /ws/devices protocol."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest
from bridge_support import GOOD_TOKEN, PtyScanner, StubServer, running

from device_bridge.config import Config, PortConfig
from device_bridge.framing import GS
from device_bridge.ports import FakePort
from device_bridge.store import FrameStore

MakeConfig = Callable[..., Config]
SCANNER = {"name": "dock", "url": "fake://dock", "terminator": "CR"}


def fake_opener(port: FakePort) -> Callable[[PortConfig], FakePort]:
    return lambda config: port


def queue_depth(config: Config) -> int:
    store = FrameStore(config.queue_path, create=False)
    try:
        return store.stats().depth
    finally:
        store.close()


async def test_scans_and_readings_arrive_as_the_protocol_says(
    server: StubServer, pty: PtyScanner, make_config: MakeConfig
) -> None:
    config = make_config(
        server.url,
        [
            {"name": "dock", "url": str(pty.path), "terminator": "CRLF", "profile": "tilde"},
            {"name": "fridge", "url": "fake://fridge", "kind": "logger", "terminator": "LF"},
        ],
        profiles={"tilde": {"gs_standin": "~"}},
    )
    fridge = FakePort("fridge")

    def opener(port: PortConfig) -> Any:
        from device_bridge.ports import SerialPort

        return fridge if port.name == "fridge" else SerialPort(port)

    async with running(config, opener) as bridge:
        await server.wait_until(lambda: bridge.readers[0].opened == 1)
        pty.write(b"]d20104012345678903~10A B\r\n")
        fridge.feed(b"ID=FRIDGE-03;T=4.6;H=55.2\nID=FRIDGE-03;T=warm\n")
        await server.wait_until(lambda: len(server.order) == 3)
        await server.wait_until(lambda: queue_depth(config) == 0)
    frames = [server.frames[i] for i in server.order]
    scan = next(f for f in frames if f["type"] == "scan")
    assert set(scan) == {"type", "id", "station", "port", "profile", "raw", "captured_at"}
    assert scan["raw"] == f"]d20104012345678903{GS}10A B"
    assert (scan["station"], scan["port"], scan["profile"]) == ("TEST-STATION", "dock", "tilde")
    assert scan["captured_at"].endswith("Z")
    reading = next(f for f in frames if f["type"] == "reading")
    assert {k: v for k, v in reading.items() if k not in ("id", "captured_at")} == {
        "type": "reading",
        "station": "TEST-STATION",
        "sensor": "FRIDGE-03",
        "temperature_c": 4.6,
        "humidity_pct": 55.2,
    }
    error = next(f for f in frames if f["type"] == "reading_error")
    assert (error["port"], error["raw"]) == ("fridge", "ID=FRIDGE-03;T=warm")
    assert "T='warm'" in error["error"]
    assert server.authorization[-1] == f"Bearer {GOOD_TOKEN}"


async def test_no_more_than_the_window_is_in_flight_and_a_reconnect_resends_the_rest(
    server: StubServer, make_config: MakeConfig
) -> None:
    config = make_config(server.url, [SCANNER], window=8)
    port = FakePort()
    server.ack = False
    async with running(config, fake_opener(port)) as bridge:
        port.feed(b"".join(f"S{i:03}\r".encode() for i in range(50)))
        await server.wait_until(lambda: server.deliveries == 8)
        await asyncio.sleep(0.2)
        assert server.deliveries == 8  # the window is full: nothing more until acks come
        server.ack = True
        await server.stop(abort=True)
        await server.start()
        await server.wait_until(lambda: len(server.order) == 50)
        await server.wait_until(lambda: queue_depth(config) == 0)
        assert bridge.uplink is not None
        assert bridge.uplink.stats.max_in_flight == 8
    assert server.raws == [f"S{i:03}" for i in range(50)]
    assert server.duplicates == 8  # the unacked window was sent again, with the same ids


async def test_a_refused_frame_goes_to_the_dead_letters_and_is_not_retried(
    server: StubServer, make_config: MakeConfig
) -> None:
    config = make_config(server.url, [SCANNER])
    port = FakePort()
    server.refuse = lambda f: ("SCAN_TOO_LONG", "raw exceeds 4096") if f["raw"] == "BAD" else None
    async with running(config, fake_opener(port)):
        port.feed(b"GOOD-1\rBAD\rGOOD-2\r")
        await server.wait_until(lambda: len(server.order) == 2 and queue_depth(config) == 0)
        await server.stop()
        await server.start()
        await asyncio.sleep(0.3)
    assert server.raws == ["GOOD-1", "GOOD-2"]
    assert server.deliveries == 3  # BAD was sent once and never again
    store = FrameStore(config.queue_path, create=False)
    (letter,) = store.dead_letters()
    store.close()
    assert (letter.code, letter.detail) == ("SCAN_TOO_LONG", "raw exceeds 4096")


@pytest.mark.parametrize("how", ["http-401", "close-4401"])
async def test_a_refused_token_is_logged_and_retried_slowly(
    server: StubServer, make_config: MakeConfig, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    config = make_config(server.url, [SCANNER])
    port = FakePort()
    if how == "http-401":
        server.tokens = {"another-token": "other-device"}
    else:
        server.revoked.add(GOOD_TOKEN)
    with caplog.at_level(logging.ERROR, logger="device_bridge.uplink"):
        async with running(config, fake_opener(port)) as bridge:
            port.feed(b"KEPT\r")
            await asyncio.sleep(0.7)
            # auth_retry_s is 0.5: one more try, not the 0.05 s backoff of a network failure.
            assert 1 <= server.handshakes <= 3
            assert bridge.uplink is not None
            assert bridge.uplink.stats.auth_rejections >= 1
            server.tokens[GOOD_TOKEN] = "station-device-1"
            server.revoked.clear()
            await server.wait_until(lambda: server.raws == ["KEPT"])
    assert any("refused this bridge's device token" in r.getMessage() for r in caplog.records)


async def test_a_dropped_connection_is_noticed_while_idle_and_redialled(
    server: StubServer, make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(server.url, [SCANNER])
    port = FakePort()
    async with running(config, fake_opener(port)) as bridge:
        assert bridge.uplink is not None
        uplink = bridge.uplink
        await asyncio.wait_for(uplink.connected.wait(), 5)
        with caplog.at_level(logging.WARNING, logger="device_bridge.uplink"):
            await server.stop(abort=True)
            await server.wait_until(lambda: not uplink.connected.is_set())
            port.feed(b"WHILE-DOWN-1\rWHILE-DOWN-2\r")
            await asyncio.sleep(0.5)  # several failed attempts, spaced by the backoff
        await server.start()
        await server.wait_until(lambda: server.raws == ["WHILE-DOWN-1", "WHILE-DOWN-2"])
        assert uplink.stats.connects == 2
    retries = [r for r in caplog.records if "reconnecting in" in r.getMessage()]
    # 0.5 s of outage with delays from 0.025 s growing to a cap of 0.2 s: a handful, not hundreds.
    assert 2 <= len(retries) <= 12


async def test_frames_captured_while_the_server_is_away_wait_in_the_queue(
    server: StubServer, make_config: MakeConfig
) -> None:
    await server.stop()
    config = make_config(server.url, [SCANNER])
    port = FakePort()
    async with running(config, fake_opener(port)):
        port.feed(b"Q1\rQ2\rQ3\r")
        await asyncio.sleep(0.3)
    assert queue_depth(config) == 3  # stopped cleanly, nothing sent, nothing lost
    await server.start()
    async with running(config, fake_opener(FakePort())):
        await server.wait_until(lambda: server.raws == ["Q1", "Q2", "Q3"])
        await server.wait_until(lambda: queue_depth(config) == 0)


async def test_a_server_that_stops_acking_is_redialled_after_the_ack_timeout(
    server: StubServer, make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(server.url, [SCANNER], ack_timeout_s=0.3)
    port = FakePort()
    server.ack = False
    with caplog.at_level(logging.WARNING, logger="device_bridge.uplink"):
        async with running(config, fake_opener(port)):
            port.feed(b"STUCK\r")
            await server.wait_until(lambda: server.deliveries == 1)
            server.ack = True
            await server.wait_until(lambda: queue_depth(config) == 0, within=5)
    assert server.raws == ["STUCK"]
    assert server.deliveries == 2
    assert any("no ack for 0.3 s" in r.getMessage() for r in caplog.records)


async def test_a_server_that_does_not_say_hello_first_is_not_trusted(
    server: StubServer, make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(server.url, [SCANNER])
    port = FakePort()
    server.greeting = {"type": "ack", "id": "x"}
    with caplog.at_level(logging.WARNING, logger="device_bridge.uplink"):
        async with running(config, fake_opener(port)):
            port.feed(b"WAIT-FOR-HELLO\r")
            await asyncio.sleep(0.3)
            assert server.deliveries == 0
            server.greeting = None
            await server.wait_until(lambda: server.raws == ["WAIT-FOR-HELLO"])
    assert any("expected hello first, got ack" in r.getMessage() for r in caplog.records)
