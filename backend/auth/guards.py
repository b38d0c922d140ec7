"""Route guards and the `actor` dependency: how a request becomes an Actor with a permission."""

from dataclasses import replace
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from backend.auth.rules import Permission, allowed
from backend.core.actor import Actor
from backend.core.errors import AuthenticationFailed, PermissionDenied
from backend.core.i18n import pick_lang

PERMISSION_OPT = "permission"


def requires(permission: Permission) -> dict[str, Any]:
    """Keyword arguments for a route decorator: the guard and the permission it checks, kept in
    `opt` so the endpoint × role test can read every route's permission."""
    return {"guards": [_permission_guard], "opt": {PERMISSION_OPT: permission}}


def _permission_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    user = connection.scope.get("user")
    if not isinstance(user, Actor):
        raise AuthenticationFailed()
    permission = handler.opt.get(PERMISSION_OPT)
    if permission is None or not allowed(user.roles, permission):
        raise PermissionDenied()


permission_guard: Guard = _permission_guard


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    user = request.scope.get("user")
    if not isinstance(user, Actor):
        raise AuthenticationFailed()
    client = request.client.host if request.client else None
    return replace(
        user,
        lang=pick_lang(request.headers.get("accept-language")),
        address=client,
        idempotency_key=request.headers.get("idempotency-key"),
    )


CurrentActor = NamedDependency[Actor]
"""A handler parameter `actor: CurrentActor` receives the signed-in user as an Actor."""
