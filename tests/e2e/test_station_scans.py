"""Device tokens, frame dedupe, and a station's scans reaching the user signed in there."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from backend.auth.rules import Role
from backend.devices.tables import DeviceFrame
from tests.e2e.conftest import LiveServer
from tests.support import make_user


def scan(raw: str, frame_id: str | None = None) -> str:
    return json.dumps(
        {
            "type": "scan",
            "id": frame_id or str(uuid.uuid4()),
            "station": "WH-C-PICK-2",
            "port": "bench",
            "profile": None,
            "raw": raw,
            "captured_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
    )


async def receive_topic(ws, topic: str) -> dict:  # type: ignore[no-untyped-def]
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if message["topic"] == topic:
            return message


async def test_a_station_scan_reaches_the_user_signed_in_there_once(live_server: LiveServer):
    admin = await make_user("admin", [Role.admin.value])
    picker = await make_user("picker", [Role.warehouse.value])
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        created = await http.post(
            "/api/v1/devices", json={"name": "pick bench 2"}, headers=admin.headers
        )
        token = created.json()["token"]
        signed = await http.post("/api/v1/stations/WH-C-PICK-2/session", headers=picker.headers)
        assert signed.status_code == 204, signed.text

    user_token = picker.headers["Authorization"].removeprefix("Bearer ")
    async with connect(f"{live_server.ws_url}/ws?token={user_token}") as person:
        assert json.loads(await person.recv())["topic"] == "hello"
        async with connect(
            f"{live_server.ws_url}/ws/devices",
            additional_headers={"Authorization": f"Bearer {token}"},
        ) as bridge:
            hello = json.loads(await bridge.recv())
            assert hello == {
                "type": "hello",
                "device": "pick bench 2",
                "server_time": hello["server_time"],
            }
            frame_id = str(uuid.uuid4())
            raw = "]d2010697123400001910LOT1\x1d21SN1"
            for _ in range(2):  # the second is a resend after a lost ack
                await bridge.send(scan(raw, frame_id))
                assert json.loads(await bridge.recv()) == {"type": "ack", "id": frame_id}
            await bridge.send('{"type": "scan", "id": "not-a-uuid"}')
            nack = json.loads(await bridge.recv())
            assert nack["type"] == "nack" and nack["code"] == "FRAME_INVALID"
        event = await receive_topic(person, "station.scan")
        assert event["data"]["raw"] == raw
        assert event["data"]["station"] == "WH-C-PICK-2"
    assert await DeviceFrame.count() == 1


async def test_an_unknown_or_revoked_device_token_is_closed_with_4401(live_server: LiveServer):
    admin = await make_user("admin", [Role.admin.value])
    async with connect(
        f"{live_server.ws_url}/ws/devices",
        additional_headers={"Authorization": "Bearer lwd_forged"},
    ) as bridge:
        with pytest.raises(ConnectionClosed) as closed:
            await bridge.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401

    async with httpx.AsyncClient(base_url=live_server.url, headers=admin.headers) as http:
        created = (await http.post("/api/v1/devices", json={"name": "bench"})).json()
        async with connect(
            f"{live_server.ws_url}/ws/devices",
            additional_headers={"Authorization": f"Bearer {created['token']}"},
        ) as bridge:
            await bridge.recv()  # hello
            revoked = await http.post(
                f"/api/v1/devices/{created['device']['id']}/revoke",
                json={"reason": "scanner stolen"},
            )
            assert revoked.json()["revoked_at"] is not None
            await bridge.send(scan("0106971234000019"))
            with pytest.raises(ConnectionClosed) as closed:
                await bridge.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    assert await DeviceFrame.count() == 0


async def test_live_events_need_a_valid_token(live_server: LiveServer):
    async with connect(f"{live_server.ws_url}/ws?token=forged") as person:
        with pytest.raises(ConnectionClosed) as closed:
            await person.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
