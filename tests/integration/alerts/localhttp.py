"""Tiny local HTTP endpoints on 127.0.0.1 for push and webhook tests (aiohttp, test loop)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Received:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Endpoint:
    url: str
    received: list[Received] = field(default_factory=list)


Handler = Callable[[web.Request, bytes], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[Endpoint]:
    endpoint = Endpoint(url="")

    async def any_request(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        endpoint.received.append(
            Received(
                request.path, dict(request.query), dict(request.headers), body, time.monotonic()
            )
        )
        return await handler(request, body)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", any_request)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server: Any = site._server
    port = server.sockets[0].getsockname()[1]
    endpoint.url = f"http://127.0.0.1:{port}"
    try:
        yield endpoint
    finally:
        await runner.cleanup()
