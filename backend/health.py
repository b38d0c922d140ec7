"""GET /health: is the database answering, and is the job queue reachable."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from backend.core import db
from backend.settings import get_settings


@get("/health", opt={"exclude_from_auth": True, "public": True}, tags=["health"])
async def health(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    settings = get_settings()
    state: dict[str, Any] = {"database": "ok", "jobs": "in-process"}
    try:
        await db.fetch("SELECT 1 AS one")
    except Exception as exc:
        state["database"] = f"error: {type(exc).__name__}"
    state["database_kind"] = "sqlite" if settings.is_sqlite else "postgresql"
    if settings.redis_url:
        try:
            from redis.asyncio import Redis

            client = Redis.from_url(settings.redis_url)
            try:
                await client.ping()
                state["jobs"] = "redis ok"
            finally:
                await client.aclose()
        except Exception as exc:
            state["jobs"] = f"redis error: {type(exc).__name__}"
    healthy = state["database"] == "ok" and not str(state["jobs"]).startswith("redis error")
    state["status"] = "ok" if healthy else "degraded"
    return Response(state, status_code=200 if healthy else 503)


@get("/health/live", opt={"exclude_from_auth": True, "public": True}, tags=["health"])
async def live() -> dict[str, str]:
    """Liveness: the process answers. No I/O, so load balancers may poll it often; readiness
    (database, job queue) is ``GET /health``."""
    return {"status": "ok"}
