"""The ``python -m device_bridge`` command line: run, status, check, send-test."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import click

from device_bridge import __version__
from device_bridge.backoff import Backoff
from device_bridge.bridge import Bridge
from device_bridge.config import TOKEN_ENV, Config, load_config
from device_bridge.errors import BridgeError, ConfigError, QueueUnavailable
from device_bridge.frames import ScanFrame, new_frame_id, rfc3339_utc
from device_bridge.store import AsyncFrameStore, FrameStore
from device_bridge.uplink import Uplink, open_session

config_option = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The bridge's TOML config file (see docs/device-bridge.md).",
)


@click.group(
    help=(
        "Lotwise device bridge: reads serial and Bluetooth-SPP barcode scanners and "
        "temperature/humidity loggers, keeps every frame in a durable local queue and "
        "forwards it to the Lotwise server's /ws/devices WebSocket. The device token comes "
        f"from the config's `token` or the {TOKEN_ENV} environment variable (which wins)."
    )
)
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="INFO",
    show_default=True,
    help="Least severe log level printed (to stderr, one plain line per event).",
)
@click.version_option(__version__, prog_name="device_bridge")
def main(log_level: str) -> None:
    logging.basicConfig(
        level=log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@main.command()
@config_option
def run(config_path: Path) -> None:
    """Read the configured ports and forward frames until Ctrl-C or SIGTERM.

    Stopping is clean: frames not yet acknowledged stay in the queue and are sent on the next
    run, with the same ids.
    """
    config = _load(config_path)
    _fail_on_bridge_error(lambda: asyncio.run(_run(config)))


async def _run(config: Config) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await Bridge(config).run(stop)


@main.command()
@config_option
@click.option(
    "--dead-letters",
    "dead_limit",
    default=10,
    show_default=True,
    help="How many of the most recent dead letters to list.",
)
def status(config_path: Path, dead_limit: int) -> None:
    """Print the queue depth, the oldest waiting frame and the dead letters."""
    config = _load(config_path)
    try:
        store = FrameStore(config.queue_path, create=False)
    except FileNotFoundError:
        click.echo(f"queue: {config.queue_path} (not created yet: nothing captured)")
        return
    except QueueUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        stats = store.stats()
        dead = store.dead_letters(dead_limit)
    finally:
        store.close()
    click.echo(f"queue: {config.queue_path}")
    click.echo(f"waiting: {stats.depth}")
    click.echo(f"oldest waiting: {stats.oldest_captured_at or '-'}")
    click.echo(f"dead letters: {stats.dead_letters}")
    for letter in dead:
        click.echo(
            f"  {letter.dead_at} {letter.id} {letter.code}: {letter.detail} "
            f"(captured {letter.captured_at}) {letter.body.decode(errors='replace')}"
        )


@main.command()
@config_option
@click.option("--timeout", default=10.0, show_default=True, help="Seconds to wait for the server.")
def check(config_path: Path, timeout: float) -> None:
    """Connect to the server with the device token and print its hello; sends nothing."""
    config = _load(config_path)

    async def probe() -> None:
        async with open_session(
            config.server_url, config.require_token(), hello_timeout_s=timeout
        ) as (_, hello):
            click.echo(f"ok: connected as device {hello.device!r}, server time {hello.server_time}")

    _fail_on_bridge_error(lambda: asyncio.run(probe()))


@main.command("send-test")
@config_option
@click.option(
    "--raw", default="LOTWISE-BRIDGE-TEST", show_default=True, help="The scan text to send."
)
@click.option(
    "--port",
    "port_name",
    default="send-test",
    show_default=True,
    help="Port name the test scan claims to come from.",
)
@click.option("--timeout", default=15.0, show_default=True, help="Seconds to wait for the ack.")
def send_test(config_path: Path, raw: str, port_name: str, timeout: float) -> None:
    """Queue one scan frame and deliver it, as a scanner on PORT would.

    The server receives an ordinary scan (profile null), so use a value it will not mistake for
    a real product. The frame goes through the durable queue: if the server cannot be reached
    in time it stays queued and the next `run` delivers it.
    """
    config = _load(config_path)

    async def deliver() -> None:
        store = await AsyncFrameStore.open(config.queue_path)
        frame = ScanFrame(
            id=new_frame_id(),
            station=config.station,
            port=port_name,
            profile=None,
            raw=raw,
            captured_at=rfc3339_utc(),
        )
        await store.append([frame])
        uplink = Uplink(
            url=config.server_url,
            token=config.require_token(),
            store=store,
            window=config.window,
            backoff=Backoff(config.backoff.initial_s, config.backoff.uplink_cap_s),
            auth_retry_s=config.backoff.auth_retry_s,
            hello_timeout_s=config.hello_timeout_s,
            ack_timeout_s=config.ack_timeout_s,
        )
        task = asyncio.create_task(uplink.run())
        where: str | None = "queued"
        try:
            async with asyncio.timeout(timeout):
                while where == "queued":
                    await asyncio.sleep(0.1)
                    where = await store.locate(frame.id)
        except TimeoutError:
            pass
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await store.close()
        if where is None:
            click.echo(f"ok: frame {frame.id} acknowledged by the server")
        elif where == "dead":
            raise click.ClickException(f"the server refused frame {frame.id}; see `status`")
        else:
            raise click.ClickException(
                f"no ack within {timeout:g} s; frame {frame.id} stays queued for the next run"
            )

    _fail_on_bridge_error(lambda: asyncio.run(deliver()))


def _load(path: Path) -> Config:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _fail_on_bridge_error(action: Callable[[], object]) -> None:
    try:
        action()
    except BridgeError as exc:
        raise click.ClickException(str(exc)) from exc
    except KeyboardInterrupt:
        # Ctrl-C before the signal handlers were installed: nothing to clean up yet.
        raise SystemExit(130) from None
