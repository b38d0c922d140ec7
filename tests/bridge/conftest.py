"""Fixtures for the device bridge tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bridge_support import PtyScanner, StubServer, fast_settings, write_config

from device_bridge.config import Config, load_config


@pytest.fixture
async def server() -> AsyncIterator[StubServer]:
    stub = StubServer()
    await stub.start()
    yield stub
    with contextlib.suppress(AssertionError):
        await stub.stop()


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[PtyScanner]:
    scanner = PtyScanner(tmp_path)
    yield scanner
    scanner.close()


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    """Write a config file with short backoffs and load it the way `run` does."""

    def make(server_url: str, ports: list[dict[str, Any]], **extra: Any) -> Config:
        settings = fast_settings(server_url, tmp_path / "queue.sqlite3", ports, **extra)
        return load_config(write_config(tmp_path / "bridge.toml", settings), environ={})

    return make
