"""Web Push end to end against a local push service that decrypts what it receives: the
payload (aes128gcm) opens with the subscription's private key, VAPID signs for our key, only
people in scope are pushed, and a subscription the service reports gone (410) is deleted."""

from __future__ import annotations

import base64
import json
import os
from datetime import timedelta

import http_ece
import httpx
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend.alerts import push
from backend.alerts.evaluation import engine, jobs
from backend.alerts.ruleset import DEFAULT
from backend.core import db
from tests.integration.alerts.localhttp import serve
from tests.integration.alerts.world import build_world, events, make_lot, put


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class Device:
    """A browser's side of a subscription: its ECDH key pair and auth secret."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def p256dh(self) -> str:
        return b64(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def decrypt(self, body: bytes) -> dict[str, object]:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)  # type: ignore[no-any-return]


async def answer(request: web.Request, body: bytes) -> web.Response:
    return web.Response(status=410 if request.path.startswith("/gone") else 201)


async def test_alerts_are_pushed_encrypted_to_devices_of_people_in_scope(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    key = (await client.get("/api/v1/push/key", headers=w.keeper_a.headers)).json()["public_key"]
    assert key == push.public_key()
    phone_a, phone_b, old_tablet = Device(), Device(), Device()
    async with serve(answer) as service:
        for user, device, path in (
            (w.keeper_a, phone_a, "/push/a"),
            (w.keeper_b, phone_b, "/push/b"),
            (w.keeper_a, old_tablet, "/gone/t"),
        ):
            registered = await client.post(
                "/api/v1/push/subscriptions",
                headers=user.headers,
                json={
                    "endpoint": service.url + path,
                    "device": "test phone",
                    "keys": {"p256dh": device.p256dh, "auth": b64(device.auth)},
                },
            )
            assert registered.status_code == 201, registered.text
        lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=20))
        await put(lot, w.storage_a, 5)
        await engine.sweep(DEFAULT)
        (event_id, topic, payload) = (await events())[-1]
        assert topic == "alert.raised" and payload["severity"] == "critical"
        result = await jobs.notify_push({}, event_id, payload)
        assert result == {"event": event_id, "sent": 1, "gone": 1, "failed": 0}
    by_path = {r.path: r for r in service.received}
    assert set(by_path) == {"/push/a", "/gone/t"}  # keeper_b's warehouse is not A
    delivered = by_path["/push/a"]
    assert delivered.headers["Content-Encoding"] == "aes128gcm"
    vapid = delivered.headers["Authorization"]
    assert vapid.startswith("vapid t=") and f"k={key}" in vapid
    message = phone_a.decrypt(delivered.body)
    assert message["tag"] == f"alert-{payload['alert']}"
    assert message["severity"] == "critical" and "近效期" in str(message["title"])
    left = await db.fetch("SELECT endpoint FROM push_subscription ORDER BY id")
    assert [r["endpoint"].rsplit("/", 2)[-2] for r in left] == ["push", "push"]  # gone deleted


async def test_alerts_below_the_push_severity_are_not_pushed(client: httpx.AsyncClient) -> None:
    w = await build_world()
    device = Device()
    async with serve(answer) as service:
        await client.post(
            "/api/v1/push/subscriptions",
            headers=w.purchaser.headers,
            json={
                "endpoint": service.url + "/push/p",
                "keys": {"p256dh": device.p256dh, "auth": b64(device.auth)},
            },
        )
        lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=150))  # info level
        await put(lot, w.storage_a, 5)
        await engine.sweep(DEFAULT)
        (event_id, _t, payload) = (await events())[-1]
        assert (await jobs.notify_push({}, event_id, payload))["sent"] == 0
    assert service.received == []


async def test_a_device_registers_and_unregisters_its_subscription(
    client: httpx.AsyncClient,
) -> None:
    w = await build_world()
    device = Device()
    body = {
        "endpoint": "https://push.example.net/abc",
        "keys": {"p256dh": device.p256dh, "auth": b64(device.auth)},
    }
    first = await client.post("/api/v1/push/subscriptions", headers=w.nurse.headers, json=body)
    again = await client.post("/api/v1/push/subscriptions", headers=w.nurse.headers, json=body)
    assert first.json()["id"] == again.json()["id"]
    mine = (await client.get("/api/v1/push/subscriptions", headers=w.nurse.headers)).json()
    assert len(mine) == 1
    other = await client.delete(
        f"/api/v1/push/subscriptions/{first.json()['id']}", headers=w.keeper_a.headers
    )
    assert other.status_code == 404
    gone = await client.delete(
        f"/api/v1/push/subscriptions/{first.json()['id']}", headers=w.nurse.headers
    )
    assert gone.status_code == 204
    assert await db.fetch("SELECT id FROM push_subscription") == []
