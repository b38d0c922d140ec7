"""Outgoing webhooks: generic signed JSON, WeCom (企业微信) and DingTalk (钉钉) group robots.

Every (webhook, event) is its own ``alert_webhook_delivery`` row with its own attempts, so a
dead or slow endpoint never holds up another. A failed attempt (an error status, a timeout, a
refused connection, a robot's non-zero errcode) is logged on the row and tried again later with
exponential backoff until ``webhook_max_attempts``; then the row is marked failed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from backend.alerts import errors, rules
from backend.alerts.tables import AlertWebhook, WebhookDelivery
from backend.core import clock, db
from backend.core.actor import Actor
from backend.core.errors import InvalidInput, NotFound
from backend.core.unit_of_work import unit_of_work
from backend.settings import get_settings

log = logging.getLogger(__name__)

KINDS = ("generic", "wecom", "dingtalk")
SIGNATURE_HEADER = "X-Lotwise-Signature"
TIMESTAMP_HEADER = "X-Lotwise-Timestamp"
MAX_BACKOFF = timedelta(hours=1)

# ---- message formats (pure) ------------------------------------------------------------------

_SEVERITY_ZH = {"info": "提示", "warning": "警告", "critical": "严重"}
_TOPIC_ZH = {"alert.raised": "新预警", "alert.escalated": "预警升级", "alert.resolved": "预警解除"}


def markdown(topic: str, payload: Mapping[str, Any]) -> tuple[str, str]:
    """(title, markdown text) for the robots."""
    severity = str(payload.get("severity", "info"))
    title = f"{_TOPIC_ZH.get(topic, topic)}：{payload.get('title')}"
    colour = {"critical": "warning", "warning": "comment"}.get(severity, "info")
    lines = [
        f"### {title}",
        f'> 级别：<font color="{colour}">{_SEVERITY_ZH.get(severity, severity)}</font>',
        f"> 规则：{payload.get('rule')}",
    ]
    if payload.get("warehouse_id") is not None:
        lines.append(f"> 仓库：{payload['warehouse_id']}")
    lines.append(f"> 预警编号：{payload.get('alert')}")
    return title, "\n".join(lines)


def generic_body(event_id: int, topic: str, payload: Mapping[str, Any]) -> bytes:
    return json.dumps(
        {"id": event_id, "topic": topic, "data": dict(payload)},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def sign_generic(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp + "." + body``, hex, prefixed ``sha256=``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: sign = base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), both
    appended to the robot URL."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    sign = base64.b64encode(hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()).decode()
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={urllib.parse.quote_plus(sign)}"


def request_for(
    hook: Mapping[str, Any], event_id: int, topic: str, payload: Mapping[str, Any], now_s: float
) -> tuple[str, dict[str, str], bytes]:
    """(url, headers, body) of one delivery."""
    kind, url, secret = hook["kind"], hook["url"], hook.get("secret")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if kind == "generic":
        body = generic_body(event_id, topic, payload)
        timestamp = str(int(now_s))
        headers[TIMESTAMP_HEADER] = timestamp
        headers["X-Lotwise-Event"] = topic
        headers["X-Lotwise-Delivery"] = str(event_id)
        if secret:
            headers[SIGNATURE_HEADER] = sign_generic(secret, timestamp, body)
        return url, headers, body
    title, text = markdown(topic, payload)
    if kind == "wecom":
        body = json.dumps(
            {"msgtype": "markdown", "markdown": {"content": text}}, ensure_ascii=False
        ).encode()
        return url, headers, body
    body = json.dumps(
        {"msgtype": "markdown", "markdown": {"title": title, "text": text}}, ensure_ascii=False
    ).encode()
    if secret:
        url = dingtalk_signed_url(url, secret, int(now_s * 1000))
    return url, headers, body


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """Wait after the given number of failed attempts: base, 2×base, 4×base, ... (≤ 1 h)."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def accepted(kind: str, status: int, text: str) -> tuple[bool, str | None]:
    if not 200 <= status < 300:
        return False, f"HTTP {status}: {text[:300]}"
    if kind in ("wecom", "dingtalk"):
        try:
            answer = json.loads(text or "{}")
        except ValueError:
            return False, f"not JSON: {text[:300]}"
        if int(answer.get("errcode", 0)) != 0:
            return False, f"errcode {answer.get('errcode')}: {answer.get('errmsg')}"
    return True, None


# ---- administration --------------------------------------------------------------------------


def check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.WebhookUrlInvalid(field="url", reason="http(s)://host/...")
    return url.strip()


def _view(row: Mapping[str, Any]) -> dict[str, Any]:
    return dict(row) | {"secret": None, "has_secret": bool(row.get("secret"))}


async def list_hooks() -> list[dict[str, Any]]:
    rows = await AlertWebhook.select().order_by(AlertWebhook._meta.primary_key)
    return [_view(r) for r in rows]


async def get_hook(hook_id: int) -> dict[str, Any]:
    row = await AlertWebhook.select().where(AlertWebhook._meta.primary_key == hook_id).first()
    if row is None:
        raise NotFound(entity="webhook", key=hook_id)
    return _view(row)


def _check(values: Mapping[str, Any]) -> None:
    if "kind" in values and values["kind"] not in KINDS:
        raise InvalidInput(field="kind", reason=", ".join(KINDS))
    if "min_severity" in values and values["min_severity"] not in rules.SEVERITIES:
        raise InvalidInput(field="min_severity", reason=", ".join(rules.SEVERITIES))


async def create_hook(actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    _check(values)
    values["url"] = check_url(values["url"])
    async with unit_of_work(actor) as uow:
        rows = await AlertWebhook.insert(AlertWebhook(**values))
        hook_id = int(rows[0]["id"])
        uow.audit("create", "alert_webhook", hook_id, new=_view(values))
    return await get_hook(hook_id)


async def update_hook(actor: Actor, hook_id: int, values: dict[str, Any]) -> dict[str, Any]:
    _check(values)
    if "url" in values:
        values["url"] = check_url(values["url"])
    async with unit_of_work(actor) as uow:
        old = await get_hook(hook_id)
        if values:
            await AlertWebhook.update(
                {getattr(AlertWebhook, k): v for k, v in values.items()}
            ).where(AlertWebhook._meta.primary_key == hook_id)
        uow.audit("update", "alert_webhook", hook_id, old=old, new=_view(values))
    return await get_hook(hook_id)


async def delete_hook(actor: Actor, hook_id: int) -> None:
    """Retire: deliveries keep their webhook, so it is deactivated rather than deleted."""
    await update_hook(actor, hook_id, {"active": False})


async def deliveries(hook_id: int, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    await get_hook(hook_id)
    rows = await (
        WebhookDelivery.select()
        .where(WebhookDelivery.webhook == hook_id)
        .order_by(WebhookDelivery.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    total = await WebhookDelivery.count().where(WebhookDelivery.webhook == hook_id)
    return list(rows), total


# ---- delivery --------------------------------------------------------------------------------


async def plan_deliveries(event_id: int, topic: str, payload: Mapping[str, Any]) -> list[int]:
    """One delivery row per matching active webhook; a re-published event adds none."""
    hooks = await AlertWebhook.select().where(AlertWebhook.active == True)  # noqa: E712
    severity = str(payload.get("severity", "info"))
    ids: list[int] = []
    for hook in hooks:
        if not rules.severity_at_least(severity, hook["min_severity"]):
            continue
        if hook["warehouse"] is not None and hook["warehouse"] != payload.get("warehouse_id"):
            continue
        rows = await db.fetch(
            "INSERT INTO alert_webhook_delivery (webhook, event_id, topic, alert, status, "
            "attempts, next_attempt_at, created_at) VALUES ({}, {}, {}, {}, 'pending', 0, {}, {}) "
            "ON CONFLICT (webhook, event_id) DO NOTHING RETURNING id",
            hook["id"],
            event_id,
            topic,
            int(payload.get("alert", 0)),
            clock.now(),
            clock.now(),
        )
        if rows:
            ids.append(int(rows[0]["id"]))
        else:
            existing = await WebhookDelivery.select(WebhookDelivery.id).where(
                (WebhookDelivery.webhook == hook["id"]) & (WebhookDelivery.event_id == event_id)
            )
            ids += [int(r["id"]) for r in existing]
    return ids


async def _event(event_id: int) -> tuple[str, dict[str, Any]] | None:
    rows = await db.fetch("SELECT topic, payload FROM outbox_event WHERE id = {}", event_id)
    if not rows:
        return None
    payload = rows[0]["payload"]
    return rows[0]["topic"], json.loads(payload) if isinstance(payload, str) else payload


async def deliver(
    delivery_id: int, *, client: httpx.AsyncClient | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """One attempt of one pending delivery that is due. Never raises for the endpoint's sake."""
    settings = get_settings()
    at = now or clock.now()
    row = await WebhookDelivery.select().where(WebhookDelivery.id == delivery_id).first()
    if row is None or row["status"] != "pending":
        return {"delivery": delivery_id, "skipped": "not pending"}
    hook = (
        await AlertWebhook.select().where(AlertWebhook._meta.primary_key == row["webhook"]).first()
    )
    event = await _event(row["event_id"])
    if hook is None or event is None or not hook["active"]:
        await WebhookDelivery.update(
            {WebhookDelivery.status: "failed", WebhookDelivery.last_error: "webhook or event gone"}
        ).where(WebhookDelivery.id == delivery_id)
        return {"delivery": delivery_id, "failed": "gone"}
    # Claim the attempt: a second worker running the same delivery finds attempts changed.
    claimed = await db.fetch(
        "UPDATE alert_webhook_delivery SET attempts = attempts + 1, next_attempt_at = {} "
        "WHERE id = {} AND attempts = {} AND status = 'pending' RETURNING attempts",
        at + backoff(row["attempts"] + 1, settings.webhook_backoff_seconds),
        delivery_id,
        row["attempts"],
    )
    if not claimed:
        return {"delivery": delivery_id, "skipped": "claimed elsewhere"}
    attempts = int(claimed[0]["attempts"])
    topic, payload = event
    url, headers, body = request_for(hook, int(row["event_id"]), topic, payload, time.time())
    status: int | None = None
    try:
        own = client is None
        http = client or httpx.AsyncClient(timeout=settings.webhook_timeout_seconds)
        try:
            response = await http.post(
                url, content=body, headers=headers, timeout=settings.webhook_timeout_seconds
            )
        finally:
            if own:
                await http.aclose()
        status = response.status_code
        ok, error = accepted(hook["kind"], status, response.text)
    except httpx.TimeoutException:
        ok, error = False, f"timed out after {settings.webhook_timeout_seconds} s"
    except httpx.HTTPError as exc:
        ok, error = False, f"{type(exc).__name__}: {exc}"
    if ok:
        await WebhookDelivery.update(
            {
                WebhookDelivery.status: "delivered",
                WebhookDelivery.delivered_at: clock.now(),
                WebhookDelivery.last_status: status,
                WebhookDelivery.last_error: None,
            }
        ).where(WebhookDelivery.id == delivery_id)
        return {"delivery": delivery_id, "delivered": True, "attempts": attempts}
    final = attempts >= settings.webhook_max_attempts
    log.warning(
        "webhook %s delivery %s attempt %s failed%s: %s",
        hook["id"],
        delivery_id,
        attempts,
        " (giving up)" if final else "",
        error,
    )
    await WebhookDelivery.update(
        {
            WebhookDelivery.status: "failed" if final else "pending",
            WebhookDelivery.last_error: error,
            WebhookDelivery.last_status: status,
        }
    ).where(WebhookDelivery.id == delivery_id)
    return {"delivery": delivery_id, "delivered": False, "attempts": attempts, "error": error}


async def due(now: datetime | None = None, limit: int = 500) -> list[tuple[int, int]]:
    """(delivery id, attempts so far) of pending deliveries whose next attempt is due."""
    rows = await db.fetch(
        "SELECT id, attempts FROM alert_webhook_delivery WHERE status = 'pending' "
        f"AND next_attempt_at <= {{}} ORDER BY next_attempt_at LIMIT {int(limit)}",
        now or clock.now(),
    )
    return [(int(r["id"]), int(r["attempts"])) for r in rows]
