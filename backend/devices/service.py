"""Device tokens (created and revoked by an admin, stored hashed), frame intake with dedupe by
frame id, and routing a station's scans to the user signed in there."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.core import clock
from backend.core.actor import Actor
from backend.core.errors import Duplicate, NotFound
from backend.core.unit_of_work import unit_of_work
from backend.devices.errors import DeviceTokenRefused
from backend.devices.tables import Device, DeviceFrame, StationSession

TOKEN_PREFIX = "lwd_"


def hash_token(token: str) -> str:
    # Tokens are 256-bit random, so a plain SHA-256 is enough to make the stored value useless
    # to a reader of the database (no dictionary to try); a slow hash would only cost latency.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class DeviceView:
    id: int
    name: str
    token_hint: str
    created_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None


def _view(row: dict[str, Any]) -> DeviceView:
    return DeviceView(
        id=row["id"],
        name=row["name"],
        token_hint=row["token_hint"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        last_seen_at=row["last_seen_at"],
    )


async def create_device(actor: Actor, name: str) -> tuple[DeviceView, str]:
    """Register a bridge; the token is returned this once and never again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with unit_of_work(actor) as uow:
        if await Device.exists().where(Device.name == name):
            raise Duplicate(field="name", value=name)
        rows = await Device.insert(
            Device(
                name=name,
                token_hash=hash_token(token),
                token_hint=token[: len(TOKEN_PREFIX) + 4],
                created_by=actor.user_id,
            )
        )
        device_id = rows[0]["id"]
        uow.audit("create", "device", device_id, new={"name": name})
    return await get_device(device_id), token


async def revoke_device(actor: Actor, device_id: int, reason: str) -> DeviceView:
    async with unit_of_work(actor) as uow:
        row = await Device.select().where(Device._meta.primary_key == device_id).first()
        if row is None:
            raise NotFound(entity="device", key=device_id)
        if row["revoked_at"] is None:
            await Device.update({Device.revoked_at: clock.now()}).where(
                Device._meta.primary_key == device_id
            )
            uow.audit("revoke", "device", device_id, reason=reason)
            uow.emit("device.revoked", {"device_id": device_id})
    return await get_device(device_id)


async def get_device(device_id: int) -> DeviceView:
    row = await Device.select().where(Device._meta.primary_key == device_id).first()
    if row is None:
        raise NotFound(entity="device", key=device_id)
    return _view(row)


async def list_devices() -> list[DeviceView]:
    return [_view(r) for r in await Device.select().order_by(Device._meta.primary_key)]


async def authenticate(token: str) -> DeviceView:
    row = await Device.select().where(Device.token_hash == hash_token(token)).first()
    if row is None or row["revoked_at"] is not None:
        raise DeviceTokenRefused()
    await Device.update({Device.last_seen_at: clock.now()}).where(
        Device._meta.primary_key == row["id"]
    )
    return _view(row)


async def still_valid(device_id: int) -> bool:
    return bool(
        await Device.exists().where(
            (Device._meta.primary_key == device_id) & Device.revoked_at.is_null()
        )
    )


async def accept_frames(device: DeviceView, frames: list[dict[str, Any]]) -> None:
    """Store a batch of frames in one transaction, each id once: a frame whose id is already
    stored (a resend after a lost ack) is skipped. Raises only if the database fails, in which
    case nothing of the batch was stored and nothing may be acknowledged."""
    from backend.core.actor import SYSTEM

    async with unit_of_work(SYSTEM) as uow:
        ids = list({str(f["id"]) for f in frames})
        known = {
            r["frame_id"]
            for r in await DeviceFrame.select(DeviceFrame.frame_id).where(
                DeviceFrame.frame_id.is_in(ids)
            )
        }
        stations = list({str(f.get("station", ""))[:100] for f in frames})
        signed_in = {
            r["station"]: r["user_id"]
            for r in await StationSession.select().where(StationSession.station.is_in(stations))
        }
        rows: list[DeviceFrame] = []
        for frame in frames:
            frame_id = str(frame["id"])
            if frame_id in known:
                continue
            known.add(frame_id)
            station = str(frame.get("station", ""))[:100]
            user_id = signed_in.get(station) if frame["type"] == "scan" else None
            rows.append(
                DeviceFrame(
                    frame_id=frame_id,
                    device=device.id,
                    station=station,
                    kind=frame["type"],
                    port=frame.get("port") or frame.get("sensor"),
                    payload=frame,
                    captured_at=datetime.fromisoformat(
                        str(frame["captured_at"]).replace("Z", "+00:00")
                    ),
                    routed_to=user_id,
                )
            )
            if frame["type"] == "scan":
                uow.emit(
                    "station.scan",
                    {
                        "user_id": user_id,
                        "station": station,
                        "raw": frame["raw"],
                        "profile": frame.get("profile"),
                        "frame_id": frame_id,
                    },
                )
            else:
                uow.emit(
                    f"device.{frame['type']}",
                    {"station": station, "frame_id": frame_id}
                    | {
                        k: frame.get(k)
                        for k in ("sensor", "temperature_c", "humidity_pct", "error")
                    },
                )
        if rows:
            await DeviceFrame.insert(*rows)


async def sign_in_at_station(actor: Actor, station: str) -> None:
    """The user at a fixed station claims its scanners (the PWA calls this on that PC)."""
    from backend.core import db

    async with unit_of_work(actor) as uow:
        # One statement, so two people signing in at once leave one of them, never an error.
        await db.fetch(
            "INSERT INTO station_session (station, user_id, since) VALUES ({}, {}, {})"
            " ON CONFLICT (station)"
            " DO UPDATE SET user_id = excluded.user_id, since = excluded.since",
            station,
            actor.user_id,
            clock.now(),
        )
        uow.audit("station_sign_in", "station", station)


async def sign_out_of_station(actor: Actor, station: str) -> None:
    async with unit_of_work(actor) as uow:
        await StationSession.delete().where(
            (StationSession.station == station) & (StationSession.user_id == actor.user_id)
        )
        uow.audit("station_sign_out", "station", station)
