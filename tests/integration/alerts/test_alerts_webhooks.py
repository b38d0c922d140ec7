"""Webhook delivery against local servers that succeed, answer 500 or hang: each delivery is
its own job and row, so the good endpoint gets its message at once; the others are logged,
retried with backoff and finally marked failed, never raising."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import hmac
import json
import logging
from datetime import timedelta

import httpx
import pytest
from aiohttp import web

from backend import worker
from backend.alerts import webhooks
from backend.alerts.evaluation import engine, jobs
from backend.alerts.ruleset import DEFAULT
from backend.alerts.tables import AlertWebhook
from backend.core import db
from backend.core.jobs import InProcessQueue
from backend.settings import get_settings
from tests.integration.alerts.localhttp import serve
from tests.integration.alerts.world import build_world, events, make_lot, put


async def ok(request: web.Request, body: bytes) -> web.Response:
    return web.json_response({"errcode": 0, "errmsg": "ok"})


async def broken(request: web.Request, body: bytes) -> web.Response:
    return web.Response(status=500, text="internal error")


async def hanging(request: web.Request, body: bytes) -> web.Response:
    await asyncio.sleep(30)
    return web.Response(status=200)


@pytest.fixture
def fast_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    quick = dataclasses.replace(
        get_settings(),
        webhook_timeout_seconds=0.5,
        webhook_backoff_seconds=0,
        webhook_max_attempts=3,
    )
    monkeypatch.setattr(webhooks, "get_settings", lambda: quick)


async def test_a_dead_or_hanging_webhook_never_blocks_the_others_and_is_retried(
    client: httpx.AsyncClient,
    fast_settings: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    w = await build_world()
    caplog.set_level(logging.WARNING, logger="backend.alerts.webhooks")
    async with serve(ok) as good, serve(broken) as bad, serve(hanging) as slow:
        for name, kind, url, secret in (
            ("hang", "generic", slow.url + "/h", None),
            ("500", "generic", bad.url + "/h", None),
            ("good", "generic", good.url + "/hook", "s3cret"),
            ("ding", "dingtalk", good.url + "/robot/send?access_token=t", "SECx"),
            ("wecom", "wecom", good.url + "/cgi-bin/webhook/send?key=k", None),
        ):
            await AlertWebhook.insert(
                AlertWebhook(name=name, kind=kind, url=url, secret=secret, min_severity="warning")
            )
        lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=20))
        await put(lot, w.storage_a, 5)
        await engine.sweep(DEFAULT)
        (event_id, topic, payload) = (await events())[-1]
        queue = InProcessQueue(worker.FUNCTIONS)
        result = await jobs.notify_webhooks({"queue": queue}, event_id, payload)
        assert result["deliveries"] == 5
        await queue.drain()
        # Replaying the event (a re-published outbox row) plans no second delivery.
        assert (await jobs.notify_webhooks({"queue": queue}, event_id, payload))["deliveries"] == 5
        await queue.drain()
        assert len(good.received) == 3
        # Not queued behind the hanging endpoint: all arrived before its first attempt timed out.
        assert max(r.at for r in good.received) < min(r.at for r in slow.received) + 0.5
        for _attempt in range(3):
            await jobs.retry_webhooks({"queue": queue})
            await queue.drain()
        assert len(good.received) == 3  # delivered once each, never again
        assert len(bad.received) == 3  # three attempts, then given up
    rows = {
        r["name"]: r
        for r in await db.fetch(
            "SELECT h.name, d.status, d.attempts, d.last_status, d.last_error "
            "FROM alert_webhook_delivery d JOIN alert_webhook h ON h.id = d.webhook"
        )
    }
    assert {n: (r["status"], r["attempts"]) for n, r in rows.items()} == {
        "good": ("delivered", 1),
        "ding": ("delivered", 1),
        "wecom": ("delivered", 1),
        "500": ("failed", 3),
        "hang": ("failed", 3),
    }
    assert rows["500"]["last_status"] == 500 and "timed out" in rows["hang"]["last_error"]
    assert "giving up" in caplog.text
    generic = next(r for r in good.received if r.path == "/hook")
    ts = generic.headers["X-Lotwise-Timestamp"]
    expected = hmac.new(b"s3cret", ts.encode() + b"." + generic.body, hashlib.sha256).hexdigest()
    assert generic.headers["X-Lotwise-Signature"] == f"sha256={expected}"
    assert json.loads(generic.body) == {"id": event_id, "topic": topic, "data": payload}
    ding = next(r for r in good.received if r.path == "/robot/send")
    sign = base64.b64encode(
        hmac.new(b"SECx", f"{ding.query['timestamp']}\nSECx".encode(), hashlib.sha256).digest()
    ).decode()
    assert ding.query["sign"] == sign and json.loads(ding.body)["msgtype"] == "markdown"
    wecom = next(r for r in good.received if r.path == "/cgi-bin/webhook/send")
    assert "近效期" in json.loads(wecom.body)["markdown"]["content"]


async def test_webhooks_filter_by_severity_and_warehouse(
    client: httpx.AsyncClient,
    fast_settings: None,
) -> None:
    w = await build_world()
    async with serve(ok) as good:
        await AlertWebhook.insert(
            AlertWebhook(
                name="critical only", kind="generic", url=good.url + "/c", min_severity="critical"
            ),
            AlertWebhook(
                name="B only",
                kind="generic",
                url=good.url + "/b",
                min_severity="info",
                warehouse=w.wh_b,
            ),
        )
        lot = await make_lot(w.syringe, "L1", w.today + timedelta(days=100))  # info, warehouse A
        await put(lot, w.storage_a, 5)
        await engine.sweep(DEFAULT)
        (event_id, _topic, payload) = (await events())[-1]
        assert (await jobs.notify_webhooks({}, event_id, payload))["deliveries"] == 0
    assert good.received == []
