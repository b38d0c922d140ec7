"""Idempotency-Key on every mutation: a replay returns the first answer and writes nothing.

Follows the IETF draft "The Idempotency-Key HTTP Header Field": the key is claimed before the
handler runs (a unique row), so a concurrent duplicate gets 409 instead of running twice; a
completed request's status and body are stored and replayed; the same key with a different
body is refused (422). A 5xx answer releases the claim so the client may retry.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from backend.core import clock, db
from backend.core.errors import Conflict, DomainError, InvalidInput
from backend.core.i18n import pick_lang
from backend.core.problems import PROBLEM, domain_problem_body
from backend.core.tables import IdempotencyRecord

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
MAX_KEY_LENGTH = 128
ABANDONED_AFTER = timedelta(minutes=10)
"""No request runs this long; a claim older than this was left by a process that died."""


class IdempotencyInProgress(Conflict):
    code = "IDEMPOTENCY_IN_PROGRESS"
    zh = "相同的请求正在处理中，请稍后再试"
    en = "A request with this Idempotency-Key is still being processed"


class IdempotencyKeyReused(InvalidInput):
    code = "IDEMPOTENCY_KEY_REUSED"
    zh = "该 Idempotency-Key 已用于另一个不同的请求"
    en = "This Idempotency-Key was already used for a different request"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _who(scope: Scope) -> str:
    user = scope.get("user")
    user_id = getattr(user, "user_id", None)
    if user_id is not None:
        return f"u{user_id}"
    client = scope.get("client")
    return f"a{client[0] if client else '-'}"


async def _problem(send: Any, scope: Scope, error: DomainError) -> None:
    lang = pick_lang(_header(scope, b"accept-language"))
    body = json.dumps(domain_problem_body(error, lang), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", PROBLEM.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"content-language", lang.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def idempotency_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        http: Any = scope  # an HTTP scope from here on; litestar types it as HTTP | WebSocket
        if http["type"] != "http" or http.get("method") not in MUTATING:
            await app(scope, receive, send)
            return
        key = _header(scope, b"idempotency-key")
        if not key:
            await app(scope, receive, send)
            return
        if len(key) > MAX_KEY_LENGTH:
            await _problem(send, scope, InvalidInput(field="Idempotency-Key", reason="too long"))
            return

        # Buffer the body: it is hashed, then handed to the application unchanged.
        chunks: list[bytes] = []
        more = True
        while more:
            message: Any = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        digest = hashlib.sha256(
            b"\n".join([str(http["method"]).encode(), str(http["path"]).encode(), body])
        ).hexdigest()
        claim = f"{_who(scope)}:{key}"

        existing = await IdempotencyRecord.select().where(IdempotencyRecord.scope == claim).first()
        if existing is not None and existing["state"] != "done":
            # A 5xx releases its claim, a crashed process cannot: a claim this old is abandoned,
            # so the client's retry runs instead of hearing "in progress" for a week.
            await IdempotencyRecord.delete().where(
                (IdempotencyRecord.scope == claim)
                & (IdempotencyRecord.state == "in_progress")
                & (IdempotencyRecord.created_at < clock.now() - ABANDONED_AFTER)
            )
            existing = await (
                IdempotencyRecord.select().where(IdempotencyRecord.scope == claim).first()
            )
        if existing is None:
            try:
                async with db.transaction():
                    await IdempotencyRecord.insert(
                        IdempotencyRecord(scope=claim, request_hash=digest, state="in_progress")
                    )
            except Exception:  # lost the race to a concurrent duplicate: treat as existing
                existing = await (
                    IdempotencyRecord.select().where(IdempotencyRecord.scope == claim).first()
                )
                if existing is None:
                    raise
        if existing is not None:
            if existing["request_hash"] != digest:
                await _problem(send, scope, IdempotencyKeyReused(field="Idempotency-Key"))
            elif existing["state"] != "done":
                await _problem(send, scope, IdempotencyInProgress())
            else:
                await _replay(send, existing)
            return

        sent = False

        async def replay_body() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 500
        content_type = "application/json"
        response_chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for k, v in message.get("headers", []):
                    if k.lower() == b"content-type":
                        content_type = v.decode("latin-1")
            elif message["type"] == "http.response.body":
                response_chunks.append(message.get("body", b""))
            await send(message)

        try:
            await app(scope, replay_body, capture)
        finally:
            if status >= 500:
                await IdempotencyRecord.delete().where(IdempotencyRecord.scope == claim)
            else:
                await IdempotencyRecord.update(
                    {
                        IdempotencyRecord.state: "done",
                        IdempotencyRecord.status_code: status,
                        IdempotencyRecord.content_type: content_type,
                        IdempotencyRecord.body: b"".join(response_chunks).decode(
                            "utf-8", "replace"
                        ),
                    }
                ).where(IdempotencyRecord.scope == claim)

    return middleware


async def _replay(send: Any, record: dict[str, Any]) -> None:
    body = (record["body"] or "").encode()
    await send(
        {
            "type": "http.response.start",
            "status": record["status_code"],
            "headers": [
                (b"content-type", (record["content_type"] or "application/json").encode()),
                (b"content-length", str(len(body)).encode()),
                (b"idempotent-replayed", b"true"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
