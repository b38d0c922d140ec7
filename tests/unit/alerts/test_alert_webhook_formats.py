"""Webhook message formats and signatures: generic HMAC, WeCom and DingTalk markdown robots."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from datetime import timedelta

from backend.alerts import webhooks

PAYLOAD = {
    "alert": 5,
    "rule": "near_expiry",
    "severity": "critical",
    "title": "近效期：剩余 3 天",
    "warehouse_id": 2,
}


def test_generic_webhooks_are_signed_over_timestamp_and_body() -> None:
    hook = {"kind": "generic", "url": "http://x/h", "secret": "s3cret"}
    url, headers, body = webhooks.request_for(hook, 42, "alert.raised", PAYLOAD, 1_700_000_000.5)
    assert url == "http://x/h" and headers["X-Lotwise-Timestamp"] == "1700000000"
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert headers["X-Lotwise-Signature"] == f"sha256={expected}"
    assert json.loads(body) == {"id": 42, "topic": "alert.raised", "data": PAYLOAD}


def test_wecom_robots_get_a_markdown_message() -> None:
    hook = {"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"}
    _url, _headers, body = webhooks.request_for(hook, 1, "alert.raised", PAYLOAD, 0)
    message = json.loads(body)
    assert message["msgtype"] == "markdown" and "近效期" in message["markdown"]["content"]


def test_dingtalk_robots_get_markdown_and_a_signed_url() -> None:
    hook = {
        "kind": "dingtalk",
        "url": "https://oapi.dingtalk.com/robot/send?access_token=t",
        "secret": "SECabc",
    }
    url, _headers, body = webhooks.request_for(hook, 1, "alert.escalated", PAYLOAD, 1_700_000_000)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["timestamp"] == ["1700000000000"] and query["access_token"] == ["t"]
    expected = base64.b64encode(
        hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]
    message = json.loads(body)
    assert message["markdown"]["title"].startswith("预警升级")


def test_robots_answering_a_nonzero_errcode_failed() -> None:
    assert webhooks.accepted("wecom", 200, '{"errcode":0}') == (True, None)
    ok, error = webhooks.accepted("dingtalk", 200, '{"errcode":310000,"errmsg":"sign not match"}')
    assert not ok and error and "310000" in error
    assert webhooks.accepted("generic", 500, "boom")[0] is False


def test_backoff_doubles_up_to_an_hour() -> None:
    assert webhooks.backoff(1, 30) == timedelta(seconds=30)
    assert webhooks.backoff(3, 30) == timedelta(seconds=120)
    assert webhooks.backoff(20, 30) == timedelta(hours=1)
