"""Reading real serial devices (pseudo-terminals, loop://, socket://) and reopening lost ones."""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from pathlib import Path

import pytest
from bridge_support import Collector, PtyScanner

from device_bridge.backoff import Backoff
from device_bridge.config import PortConfig, ProfileConfig
from device_bridge.errors import PortLost, PortUnavailable
from device_bridge.frames import ScanFrame
from device_bridge.framing import GS
from device_bridge.ports import FakePort, PortReader, SerialPort

GS1 = f"]d2010401234567890310LOT 1{GS}17271231"


def reader(port: PortConfig, sink: Collector, opener=SerialPort, profile=None) -> PortReader:
    return PortReader(port, profile, "ST", sink, Backoff(0.02, 0.1, rng=random.Random(3)), opener)


def started(r: PortReader, opened: int = 1) -> PortReader:
    """Start (if needed) and wait until the port is open: pyserial flushes input on open."""
    if not r.is_alive():
        r.start()
    deadline = time.monotonic() + 5
    while r.opened < opened:
        assert time.monotonic() < deadline, "port did not open"
        time.sleep(0.005)
    return r


def raws(items: list[ScanFrame]) -> list[str]:
    return [item.raw for item in items]


def test_a_scanner_on_a_pseudo_terminal_is_read_frame_by_frame(pty: PtyScanner) -> None:
    sink = Collector()
    port = PortConfig(name="dock", url=str(pty.path), terminator="CRLF", baud=115200)
    r = started(reader(port, sink))
    try:
        pty.write(f"{GS1}\r\n +H123ABC01234561/$$3231231BC34567/S4012 \r\n".encode())
        pty.write(b"SPLIT-")
        pty.write(b"ACROSS-WRITES\r\n")
        items = sink.wait_for(3)
    finally:
        r.stop()
        r.join()
    assert raws(items) == [GS1, " +H123ABC01234561/$$3231231BC34567/S4012 ", "SPLIT-ACROSS-WRITES"]
    assert all(item.port == "dock" and item.station == "ST" for item in items)
    assert len({item.id for item in items}) == 3
    assert [item.captured_at for item in items] == sorted(item.captured_at for item in items)


def test_a_gs_standin_profile_is_restored_on_a_real_port(pty: PtyScanner) -> None:
    sink = Collector()
    port = PortConfig(name="dock", url=str(pty.path), profile="angle")
    r = started(reader(port, sink, profile=ProfileConfig(gs_standin="<GS>")))
    try:
        pty.write(GS1.replace(GS, "<GS>").encode() + b"\r")
        (item,) = sink.wait_for(1)
    finally:
        r.stop()
        r.join()
    assert (item.raw, item.profile) == (GS1, "angle")


def test_a_loop_url_port_with_framing_settings(pty: PtyScanner) -> None:
    opened: list[SerialPort] = []

    def opener(config: PortConfig) -> SerialPort:
        opened.append(SerialPort(config))
        return opened[-1]

    sink = Collector()
    port = PortConfig(
        name="loop",
        url="loop://",
        bytesize=7,
        parity="E",
        stopbits=2,
        baud=4800,
        terminator="hex:03",
    )
    r = started(reader(port, sink, opener=opener))
    try:
        opened[0].serial.write(b"ONE\x03TWO\x03")
        items = sink.wait_for(2)
    finally:
        r.stop()
        r.join()
    assert raws(items) == ["ONE", "TWO"]
    settings = opened[0].serial
    assert (settings.bytesize, settings.parity, settings.stopbits, settings.baudrate) == (
        7,
        "E",
        2,
        4800,
    )


def test_a_socket_url_port_is_read_like_a_serial_line() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    host, port_number = listener.getsockname()

    sink = Collector()
    r = reader(PortConfig(name="net", url=f"socket://{host}:{port_number}"), sink)

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            started(r)
            connection.sendall(b"NET-1\rNET-2\r")
            threading.Event().wait(0.5)

    threading.Thread(target=serve, daemon=True).start()
    r.start()
    try:
        items = sink.wait_for(2)
    finally:
        r.stop()
        r.join()
        listener.close()
    assert raws(items) == ["NET-1", "NET-2"]


def test_an_unplugged_scanner_is_reopened_with_backoff(
    pty: PtyScanner, caplog: pytest.LogCaptureFixture
) -> None:
    sink = Collector()
    r = started(reader(PortConfig(name="dock", url=str(pty.path)), sink))
    try:
        pty.write(b"BEFORE\r")
        sink.wait_for(1)
        with caplog.at_level(logging.WARNING, logger="device_bridge.ports"):
            pty.write(b"HALF-A-SC")
            threading.Event().wait(0.2)  # the bridge has read the partial frame
            pty.unplug()
            threading.Event().wait(0.3)  # a few failed reopen attempts
            pty.replug()
            started(r, opened=2)
            pty.write(b"AFTER\r")
            items = sink.wait_for(2)
    finally:
        r.stop()
        r.join()
    assert raws(items) == ["BEFORE", "AFTER"]
    assert r.opened == 2
    messages = [record.getMessage() for record in caplog.records]
    assert any("reopening in" in m for m in messages)
    assert any("HALF-A-SC" in m for m in messages)  # dropped, but said so


def test_a_port_that_is_not_there_yet_is_retried_until_it_appears(tmp_path: Path) -> None:
    sink = Collector()
    pty_path = tmp_path / "ttyBRIDGE0"
    r = reader(PortConfig(name="late", url=str(pty_path)), sink)
    r.start()
    try:
        threading.Event().wait(0.3)
        assert r.opened == 0
        scanner = PtyScanner(tmp_path)
        started(r)
        scanner.write(b"LATE\r")
        items = sink.wait_for(1)
    finally:
        r.stop()
        r.join()
        scanner.close()
    assert raws(items) == ["LATE"]


def test_a_lost_fake_port_is_closed_and_opened_again() -> None:
    ports = [FakePort("f"), FakePort("f")]
    remaining = list(ports)

    def opener(config: PortConfig) -> FakePort:
        if not remaining:
            raise PortUnavailable(config.name, "no more fakes")
        return remaining.pop(0)

    sink = Collector()
    r = reader(PortConfig(name="f", url="fake://"), sink, opener=opener)
    ports[0].feed(b"A\r")
    ports[0].lose()
    ports[1].feed(b"B\r")
    r.start()
    try:
        items = sink.wait_for(2)
    finally:
        r.stop()
        r.join()
    assert raws(items) == ["A", "B"]
    assert ports[0].closed


def test_pyserial_errors_become_port_errors(tmp_path: Path) -> None:
    with pytest.raises(PortUnavailable, match="dock"):
        SerialPort(PortConfig(name="dock", url=str(tmp_path / "no-such-tty")))
    with pytest.raises(PortUnavailable):
        SerialPort(PortConfig(name="dock", url="nosuchscheme://x"))
    fake = FakePort()
    fake.lose()
    with pytest.raises(PortLost):
        fake.read_available()


def test_a_port_another_program_holds_is_not_shared(pty: PtyScanner) -> None:
    holder = SerialPort(PortConfig(name="first", url=str(pty.path)))
    try:
        with pytest.raises(PortUnavailable, match="lock"):
            SerialPort(PortConfig(name="second", url=str(pty.path)))
    finally:
        holder.close()
