"""Alert jobs: incremental evaluation of the keys a stock change touched, the periodic sweep,
temperature readings, and the notifications (Web Push, webhooks) of alert events.

Each job takes ids (an outbox event id and its payload), reloads what it needs, and is safe to
run twice: evaluations upsert on (rule, subject) with conditional updates, deliveries are rows
keyed by (webhook, event)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from backend.alerts import push, webhooks
from backend.alerts.evaluation import engine
from backend.alerts.evaluation.finders import Scope
from backend.alerts.service import active_rule_set
from backend.core import db
from backend.core.jobs import JobFunction

log = logging.getLogger(__name__)


def scope_of_stock_changes(payloads: Sequence[dict[str, Any]]) -> Scope:
    """The lots and products the changes touched, in the warehouses they touched (a product
    changed in one warehouse is evaluated in the others of the batch too: more than needed,
    never less)."""
    keys = [k for p in payloads for k in p.get("keys") or []]
    warehouses = {int(p["warehouse_id"]) for p in payloads if p.get("warehouse_id") is not None}
    everywhere = any(p.get("warehouse_id") is None for p in payloads)
    return Scope(
        lots=frozenset(int(k["lot"]) for k in keys if k.get("lot") is not None),
        products=frozenset(int(k["product"]) for k in keys if k.get("product") is not None),
        warehouses=None if everywhere else frozenset(warehouses),
    )


async def evaluate_stock_changes(
    ctx: dict[str, Any], event_ids: list[int], payloads: list[dict[str, Any]]
) -> dict[str, Any]:
    """`stock.changed`, a dispatch round's worth at once: re-evaluate the lots and the
    products × warehouses they touched."""
    active = await active_rule_set()
    return {"events": len(event_ids)} | await engine.evaluate_scope(
        active.rule_set, scope_of_stock_changes(payloads)
    )


async def evaluate_lot_status(
    ctx: dict[str, Any], event_id: int, payload: dict[str, Any]
) -> dict[str, Any]:
    """`lot.status_changed`: the lot's own rules, and its product's availability everywhere."""
    active = await active_rule_set()
    scope = Scope(
        lots=frozenset({int(payload["lot"])}),
        products=frozenset({int(payload["product"])}) if payload.get("product") else frozenset(),
    )
    return {"event": event_id} | await engine.evaluate_scope(active.rule_set, scope)


async def evaluate_receipt_refusal(
    ctx: dict[str, Any], event_id: int, payload: dict[str, Any]
) -> dict[str, Any]:
    """`receipt.refused`: a known lot number delivered with another expiry; the lot's rules
    (among them the expiry mismatch) are evaluated for that lot."""
    if payload.get("lot") is None:
        return {"event": event_id, "skipped": "no lot"}
    active = await active_rule_set()
    scope = Scope(lots=frozenset({int(payload["lot"])}))
    return {"event": event_id} | await engine.evaluate_scope(active.rule_set, scope)


async def evaluate_reading(
    ctx: dict[str, Any], event_id: int, payload: dict[str, Any]
) -> dict[str, Any]:
    """`device.reading`: a temperature outside its location's range raises an excursion; back
    in range resolves it."""
    sensor, value = payload.get("sensor"), payload.get("temperature_c")
    if not sensor or value is None:
        return {"event": event_id, "skipped": "no sensor or temperature"}
    active = await active_rule_set()
    return {"event": event_id} | await engine.evaluate_reading(
        active.rule_set, str(sensor), float(value)
    )


async def sweep_alerts(ctx: dict[str, Any]) -> dict[str, Any]:
    """Every rule over everything: catches what time alone changes (thresholds crossed at the
    site's midnight, certificates, late suppliers, transfers in transit, snoozes ending) and
    anything an incremental evaluation missed. Writes commit in chunks; a rerun after a crash
    redoes the evaluation, writes only what is still missing and announces nothing twice."""
    active = await active_rule_set()
    summary = await engine.sweep(active.rule_set)
    log.info("alert sweep (rule set v%s): %s", active.version, summary)
    return summary | {"rule_set_version": active.version}


async def notify_push(
    ctx: dict[str, Any], event_id: int, payload: dict[str, Any]
) -> dict[str, Any]:
    """`alert.raised` / `alert.escalated`: Web Push to the devices of people in scope."""
    active = await active_rule_set()
    topic = await _topic(event_id)
    return {"event": event_id} | await push.send_for_event(
        topic, payload, active.rule_set.push_min_severity
    )


async def notify_webhooks(
    ctx: dict[str, Any], event_id: int, payload: dict[str, Any]
) -> dict[str, Any]:
    """Alert events: one delivery row per matching webhook, then one job per delivery."""
    topic = await _topic(event_id)
    ids = await webhooks.plan_deliveries(event_id, topic, payload)
    queue = ctx.get("queue")
    for delivery_id in ids:
        if queue is not None:
            await queue.enqueue(
                "deliver_webhook", delivery_id, job_id=f"deliver_webhook:{delivery_id}:0"
            )
        else:
            await webhooks.deliver(delivery_id)
    return {"event": event_id, "deliveries": len(ids)}


async def _topic(event_id: int) -> str:
    rows = await db.fetch("SELECT topic FROM outbox_event WHERE id = {}", event_id)
    return str(rows[0]["topic"]) if rows else "alert.raised"


async def deliver_webhook(ctx: dict[str, Any], delivery_id: int) -> dict[str, Any]:
    """One attempt of one delivery; a failure is recorded and retried by `retry_webhooks`."""
    return await webhooks.deliver(delivery_id)


async def retry_webhooks(ctx: dict[str, Any]) -> dict[str, Any]:
    """Every minute: enqueue the deliveries whose next attempt is due (the job id names the
    attempt, so one attempt is queued once)."""
    queue = ctx.get("queue")
    due = await webhooks.due()
    for delivery_id, attempts in due:
        if queue is not None:
            await queue.enqueue(
                "deliver_webhook", delivery_id, job_id=f"deliver_webhook:{delivery_id}:{attempts}"
            )
        else:
            await webhooks.deliver(delivery_id)
    return {"due": len(due)}


FUNCTIONS: list[JobFunction] = [
    evaluate_stock_changes,
    evaluate_lot_status,
    evaluate_receipt_refusal,
    evaluate_reading,
    sweep_alerts,
    notify_push,
    notify_webhooks,
    deliver_webhook,
    retry_webhooks,
]

BATCH_SUBSCRIPTIONS: dict[str, list[JobFunction]] = {"stock.changed": [evaluate_stock_changes]}

SUBSCRIPTIONS: dict[str, list[JobFunction]] = {
    "lot.status_changed": [evaluate_lot_status],
    "receipt.refused": [evaluate_receipt_refusal],
    "device.reading": [evaluate_reading],
    "alert.raised": [notify_push, notify_webhooks],
    "alert.escalated": [notify_push, notify_webhooks],
    "alert.resolved": [notify_webhooks],
}
