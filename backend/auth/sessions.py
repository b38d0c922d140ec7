"""A short-lived cache of who a token speaks for, and its invalidation across processes.

Every authenticated request needs the token's Actor; reading it from the database each time
was the largest cost of a cheap request. A resolved Actor is kept for ``TTL_S`` seconds, keyed
by the token's id (``jti``). Whatever may end or narrow a session drops the entries at once:

- in the process that made the change, before its request is answered (``forget_user`` /
  ``forget_token`` after the commit), so the next request there reads the database again;
- in every other process and API instance when the invalidation arrives on the channels
  backend (Redis pub/sub in production, in memory for one embedded process);
- at the latest after ``TTL_S`` anywhere (a change made outside the services, or an event that
  could not be published).

A look-up that started before an invalidation does not store its answer (the generation
counter): it may have read the row as it was before the change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.config.app import AppConfig
from litestar.plugins import InitPluginProtocol

from backend.core.actor import Actor

log = logging.getLogger(__name__)

TTL_S: Final = 5.0
"""Longest time a cached Actor is used without reading the database again."""
MAX_ENTRIES: Final = 10_000
CHANNEL: Final = "auth.sessions"


class Invalidation(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What the channel carries: a user whose sessions changed, or one token that ended."""

    user_id: int | None = None
    jti: str | None = None


_decode_invalidation = msgspec.json.Decoder(Invalidation).decode


class SessionCache:
    def __init__(self, ttl: float = TTL_S, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Actor]] = {}
        self.generation = 0
        """Bumped by every invalidation; a look-up begun under an older one is not stored."""
        self.enabled = False
        """Only while this process hears the other processes' invalidations."""

    def get(self, jti: str) -> Actor | None:
        entry = self._entries.get(jti)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            self._entries.pop(jti, None)
            return None
        return entry[1]

    def put(self, jti: str, actor: Actor, generation: int) -> None:
        if generation != self.generation or not self.enabled:
            return
        if len(self._entries) >= self.max_entries:
            self._evict()
        self._entries[jti] = (time.monotonic() + self.ttl, actor)

    def _evict(self) -> None:
        now = time.monotonic()
        for jti in [k for k, (deadline, _) in self._entries.items() if deadline < now]:
            del self._entries[jti]
        if len(self._entries) >= self.max_entries:
            self._entries.clear()

    def apply(self, change: Invalidation) -> None:
        self.generation += 1
        if change.jti is not None:
            self._entries.pop(change.jti, None)
        if change.user_id is not None:
            for jti in [k for k, (_, a) in self._entries.items() if a.user_id == change.user_id]:
                del self._entries[jti]

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()


CACHE = SessionCache()
_links: set[SessionInvalidation] = set()
"""The apps of this process listening for invalidations; the cache is used while one is."""


async def resolve(jti: str | None, load: Callable[[], Awaitable[Actor]]) -> Actor:
    """The cached Actor of token ``jti``, or ``load()``'s answer (stored unless an
    invalidation happened meanwhile). Tokens without an id are never cached."""
    if not jti:
        return await load()
    actor = CACHE.get(jti)
    if actor is not None:
        return actor
    generation = CACHE.generation
    actor = await load()
    CACHE.put(jti, actor, generation)
    return actor


async def forget_user(user_id: int) -> None:
    """Call after committing a change to the user (password, roles, scope, active, lock)."""
    await _invalidate(Invalidation(user_id=user_id))


async def forget_token(jti: str) -> None:
    """Call after committing the revocation of one token (logout)."""
    await _invalidate(Invalidation(jti=jti))


async def _invalidate(change: Invalidation) -> None:
    CACHE.apply(change)  # here, before the request that made the change is answered
    for link in list(_links):
        try:
            await link.publish(msgspec.json.encode(change))
        except Exception:  # the other processes forget it after TTL_S anyway
            log.exception("could not publish a session invalidation; others drop it in %ss", TTL_S)


def _linked(link: SessionInvalidation, listening: bool) -> None:
    if listening:
        _links.add(link)
    else:
        _links.discard(link)
    # Whatever was cached while a link was missing may have missed an invalidation.
    CACHE.clear()
    CACHE.enabled = bool(_links)


class SessionInvalidation(InitPluginProtocol):
    """Publishes this process's invalidations on the channels backend and applies everyone's."""

    def __init__(self, channels: ChannelsPlugin) -> None:
        self.channels = channels
        self._listener: asyncio.Task[None] | None = None

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        # Startup hooks run after the lifespan managers, so the channels backend is up.
        app_config.on_startup.append(self._start)
        app_config.on_shutdown.append(self._stop)
        return app_config

    async def publish(self, data: bytes) -> None:
        await self.channels.wait_published(data, [CHANNEL])

    async def _start(self) -> None:
        subscriber = await self.channels.subscribe([CHANNEL])
        self._listener = asyncio.create_task(self._listen(subscriber))
        _linked(self, True)

    async def _listen(self, subscriber: Any) -> None:
        try:
            async for message in subscriber.iter_events():
                try:
                    CACHE.apply(_decode_invalidation(message))
                except msgspec.DecodeError:
                    log.warning("ignored a malformed session invalidation: %r", message[:200])
        finally:
            _linked(self, False)  # deaf to the other processes from now on
            with contextlib.suppress(Exception):
                await self.channels.unsubscribe(subscriber)

    async def _stop(self) -> None:
        _linked(self, False)
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
