"""WebSocket /ws: live events for a signed-in person, only those in their scope.

Authenticated by `?token=` (browsers cannot set headers on a WebSocket) or the sign-in cookie.
The socket is read all the time, so a disconnect is noticed at once and the subscription ends."""

import asyncio
import contextlib
from datetime import datetime
from typing import Any

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.exceptions import WebSocketDisconnect
from litestar.security.jwt import Token

from backend.auth.api import TOKEN_COOKIE
from backend.auth.service import actor_for_token
from backend.realtime.routing import channels_for_user
from backend.settings import get_settings
from backend.sites.tables import Warehouse

CLOSE_UNAUTHENTICATED = 4401
_subscription_lock = asyncio.Lock()


async def _actor_from(socket: WebSocket[Any, Any, Any]) -> Any:
    raw = socket.query_params.get("token") or socket.cookies.get(TOKEN_COOKIE) or ""
    token = Token.decode(raw, get_settings().secret_key, "HS256")
    issued = token.iat if isinstance(token.iat, datetime) else datetime.fromtimestamp(token.iat)
    return await actor_for_token(int(token.sub), issued, str(token.jti) if token.jti else None)


@websocket("/ws", opt={"exclude_from_auth": True, "public": True})
async def live_socket(socket: WebSocket[Any, Any, Any]) -> None:
    await socket.accept()
    try:
        actor = await _actor_from(socket)
    except Exception:  # bad, expired or revoked token: the client signs in again
        await socket.close(code=CLOSE_UNAUTHENTICATED, reason="sign in again")
        return
    warehouses = actor.warehouse_ids
    if actor.all_scopes:
        warehouses = frozenset(r["id"] for r in await Warehouse.select(Warehouse._meta.primary_key))
    channels: ChannelsPlugin = socket.app.state.channels
    names = channels_for_user(actor.user_id, warehouses, actor.department_ids, actor.roles)
    # Litestar's Redis pub/sub backend shares one connection for SUBSCRIBE; two sockets
    # subscribing at the same moment could lose each other's channels, so take turns.
    async with _subscription_lock:
        subscriber = await channels.subscribe(names)
    try:
        await socket.send_json({"topic": "hello", "data": {"channels": names}})

        async def forward() -> None:
            async for message in subscriber.iter_events():
                await socket.send_text(message.decode() if isinstance(message, bytes) else message)

        sender = asyncio.create_task(forward())
        try:
            while True:
                # Clients may send pings; anything they send just keeps the read going.
                await socket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
    finally:
        async with _subscription_lock:
            await channels.unsubscribe(subscriber)
