"""The ``python -m device_bridge`` command line."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bridge_support import StubServer, fast_settings, write_config
from click.testing import CliRunner

from device_bridge.cli import main
from device_bridge.frames import ScanFrame, new_frame_id
from device_bridge.store import FrameStore

ROOT = Path(__file__).parents[2]


def config_for(tmp_path: Path, server_url: str = "ws://127.0.0.1:9/ws/devices") -> Path:
    settings = fast_settings(server_url, tmp_path / "queue.sqlite3", [])
    return write_config(tmp_path / "bridge.toml", settings)


async def cli(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "device_bridge",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=ROOT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, output.decode()


def test_help_names_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "status", "check", "send-test", "LOTWISE_DEVICE_TOKEN"):
        assert command in result.output
    run_help = CliRunner().invoke(main, ["run", "--help"])
    assert "--config" in run_help.output


def test_status_shows_depth_and_dead_letters(tmp_path: Path) -> None:
    path = config_for(tmp_path)
    empty = CliRunner().invoke(main, ["status", "--config", str(path)])
    assert "not created yet" in empty.output
    store = FrameStore(tmp_path / "queue.sqlite3")
    frames = [
        ScanFrame(
            id=new_frame_id(),
            station="S",
            port="p",
            profile=None,
            raw=r,
            captured_at=f"2026-11-21T10:00:0{i}.000000Z",
        )
        for i, r in enumerate(["A", "B", "C"])
    ]
    store.append(frames)
    store.dead_letter([(frames[0].id, "UNKNOWN_PORT", "port p is not registered")])
    store.close()
    result = CliRunner().invoke(main, ["status", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "waiting: 2" in result.output
    assert "oldest waiting: 2026-11-21T10:00:01.000000Z" in result.output
    assert "dead letters: 1" in result.output
    assert "UNKNOWN_PORT: port p is not registered" in result.output


def test_a_bad_config_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "bridge.toml"
    path.write_text('server_url = "http://x"\nstation = "S"\n')
    result = CliRunner().invoke(main, ["status", "--config", str(path)])
    assert result.exit_code == 1
    assert "server_url" in result.output


async def test_check_prints_the_device_the_token_belongs_to(
    server: StubServer, tmp_path: Path
) -> None:
    code, output = await cli("check", "--config", str(config_for(tmp_path, server.url)))
    assert code == 0, output
    assert "connected as device 'station-device-1'" in output
    server.tokens.clear()
    code, output = await cli("check", "--config", str(config_for(tmp_path, server.url)))
    assert code == 1
    assert "HTTP 401" in output


async def test_send_test_delivers_one_scan_through_the_queue(
    server: StubServer, tmp_path: Path
) -> None:
    code, output = await cli(
        "send-test", "--config", str(config_for(tmp_path, server.url)), "--raw", "HELLO\x1dGS"
    )
    assert code == 0, output
    assert "acknowledged" in output
    (frame,) = server.frames.values()
    assert (frame["raw"], frame["port"], frame["station"]) == (
        "HELLO\x1dGS",
        "send-test",
        "TEST-STATION",
    )
