"""A warehouse worker's journey on the real server: print a location's label, a fixed station's
scanner reads it, the scan reaches the worker's app, and the app asks what it is."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import httpx
from websockets.asyncio.client import connect

from backend.auth.rules import Role
from backend.scanning.tables import ScanLog
from backend.sites.tables import Location, Warehouse
from tests.e2e.conftest import LiveServer
from tests.support import make_user

STATION = "WH-C-PUTAWAY-1"


async def _event(ws, topic: str) -> dict:  # type: ignore[no-untyped-def]
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if message["topic"] == topic:
            return message


async def test_a_printed_location_label_scanned_at_a_station_resolves_to_that_location(
    live_server: LiveServer,
):
    warehouse = (await Warehouse.insert(Warehouse(code="WH-C", name="中心库")))[0]["id"]
    location = (
        await Location.insert(Location(warehouse=warehouse, code="A-01-2", kind="storage"))
    )[0]["id"]
    admin = await make_user("admin", [Role.admin.value])
    worker = await make_user("worker", [Role.warehouse.value], warehouse_ids=[warehouse])

    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as http:
        label = await http.get(
            f"/api/v1/labels/locations/{location}?format=zpl", headers=worker.headers
        )
        assert label.status_code == 200, label.text
        payload = label.text.split("^FDMA,", 1)[1].split("^FS", 1)[0]
        assert payload == "LW:LOC:WH-C:A-01-2"
        device_token = (
            await http.post("/api/v1/devices", json={"name": "putaway"}, headers=admin.headers)
        ).json()["token"]
        signed_in = await http.post(f"/api/v1/stations/{STATION}/session", headers=worker.headers)
        assert signed_in.status_code == 204

        user_token = worker.headers["Authorization"].removeprefix("Bearer ")
        async with connect(f"{live_server.ws_url}/ws?token={user_token}") as app:
            await app.recv()  # hello
            async with connect(
                f"{live_server.ws_url}/ws/devices",
                additional_headers={"Authorization": f"Bearer {device_token}"},
            ) as bridge:
                await bridge.recv()  # hello
                frame = {
                    "type": "scan", "id": str(uuid.uuid4()), "station": STATION,
                    "port": "scanner", "profile": "tilde-gs", "raw": payload,
                    "captured_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                }  # fmt: skip
                await bridge.send(json.dumps(frame))
                assert json.loads(await bridge.recv())["type"] == "ack"
            event = (await _event(app, "station.scan"))["data"]

        # The app forwards the scan as it came, naming the station and its profile.
        answer = await http.post(
            "/api/v1/scans",
            json={"raw": event["raw"], "station": event["station"], "profile": event["profile"]},
            headers=worker.headers,
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["outcome"] == "location"
    assert body["location"]["id"] == location
    assert [a["code"] for a in body["actions"]] == ["put_away", "look_up"]
    log = await ScanLog.select().where(ScanLog.id == body["log_id"]).first()
    assert (log["station"], log["profile"], log["location"]) == (STATION, "tilde-gs", location)
