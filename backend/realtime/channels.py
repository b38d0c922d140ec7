"""The channels backend: Redis pub/sub when REDIS_URL is set, so every API instance sees every
event; in memory otherwise."""

from __future__ import annotations

from litestar.channels import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend

from backend.settings import Settings


def make_backend(settings: Settings) -> ChannelsBackend:
    if settings.redis_url:
        from redis.asyncio import Redis

        return RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url))
    return MemoryChannelsBackend()
