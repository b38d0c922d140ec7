"""The wire protocol between the bridge and the server's ``/ws/devices``, as msgspec structs.

Every message is one JSON object in one WebSocket text message, told apart by ``type``.
``docs/device-bridge.md`` describes the protocol for the server side.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec

from device_bridge.errors import ProtocolViolation

#: Close code the server uses for a bad or revoked device token after the handshake.
CLOSE_AUTH_REJECTED = 4401


class ScanFrame(msgspec.Struct, tag_field="type", tag="scan", frozen=True, kw_only=True):
    """One barcode read by a scanner, exactly as read (GS as U+001D)."""

    id: str
    station: str
    port: str
    profile: str | None
    raw: str
    captured_at: str


class ReadingFrame(msgspec.Struct, tag_field="type", tag="reading", frozen=True, kw_only=True):
    """One temperature (and optional humidity) reading from a logger."""

    id: str
    station: str
    sensor: str
    temperature_c: float
    humidity_pct: float | None
    captured_at: str


class ReadingErrorFrame(
    msgspec.Struct, tag_field="type", tag="reading_error", frozen=True, kw_only=True
):
    """A logger line that does not follow the format; forwarded so nobody misses a gap."""

    id: str
    station: str
    port: str
    raw: str
    error: str
    captured_at: str


OutboundFrame = ScanFrame | ReadingFrame | ReadingErrorFrame


class Hello(msgspec.Struct, tag_field="type", tag="hello", frozen=True, kw_only=True):
    """The server's first message: the token was accepted for this device."""

    device: str
    server_time: str


class Ack(msgspec.Struct, tag_field="type", tag="ack", frozen=True, kw_only=True):
    """The server stored the frame (or already had it): the bridge may forget it."""

    id: str


class Nack(msgspec.Struct, tag_field="type", tag="nack", frozen=True, kw_only=True):
    """The server refuses the frame for good: the bridge moves it to the dead letters."""

    id: str
    code: str
    detail: str = ""


ServerMessage = Hello | Ack | Nack

_encoder = msgspec.json.Encoder()
_server_decoder: msgspec.json.Decoder[ServerMessage] = msgspec.json.Decoder(ServerMessage)


def new_frame_id() -> str:
    """A fresh frame id, assigned once at capture and kept across every retry."""
    return str(uuid.uuid4())


def rfc3339_utc(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as RFC 3339 UTC with microseconds and a ``Z``."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def encode(message: msgspec.Struct) -> bytes:
    """The JSON bytes of a frame or message."""
    return _encoder.encode(message)


def decode_server_message(data: str | bytes) -> ServerMessage:
    """Parse one message from the server; anything unexpected is a ProtocolViolation."""
    try:
        return _server_decoder.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ProtocolViolation(f"unexpected message from server: {exc}") from exc
