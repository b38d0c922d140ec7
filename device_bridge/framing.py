"""Turns one port's byte stream into frames: split on the terminator, decode, restore GS, parse.

Frames are split only on the configured terminator and never stripped: GS (ASCII 29) counts as
whitespace to ``str.strip``/``str.split``, and an HIBC check character can be a space.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import msgspec

from device_bridge.config import PortConfig, ProfileConfig
from device_bridge.frames import OutboundFrame, ReadingErrorFrame, ReadingFrame, ScanFrame
from device_bridge.readings import ReadingFormatError, parse_reading

log = logging.getLogger(__name__)

#: The GS1 group separator (FNC1 inside a GS1 barcode), ASCII 29.
GS = "\x1d"


class Undecodable(msgspec.Struct, frozen=True, kw_only=True):
    """Bytes that are not text in the port's encoding: kept in the dead letters, not sent."""

    id: str
    station: str
    port: str
    raw_hex: str
    error: str
    captured_at: str


Captured = OutboundFrame | Undecodable


class FrameSplitter:
    """Collects bytes and hands back each complete frame, without its terminator."""

    def __init__(
        self,
        terminator: bytes,
        max_frame_bytes: int = 8192,
        on_overflow: Callable[[bytes], None] | None = None,
    ) -> None:
        if not terminator:
            raise ValueError("terminator must not be empty")
        self.terminator = terminator
        self.max_frame_bytes = max_frame_bytes
        self._on_overflow = on_overflow
        self._buffer = b""

    @property
    def pending(self) -> bytes:
        """Bytes received since the last terminator."""
        return self._buffer

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the frames they complete, in order."""
        parts = (self._buffer + data).split(self.terminator)
        self._buffer = parts.pop()
        if len(self._buffer) > self.max_frame_bytes:
            # No terminator for this long means a wrong terminator setting or line noise;
            # holding on would grow without bound, so the bytes go to the log instead.
            if self._on_overflow is not None:
                self._on_overflow(self._buffer)
            self._buffer = b""
        return parts

    def reset(self) -> bytes:
        """Forget a partial frame (the port was lost) and return it."""
        partial, self._buffer = self._buffer, b""
        return partial


def build_frame(
    port: PortConfig,
    profile: ProfileConfig | None,
    station: str,
    data: bytes,
    frame_id: str,
    captured_at: str,
) -> Captured:
    """The frame to queue for one terminated chunk of bytes from ``port``."""
    try:
        text = data.decode(port.encoding)
    except UnicodeDecodeError as exc:
        return Undecodable(
            id=frame_id,
            station=station,
            port=port.name,
            raw_hex=data.hex(),
            error=f"not {port.encoding}: {exc.reason} at byte {exc.start}",
            captured_at=captured_at,
        )
    if port.kind == "logger":
        try:
            reading = parse_reading(text)
        except ReadingFormatError as exc:
            return ReadingErrorFrame(
                id=frame_id,
                station=station,
                port=port.name,
                raw=text,
                error=str(exc),
                captured_at=captured_at,
            )
        return ReadingFrame(
            id=frame_id,
            station=station,
            sensor=reading.sensor,
            temperature_c=reading.temperature_c,
            humidity_pct=reading.humidity_pct,
            captured_at=captured_at,
        )
    if profile is not None and profile.gs_standin:
        text = text.replace(profile.gs_standin, GS)
    return ScanFrame(
        id=frame_id,
        station=station,
        port=port.name,
        profile=port.profile,
        raw=text,
        captured_at=captured_at,
    )
