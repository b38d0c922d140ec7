"""The WebSocket client to the server's ``/ws/devices``: sends queued frames, applies acks.

One connection at a time. After the server's ``hello`` the sender streams queued frames in
capture order, keeping at most ``window`` unacknowledged; the receiver keeps reading so acks,
nacks and disconnects are seen at once. On any failure the whole in-flight window is forgotten
and, after a backoff, resent from the queue on the next connection (the ids never change, so the
server's dedupe makes the resend harmless). websockets' exceptions are translated in
``open_session``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from device_bridge import __version__
from device_bridge.backoff import Backoff
from device_bridge.errors import AuthRejected, ProtocolViolation, UplinkError
from device_bridge.frames import CLOSE_AUTH_REJECTED, Ack, Hello, Nack, decode_server_message
from device_bridge.store import AsyncFrameStore

log = logging.getLogger(__name__)


@dataclass
class UplinkStats:
    """Counters since start-up, for logs and tests."""

    connects: int = 0
    sent: int = 0
    acked: int = 0
    nacked: int = 0
    max_in_flight: int = 0
    auth_rejections: int = 0


class Uplink:
    """Keeps a connection to the server and drains the durable queue through it."""

    def __init__(
        self,
        *,
        url: str,
        token: str,
        store: AsyncFrameStore,
        window: int,
        backoff: Backoff,
        auth_retry_s: float,
        hello_timeout_s: float = 10.0,
        ping_interval_s: float = 20.0,
        ack_timeout_s: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        self.url = url
        self._token = token
        self._store = store
        self._window = window
        self._backoff = backoff
        self._auth_retry_s = auth_retry_s
        self._hello_timeout_s = hello_timeout_s
        self._ping_interval_s = ping_interval_s
        self._ack_timeout_s = ack_timeout_s
        self._rng = rng or random.Random()
        self._wake = asyncio.Event()
        self._acked: list[str] = []
        self._refused: list[tuple[str, str, str]] = []
        self._settle = asyncio.Event()
        self.stats = UplinkStats()
        #: Set while a session is up (after hello); tests and ``send-test`` wait on it.
        self.connected = asyncio.Event()
        #: The device name the server gave in its last hello.
        self.device: str | None = None

    def notify(self) -> None:
        """New frames were committed to the queue: wake the sender."""
        self._wake.set()

    async def run(self) -> None:
        """Connect, send, reconnect with backoff; runs until cancelled."""
        settler = asyncio.create_task(self._settle_loop(), name="uplink-settle")
        try:
            while True:
                try:
                    await self._session()
                    delay = self._backoff.next_delay()
                    log.warning("uplink: server ended the session; reconnecting in %.1f s", delay)
                except AuthRejected as exc:
                    self.stats.auth_rejections += 1
                    delay = self._auth_retry_s * self._rng.uniform(0.9, 1.1)
                    log.error(
                        "uplink: the server refused this bridge's device token (%s); check "
                        "`token` / LOTWISE_DEVICE_TOKEN or whether the device was revoked. "
                        "Retrying in %.0f s",
                        exc,
                        delay,
                    )
                except UplinkError as exc:
                    delay = self._backoff.next_delay()
                    log.warning("uplink: %s; reconnecting in %.1f s", exc, delay)
                await asyncio.sleep(delay)
        finally:
            settler.cancel()
            await asyncio.gather(settler, return_exceptions=True)
            await asyncio.shield(self._apply_settled())

    async def _session(self) -> None:
        """One connection from handshake to failure."""
        try:
            async with open_session(
                self.url,
                self._token,
                hello_timeout_s=self._hello_timeout_s,
                ping_interval_s=self._ping_interval_s,
            ) as (ws, hello):
                self.device = hello.device
                log.info(
                    "uplink: connected to %s as device %r (server time %s)",
                    self.url,
                    hello.device,
                    hello.server_time,
                )
                self._backoff.reset()
                self.stats.connects += 1
                self.connected.set()
                try:
                    await self._exchange(ws)
                finally:
                    self.connected.clear()
        finally:
            # Before the next connection resends the queue, forget what was acked on this one.
            await asyncio.shield(self._apply_settled())

    async def _exchange(self, ws: ClientConnection) -> None:
        in_flight: dict[str, float] = {}
        sender = asyncio.create_task(self._send_loop(ws, in_flight), name="uplink-send")
        receiver = asyncio.create_task(self._receive_loop(ws, in_flight), name="uplink-receive")
        try:
            done, _ = await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sender.cancel()
            receiver.cancel()
            await asyncio.gather(sender, receiver, return_exceptions=True)
        for task in done:
            task.result()

    async def _send_loop(self, ws: ClientConnection, in_flight: dict[str, float]) -> None:
        last_seq = 0
        while True:
            # Cleared before looking, so a commit or ack landing meanwhile still wakes us.
            self._wake.clear()
            free = self._window - len(in_flight)
            if free > 0:
                batch = await self._store.fetch_after(last_seq, free)
                if batch:
                    for pending in batch:
                        in_flight[pending.id] = time.monotonic()
                        await ws.send(pending.body, text=True)
                        self.stats.sent += 1
                    last_seq = batch[-1].seq
                    self.stats.max_in_flight = max(self.stats.max_in_flight, len(in_flight))
                    continue
            await self._wake.wait()

    async def _receive_loop(self, ws: ClientConnection, in_flight: dict[str, float]) -> None:
        while True:
            try:
                data = await asyncio.wait_for(ws.recv(), self._ack_timeout_s / 4)
            except TimeoutError:
                # A server that stays connected but stops acking would stall the window for
                # good; a fresh connection resends what it holds.
                oldest = next(iter(in_flight.values()), None)
                if oldest is not None and time.monotonic() - oldest > self._ack_timeout_s:
                    raise UplinkError(
                        f"no ack for {self._ack_timeout_s:g} s with {len(in_flight)} frame(s) "
                        "in flight"
                    ) from None
                continue
            try:
                message = decode_server_message(data)
            except ProtocolViolation as exc:
                # A newer server may send messages this bridge does not know; they carry
                # nothing it must act on, so they are logged and skipped.
                log.warning("uplink: ignored %s", exc)
                continue
            if isinstance(message, Ack):
                in_flight.pop(message.id, None)
                self._acked.append(message.id)
                self.stats.acked += 1
            elif isinstance(message, Nack):
                in_flight.pop(message.id, None)
                self._refused.append((message.id, message.code, message.detail))
                self.stats.nacked += 1
                log.error(
                    "uplink: server refused frame %s for good (%s: %s); moved to dead letters",
                    message.id,
                    message.code,
                    message.detail,
                )
            else:
                log.debug("uplink: ignored a second hello")
                continue
            self._settle.set()
            self._wake.set()

    async def _settle_loop(self) -> None:
        # Deleting acked frames in batches keeps up with thousands of acks a second: while
        # one batch commits, the next accumulates.
        while True:
            await self._settle.wait()
            self._settle.clear()
            await self._apply_settled()

    async def _apply_settled(self) -> None:
        acked, self._acked = self._acked, []
        refused, self._refused = self._refused, []
        if acked:
            await self._store.ack(acked)
        if refused:
            await self._store.dead_letter(refused)


@contextlib.asynccontextmanager
async def open_session(
    url: str, token: str, *, hello_timeout_s: float = 10.0, ping_interval_s: float = 20.0
) -> AsyncIterator[tuple[ClientConnection, Hello]]:
    """A connection that got the server's hello; websockets' errors become UplinkErrors here."""
    try:
        async with connect(
            url,
            additional_headers={"Authorization": f"Bearer {token}"},
            user_agent_header=f"lotwise-device-bridge/{__version__}",
            open_timeout=hello_timeout_s,
            ping_interval=ping_interval_s,
            ping_timeout=ping_interval_s,
            close_timeout=2,
        ) as ws:
            try:
                data = await asyncio.wait_for(ws.recv(), hello_timeout_s)
            except TimeoutError:
                raise UplinkError(f"no hello from the server in {hello_timeout_s:g} s") from None
            hello = decode_server_message(data)
            if not isinstance(hello, Hello):
                raise ProtocolViolation(f"expected hello first, got {type(hello).__name__.lower()}")
            yield ws, hello
    except InvalidStatus as exc:
        status = exc.response.status_code
        if status in (401, 403):
            raise AuthRejected(f"HTTP {status} at the handshake") from exc
        raise UplinkError(f"server refused the WebSocket handshake with HTTP {status}") from exc
    except ConnectionClosed as exc:
        if exc.rcvd is not None and exc.rcvd.code == CLOSE_AUTH_REJECTED:
            raise AuthRejected(f"closed with {exc.rcvd.code} {exc.rcvd.reason}".strip()) from exc
        raise UplinkError(f"connection closed ({exc})") from exc
    except (OSError, TimeoutError, InvalidHandshake) as exc:
        raise UplinkError(f"cannot connect to {url}: {exc}") from exc
