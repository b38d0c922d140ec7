"""WebSocket /ws/devices: the device bridge protocol (docs/device-bridge.md), server side.

hello on connect; every frame acknowledged by id once stored (or already stored: a resend);
a frame that can never be stored is nacked with a code; a bad or revoked token closes 4401."""

import asyncio
import contextlib
import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from backend.core import clock
from backend.devices import service
from backend.devices.errors import DeviceTokenRefused

CLOSE_TOKEN_REFUSED = 4401
MAX_RAW = 8192


FrameId = Annotated[
    str, msgspec.Meta(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
]


class ScanFrame(msgspec.Struct, tag_field="type", tag="scan"):
    """The bridge's frames are validated strictly; captured_at must be RFC 3339."""

    id: FrameId
    station: Annotated[str, msgspec.Meta(max_length=100)]
    raw: Annotated[str, msgspec.Meta(max_length=MAX_RAW)]
    captured_at: dt.datetime
    port: str | None = None
    profile: str | None = None


class ReadingFrame(msgspec.Struct, tag_field="type", tag="reading"):
    id: FrameId
    station: Annotated[str, msgspec.Meta(max_length=100)]
    sensor: Annotated[str, msgspec.Meta(max_length=64)]
    temperature_c: float
    captured_at: dt.datetime
    humidity_pct: float | None = None


class ReadingErrorFrame(msgspec.Struct, tag_field="type", tag="reading_error"):
    id: FrameId
    station: Annotated[str, msgspec.Meta(max_length=100)]
    raw: Annotated[str, msgspec.Meta(max_length=MAX_RAW)]
    error: str
    captured_at: dt.datetime
    port: str | None = None


Frame = ScanFrame | ReadingFrame | ReadingErrorFrame
_decoder = msgspec.json.Decoder(Frame)


def _nack(frame_id: str | None, code: str, detail: str) -> dict[str, Any]:
    return {"type": "nack", "id": frame_id, "code": code, "detail": detail}


async def _frame_id(text: str) -> str | None:
    try:
        value = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return None
    return str(value.get("id")) if isinstance(value, dict) and value.get("id") else None


BATCH = 256


@websocket("/ws/devices", opt={"exclude_from_auth": True, "public": True})
async def devices_socket(socket: WebSocket[Any, Any, Any]) -> None:
    token = socket.headers.get("authorization", "").removeprefix("Bearer ").strip()
    try:
        device = await service.authenticate(token)
    except DeviceTokenRefused:
        await socket.accept()
        await socket.close(code=CLOSE_TOKEN_REFUSED, reason="device token refused")
        return
    await socket.accept()
    await socket.send_json(
        {"type": "hello", "device": device.name, "server_time": clock.now().isoformat()}
    )
    # A reader task keeps taking messages off the socket (so a disconnect is seen at once);
    # the loop below stores whatever has arrived meanwhile in one transaction, then acks it.
    inbox: asyncio.Queue[str | None] = asyncio.Queue()

    async def read() -> None:
        try:
            while True:
                inbox.put_nowait(await socket.receive_text())
        except WebSocketDisconnect:
            inbox.put_nowait(None)

    reader = asyncio.create_task(read())
    try:
        while True:
            texts = [await inbox.get()]
            while len(texts) < BATCH and not inbox.empty():
                texts.append(inbox.get_nowait())
            closed = None in texts
            frames: list[Frame] = []
            for text in texts:
                if text is None:
                    continue
                try:
                    frames.append(_decoder.decode(text))
                except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                    await socket.send_json(_nack(await _frame_id(text), "FRAME_INVALID", str(exc)))
            if frames:
                if not await service.still_valid(device.id):
                    await socket.close(code=CLOSE_TOKEN_REFUSED, reason="device revoked")
                    return
                await service.accept_frames(
                    device,
                    [
                        msgspec.to_builtins(f) | {"type": type(f).__struct_config__.tag}
                        for f in frames
                    ],
                )
                for frame in frames:
                    await socket.send_json({"type": "ack", "id": frame.id})
            if closed:
                return
    except WebSocketDisconnect:
        return
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
