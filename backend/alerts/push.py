"""Web Push (VAPID): subscriptions per user and device, the server's key, and sending an alert
to the subscribed devices of the people in its scope and audience.

A subscription the push service reports gone (404 or 410) is deleted; any other failure is
logged and left for the next alert."""

from __future__ import annotations

import base64
import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02  # type: ignore[import-untyped]

from backend.alerts import rules
from backend.alerts.evaluation.finders import load_json
from backend.alerts.tables import PushSubscription
from backend.auth.service import actor_from_row
from backend.core import clock, db
from backend.core.actor import Actor
from backend.core.errors import NotFound
from backend.core.unit_of_work import unit_of_work
from backend.settings import ROOT, get_settings

log = logging.getLogger(__name__)

KEY_FILE = ROOT / "var" / "vapid_private.pem"
GONE = frozenset({404, 410})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@cache
def vapid() -> Vapid02:
    """The server's VAPID key: from settings, else var/vapid_private.pem (made on first use)."""
    configured = get_settings().vapid_private_key.strip()
    if configured:
        if configured.startswith("-----BEGIN"):
            return Vapid02.from_pem(configured.encode())
        return Vapid02.from_string(configured)
    path = Path(KEY_FILE)
    if path.exists():
        return Vapid02.from_file(str(path))
    key = Vapid02()
    key.generate_keys()
    path.parent.mkdir(parents=True, exist_ok=True)
    key.save_key(str(path))
    path.chmod(0o600)
    return key


def public_key() -> str:
    """The applicationServerKey the PWA passes to pushManager.subscribe (base64url)."""
    raw = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64(raw)


async def subscribe(
    actor: Actor, *, endpoint: str, p256dh: str, auth: str, device: str | None
) -> dict[str, Any]:
    """Register (or refresh) this device's subscription for the signed-in user. The same
    endpoint registered again (a new key, another user on the device) replaces the old row."""
    async with unit_of_work(actor) as uow:
        old = await PushSubscription.select().where(PushSubscription.endpoint == endpoint)
        if old:
            await PushSubscription.update(
                {
                    PushSubscription.user: actor.user_id,
                    PushSubscription.p256dh: p256dh,
                    PushSubscription.auth: auth,
                    PushSubscription.device: device,
                }
            ).where(PushSubscription.id == old[0]["id"])
            sub_id = int(old[0]["id"])
        else:
            rows = await PushSubscription.insert(
                PushSubscription(
                    user=actor.user_id,
                    endpoint=endpoint,
                    p256dh=p256dh,
                    auth=auth,
                    device=device,
                    created_at=clock.now(),
                )
            )
            sub_id = int(rows[0]["id"])
        uow.audit("subscribe", "push_subscription", sub_id, new={"device": device})
    return await _one(actor, sub_id)


async def _one(actor: Actor, sub_id: int) -> dict[str, Any]:
    row = (
        await PushSubscription.select()
        .where((PushSubscription.id == sub_id) & (PushSubscription.user == actor.user_id))
        .first()
    )
    if row is None:
        raise NotFound(entity="push subscription", key=sub_id)
    return dict(row)


async def mine(actor: Actor) -> list[dict[str, Any]]:
    return list(await PushSubscription.select().where(PushSubscription.user == actor.user_id))


async def unsubscribe(actor: Actor, sub_id: int) -> None:
    async with unit_of_work(actor) as uow:
        await _one(actor, sub_id)
        await PushSubscription.delete().where(PushSubscription.id == sub_id)
        uow.audit("unsubscribe", "push_subscription", sub_id)


def in_audience(actor: Actor, payload: dict[str, Any]) -> bool:
    """The person's scope covers the alert (warehouse or department; neither = everyone) and
    one of their roles is in its audience."""
    if not rules.visible_to(payload.get("roles", []), actor.roles):
        return False
    warehouse, department = payload.get("warehouse_id"), payload.get("department_id")
    if warehouse is None and department is None:
        return True
    return (warehouse is not None and actor.sees_warehouse(warehouse)) or (
        department is not None and actor.sees_department(department)
    )


async def recipients(payload: dict[str, Any]) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT s.id, s.endpoint, s.p256dh, s.auth, u.id AS user_id, u.username, u.full_name, "
        "u.roles, u.warehouse_ids, u.department_ids FROM push_subscription s "
        'JOIN app_user u ON u.id = s."user" WHERE u.active'
    )
    out = []
    for r in rows:
        user = {
            "id": r["user_id"],
            "username": r["username"],
            "full_name": r["full_name"],
            "roles": load_json(r["roles"]),
            "warehouse_ids": load_json(r["warehouse_ids"]),
            "department_ids": load_json(r["department_ids"]),
        }
        if in_audience(actor_from_row(user), payload):
            out.append(r)
    return out


def message(topic: str, payload: dict[str, Any]) -> str:
    """The notification the service worker shows (it reads title, body, tag, data)."""
    return json.dumps(
        {
            "title": payload.get("title"),
            "body": payload.get("title_en"),
            "tag": f"alert-{payload.get('alert')}",
            "severity": payload.get("severity"),
            "topic": topic,
            "data": {"alert": payload.get("alert"), "url": f"/alerts/{payload.get('alert')}"},
        },
        ensure_ascii=False,
    )


async def send_for_event(topic: str, payload: dict[str, Any], min_severity: str) -> dict[str, int]:
    from pywebpush import WebPushException, webpush_async  # type: ignore[import-untyped]

    if not rules.severity_at_least(str(payload.get("severity", "info")), min_severity):
        return {"sent": 0, "skipped": 1}
    sent = gone = failed = 0
    data = message(topic, payload)
    settings = get_settings()
    for sub in await recipients(payload):
        info = {"endpoint": sub["endpoint"], "keys": {"p256dh": sub["p256dh"], "auth": sub["auth"]}}
        try:
            await webpush_async(
                info,
                data=data,
                vapid_private_key=vapid(),
                vapid_claims={"sub": settings.vapid_subject},
                timeout=10,
                ttl=24 * 3600,
                headers={"Urgency": "high" if payload.get("severity") == "critical" else "normal"},
            )
            sent += 1
            await PushSubscription.update({PushSubscription.last_sent_at: clock.now()}).where(
                PushSubscription.id == sub["id"]
            )
        except WebPushException as exc:
            status = getattr(exc.response, "status", None) or getattr(
                exc.response, "status_code", None
            )
            if status in GONE:
                gone += 1
                await PushSubscription.delete().where(PushSubscription.id == sub["id"])
                log.info("push subscription %s is gone (%s): deleted", sub["id"], status)
            else:
                failed += 1
                log.warning("push to subscription %s failed: %s", sub["id"], exc.message)
        except Exception as exc:  # unreachable push service: the next alert tries again
            failed += 1
            log.warning("push to subscription %s failed: %r", sub["id"], exc)
    return {"sent": sent, "gone": gone, "failed": failed}
