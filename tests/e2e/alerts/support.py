"""Helpers for alert end-to-end tests: a /ws client that collects events, a throwaway Redis on
its own port (never the machine's shared one), a `lotwise worker` subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.e2e.conftest import ROOT

LOTWISE = str(Path(sys.executable).parent / "lotwise")


@dataclass
class Listener:
    """A signed-in /ws client: every event it receives, by topic."""

    socket: ClientConnection
    received: list[dict[str, Any]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    def of(self, topic: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("topic") == topic]

    async def wait_for(self, topic: str, timeout: float = 15.0, **match: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.of(topic):
                if all(m["data"].get(k) == v for k, v in match.items()):
                    return m
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {topic} {match} within {timeout} s: {self.received[-5:]}")


@contextlib.asynccontextmanager
async def listening(ws_url: str, token: str) -> AsyncIterator[Listener]:
    async with connect(f"{ws_url}/ws?token={token}") as socket:
        listener = Listener(socket)
        hello = json.loads(await socket.recv())
        assert hello["topic"] == "hello"

        async def read() -> None:
            with contextlib.suppress(Exception):
                async for raw in socket:
                    listener.received.append(json.loads(raw))

        listener.task = asyncio.create_task(read())
        try:
            yield listener
        finally:
            listener.task.cancel()


def bearer(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


@dataclass
class ThrowawayRedis:
    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("throwaway redis did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def throwaway_redis(tmp_path: Path, port: int = 6390) -> ThrowawayRedis:
    if shutil.which("redis-server") is None:
        # Locally a missing server skips; in CI it is a missing install step, so it fails.
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true and redis-server is not installed")
        pytest.skip("redis-server is not installed")
    return ThrowawayRedis(port, tmp_path)


@dataclass
class Worker:
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [LOTWISE, "worker"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up, as when a machine dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def env_with(**values: str) -> dict[str, str]:
    return {**os.environ, "LOTWISE_LOGIN_RATE_PER_MINUTE": "1000", **values}
