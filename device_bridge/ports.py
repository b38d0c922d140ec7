"""Serial and Bluetooth-SPP ports: the Port protocol, the pyserial port, a fake, the reader thread.

pyserial blocks, so each port is read on its own thread; frames reach the asyncio side through
the ``emit`` callback. pyserial's exceptions are translated in one place, ``serial_errors``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Protocol

import serial

from device_bridge.backoff import Backoff
from device_bridge.config import PortConfig, ProfileConfig
from device_bridge.errors import PortError, PortLost, PortUnavailable
from device_bridge.frames import ReadingErrorFrame, new_frame_id, rfc3339_utc
from device_bridge.framing import Captured, FrameSplitter, Undecodable, build_frame

log = logging.getLogger(__name__)

#: How long one read waits for data; also how quickly a reader notices it should stop.
READ_TIMEOUT_S = 0.1


class Port(Protocol):
    """An open byte source."""

    def read_available(self) -> bytes:
        """Wait up to READ_TIMEOUT_S for bytes; ``b""`` if none came. Raises PortLost."""
        ...

    def close(self) -> None:
        """Release the device; never raises."""
        ...


PortOpener = Callable[[PortConfig], Port]


@contextlib.contextmanager
def serial_errors(port: str, *, opening: bool) -> Iterator[None]:
    """Turn pyserial and OS errors into PortUnavailable (while opening) or PortLost."""
    error = PortUnavailable if opening else PortLost
    try:
        yield
    except serial.SerialException as exc:
        raise error(port, str(exc) or type(exc).__name__) from exc
    except OSError as exc:
        raise error(port, exc.strerror or str(exc)) from exc
    except ValueError as exc:
        # pyserial reports a malformed URL or an unsupported setting as ValueError.
        raise error(port, str(exc)) from exc


class SerialPort:
    """A port opened with ``serial.serial_for_url``: a device path or any pyserial URL."""

    def __init__(self, config: PortConfig, read_timeout: float = READ_TIMEOUT_S) -> None:
        self.name = config.name
        with serial_errors(config.name, opening=True):
            #: The pyserial object; tests write to ``loop://`` through it.
            self.serial = serial.serial_for_url(
                config.url,
                baudrate=config.baud,
                bytesize=config.bytesize,
                parity=config.parity,
                stopbits=config.stopbits,
                timeout=read_timeout,
                # Two readers on one scanner would each get half of every scan; a second
                # bridge (or a terminal program left open) fails to open and retries instead.
                exclusive=True,
            )

    def read_available(self) -> bytes:
        with serial_errors(self.name, opening=False):
            # One byte with the timeout, then whatever else is already there: low latency for
            # a single scan, big chunks when a logger or a test floods the port.
            first: bytes = self.serial.read(1)
            if not first:
                return b""
            waiting: int = self.serial.in_waiting
            return first + self.serial.read(waiting) if waiting else first

    def close(self) -> None:
        with contextlib.suppress(serial.SerialException, OSError):
            self.serial.close()


class FakePort:
    """A port fed by a test: ``feed`` bytes, ``lose`` to act like an unplugged cable."""

    _LOST = object()

    def __init__(self, name: str = "fake") -> None:
        self.name = name
        self.closed = False
        self._chunks: queue.Queue[object] = queue.Queue()

    def feed(self, data: bytes) -> None:
        self._chunks.put(data)

    def lose(self) -> None:
        self._chunks.put(self._LOST)

    def read_available(self) -> bytes:
        try:
            chunk = self._chunks.get(timeout=READ_TIMEOUT_S)
        except queue.Empty:
            return b""
        if chunk is self._LOST:
            raise PortLost(self.name, "fake port unplugged")
        assert isinstance(chunk, bytes)
        return chunk

    def close(self) -> None:
        self.closed = True


class PortReader:
    """Reads one port on its own thread and emits a frame per terminated chunk.

    The frame id and capture time are assigned here, the moment the terminator arrives, so they
    never change afterwards. A port that cannot be opened or fails is reopened with backoff.
    """

    def __init__(
        self,
        port: PortConfig,
        profile: ProfileConfig | None,
        station: str,
        emit: Callable[[Captured], None],
        backoff: Backoff,
        opener: PortOpener = SerialPort,
    ) -> None:
        self.config = port
        self._profile = profile
        self._station = station
        self._emit = emit
        self._backoff = backoff
        self._opener = opener
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"port-{port.name}", daemon=True)
        #: Times the port was opened; tests watch it to see a reconnect.
        self.opened = 0

    def start(self) -> None:
        self._thread.start()

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        name = self.config.name
        last_problem: str | None = None
        splitter = FrameSplitter(
            self.config.terminator_bytes, self.config.max_frame_bytes, self._overflowed
        )
        while not self._stop.is_set():
            try:
                port = self._opener(self.config)
            except PortError as exc:
                delay = self._backoff.next_delay()
                # Say it once per outage; a scanner left unplugged all week must not fill the log.
                level = logging.DEBUG if exc.reason == last_problem else logging.WARNING
                log.log(level, "%s; retrying in %.1f s", exc, delay)
                last_problem = exc.reason
                self._stop.wait(delay)
                continue
            self.opened += 1
            self._backoff.reset()
            last_problem = None
            log.info("port %s: open (%s)", name, self.config.url)
            try:
                self._read(port, splitter)
            except PortLost as exc:
                partial = splitter.reset()
                if partial:
                    log.warning("port %s: dropped an unterminated partial frame %r", name, partial)
                delay = self._backoff.next_delay()
                log.warning("%s; reopening in %.1f s", exc, delay)
                self._stop.wait(delay)
            finally:
                port.close()
        if splitter.pending:
            log.warning("port %s: stopped with an unterminated frame %r", name, splitter.pending)
        log.info("port %s: stopped", name)

    def _read(self, port: Port, splitter: FrameSplitter) -> None:
        while not self._stop.is_set():
            data = port.read_available()
            if not data:
                continue
            for chunk in splitter.feed(data):
                if not chunk:
                    log.debug("port %s: empty frame ignored", self.config.name)
                    continue
                frame = build_frame(
                    self.config, self._profile, self._station, chunk, new_frame_id(), rfc3339_utc()
                )
                if isinstance(frame, Undecodable):
                    log.warning(
                        "port %s: frame %s kept as a dead letter, %s: %s",
                        self.config.name,
                        frame.id,
                        frame.error,
                        frame.raw_hex,
                    )
                elif isinstance(frame, ReadingErrorFrame):
                    log.warning(
                        "port %s: bad logger line %r (%s); forwarded as reading_error",
                        self.config.name,
                        frame.raw,
                        frame.error,
                    )
                self._emit(frame)

    def _overflowed(self, data: bytes) -> None:
        log.error(
            "port %s: %d bytes without the terminator %r; discarded (check the terminator "
            "setting): %r",
            self.config.name,
            len(data),
            self.config.terminator,
            data[:200],
        )
