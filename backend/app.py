"""The composition root: builds the Litestar app (routes, auth, plugins, error map, lifespan)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from litestar import Litestar, Response, Router, get
from litestar.channels import ChannelsPlugin
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.params import PathParameter
from litestar.security.jwt import JWTCookieAuth, Token

from backend import worker
from backend.alerts.api import CONTROLLERS as ALERT_CONTROLLERS
from backend.audit.api import CONTROLLERS as AUDIT_CONTROLLERS
from backend.auth.api import TOKEN_COOKIE, AuthController, UserController
from backend.auth.guards import ActorAuthenticationMiddleware, provide_actor
from backend.auth.sessions import SessionInvalidation
from backend.catalog.api import CONTROLLERS as CATALOG_CONTROLLERS
from backend.core import db, outbox
from backend.core.actor import Actor
from backend.core.errors import NotFound
from backend.core.idempotency import idempotency_middleware
from backend.core.jobs import ArqQueue, InProcessQueue, JobQueue
from backend.core.problems import EXCEPTION_HANDLERS
from backend.core.structs import strict_body
from backend.devices.api import CONTROLLERS as DEVICE_CONTROLLERS
from backend.devices.ws import devices_socket
from backend.health import health, live
from backend.labels.api import CONTROLLERS as LABEL_CONTROLLERS
from backend.realtime.channels import make_backend
from backend.realtime.ws import live_socket
from backend.receiving.api import CONTROLLERS as RECEIVING_CONTROLLERS
from backend.requisitions.api import CONTROLLERS as REQUISITION_CONTROLLERS
from backend.scanning.api import CONTROLLERS as SCANNING_CONTROLLERS
from backend.settings import Settings, get_settings
from backend.sites.api import CONTROLLERS as SITES_CONTROLLERS
from backend.stock.api import CONTROLLERS as STOCK_CONTROLLERS
from backend.tasks.api import CONTROLLERS as TASK_CONTROLLERS

log = logging.getLogger(__name__)


async def _retrieve_actor(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    from backend.auth.service import actor_for_token

    iat = token.iat
    issued = iat if isinstance(iat, datetime) else datetime.fromtimestamp(iat, UTC)
    jti = token.jti if isinstance(token.jti, str) else None
    return await actor_for_token(int(token.sub), issued, jti)


def _jwt_auth(settings: Settings) -> JWTCookieAuth[Actor, Token]:
    return JWTCookieAuth[Actor, Token](
        retrieve_user_handler=_retrieve_actor,
        authentication_middleware_class=ActorAuthenticationMiddleware,
        token_secret=settings.secret_key,
        key=TOKEN_COOKIE,
        # The API docs are public; so are handlers marked opt={"exclude_from_auth": True}
        # (health, login, the PWA's files). Everything else needs a token.
        exclude=[r"^/schema"],
        samesite="strict",
    )


jwt_auth = _jwt_auth(get_settings())


def _spa_routes(dist: Path) -> list[Any]:
    """The built PWA at `/`: a file if it exists, else index.html so client routes reload."""
    root = dist.resolve()

    @get(
        ["/", "/{path:path}"],
        opt={"exclude_from_auth": True, "public": True},
        include_in_schema=False,
    )
    async def spa(path: Annotated[str, PathParameter()] = "/") -> Response[bytes]:
        if path.startswith(("/api/", "/ws", "/schema")):
            raise NotFound(entity="path", key=path)
        candidate = (root / path.lstrip("/")).resolve()
        if root not in candidate.parents or not candidate.is_file():
            candidate = root / "index.html"
        if not candidate.is_file():
            raise NotFound(entity="path", key=path)
        import mimetypes

        media = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        immutable = "public, max-age=31536000, immutable"
        cache = "no-cache" if candidate.name in {"index.html", "sw.js"} else immutable
        return Response(candidate.read_bytes(), media_type=media, headers={"Cache-Control": cache})

    return [spa]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    channels = ChannelsPlugin(backend=make_backend(settings), arbitrary_channels_allowed=True)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.start(settings)
        queue: JobQueue
        dispatcher: asyncio.Task[None] | None = None
        if settings.redis_url:
            queue = ArqQueue(settings.redis_url)  # `lotwise worker` dispatches and runs jobs
        else:
            in_process = InProcessQueue(worker.FUNCTIONS, worker.CRON)
            in_process.start_cron()
            queue = in_process
            dispatcher = asyncio.create_task(
                outbox.run_dispatcher(worker.sinks(queue, channels.wait_published))
            )
        app.state.jobs = queue
        try:
            yield
        finally:
            if dispatcher is not None:
                dispatcher.cancel()
                await asyncio.gather(dispatcher, return_exceptions=True)
            await queue.close()
            await db.stop()

    route_handlers: list[Any] = [
        health,
        live,
        AuthController,
        UserController,
        *CATALOG_CONTROLLERS,
        *SITES_CONTROLLERS,
        *AUDIT_CONTROLLERS,
        *STOCK_CONTROLLERS,
        *RECEIVING_CONTROLLERS,
        *DEVICE_CONTROLLERS,
        devices_socket,
        live_socket,
        *SCANNING_CONTROLLERS,
        *LABEL_CONTROLLERS,
        *ALERT_CONTROLLERS,
        *TASK_CONTROLLERS,
        *REQUISITION_CONTROLLERS,
    ]
    if settings.pwa_dist.is_dir():
        route_handlers += _spa_routes(settings.pwa_dist)

    app = Litestar(
        route_handlers=route_handlers,
        dependencies={"actor": Provide(provide_actor, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[idempotency_middleware],
        on_app_init=[jwt_auth.on_app_init],
        plugins=[channels, SessionInvalidation(channels)],
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title="Lotwise API",
            version="1",
            # The API docs are public like health and sign-in (the endpoint × role test
            # reads `public`); the JWT middleware also excludes ^/schema.
            openapi_router=Router(
                "/schema",
                route_handlers=[],
                include_in_schema=False,
                opt={"public": True, "exclude_from_auth": True},
            ),
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        debug=settings.debug,
        request_max_body_size=2 * 1024 * 1024,
        before_request=strict_body,
    )
    app.state.channels = channels
    return app
