"""Test support for the bridge: a real /ws/devices stub server, a pty scanner, config files."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import sys
import threading
import time
import tty
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from device_bridge.bridge import Bridge
from device_bridge.config import Config
from device_bridge.ports import PortOpener, SerialPort

GOOD_TOKEN = "good-token"


def _bearer(headers: Headers) -> str | None:
    value = headers.get("Authorization", "")
    return value[len("Bearer ") :] if value.startswith("Bearer ") else None


class StubServer:
    """The server side of the bridge protocol, in memory, stoppable and restartable on one port.

    Frames are recorded by id (first copy wins), the way the real server dedupes; ``order``
    keeps the ids in order of first arrival. Records survive stop/start, like a database.
    """

    def __init__(self, tokens: dict[str, str] | None = None) -> None:
        self.tokens = dict(tokens or {GOOD_TOKEN: "station-device-1"})
        self.revoked: set[str] = set()
        self.ack = True
        #: Replaces the hello, to test a server that breaks the protocol.
        self.greeting: dict[str, Any] | None = None
        self.refuse: Callable[[dict[str, Any]], tuple[str, str] | None] = lambda frame: None
        self.frames: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.deliveries = 0
        self.duplicates = 0
        self.handshakes = 0
        self.sessions = 0
        self.authorization: list[str | None] = []
        self.port = 0
        self._server: Server | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/devices"

    @property
    def raws(self) -> list[str]:
        return [self.frames[i]["raw"] for i in self.order]

    async def start(self) -> None:
        # max_queue=None: never pause reading, so a clean stop always sees the bridge's close
        # frame behind a burst of scans instead of timing out.
        self._server = await serve(
            self._session,
            "127.0.0.1",
            self.port,
            process_request=self._handshake,
            max_queue=None,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self, *, abort: bool = False) -> None:
        """Stop serving; ``abort`` drops connections without a closing handshake (a crash)."""
        assert self._server is not None
        if abort:
            for connection in list(self._server.connections):
                connection.transport.abort()
        self._server.close()
        await self._server.wait_closed()
        self._server = None

    async def wait_until(self, condition: Callable[[], bool], within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out; {len(self.order)} frames stored, {self.deliveries} deliveries"
                )
            await asyncio.sleep(0.01)

    def _handshake(self, connection: ServerConnection, request: Request) -> Response | None:
        self.handshakes += 1
        token = _bearer(request.headers)
        self.authorization.append(request.headers.get("Authorization"))
        if request.path != "/ws/devices":
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        if token not in self.tokens:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "bad device token\n")
        return None

    async def _session(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        token = _bearer(ws.request.headers)
        assert token is not None
        if token in self.revoked:
            await ws.close(4401, "device token revoked")
            return
        self.sessions += 1
        hello = {
            "type": "hello",
            "device": self.tokens[token],
            "server_time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        await ws.send(json.dumps(self.greeting or hello))
        async for message in ws:
            frame = json.loads(message)
            self.deliveries += 1
            refusal = self.refuse(frame)
            if refusal is not None:
                code, detail = refusal
                await ws.send(
                    json.dumps({"type": "nack", "id": frame["id"], "code": code, "detail": detail})
                )
                continue
            if frame["id"] in self.frames:
                self.duplicates += 1
            else:
                self.frames[frame["id"]] = frame
                self.order.append(frame["id"])
            if self.ack:
                await ws.send(json.dumps({"type": "ack", "id": frame["id"]}))


class PtyScanner:
    """A scanner on a real pseudo-terminal, reached through a stable symlink like /dev/serial/by-id.

    ``unplug`` closes the pty (the bridge's read fails as with a pulled USB cable); ``replug``
    makes a new pty behind the same symlink.
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / "ttyBRIDGE0"
        self.master = -1
        self.slave = -1
        self.replug()

    def replug(self) -> None:
        self.master, self.slave = os.openpty()
        # Raw from the start, so bytes written before the bridge opens the port are not
        # translated (CR to LF) or echoed by the line discipline.
        tty.setraw(self.slave)
        if self.path.is_symlink():
            self.path.unlink()
        self.path.symlink_to(os.ttyname(self.slave))

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self.master, view)
            view = view[written:]

    def write_in_thread(self, chunks: list[bytes]) -> threading.Thread:
        thread = threading.Thread(target=lambda: [self.write(c) for c in chunks], daemon=True)
        thread.start()
        return thread

    def unplug(self) -> None:
        os.close(self.master)
        os.close(self.slave)
        self.path.unlink()

    def close(self) -> None:
        if self.path.is_symlink():
            self.unplug()


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    raise TypeError(value)


def write_config(path: Path, settings: dict[str, Any]) -> Path:
    """Write a config file from a dict: plain keys, tables (dict) and arrays of tables (list)."""
    lines: list[str] = []
    tables: list[str] = []
    for key, value in settings.items():
        if isinstance(value, dict):
            plain = {k: v for k, v in value.items() if not isinstance(v, dict)}
            if plain:
                tables.append(f"[{key}]")
                tables += [f"{k} = {toml_value(v)}" for k, v in plain.items()]
            for sub, subvalue in value.items():
                if isinstance(subvalue, dict):
                    tables.append(f"[{key}.{sub}]")
                    tables += [f"{k} = {toml_value(v)}" for k, v in subvalue.items()]
        elif isinstance(value, list):
            for item in value:
                tables.append(f"[[{key}]]")
                tables += [f"{k} = {toml_value(v)}" for k, v in item.items()]
        else:
            lines.append(f"{key} = {toml_value(value)}")
    path.write_text("\n".join([*lines, *tables]) + "\n")
    return path


def fast_settings(
    server_url: str, queue: Path, ports: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """Settings with short backoffs, so reconnect tests take tenths of a second."""
    settings: dict[str, Any] = {
        "server_url": server_url,
        "station": "TEST-STATION",
        "token": GOOD_TOKEN,
        "queue_path": str(queue),
        "window": 64,
        "hello_timeout_s": 5.0,
        "backoff": {"initial_s": 0.05, "uplink_cap_s": 0.2, "port_cap_s": 0.2, "auth_retry_s": 0.5},
        "ports": ports,
    }
    settings.update(extra)
    return settings


@contextlib.asynccontextmanager
async def running(config: Config, opener: PortOpener = SerialPort) -> AsyncIterator[Bridge]:
    """A bridge running in this event loop; stopped cleanly on exit."""
    bridge = Bridge(config, opener=opener, rng=random.Random(7))
    stop = asyncio.Event()
    task = asyncio.create_task(bridge.run(stop))
    started = asyncio.create_task(bridge.started.wait())
    await asyncio.wait({task, started}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
    try:
        yield bridge
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


class Collector:
    """Receives what a PortReader emits, from its thread, and lets a test wait for it."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._changed = threading.Condition()

    def __call__(self, item: Any) -> None:
        with self._changed:
            self.items.append(item)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Any]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.items) >= count, timeout):
                raise AssertionError(f"got {len(self.items)} of {count} frames: {self.items}")
            return list(self.items)


class BridgeProcess:
    """``python -m device_bridge run`` as a real child process, its log lines collected."""

    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._pump: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "device_bridge",
            "--log-level",
            "DEBUG",
            "run",
            "--config",
            str(self.config_path),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            cwd=Path(__file__).parents[2],
        )
        self._pump = asyncio.create_task(self._collect())

    async def _collect(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for line in self.process.stderr:
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    async def wait_for_line(self, text: str, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while not any(text in line for line in self.lines):
            assert self.process is not None
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in bridge log:\n" + "\n".join(self.lines))
            await asyncio.sleep(0.02)

    async def signal(self, signum: int) -> int:
        assert self.process is not None and self._pump is not None
        self.process.send_signal(signum)
        code = await asyncio.wait_for(self.process.wait(), 10)
        await self._pump
        return code
