"""Integration tests: services and HTTP against the real database; tables emptied after each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from litestar import Litestar


@pytest.fixture(autouse=True)
async def _clean(clean_tables: None, client: httpx.AsyncClient) -> None:
    client.cookies.clear()  # a sign-in cookie must not carry over into the next test


@pytest.fixture(scope="session")
def app(database: None) -> Litestar:
    from backend.app import create_app

    return create_app()


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP straight into the app on the test's own event loop (Litestar's test clients run the
    app through a thread portal, which an asyncpg pool bound to this loop cannot follow)."""
    async with running(app):
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """The app's lifespan, entered and left in one task of its own (anyio's cancel scopes
    inside it must be, and a session fixture's set-up and tear-down run in different tasks)."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    await asyncio.wait([task, asyncio.create_task(started.wait())], return_when="FIRST_COMPLETED")
    if task.done():
        task.result()  # the lifespan failed: raise its error
    try:
        yield
    finally:
        stop.set()
        await task
